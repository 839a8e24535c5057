// Form media from the server to devices (docs/sync-protocol.md, "Form media"): a real carnet-server on
// 127.0.0.1 publishes a form with its CSV files, real device stores sync through the real libcurl
// transport (and the fault-injecting proxy), and the device's form session offers the CSV's choices.
#include "fault_proxy.hpp"
#include "forms/bundle.hpp"
#include "server_process.hpp"
#include "store/store.hpp"
#include "sync/client.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace carnet;
using namespace carnet::sync;
using nlohmann::json;

namespace {

// A form reading two CSV files: a region, then a district filtered by region.
std::string plotForm(const std::string& version) {
    json form = json::parse(R"J({
      "id": "plots", "title": "Plots", "default_language": "en", "languages": ["en"],
      "media": ["regions.csv", "districts.csv"],
      "pages": [{"type": "page", "name": "p", "label": "Plot", "children": [
        {"type": "select_one", "name": "region", "label": "Region", "choice_file": {"file": "regions.csv"}},
        {"type": "select_one", "name": "district", "label": "District",
         "choice_file": {"file": "districts.csv", "value": "district_id", "label": "district_name"},
         "choice_filter": "region_id = ${region}"}]}]})J");
    form["version"] = version;
    return form.dump();
}

const std::string kRegions = "name,label\ndar,Dar es Salaam\naru,Arusha\n";

// `rows` districts, alternating between the two regions.
std::string districts(int rows, const std::string& prefix = "d") {
    std::string out = "district_id,district_name,region_id\n";
    for (int i = 0; i < rows; ++i)
        out += prefix + std::to_string(i) + ",District " + std::to_string(i) + "," + (i % 2 ? "aru" : "dar") + "\n";
    return out;
}

void writeFile(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << bytes;
}

// Counts the media requests (and the offset each asked for) on top of a real transport; can make the
// link go down for good after `mediaBudget` media requests (a device switched off mid-download).
class CountingTransport final : public Transport {
public:
    explicit CountingTransport(Transport& inner)
        : m_inner(inner) {}
    Result<HttpResponse> send(const HttpRequest& r) override {
        const bool media = r.path.rfind("/api/v1/form-media/", 0) == 0;
        if (media) {
            if (mediaBudget == 0) return makeError(ErrorCode::Offline, "injected: link down", false);
            if (mediaBudget > 0) --mediaBudget;
            offsets.push_back(r.path.substr(r.path.find("offset=") + 7));
            offsets.back() = offsets.back().substr(0, offsets.back().find('&'));
        }
        return m_inner.send(r);
    }
    void setToken(std::string token) override { m_inner.setToken(std::move(token)); }
    std::uint64_t bytesSent() const override { return m_inner.bytesSent(); }
    std::uint64_t bytesReceived() const override { return m_inner.bytesReceived(); }

    int mediaBudget = -1;             ///< media requests let through (-1: all)
    std::vector<std::string> offsets; ///< the offset of each media request sent
private:
    Transport& m_inner;
};

struct World {
    test::TempDir dir;
    test::ServerProcess server{CARNET_SERVER_BIN, dir.path() / "server"};
    World() {
        REQUIRE(server.admin("org add alec"));
        REQUIRE(server.admin("user add awa --role ambassador --org alec --password-stdin", "awa-password"));
    }
    // Publishes the plot form `version` for alec with its CSV files beside it (a bundle on disk).
    bool publish(const std::string& version, const std::string& districtsCsv) {
        const auto src = dir.path() / ("v" + version);
        std::filesystem::create_directories(src);
        writeFile(src / "plots.json", plotForm(version));
        writeFile(src / "regions.csv", kRegions);
        writeFile(src / "districts.csv", districtsCsv);
        return server.admin("form publish " + (src / "plots.json").string() + " --org alec");
    }
    store::Store device(const std::string& name) {
        auto s = store::Store::open(dir.path() / name, store::StoreOptions{Durability::Full, "en", 0});
        REQUIRE(s.ok());
        return std::move(*s);
    }
};

SyncOptions fast() {
    SyncOptions o;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}

