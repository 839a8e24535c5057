// forms_bench: timings of the forms engine on a generated 1,000-question form.
//
// Prints one figure per line on stdout as `name value unit` (what bench/forms shows and
// docs/performance.md records); context lines go to stderr, prefixed with '#'.
// The form and every answer come from a fixed-seed generator, so two runs measure the same work.

#include "core/i18n.hpp"
#include "core/json_text.hpp"
#include "forms/loader.hpp"
#include "forms/media.hpp"
#include "forms/session.hpp"
#include "forms/value.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace {

using carnet::forms::Session;
using carnet::forms::SessionOptions;
using carnet::forms::Validation;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kPages = 20;
constexpr int kQuestionsPerPage = 57; // 20 x 57 items, of which about 1,000 questions and 140 calculations
constexpr int kRepeatPage = 10;       // the page holding the repeat group
constexpr int kInstances = 50;        // repeat instances added with addRepeat
constexpr int kChoices = 6;           // choices c0..c5 in every list
constexpr int kRefWindow = 60;        // expressions refer to one of the previous 60 items
constexpr double kFixedNow = 20780.0; // 2026-11-23: today() must not make two runs differ

/// splitmix64: tiny, and the same sequence on every standard library (std distributions are not).
class Rng {
public:
    explicit Rng(std::uint64_t seed)
        : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n).
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    /// True with probability percent / 100.
    bool chance(int percent) { return below(100) < percent; }

private:
    std::uint64_t m_state;
};

/// What a generated item holds, for choosing expressions and answers that fit it.
enum class Kind { Integer, Decimal, Text, Code, SelectOne, SelectMultiple, Date, CalcNumber, CalcText };

struct GenItem {
    std::string name;
    Kind kind = Kind::Integer;
};

bool isNumeric(Kind k) {
    return k == Kind::Integer || k == Kind::Decimal || k == Kind::CalcNumber;
}
bool isCalc(Kind k) {
    return k == Kind::CalcNumber || k == Kind::CalcText;
}

json text(const std::string& fr, const std::string& en) {
    return json{{"fr", fr}, {"en", en}};
}

std::string refTo(const std::string& name) {
    return "${" + name + "}";
}

/// The generated form and what the bench needs to answer it.
struct Generated {
    json form;
    std::vector<GenItem> items;         ///< top-level questions and calculations, in order
    std::vector<GenItem> repeatAnswers; ///< answerable children of the repeat
    std::string repeatName;
    std::string pageSwitch; ///< the select that two pages are relevant on ('c5' hides them)
};

class FormGenerator {
public:
    explicit FormGenerator(std::uint64_t seed)
        : m_rng(seed) {}

