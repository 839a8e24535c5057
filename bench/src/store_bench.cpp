// bench/store: a 20,000-record device store with a 200-question form (10 personal texts); durable
// single-answer saves, listing drafts, and the raw SQLite ceiling on the same rows with the same
// settings. `--encrypted`: the same with a PIN (personal values sealed, docs/security.md).
#include "core/db.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace carnet;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kQuestions = 200;
constexpr int kRecords = 20000;
constexpr const char* kPin = "bench-pin-2026";

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return v[i];
}

std::string makeForm() {
    json children = json::array();
    for (int q = 0; q < kQuestions; ++q) {
        const std::string name = "q" + std::to_string(q);
        json item{{"name", name}, {"label", {{"fr", "Question " + std::to_string(q)}, {"en", "Question"}}}};
        switch (q % 4) {
        case 0:
            item["type"] = "integer";
            item["constraint"] = ". >= 0";
            break;
        case 1:
            item["type"] = "text";
            if (q % 20 == 1) item["personal"] = true; // names, phones, addresses: 10 of the 200
            break;
        case 2:
            item["type"] = "select_one";
            item["choices"] = json::array({json{{"value", "a"}, {"label", "A"}}, json{{"value", "b"}, {"label", "B"}},
                                           json{{"value", "c"}, {"label", "C"}}});
            break;
        default:
            item["type"] = "decimal";
            item["relevant"] = "${q" + std::to_string(q - 3) + "} > 10";
            break;
        }
        children.push_back(item);
    }
    json form{{"id", "big"},
              {"version", "1"},
              {"title", "Big"},
              {"default_language", "fr"},
              {"languages", {"fr", "en"}},
              {"pages", {{{"type", "page"}, {"name", "p"}, {"label", "P"}, {"children", children}}}}};
    return form.dump();
}

json valueFor(int q, std::mt19937& rng) {
    switch (q % 4) {
    case 0:
        return std::uniform_int_distribution<int>(0, 99)(rng);
    case 1:
        return "Réponse libre " + std::to_string(rng() % 100000);
    case 2:
        return std::string(1, static_cast<char>('a' + rng() % 3));
    default:
        return std::uniform_int_distribution<int>(0, 9999)(rng) / 100.0;
    }
}

json fullAnswers(std::mt19937& rng) {
    json a = json::object();
    for (int q = 0; q < kQuestions; ++q)
        a["q" + std::to_string(q)] = valueFor(q, rng);
    return a;
}

} // namespace