std::vector<std::string> choices(store::Store& s, const std::string& record, const std::string& name) {
    auto session = s.openSession(record);
    REQUIRE(session.ok());
    std::vector<std::string> out;
    const forms::FormView view = (*session)->view();
    for (const auto& item : view.pages.at(0).items)
        if (item.name == name)
            for (const auto& c : item.choices)
                out.push_back(c.value);
    return out;
}

} // namespace

TEST_CASE("a form published with its CSV files reaches the device, which offers and filters the CSV's "
          "choices offline, v2 with one file changed fetches only that file",
          "[sync][media]") {
    World w;
    const std::string d1 = districts(40);
    REQUIRE(w.publish("1", d1));
    REQUIRE(w.server.start());
    store::Store awa = w.device("awa");
    auto curl = makeCurlTransport(w.server.url());
    REQUIRE(login(awa, *curl, w.server.url(), "awa", "awa-password").ok());
    CountingTransport counting(*curl);
    const SyncReport r = synchronize(awa, counting, fast());
    INFO(r.toJson().dump());
    REQUIRE(r.ok);
    CHECK(r.formsInstalled == 1);
    CHECK(r.mediaDownloaded == 2);
    CHECK(r.mediaBytes == kRegions.size() + d1.size());
    // Kept in the device's data folder by sha256, verified.
    CHECK(awa.hasMedia(forms::mediaSha256(d1)));
    CHECK(std::filesystem::exists(w.dir.path() / "awa" / "media" / forms::mediaSha256(kRegions)));
    CHECK(awa.missingMedia()->empty());

    // Offline now: the session lists the CSV's choices, and the district list follows the region.
    w.server.stop();
    const std::string id = *awa.createRecord("plots", "awa");
    CHECK(choices(awa, id, "region") == std::vector<std::string>{"dar", "aru"});
    CHECK(choices(awa, id, "district").empty());
    REQUIRE(awa.setAnswer(id, "region", "aru").ok());
    const auto aru = choices(awa, id, "district");
    CHECK(aru.size() == 20);
    CHECK(aru.front() == "d1");
    REQUIRE(awa.setAnswer(id, "district", "d3").ok());
    CHECK_FALSE(awa.setAnswer(id, "district", "d2").ok()); // a Dar district is not offered for Arusha
    // Another connection on the same folder (the app's, after a restart) loads them from the disk too.
    {
        store::Store again = w.device("awa");
        CHECK(choices(again, id, "district").size() == 20);
    }

    // v2 changes districts.csv only: that file alone travels.
    const std::string d2 = districts(60, "n");
    REQUIRE(w.publish("2", d2));
    REQUIRE(w.server.start());
    auto curl2 = makeCurlTransport(w.server.url());
    REQUIRE(login(awa, *curl2, w.server.url(), "awa", "awa-password").ok());
    CountingTransport counting2(*curl2);
    const SyncReport r2 = synchronize(awa, counting2, fast());
    INFO(r2.toJson().dump());
    REQUIRE(r2.ok);
    CHECK(r2.formsInstalled == 1);
    CHECK(r2.mediaDownloaded == 1);
    CHECK(r2.mediaBytes == d2.size());
    CHECK(counting2.offsets.size() == 1);
    // New records take v2, whose districts are v2's.
    const std::string id2 = *awa.createRecord("plots", "awa");
    REQUIRE(awa.setAnswer(id2, "region", "dar").ok());
    CHECK(choices(awa, id2, "district").front() == "n0");
    // A sync with nothing new fetches nothing.
    CountingTransport counting3(*curl2);
    const SyncReport r3 = synchronize(awa, counting3, fast());
    CHECK(r3.ok);
    CHECK(r3.mediaDownloaded == 0);
    CHECK(counting3.offsets.empty());
}

