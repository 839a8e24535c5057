// The audio question (issue 16): recorded from the microphone into a WAV attachment and played back,
// through real SDL2 audio under SDL's `disk` driver: the microphone reads SDL_DISKAUDIOFILEIN, the
// loudspeaker writes SDL_DISKAUDIOFILE.
#include "app/app_state.hpp"
#include "app/audio.hpp"
#include "app/sdl_audio.hpp"
#include "headless_imgui.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;
using nlohmann::json;

namespace {

const char* kVoiceForm = R"J({
  "id": "voice", "version": "1", "title": {"fr": "Voix", "en": "Voice"}, "default_language": "fr",
  "languages": ["fr", "en"],
  "pages": [{"type": "page", "name": "p", "label": {"fr": "Témoignage", "en": "Testimony"}, "children": [
    {"type": "audio", "name": "story", "label": {"fr": "Votre histoire", "en": "Your story"}}]}]})J";

// `n` samples of a sawtooth that is never silent, as s16le bytes.
std::string sawtooth(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        const int v = (i * 97) % 3000 - 1500;
        const auto u = static_cast<std::uint16_t>(static_cast<std::int16_t>(v == 0 ? 1 : v));
        out += static_cast<char>(u & 0xff);
        out += static_cast<char>(u >> 8);
    }
    return out;
}

std::string readAll(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("WAV files: what is encoded decodes, other files are refused with a message", "[app][audio]") {
    const std::string pcm = sawtooth(100);
    const std::string wav = encodeWav(pcm, kAudioRate);
    CHECK(wav.size() == 44 + pcm.size());
    auto back = decodeWav(wav, Lang::Fr);
    REQUIRE(back.ok());
    CHECK(back->rate == kAudioRate);
    CHECK(back->channels == 1);
    CHECK(back->pcm == pcm);
    CHECK_FALSE(decodeWav("RIFF", Lang::Fr).ok());
    CHECK_FALSE(decodeWav(std::string("ID3\x03", 4) + std::string(100, 'x'), Lang::Fr).ok()); // an mp3
    std::string eightBit = wav;
    eightBit[34] = 8; // bits a sample
    auto refused = decodeWav(eightBit, Lang::En);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message == "This recording cannot be played (only 16-bit PCM WAV files can).");
    // A recording whose sizes were never written (cut short) plays what it holds.
    std::string cut = wav.substr(0, 44 + 50);
    auto partial = decodeWav(cut, Lang::Fr);
    REQUIRE(partial.ok());
    CHECK(partial->pcm == pcm.substr(0, 50));
}