    Generated build() {
        Generated g;
        json lists = json::object();
        for (int l = 0; l < 5; ++l)
            lists["l" + std::to_string(l)] = choices(l);
        json pages = json::array();
        for (int p = 0; p < kPages; ++p) {
            json page{{"type", "page"},
                      {"name", "p" + std::to_string(p)},
                      {"label", text("Page " + std::to_string(p + 1), "Page " + std::to_string(p + 1))}};
            // A few pages hang on an earlier select: hiding one hides a whole page of questions at once.
            if ((p == 5 || p == 12) && !m_selects.empty()) {
                if (g.pageSwitch.empty())
                    g.pageSwitch = m_selects[static_cast<std::size_t>(
                        m_rng.below(static_cast<int>(std::min<std::size_t>(m_selects.size(), 20))))];
                page["relevant"] = refTo(g.pageSwitch) + " != 'c5'";
            }
            json children = json::array();
            for (int q = 0; q < kQuestionsPerPage; ++q)
                children.push_back(question(g));
            if (p == kRepeatPage) addRepeat(g, children);
            if (p == 15)
                children.push_back(json{{"type", "calculate"},
                                        {"name", "income_band"},
                                        {"calculation", "if(${total_income} > 100000, 'high', 'low')"}});
            if (p == 19)
                children.push_back(json{{"type", "note"},
                                        {"name", "end_note"},
                                        {"label", text("${nb_adults} adultes, bande ${income_band}",
                                                       "${nb_adults} adults, band ${income_band}")},
                                        {"relevant", "${nb_adults} > 0"}});
            page["children"] = std::move(children);
            pages.push_back(std::move(page));
        }
        g.form = json{{"id", "bench_1000"},
                      {"version", "2026.1.0"},
                      {"title", text("Formulaire de mesure", "Benchmark form")},
                      {"default_language", "fr"},
                      {"languages", {"fr", "en"}},
                      {"settings", {{"kind", "survey"}, {"instance_name", "concat(${q0}, ' ', ${q1})"}}},
                      {"choice_lists", std::move(lists)},
                      {"pages", std::move(pages)}};
        return g;
    }

private:
    static json choices(int list) {
        json out = json::array();
        for (int c = 0; c < kChoices; ++c) {
            const std::string n = std::to_string(c);
            out.push_back(json{{"value", "c" + n},
                               {"label", text("Choix " + n + " (liste " + std::to_string(list) + ")",
                                              "Choice " + n + " (list " + std::to_string(list) + ")")}});
        }
        return out;
    }

    // An earlier item, most often the previous one, so relevance forms chains.
    const GenItem& earlier(bool previousFirst) {
        const int n = static_cast<int>(m_done.size());
        if (previousFirst && m_rng.chance(60)) return m_done.back();
        return m_done[static_cast<std::size_t>(n - 1 - m_rng.below(std::min(n, kRefWindow)))];
    }

    const GenItem* earlierNumeric() {
        for (int tries = 0; tries < 8; ++tries) {
            const GenItem& c = earlier(false);
            if (isNumeric(c.kind)) return &c;
        }
        return nullptr;
    }

    // A condition on `j` that is true for most answers, so most of the form stays visible.
    std::string relevanceOn(const GenItem& j) {
        const std::string r = refTo(j.name);
        switch (j.kind) {
        case Kind::Integer:
            return m_rng.chance(50) ? r + " < 110" : "coalesce(" + r + ", 0) != 13";
        case Kind::Decimal:
            return r + " = '' or " + r + " < 9000";
        case Kind::Text:
        case Kind::Code:
            return r + " != 'skip'";
        case Kind::SelectOne:
            return r + " != 'c5'";
        case Kind::SelectMultiple:
            return "count-selected(" + r + ") <= 2 or selected(" + r + ", 'c0')";
        case Kind::Date:
            return r + " = '' or " + r + " >= '2001-01-01'";
        case Kind::CalcNumber:
            return r + " != 77";
        case Kind::CalcText:
            return r + " != 'x'";
        }
        return "true()";
    }

    std::string calculation(Kind& kind) {
        const int roll = m_rng.below(4);
        if (roll == 0) { // sum of up to three earlier numbers
            std::string expr;
            for (int t = 0; t < 3; ++t)
                if (const GenItem* a = earlierNumeric())
                    expr += (expr.empty() ? "" : " + ") + ("coalesce(" + refTo(a->name) + ", 0)");
            if (!expr.empty()) {
                kind = Kind::CalcNumber;
                return expr;
            }
        } else if (roll == 1) {
            if (const GenItem* a = earlierNumeric()) {
                kind = Kind::CalcText;
                return "if(coalesce(" + refTo(a->name) + ", 0) > 50, 'high', 'low')";
            }
        } else if (roll == 2) {
            if (const GenItem* a = earlierNumeric()) {
                kind = Kind::CalcNumber;
                return "round(coalesce(" + refTo(a->name) + ", 0) * 1.15, 2)";
            }
        }
        kind = Kind::CalcText;
        const GenItem& a = earlier(false);
        const GenItem& b = earlier(false);
        return "concat(" + refTo(a.name) + ", ' / ', " + refTo(b.name) + ")";
    }

