// Video and photo questions (issue 16): the file picker lists the media folder's files of the
// question's kind, and the one tapped is copied into the store, in chunks, as the answer's attachment.
// Driven by label through the headless ImGui harness, checked on the store.
#include "app/app_state.hpp"
#include "forms/bundle.hpp"
#include "headless_imgui.hpp"
#include "store/store.hpp"
#include "sync/protocol.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kClipsForm = R"J({
  "id": "clips", "version": "1", "title": {"fr": "Clips", "en": "Clips"}, "default_language": "fr",
  "languages": ["fr", "en"],
  "pages": [{"type": "page", "name": "p", "label": {"fr": "Médias", "en": "Media"}, "children": [
    {"type": "video", "name": "clip", "label": {"fr": "La vidéo", "en": "The video"}},
    {"type": "photo", "name": "shot", "label": {"fr": "La photo", "en": "The photo"}}]}]})J";

std::string randomBytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (char& c : out)
        c = static_cast<char>(rng() & 0xff);
    return out;
}

std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Clips {
    test::TempDir dir;
    fs::path media = dir.path() / "media";
    std::unique_ptr<AppState> app;
    HeadlessImGui ui{800, 1280};
    std::function<void(DrawContext&)> draw = [this](DrawContext& ctx) { app->draw(ctx); };

    explicit Clips(Lang lang = Lang::Fr, std::uint64_t maxFileBytes = AppOptions::kMaxFileBytes,
                   std::optional<fs::path> mediaDir = std::nullopt) {
        fs::create_directories(media);
        fs::create_directories(dir.path() / "forms");
        std::ofstream(dir.path() / "forms" / "clips.json") << kClipsForm;
        AppOptions o;
        o.dataDir = dir.path() / "data";
        o.formsDir = dir.path() / "forms";
        o.lang = lang;
        o.mediaDir = mediaDir.value_or(media);
        o.maxFileBytes = maxFileBytes;
        auto opened = AppState::open(o);
        INFO((opened.ok() ? std::string() : opened.error().message));
        REQUIRE(opened.ok());
        app = std::move(*opened);
        REQUIRE(app->openScreen("form:clips").ok());
    }
    void put(const std::string& name, const std::string& bytes) {
        std::ofstream(media / name, std::ios::binary) << bytes;
    }
    void tap(const std::string& label, int nth = 0) {
        ui.look(draw);
        INFO("target " << label);
        REQUIRE(ui.findLabel(label, nth));
        app->apply(ui.tapLabel(label, draw, nth));
    }
    json answer(const std::string& field) {
        auto rec = app->store().get(app->formModel().recordId);
        REQUIRE(rec.ok());
        return rec->answers.contains(field) ? rec->answers[field] : json();
    }
};

} // namespace