TEST_CASE("a media download cut off resumes where the device's partial file ends and ends verified",
          "[sync][media][faults]") {
    World w;
    const std::string big = districts(4000); // ~130 KB: many 16 KiB chunks
    REQUIRE(w.publish("1", big));
    REQUIRE(w.server.start());
    const std::string sha = forms::mediaSha256(big);
    SyncOptions o = fast();
    o.mediaChunkBytes = 16 << 10;
    {
        // Through the fault proxy: one media response is cut mid-body (retried: the chunk is asked
        // again from the same offset), then the link goes down for good after three chunks.
        test::FaultProxy proxy(w.server.port(), 7);
        store::Store awa = w.device("awa");
        auto curl = makeCurlTransport(proxy.url());
        REQUIRE(login(awa, *curl, proxy.url(), "awa", "awa-password").ok());
        CountingTransport counting(*curl);
        counting.mediaBudget = 5; // regions.csv, then a cut chunk and its retry, then two more
        int sent = 0;
        proxy.onDelivered([&](const std::string& line) {
            if (line.find("/api/v1/form-media/" + sha) != std::string::npos && ++sent == 1) proxy.cutResponseAt(200);
        });
        const SyncReport r = synchronize(awa, counting, o);
        INFO(r.toJson().dump());
        CHECK_FALSE(r.ok);
        CHECK(r.offline);
        CHECK(counting.offsets.size() == 5);
        CHECK(counting.offsets[1] == "0");
        CHECK(counting.offsets[2] == "0"); // the cut chunk, asked again
        CHECK(counting.offsets[3] == std::to_string(16 << 10));
        CHECK(*awa.mediaReceived(sha) == 3u * (16u << 10));
        CHECK_FALSE(awa.hasMedia(sha));
        CHECK(awa.forms()->empty()); // installed only with its media here
    }
    // The device restarts (a new store on the same folder) and syncs again: the download resumes at
    // the end of its partial file, and the file is kept once its sha256 matches.
    store::Store awa = w.device("awa");
    auto curl = makeCurlTransport(w.server.url());
    REQUIRE(login(awa, *curl, w.server.url(), "awa", "awa-password").ok());
    CountingTransport counting(*curl);
    const SyncReport r = synchronize(awa, counting, o);
    INFO(r.toJson().dump());
    REQUIRE(r.ok);
    REQUIRE_FALSE(counting.offsets.empty());
    CHECK(counting.offsets.front() == std::to_string(3u * (16u << 10)));
    CHECK(r.mediaBytes == big.size() - 3u * (16u << 10)); // nothing fetched twice
    CHECK(awa.hasMedia(sha));
    CHECK(*awa.mediaReceived(sha) == 0); // no partial file left
    const std::string id = *awa.createRecord("plots", "awa");
    REQUIRE(awa.setAnswer(id, "region", "dar").ok());
    CHECK(choices(awa, id, "district").size() == 2000);
}

TEST_CASE("a media file whose bytes do not match the manifest is refused, never kept", "[sync][media]") {
    World w;
    const std::string d1 = districts(10);
    REQUIRE(w.publish("1", d1));
    // The server's copy is altered on its disk (same size, one byte changed).
    const std::string sha = forms::mediaSha256(d1);
    std::filesystem::path stored;
    for (const auto& e : std::filesystem::recursive_directory_iterator(w.dir.path() / "server" / "form-media"))
        if (e.path().filename() == sha) stored = e.path();
    REQUIRE_FALSE(stored.empty());
    std::string bad = d1;
    bad[bad.size() - 2] = 'X';
    writeFile(stored, bad);
    REQUIRE(w.server.start());
    store::Store awa = w.device("awa");
    auto curl = makeCurlTransport(w.server.url());
    REQUIRE(login(awa, *curl, w.server.url(), "awa", "awa-password").ok());
    const SyncReport r = synchronize(awa, *curl, fast());
    const std::string report = r.toJson().dump();
    INFO(report);
    CHECK_FALSE(r.ok);
    CHECK(report.find("media file 'districts.csv' refused") != std::string::npos);
    CHECK(r.mediaDownloaded == 1); // regions.csv
    CHECK_FALSE(awa.hasMedia(sha));
    CHECK(*awa.mediaReceived(sha) == 0); // the bad bytes are gone
    CHECK_FALSE(std::filesystem::exists(w.dir.path() / "awa" / "media" / sha));
    // The form is there, and says which file it lacks instead of offering a wrong list.
    const std::string id = *awa.createRecord("plots", "awa");
    auto session = awa.openSession(id);
    REQUIRE(session.ok());
    CHECK((*session)->view().missingMedia == std::vector<std::string>{"districts.csv"});
    CHECK((*awa.missingMedia()).size() == 1);
}