    json question(Generated& g) {
        const int k = m_next++;
        GenItem gi{"q" + std::to_string(k), Kind::Integer};
        const std::string num = std::to_string(k + 1);
        json q{{"name", gi.name}};
        const int roll = k == 0 ? 0 : m_rng.below(100);
        if (roll >= 88) {
            q["type"] = "calculate";
            q["calculation"] = calculation(gi.kind);
        } else {
            if (roll < 22) {
                q["type"] = "integer";
                if (m_rng.chance(50)) q["constraint"] = ". >= 0 and . <= 120";
                if (m_rng.chance(3)) q["default"] = 0;
            } else if (roll < 36) {
                gi.kind = Kind::Decimal;
                q["type"] = "decimal";
                if (m_rng.chance(50)) q["constraint"] = ". >= 0 and . < 10000";
            } else if (roll < 50) {
                q["type"] = "text";
                gi.kind = Kind::Text;
                if (m_rng.chance(5)) {
                    gi.kind = Kind::Code;
                    // Distinct patterns (each compiled on load), all matched by answers shaped "AB-123".
                    static const char* const kPatterns[] = {"[A-Z]{2}-[0-9]{3}", "[A-Z]+-[0-9]+",
                                                            "[A-Z]{2}-[0-9]{3}|[0-9]{5}", "([A-Z]{2})-([0-9]{3})"};
                    q["regex"] = kPatterns[m_codes++ % 4];
                    q["constraint_message"] = text("Format AB-123.", "Shape AB-123.");
                } else if (m_rng.chance(40)) {
                    q["constraint"] = "string-length(.) <= 60";
                }
            } else if (roll < 68) {
                gi.kind = Kind::SelectOne;
                q["type"] = "select_one";
                selectChoices(q);
                if (m_rng.chance(30)) q["constraint"] = ". != 'c9'";
                m_selects.push_back(gi.name);
            } else if (roll < 78) {
                gi.kind = Kind::SelectMultiple;
                q["type"] = "select_multiple";
                selectChoices(q);
                if (m_rng.chance(60)) q["constraint"] = "count-selected(.) <= 3";
            } else {
                gi.kind = Kind::Date;
                q["type"] = "date";
                if (m_rng.chance(60)) q["constraint"] = ". >= '2000-01-01' and . <= '2030-12-31'";
            }
            std::string fr = "Question " + num, en = "Question " + num;
            if (k > 0 && m_rng.chance(5)) { // interpolated labels cost in view()
                const std::string r = refTo(earlier(true).name);
                fr += " (" + r + ")";
                en += " (" + r + ")";
            }
            q["label"] = text(fr, en);
            if (m_rng.chance(20)) q["hint"] = text("Aide pour la question " + num, "Help for question " + num);
            if (q.contains("constraint") && m_rng.chance(50))
                q["constraint_message"] = text("Valeur hors limites.", "Value out of range.");
            if (m_rng.chance(30)) q["required"] = true;
        }
        if (k > 0 && m_rng.chance(50)) q["relevant"] = relevanceOn(earlier(true));
        g.items.push_back(gi);
        m_done.push_back(gi);
        return q;
    }

    void selectChoices(json& q) {
        if (m_rng.chance(70)) {
            q["choice_list"] = "l" + std::to_string(m_rng.below(5));
        } else {
            q["choices"] = choices(m_next);
        }
    }