TEST_CASE("a video question takes a file of the media folder: its exact bytes become the answer's attachment",
          "[app][files]") {
    Clips c;
    const std::string clip = randomBytes(2'500'000, 16); // more than two of the store's chunks
    c.put("entretien.mp4", clip);
    c.put("CHANTIER.MOV", randomBytes(1000, 1));
    c.put("notes.txt", "not a video");
    c.put("porte.jpg", randomBytes(500, 2));
    c.put(".cache.mp4", "hidden");

    c.ui.look(c.draw);
    CHECK_FALSE(c.ui.shows("Capture non disponible")); // no typed file reference any more
    auto choose = c.ui.findLabel("Choisir un fichier");
    REQUIRE(choose);
    CHECK(choose->h >= 48);
    c.tap("Choisir un fichier"); // the video's (the first question)
    c.ui.look(c.draw);
    CHECK(c.ui.shows("Fichiers de " + c.media.string()));
    // Videos only, whatever the case of their extension; not the text, the photo or the hidden file.
    auto row = c.ui.findLabel("entretien.mp4");
    REQUIRE(row);
    CHECK(row->h >= 48);
    CHECK(row->w >= 48);
    CHECK(c.ui.findLabel("CHANTIER.MOV"));
    CHECK_FALSE(c.ui.findLabel("notes.txt"));
    CHECK_FALSE(c.ui.findLabel("porte.jpg"));
    CHECK_FALSE(c.ui.findLabel(".cache.mp4"));
    CHECK(c.ui.shows("2,5 Mo · ")); // the size, then the date

    c.tap("entretien.mp4");
    INFO(c.app->formModel().message);
    const json answer = c.answer("clip");
    REQUIRE(answer.is_string());
    const std::string sha = forms::mediaSha256(clip); // OpenSSL's, not the store's libsodium
    CHECK(answer == sha + ".mp4");
    auto stored = c.app->store().attachment(sha);
    REQUIRE(stored.ok());
    CHECK(stored->size == static_cast<std::int64_t>(clip.size()));
    CHECK(readAll(stored->path) == clip);
    auto data = c.app->store().attachmentData(sha);
    REQUIRE(data.ok());
    CHECK(*data == clip);
    CHECK(c.app->store().attachmentBufferPeak() == store::Store::kAttachmentChunk);
    // What the sync engine looks for: the outbox names the attachment, which this device holds.
    CHECK(sync::attachmentHash(answer) == sha);
    auto pending = c.app->store().pendingOutboxText(0, 100);
    REQUIRE(pending.ok());
    bool named = false;
    for (const auto& e : *pending)
        named = named || e.changesText.find(sha + ".mp4") != std::string::npos;
    CHECK(named);

    // Once attached: its name and size, and a way to replace or remove it; the list closed.
    c.ui.look(c.draw);
    CHECK(c.ui.shows("Fichier joint : entretien.mp4 (2,5 Mo)"));
    CHECK_FALSE(c.ui.findLabel("CHANTIER.MOV"));
    REQUIRE(c.ui.findLabel("Remplacer le fichier"));
    REQUIRE(c.ui.findLabel("Retirer le fichier"));

    // The photo question lists photos only.
    c.tap("Choisir un fichier");
    c.ui.look(c.draw);
    CHECK(c.ui.findLabel("porte.jpg"));
    CHECK_FALSE(c.ui.findLabel("entretien.mp4"));
    CHECK_FALSE(c.ui.findLabel("notes.txt"));
    c.tap("Fermer la liste");
    CHECK(c.app->formModel().filePicker.empty());

    // Replaced by the other video, then removed: the answer is cleared.
    c.tap("Remplacer le fichier");
    c.tap("CHANTIER.MOV");
    CHECK(c.answer("clip") == forms::mediaSha256(readAll(c.media / "CHANTIER.MOV")) + ".mov");
    c.ui.look(c.draw);
    CHECK(c.ui.shows("Fichier joint : CHANTIER.MOV (1,0 Ko)"));
    c.tap("Retirer le fichier");
    CHECK(c.answer("clip").is_null());
    c.ui.look(c.draw);
    CHECK_FALSE(c.ui.shows("Fichier joint"));
    CHECK(c.ui.findLabel("Choisir un fichier", 1)); // both questions offer a file again
}

TEST_CASE("a 64 MB video is copied into the store in chunks, never whole in memory", "[app][files]") {
    Clips c;
    constexpr std::uintmax_t kSize = 64u << 20;
    {
        std::ofstream(c.media / "long.webm", std::ios::binary) << "webm";
        fs::resize_file(c.media / "long.webm", kSize); // sparse: the rest reads as zeros
    }
    c.tap("Choisir un fichier");
    c.tap("long.webm");
    INFO(c.app->formModel().message);
    const json answer = c.answer("clip");
    REQUIRE(answer.is_string());
    const std::string sha = forms::mediaSha256(readAll(c.media / "long.webm"));
    CHECK(answer == sha + ".webm");
    auto stored = c.app->store().attachment(sha);
    REQUIRE(stored.ok());
    CHECK(static_cast<std::uintmax_t>(stored->size) == kSize);
    CHECK(fs::file_size(stored->path) == kSize);
    // The copy read the file a chunk at a time (1 MiB), never more at once.
    CHECK(c.app->store().attachmentBufferPeak() == store::Store::kAttachmentChunk);
    // No partial copy left beside the attachments.
    for (const auto& e : fs::directory_iterator(c.dir.path() / "data" / "attachments"))
        CHECK(e.path().filename().string().size() == 64);
}

TEST_CASE("a file over the size cap is refused with a message, and nothing is attached", "[app][files]") {
    Clips c(Lang::En, 1'000'000);
    c.put("big.mp4", randomBytes(2'000'000, 3));
    c.tap("Choose a file");
    c.ui.look(c.draw);
    CHECK(c.ui.shows("2.0 MB · "));
    c.tap("big.mp4");
    CHECK(c.app->formModel().message == "'big.mp4' is 2 MB: the limit is 1 MB, it was not attached.");
    CHECK(c.answer("clip").is_null());
    CHECK(c.app->store().attachmentBufferPeak() == 0); // refused before a byte was read
}

TEST_CASE("the file picker says when the media folder is missing or holds nothing of the kind", "[app][files]") {
    SECTION("missing") {
        Clips c(Lang::En, AppOptions::kMaxFileBytes, fs::path("/nonexistent/carnet-media"));
        c.tap("Choose a file");
        c.ui.look(c.draw);
        CHECK(c.ui.shows("Photo and video folder not found: /nonexistent/carnet-media."));
    }
    SECTION("empty") {
        Clips c(Lang::Fr);
        c.put("notes.txt", "x");
        c.tap("Choisir un fichier");
        c.ui.look(c.draw);
        CHECK(c.ui.shows("Aucun fichier de ce type (mp4, 3gp, webm, mkv, mov) dans ce dossier."));
    }
}