int main(int argc, char** argv) {
    bool encrypted = false;
    fs::path dir = fs::temp_directory_path() / "carnet-bench-store";
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--encrypted")
            encrypted = true;
        else // the folder given is the parent: only the benchmark's own subfolder is ever deleted
            dir = fs::path(argv[i]) / "carnet-bench-store";
    }
    fs::remove_all(dir);
    auto options = [&](Durability d) {
        store::StoreOptions o{d, "fr", 0};
        if (encrypted) o.pin = kPin; // the tablet's key derivation limits (KdfLimits::tablet)
        return o;
    };
    std::mt19937 rng(42);
    std::vector<std::string> drafts;
    {
        // Populate quickly (synchronous=NORMAL); the measurements below reopen with FULL.
        auto s = store::Store::open(dir, options(Durability::Normal));
        if (!s.ok()) {
            std::fprintf(stderr, "%s\n", s.error().message.c_str());
            return 1;
        }
        if (auto r = s->installForm(makeForm()); !r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
        for (int i = 0; i < kRecords; ++i) {
            auto id = s->importAnswers("big", fullAnswers(rng), "bench");
            if (!id.ok()) {
                std::fprintf(stderr, "%s\n", id.error().message.c_str());
                return 1;
            }
            if (i % 2 == 0) {
                drafts.push_back(*id);
            } else if (auto f = s->finalize(*id); !f.ok() || !f->empty()) {
                std::fprintf(stderr, "finalize failed\n");
                return 1;
            }
        }
    }
    const auto u0 = Clock::now();
    auto s = store::Store::open(dir, options(Durability::Full));
    const double openMs = ms(Clock::now() - u0); // with a PIN: the argon2id derivation dominates
    if (!s.ok()) return 1;

    // One durable answer save: validation, answers JSON rewrite and the outbox entry, committed with fsync.
    std::vector<double> saves;
    const std::string& record = drafts[drafts.size() / 2];
    for (int i = 0; i < 600; ++i) {
        // Every fourth save is a personal answer (sealed when encrypted).
        const int q = i % 4 == 0 ? 20 * std::uniform_int_distribution<int>(0, kQuestions / 20 - 1)(rng) + 1
                                 : std::uniform_int_distribution<int>(0, kQuestions - 1)(rng);
        const json v = valueFor(q, rng);
        const auto t0 = Clock::now();
        auto r = s->setAnswer(record, "q" + std::to_string(q), v);
        const auto t1 = Clock::now();
        if (!r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
        if (i >= 100) saves.push_back(ms(t1 - t0)); // first ones warm the page cache
    }
    // Moving between records reloads the form session: measured separately.
    std::vector<double> switches;
    for (int i = 0; i < 100; ++i) {
        const std::string& id = drafts[static_cast<std::size_t>(i) * 37 % drafts.size()];
        const auto t0 = Clock::now();
        auto r = s->setAnswer(id, "q1", "changement " + std::to_string(i));
        switches.push_back(ms(Clock::now() - t0));
        if (!r.ok()) return 1;
    }
    std::vector<double> lists, fullLists;
    std::size_t listed = 0;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        auto l = s->list(store::Status::Draft);
        lists.push_back(ms(Clock::now() - t0));
        const auto t1 = Clock::now();
        auto full = s->list(store::Status::Draft, true);
        fullLists.push_back(ms(Clock::now() - t1));
        if (!l.ok() || !full.ok()) return 1;
        listed = l->size();
    }

    // The ceiling: the same rows straight into SQLite, same file settings, one durable transaction each.
    const fs::path raw = dir / "ceiling.db";
    auto db = Db::open(raw, DbOptions{false, true, Durability::Full, 5000});
    if (!db.ok() || !db->exec("CREATE TABLE records(id TEXT PRIMARY KEY, answers TEXT NOT NULL)").ok()) return 1;
    const std::string row = fullAnswers(rng).dump();
    auto ins = db->prepare("INSERT INTO records(id, answers) VALUES (?, ?)");
    if (!ins.ok()) return 1;
    const int rawRows = 500;
    const auto r0 = Clock::now();
    for (int i = 0; i < rawRows; ++i) {
        Tx tx(*db);
        ins->bind(1, newUuid()).bind(2, row);
        if (!ins->run().ok() || !tx.commit().ok()) return 1;
    }
    const double rawSeconds = std::chrono::duration<double>(Clock::now() - r0).count();

    std::printf("store_encrypted %d\n", encrypted ? 1 : 0);
    std::printf("store_open_ms %.3f ms\n", openMs);
    std::printf("store_records %d records\n", kRecords);
    std::printf("store_answer_bytes %zu bytes\n", row.size());
    std::printf("store_save_p50_ms %.3f ms\n", percentile(saves, 0.5));
    std::printf("store_save_p99_ms %.3f ms\n", percentile(saves, 0.99));
    std::printf("store_save_other_record_p50_ms %.3f ms\n", percentile(switches, 0.5));
    std::printf("store_list_drafts_ms %.3f ms\n", percentile(lists, 0.5));
    std::printf("store_list_drafts_count %zu records\n", listed);
    std::printf("store_list_drafts_with_answers_ms %.3f ms\n", percentile(fullLists, 0.5));
    std::printf("sqlite_ceiling_rows_per_s %.0f rows/s\n", rawRows / rawSeconds);
    std::printf("sqlite_ceiling_commit_ms %.3f ms\n", rawSeconds * 1000.0 / rawRows);
    fs::remove_all(dir);
    return 0;
}