    // A household-style repeat: a few questions and calculations per instance, aggregated outside.
    void addRepeat(Generated& g, json& children) {
        g.repeatName = "members";
        json inner = json::array();
        inner.push_back(json{{"type", "text"},
                             {"name", "m_name"},
                             {"label", text("Membre n° ${m_no}", "Member no. ${m_no}")},
                             {"required", true},
                             {"constraint", "string-length(.) <= 40"}});
        inner.push_back(json{{"type", "integer"},
                             {"name", "m_age"},
                             {"label", text("Âge", "Age")},
                             {"required", true},
                             {"constraint", ". >= 0 and . <= 120"}});
        inner.push_back(
            json{{"type", "select_one"}, {"name", "m_role"}, {"label", text("Rôle", "Role")}, {"choice_list", "l0"}});
        inner.push_back(json{{"type", "decimal"},
                             {"name", "m_income"},
                             {"label", text("Revenu mensuel", "Monthly income")},
                             {"relevant", "${m_age} >= 16"},
                             {"constraint", ". >= 0 and . < 10000"}});
        inner.push_back(json{{"type", "calculate"}, {"name", "m_adult"}, {"calculation", "if(${m_age} >= 18, 1, 0)"}});
        inner.push_back(json{{"type", "calculate"}, {"name", "m_no"}, {"calculation", "position(..)"}});
        g.repeatAnswers = {
            {"m_name", Kind::Text}, {"m_age", Kind::Integer}, {"m_role", Kind::SelectOne}, {"m_income", Kind::Decimal}};
        children.push_back(json{{"type", "repeat"},
                                {"name", g.repeatName},
                                {"label", text("Membres du foyer", "Household members")},
                                {"max_count", 100},
                                {"children", std::move(inner)}});
        children.push_back(
            json{{"type", "calculate"}, {"name", "nb_members"}, {"calculation", "count(${" + g.repeatName + "})"}});
        children.push_back(json{{"type", "calculate"}, {"name", "nb_adults"}, {"calculation", "sum(${m_adult})"}});
        children.push_back(json{{"type", "calculate"}, {"name", "total_income"}, {"calculation", "sum(${m_income})"}});
        children.push_back(json{{"type", "integer"},
                                {"name", "nb_cars"},
                                {"label", text("Voitures du foyer", "Household cars")},
                                {"relevant", "${nb_adults} > 0"},
                                {"constraint", ". >= 0 and . <= 3 * ${nb_members}"}});
        g.items.push_back({"nb_cars", Kind::Integer});
    }

    Rng m_rng;
    int m_next = 0;
    int m_codes = 0;
    std::vector<GenItem> m_done;
    std::vector<std::string> m_selects;
};

/// A valid answer for `kind`; sometimes a value that flips a relevance condition on purpose.
json answerFor(Kind kind, Rng& rng) {
    switch (kind) {
    case Kind::Integer:
        return rng.below(121);
    case Kind::Decimal:
        return rng.below(1000000) / 100.0;
    case Kind::Text:
        return rng.chance(5) ? std::string("skip") : "réponse " + std::to_string(rng.below(100000));
    case Kind::Code: {
        std::string s;
        s += static_cast<char>('A' + rng.below(26));
        s += static_cast<char>('A' + rng.below(26));
        return s + "-" + std::to_string(100 + rng.below(900));
    }
    case Kind::SelectOne:
        return "c" + std::to_string(rng.below(kChoices));
    case Kind::SelectMultiple: {
        json out = json::array();
        const int n = 1 + rng.below(3);
        for (int c = rng.below(kChoices); static_cast<int>(out.size()) < n; c = (c + 1 + rng.below(2)) % kChoices) {
            const std::string v = "c" + std::to_string(c);
            if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
        }
        return out;
    }
    case Kind::Date:
        return carnet::forms::formatIsoDate(10957 + rng.below(11000)); // 2000-01-01 + up to 30 years
    case Kind::CalcNumber:
    case Kind::CalcText:
        break;
    }
    return nullptr;
}

/// Every question answered, and kInstances repeat instances.
json fullAnswers(const Generated& g, Rng& rng) {
    json out = json::object();
    for (const auto& it : g.items)
        if (!isCalc(it.kind)) out[it.name] = answerFor(it.kind, rng);
    json instances = json::array();
    for (int k = 0; k < kInstances; ++k) {
        json inst = json::object();
        for (const auto& it : g.repeatAnswers)
            inst[it.name] = answerFor(it.kind, rng);
        instances.push_back(std::move(inst));
    }
    out[g.repeatName] = std::move(instances);
    return out;
}