TEST_CASE("an audio question records the microphone into a WAV attachment and plays it back through SDL audio",
          "[app][audio]") {
    test::TempDir dir;
    const std::string spoken = sawtooth(kAudioRate / 2); // half a second
    std::ofstream(dir.path() / "mic.raw", std::ios::binary) << spoken;
    std::filesystem::create_directories(dir.path() / "forms");
    std::ofstream(dir.path() / "forms" / "voice.json") << kVoiceForm;
    REQUIRE(::setenv("SDL_AUDIODRIVER", "disk", 1) == 0);
    REQUIRE(::setenv("SDL_DISKAUDIOFILEIN", (dir.path() / "mic.raw").c_str(), 1) == 0);
    REQUIRE(::setenv("SDL_DISKAUDIOFILE", (dir.path() / "speaker.raw").c_str(), 1) == 0);

    SdlAudio audio;
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.formsDir = dir.path() / "forms";
    o.lang = Lang::Fr;
    o.audio = &audio;
    auto opened = AppState::open(o);
    INFO((opened.ok() ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    AppState& app = **opened;
    REQUIRE(app.openScreen("form:voice").ok());

    HeadlessImGui ui(800, 1280);
    double wake = -1;
    auto draw = [&](DrawContext& ctx) {
        app.draw(ctx);
        wake = ctx.wakeAfter;
    };
    ui.look(draw);
    CHECK(wake == 0); // idle: the loop sleeps

    CHECK_FALSE(ui.findLabel("Écouter")); // nothing recorded yet
    auto record = ui.findLabel("Enregistrer");
    REQUIRE(record);
    CHECK(record->h >= 48);
    CHECK(record->w >= 48);
    app.apply(ui.tapLabel("Enregistrer", draw));
    REQUIRE(app.formModel().recording);

    // SDL's disk driver hands over the file 64 ms at a time, then silence.
    for (int k = 0; k < 500 && app.formModel().audioSeconds < 0.7; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ui.frame(draw);
        CHECK(wake > 0); // awake while recording
    }
    REQUIRE(app.formModel().audioSeconds >= 0.7);
    CHECK(ui.shows("Enregistrement…"));
    app.apply(ui.tapLabel("Arrêter", draw));
    CHECK(app.formModel().audioPath.empty());
    ui.look(draw);
    CHECK(wake == 0);
    CHECK(ui.shows("Enregistrement conservé."));

    // The answer names a content-addressed attachment holding a WAV of the captured samples.
    auto rec = app.store().get(app.formModel().recordId);
    REQUIRE(rec.ok());
    const json answer = rec->answers["story"];
    REQUIRE(answer.is_string());
    const std::string name = answer.get<std::string>();
    REQUIRE(name.size() == 64 + 4);
    CHECK(name.substr(64) == ".wav");
    auto stored = app.store().attachment(name.substr(0, 64));
    REQUIRE(stored.ok());
    auto data = app.store().attachmentData(name.substr(0, 64));
    REQUIRE(data.ok());
    CHECK(data->substr(0, 4) == "RIFF");
    auto wav = decodeWav(*data, Lang::Fr);
    REQUIRE(wav.ok());
    CHECK(wav->rate == kAudioRate);
    CHECK(wav->channels == 1);
    REQUIRE(wav->pcm.size() > spoken.size());
    CHECK(wav->pcm.substr(0, spoken.size()) == spoken);
    CHECK(wav->pcm.find_first_not_of('\0', spoken.size()) == std::string::npos); // then the file's end: silence

    // Played back: the loudspeaker receives the same samples, then closes and the loop sleeps again.
    REQUIRE(ui.findLabel("Écouter"));
    app.apply(ui.tapLabel("Écouter", draw));
    REQUIRE_FALSE(app.formModel().audioPath.empty());
    ui.frame(draw);
    CHECK(ui.shows("Lecture…"));
    CHECK(wake > 0); // awake while playing
    for (int k = 0; k < 500 && !app.formModel().audioPath.empty(); ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ui.frame(draw);
    }
    CHECK(app.formModel().audioPath.empty());
    ui.frame(draw);
    CHECK(wake == 0);
    const std::string played = readAll(dir.path() / "speaker.raw");
    CHECK(played.find(wav->pcm) != std::string::npos);
}

TEST_CASE("a recording survives the app killed in the middle of it: the next start makes it the answer",
          "[app][audio]") {
    test::TempDir dir;
    const std::string spoken = sawtooth(kAudioRate * 3); // three seconds at the microphone
    std::ofstream(dir.path() / "mic.raw", std::ios::binary) << spoken;
    std::filesystem::create_directories(dir.path() / "forms");
    std::ofstream(dir.path() / "forms" / "voice.json") << kVoiceForm;
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.formsDir = dir.path() / "forms";
    o.lang = Lang::Fr;

    // A process records through SDL's disk driver and is killed (SIGKILL) 1.2 s into the recording.
    std::fflush(nullptr);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::setenv("SDL_AUDIODRIVER", "disk", 1);
        ::setenv("SDL_DISKAUDIOFILEIN", (dir.path() / "mic.raw").c_str(), 1);
        ::setenv("SDL_DISKAUDIOFILE", (dir.path() / "speaker.raw").c_str(), 1);
        SdlAudio audio;
        o.audio = &audio;
        auto opened = AppState::open(o);
        if (!opened.ok() || !(*opened)->openScreen("form:voice").ok()) std::_Exit(3);
        AppState& app = **opened;
        HeadlessImGui ui(800, 1280);
        auto draw = [&](DrawContext& ctx) { app.draw(ctx); };
        app.apply(ui.tapLabel("Enregistrer", draw));
        for (int k = 0; k < 1000 && app.formModel().audioSeconds < 1.2; ++k) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            ui.frame(draw);
        }
        ::raise(SIGKILL);
        std::_Exit(4);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    // The next start: the answer names a WAV of what was captured up to the last flush (a second or so).
    auto opened = AppState::open(o);
    REQUIRE(opened.ok());
    AppState& app = **opened;
    auto list = app.store().list();
    REQUIRE(list.ok());
    REQUIRE(list->size() >= 1);
    nlohmann::json answer;
    for (const auto& r : *list)
        if (r.formId == "voice") answer = app.store().get(r.id)->answers["story"];
    REQUIRE(answer.is_string());
    const std::string name = answer.get<std::string>();
    auto data = app.store().attachmentData(name.substr(0, 64));
    REQUIRE(data.ok());
    auto wav = decodeWav(*data, Lang::Fr);
    REQUIRE(wav.ok());
    CHECK(wav->rate == kAudioRate);
    INFO("recovered " << wav->pcm.size() / 2 << " samples");
    CHECK(wav->pcm.size() >= static_cast<std::size_t>(kAudioRate)); // at least half a second
    CHECK(spoken.compare(0, wav->pcm.size(), wav->pcm) == 0);       // the microphone's samples, in order
    CHECK(app.formModel().message.find("récupéré") != std::string::npos);
    // Once only: the file is gone, a third start finds nothing to recover.
    auto again = app.store().interruptedRecording();
    REQUIRE(again.ok());
    CHECK_FALSE(again->has_value());
}
