// Label media (issue 16): a question's image and audio prompt (XLSForm's media::image, media::audio)
// and a choice's image, from a form bundle's files, shown by the form screen and played through real
// SDL2 audio under SDL's `disk` driver.
#include "app/app_state.hpp"
#include "app/audio.hpp"
#include "app/images.hpp"
#include "app/png.hpp"
#include "app/sdl_audio.hpp"
#include "driver.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <stb_image_write.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

using namespace carnet;
using namespace carnet::app;
using carnet::test::HeadlessImGui;

namespace {

const char* kWellForm = R"J({
  "id": "wells", "version": "1", "title": "Puits", "default_language": "fr", "languages": ["fr"],
  "media": ["well.png", "yes.jpg", "ask.wav"],
  "choice_lists": {"yn": [
    {"value": "yes", "label": "Oui", "media": {"image": "yes.jpg"}},
    {"value": "no", "label": "Non"}]},
  "pages": [{"type": "page", "name": "p", "label": "Puits", "children": [
    {"type": "select_one", "name": "well", "label": "Ce puits est-il utilisé ?", "choice_list": "yn",
     "media": {"image": "well.png", "audio": "ask.wav"}}]}]})J";

// A texture maker that keeps what it was given (the renderer's side of the test).
struct KeptTextures final : TextureMaker {
    std::vector<DecodedImage> made;
    std::uintptr_t makeTexture(const DecodedImage& image) override {
        made.push_back(image);
        return made.size();
    }
    void freeTexture(std::uintptr_t) override {}
};

// `w` x `h` RGBA pixels: red on the left half, blue on the right.
std::vector<std::uint8_t> halves(int w, int h) {
    std::vector<std::uint8_t> px;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const bool left = x < w / 2;
            px.insert(px.end(), {std::uint8_t(left ? 255 : 0), 0, std::uint8_t(left ? 0 : 255), 255});
        }
    return px;
}

void appendTo(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string sawtooth(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
        const auto u = static_cast<std::uint16_t>(static_cast<std::int16_t>((i * 131) % 4000 - 1999));
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

TEST_CASE("a question's image and audio prompt and a choice's image are shown from the form's media, the prompt "
          "plays",
          "[app][audio][media]") {
    test::TempDir dir;
    const auto forms = dir.path() / "forms";
    std::filesystem::create_directories(forms);
    std::ofstream(forms / "wells.json") << kWellForm;
    REQUIRE(writePng(forms / "well.png", 40, 20, halves(40, 20)));
    std::string jpeg;
    const auto yes = halves(32, 16);
    REQUIRE(stbi_write_jpg_to_func(appendTo, &jpeg, 32, 16, 4, yes.data(), 95) != 0);
    std::ofstream(forms / "yes.jpg", std::ios::binary) << jpeg;
    const std::string question = sawtooth(kAudioRate / 4);
    std::ofstream(forms / "ask.wav", std::ios::binary) << encodeWav(question, kAudioRate);
    std::ofstream(dir.path() / "mic.raw", std::ios::binary) << std::string(64, '\0');
    REQUIRE(::setenv("SDL_AUDIODRIVER", "disk", 1) == 0);
    REQUIRE(::setenv("SDL_DISKAUDIOFILEIN", (dir.path() / "mic.raw").c_str(), 1) == 0);
    REQUIRE(::setenv("SDL_DISKAUDIOFILE", (dir.path() / "speaker.raw").c_str(), 1) == 0);

    SdlAudio audio;
    KeptTextures textures;
    AppOptions o;
    o.dataDir = dir.path() / "data";
    o.formsDir = forms;
    o.lang = Lang::Fr;
    o.audio = &audio;
    o.textures = &textures;
    auto opened = AppState::open(o);
    INFO((opened.ok() ? std::string() : opened.error().message));
    REQUIRE(opened.ok());
    AppState& app = **opened;
    REQUIRE(app.openScreen("form:wells").ok());

    HeadlessImGui ui(800, 1280);
    test::Driver d{app, ui};
    d.revealIf([&] { return ui.find("image.well.yes").has_value(); });

    // The question's image under its label, the column's width, its proportions kept; the pixels decoded
    // from the PNG that came with the form.
    auto image = ui.find("image.well");
    REQUIRE(image);
    CHECK(image->label == "well.png");
    CHECK(image->w > 600);
    CHECK(image->h == Approx(image->w / 2).margin(1));
    auto choiceImage = ui.find("image.well.yes");
    REQUIRE(choiceImage);
    CHECK(choiceImage->h == Approx(choiceImage->w / 2).margin(1));
    REQUIRE(textures.made.size() == 2);
    for (const auto& made : textures.made) {
        INFO(made.width << "x" << made.height);
        CHECK(made.width == 2 * made.height);
        // Left red, right blue (the JPEG within its loss).
        const auto at = [&](int x, int c) {
            return made.rgba[static_cast<std::size_t>((made.height / 2 * made.width + x) * 4 + c)];
        };
        CHECK(at(2, 0) > 200);
        CHECK(at(2, 2) < 60);
        CHECK(at(made.width - 3, 0) < 60);
        CHECK(at(made.width - 3, 2) > 200);
    }
    CHECK((textures.made[0].width == 40 || textures.made[1].width == 40));

    // The audio prompt: a button that plays the form's WAV through the loudspeaker, then the loop sleeps.
    d.tapLabel("Écouter la question");
    REQUIRE(app.formModel().audioPath == "prompt:well");
    for (int k = 0; k < 500 && !app.formModel().audioPath.empty(); ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ui.frame(d.draw);
    }
    CHECK(app.formModel().audioPath.empty());
    CHECK(readAll(dir.path() / "speaker.raw").find(question) != std::string::npos);
    CHECK(app.formModel().message.empty());
}