/// One answerable path of a filled session and its answer in the full answer set.
struct PathAnswer {
    std::string path;
    Kind kind = Kind::Integer;
    json value;
};

/// Top-level questions, then each instance's questions, with their answers from `answers`.
std::vector<PathAnswer> answerPaths(const Generated& g, const json& answers) {
    std::vector<PathAnswer> out;
    for (const auto& it : g.items)
        if (!isCalc(it.kind)) out.push_back({it.name, it.kind, answers[it.name]});
    for (std::size_t k = 0; k < kInstances; ++k)
        for (const auto& it : g.repeatAnswers)
            out.push_back({g.repeatName + "[" + std::to_string(k + 1) + "]/" + it.name, it.kind,
                           answers[g.repeatName][k][it.name]});
    return out;
}

// A record without its repeat instances' ids: each addRepeat gives its instance a new random id, so
// a session filled by hand and one loaded from the same answers differ there and nowhere else.
json withoutInstanceIds(json record) {
    for (auto& [name, value] : record.items()) {
        if (!value.is_array()) continue;
        for (auto& instance : value) {
            if (!instance.is_object()) continue;
            instance = withoutInstanceIds(std::move(instance)); // nested repeats
            instance.erase("_id");
        }
    }
    return record;
}

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p * static_cast<double>(v.size()))));
    return v[std::min(rank, v.size()) - 1];
}

double median(std::vector<double> v) {
    return v.empty() ? 0.0 : percentile(std::move(v), 0.5);
}

void figure(const char* name, double value, const char* unit) {
    std::printf("%s %.4f %s\n", name, value, unit);
}

SessionOptions sessionOptions() {
    SessionOptions o;
    o.language = "fr";
    o.now = [] { return kFixedNow; };
    return o;
}

struct Options {
    int runs = 25;      // timed runs of load, full evaluation, view and record
    int warmup = 3;     // untimed runs before each of them
    int changes = 2000; // timed single-answer changes (after kWarmupChanges untimed ones)
    std::uint64_t seed = 20261123;
    std::string writeForm; // also write the generated form there (to inspect it or check it with carnet-forms)
};

constexpr int kWarmupChanges = 200;

bool parseArgs(int argc, char** argv, Options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        const char* v = argv[i + 1];
        if (a == "--write-form") {
            o.writeForm = v;
            continue;
        }
        const long long n = std::atoll(v);
        if (n <= 0) return false;
        if (a == "--runs")
            o.runs = static_cast<int>(n);
        else if (a == "--changes")
            o.changes = static_cast<int>(n);
        else if (a == "--seed")
            o.seed = static_cast<std::uint64_t>(n);
        else
            return false;
    }
    return argc % 2 == 1;
}

/// Runs `fn` warmup + runs times and returns the timed durations; `fn` returns false to stop the bench.
template <class Fn> bool timeRuns(const Options& opt, std::vector<double>& out, Fn fn) {
    for (int r = 0; r < opt.warmup + opt.runs; ++r) {
        double ms = 0;
        if (!fn(ms)) return false;
        if (r >= opt.warmup) out.push_back(ms);
    }
    return true;
}

bool writeFile(const std::string& path, const std::string& data) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    return std::fclose(f) == 0 && ok;
}

struct EvalTimes {
    std::vector<double> all, inRepeat, nodes;
};

/// Random single-answer changes on a filled session: each setAnswer recomputes what depends on the answer.
bool measureChanges(Session& session, const std::vector<PathAnswer>& paths, const Options& opt, Rng& rng,
                    EvalTimes& out) {
    for (int c = 0; c < kWarmupChanges + opt.changes; ++c) {
        const PathAnswer& pa = paths[static_cast<std::size_t>(rng.below(static_cast<int>(paths.size())))];
        const json v = rng.chance(5) ? json(nullptr) : answerFor(pa.kind, rng); // sometimes cleared
        const auto before = session.evaluations();
        const auto t0 = Clock::now();
        const auto set = session.setAnswer(pa.path, v, Validation::Strict);
        const double ms = msSince(t0);
        if (!set.ok()) {
            std::fprintf(stderr, "setAnswer %s = %s: %s\n", pa.path.c_str(), v.dump().c_str(),
                         set.error().message.c_str());
            return false;
        }
        if (c < kWarmupChanges) continue;
        out.all.push_back(ms);
        if (pa.path.find('[') != std::string::npos) out.inRepeat.push_back(ms);
        out.nodes.push_back(static_cast<double>(session.evaluations() - before));
    }
    return true;
}

/// regex() in a constraint, with a pattern that backtracks exponentially in a backtracking engine
/// ("^(a+)+$" on "aaa…a!"), on a 10,000-character answer: median setAnswer time, constraint included.
bool regexWorst(const Options& opt, double& medianMs) {
    const json doc = {
        {"id", "regex_bench"},
        {"version", "1"},
        {"title", {{"en", "regex"}}},
        {"default_language", "en"},
        {"languages", {"en"}},
        {"pages",
         {{{"type", "page"},
           {"name", "p"},
           {"label", {{"en", "p"}}},
           {"children",
            {{{"type", "text"},
              {"name", "code"},
              {"label", {{"en", "code"}}},
              {"constraint", "regex(., '^(a+)+$')"}}}}}}},
    };
    const auto loaded = carnet::forms::loadFormJson(doc);
    if (!loaded.ok()) return false;
    Session session(loaded.form, sessionOptions());
    const std::string answers[2] = {std::string(10000, 'a') + "!", std::string(10000, 'a') + "?"};
    std::vector<double> ms;
    int k = 0;
    const bool ok = timeRuns(opt, ms, [&](double& out) {
        const auto t0 = Clock::now();
        const auto set = session.setAnswer("code", answers[k++ % 2], Validation::Lenient);
        out = msSince(t0);
        return set.ok();
    });
    medianMs = median(ms);
    return ok;
}

// A select over a 50,000-row media CSV (choice_file), filtered by an earlier answer and searched by
// the start of the label, as XLSForm's select_one_from_file + choice_filter and search('file',
// 'startswith', ...) import: one change of the searched prefix and the view that offers the matches.
bool externalChoices(const Options& opt, double& medianMs, std::size_t& offered) {
    const json doc = json::parse(R"J({
      "id": "external_bench", "version": "1", "title": "external", "default_language": "en", "languages": ["en"],
      "media": ["villages.csv"],
      "pages": [{"type": "page", "name": "p", "label": "p", "children": [
        {"type": "integer", "name": "district", "label": "District"},
        {"type": "text", "name": "prefix", "label": "Search"},
        {"type": "select_one", "name": "village", "label": "Village",
         "choice_file": {"file": "villages.csv", "value": "id"},
         "choice_filter": "district_id = ${district} and starts-with(label, ${prefix})"}]}]})J");
    std::string csv = "id,label,district_id\n";
    const char* syllables[] = {"ka", "mo", "ni", "sa", "to", "ru", "be", "di"};
    for (int i = 0; i < 50000; ++i) {
        const std::string label = std::string(syllables[i % 8]) + syllables[(i / 8) % 8] + syllables[(i / 64) % 8];
        csv += "v" + std::to_string(i) + "," + label + " " + std::to_string(i) + "," + std::to_string(i % 100) + "\n";
    }
    const auto loaded = carnet::forms::loadFormJson(doc);
    if (!loaded.ok()) return false;
    auto form = carnet::forms::attachMedia(*loaded.form, {{"villages.csv", csv}}, carnet::Lang::En);
    if (!form.ok()) return false;
    Session session(*form, sessionOptions());
    if (!session.setAnswer("district", 40).ok()) return false;
    const std::string prefixes[2] = {"ka", "kamo"};
    std::vector<double> ms;
    int k = 0;
    const bool ok = timeRuns(opt, ms, [&](double& out) {
        const auto t0 = Clock::now();
        const auto set = session.setAnswer("prefix", prefixes[k++ % 2]);
        const auto view = session.view();
        out = msSince(t0);
        offered = view.pages[0].items.back().choices.size();
        return set.ok() && offered > 0;
    });
    medianMs = median(ms);
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parseArgs(argc, argv, opt)) {
        std::fprintf(stderr, "usage: forms_bench [--runs N] [--changes N] [--seed N] [--write-form FILE]\n");
        return 2;
    }

    // The form: it must load with no problem, or every figure below would measure the wrong thing.
    const Generated gen = FormGenerator(opt.seed).build();
    const std::string formText = gen.form.dump();
    if (!opt.writeForm.empty() && !writeFile(opt.writeForm, formText)) {
        std::fprintf(stderr, "cannot write %s\n", opt.writeForm.c_str());
        return 1;
    }
    const carnet::forms::LoadResult loaded = carnet::forms::loadForm(formText);
    if (!loaded.ok()) {
        for (const auto& p : loaded.problems)
            std::fprintf(stderr, "%s\n", p.format("generated form", carnet::Lang::En).c_str());
        return 1;
    }
    const std::shared_ptr<const carnet::forms::Form> form = loaded.form;
    std::fprintf(stderr, "# form: %zu items, %d questions, %zu pages, %zu bytes of JSON\n", form->items.size(),
                 form->questionCount(), form->pages.size(), formText.size());

    // Load + validate from text, and the JSON parse alone (the part the loader does not control).
    std::vector<double> loadMs, parseMs;
    bool ok = timeRuns(opt, loadMs, [&](double& ms) {
        const auto t0 = Clock::now();
        const auto again = carnet::forms::loadForm(formText);
        ms = msSince(t0);
        return again.ok();
    });
    ok = ok && timeRuns(opt, parseMs, [&](double& ms) {
             json doc;
             carnet::JsonSyntaxError err;
             const auto t0 = Clock::now();
             const bool parsed = carnet::parseJsonText(formText, doc, err);
             ms = msSince(t0);
             return parsed;
         });

    // Full evaluation: a new session fed a complete answer set (opening a saved draft).
    Rng rng(opt.seed ^ 0xA5A5A5A5ULL);
    const json answers = fullAnswers(gen, rng);
    std::vector<double> fullMs;
    json reference;
    ok = ok && timeRuns(opt, fullMs, [&](double& ms) {
             const auto t0 = Clock::now();
             Session s(form, sessionOptions());
             const auto problems = s.loadAnswers(answers);
             ms = msSince(t0);
             for (const auto& p : problems)
                 std::fprintf(stderr, "%s: %s\n", p.path.c_str(), p.message.c_str());
             if (reference.is_null()) reference = s.record();
             return problems.empty();
         });
    if (!ok) return 1;

    // An interview: the repeat instances added one by one, then every question answered in order.
    Session session(form, sessionOptions());
    std::vector<double> addMs;
    for (int k = 0; k < kInstances; ++k) {
        const auto t0 = Clock::now();
        const auto added = session.addRepeat(gen.repeatName);
        addMs.push_back(msSince(t0));
        if (!added.ok()) {
            std::fprintf(stderr, "addRepeat: %s\n", added.error().message.c_str());
            return 1;
        }
    }
    const auto paths = answerPaths(gen, answers);
    const auto fillStart = Clock::now();
    for (const auto& pa : paths) {
        const auto set = session.setAnswer(pa.path, pa.value, Validation::Strict);
        if (!set.ok()) {
            std::fprintf(stderr, "setAnswer %s: %s\n", pa.path.c_str(), set.error().message.c_str());
            return 1;
        }
    }
    const double fillMs = msSince(fillStart);
    if (withoutInstanceIds(session.record()) != withoutInstanceIds(reference))
        std::fprintf(stderr, "# warning: the record after answering one by one differs from loadAnswers\n");
    for (const auto& i : session.issues())
        std::fprintf(stderr, "# issue %s: %s\n", i.path.c_str(), i.message.c_str());
    std::fprintf(stderr, "# filled: %zu answers, %zu visible questions, complete=%d\n", paths.size(),
                 session.visiblePaths().size(), session.complete() ? 1 : 0);

    EvalTimes eval;
    if (!measureChanges(session, paths, opt, rng, eval)) return 1;

    // The largest single change: one answer hides, then shows again, two whole pages.
    std::vector<double> flipMs;
    double flipNodes = 0;
    ok = timeRuns(opt, flipMs, [&](double& ms) {
        const auto before = session.evaluations();
        const auto t0 = Clock::now();
        const bool hidden = session.setAnswer(gen.pageSwitch, "c5").ok();
        const bool shown = session.setAnswer(gen.pageSwitch, "c0").ok();
        ms = msSince(t0) / 2;
        flipNodes = static_cast<double>(session.evaluations() - before) / 2;
        return hidden && shown;
    });
    if (!ok || !session.setAnswer(gen.pageSwitch, answers[gen.pageSwitch]).ok()) return 1;

    // What a screen needs each frame (view) and what the store saves (record).
    std::vector<double> viewMs, recordMs;
    std::size_t pagesShown = 0;
    ok = timeRuns(opt, viewMs, [&](double& ms) {
        const auto t0 = Clock::now();
        const auto fv = session.view();
        ms = msSince(t0);
        pagesShown = fv.pages.size();
        return true;
    });
    ok = ok && timeRuns(opt, recordMs, [&](double& ms) {
             const auto t0 = Clock::now();
             const auto rec = session.record();
             ms = msSince(t0);
             return rec.is_object();
         });
    if (!ok) return 1;
    std::fprintf(stderr,
                 "# %zu pages shown; medians of %d runs after %d warm-up runs; %d changes (%zu in the repeat)\n",
                 pagesShown, opt.runs, opt.warmup, opt.changes, eval.inRepeat.size());

    figure("forms_load_ms", median(loadMs), "ms");
    figure("forms_load_json_parse_ms", median(parseMs), "ms");
    figure("forms_full_eval_ms", median(fullMs), "ms");
    figure("forms_add_repeat_ms", median(addMs), "ms");
    figure("forms_fill_ms", fillMs, "ms");
    figure("forms_eval_median_ms", median(eval.all), "ms");
    figure("forms_eval_p99_ms", percentile(eval.all, 0.99), "ms");
    figure("forms_eval_max_ms", percentile(eval.all, 1.0), "ms");
    figure("forms_eval_repeat_median_ms", median(eval.inRepeat), "ms");
    figure("forms_eval_nodes_median", median(eval.nodes), "nodes");
    figure("forms_eval_nodes_p99", percentile(eval.nodes, 0.99), "nodes");
    figure("forms_eval_page_flip_ms", median(flipMs), "ms");
    figure("forms_eval_page_flip_nodes", flipNodes, "nodes");
    figure("forms_view_ms", median(viewMs), "ms");
    figure("forms_record_ms", median(recordMs), "ms");
    double regexMs = 0;
    if (!regexWorst(opt, regexMs)) return 1;
    figure("forms_regex_worst_ms", regexMs, "ms");
    double externalMs = 0;
    std::size_t offered = 0;
    if (!externalChoices(opt, externalMs, offered)) return 1;
    std::fprintf(stderr, "# external choices: 50000 CSV rows, %zu offered after the filter\n", offered);
    figure("forms_external_choices_filter_ms", externalMs, "ms");
    return 0;
}
