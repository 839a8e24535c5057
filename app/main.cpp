// carnet: the tablet app. This file is the SDL2 + OpenGL loop only; everything else is in the app
// library. The loop sleeps in SDL_WaitEvent when nothing happens.
#include "app/app_state.hpp"
#include "app/fonts.hpp"
#include "app/location.hpp"
#include "app/png.hpp"
#include "app/sdl_audio.hpp"
#include "app/shell.hpp"
#include "app/theme.hpp"
#include "core/platform.hpp"

#include <SDL.h>
#include <SDL_opengl.h>
#include <backends/imgui_impl_opengl3.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <optional>
#include <string>
#include <sys/resource.h>

using namespace carnet;
using namespace carnet::app;

namespace {

struct Args {
    AppOptions app;
    LockOptions lock;
    std::string screenshot, screen;
    int width = 800, height = 1280;
    bool firstFrameExit = false;      // bench: exit once the first frame is shown
    bool gles = false;                // an OpenGL ES 3 context, as on Android and iPadOS
    float dpi = 0;                    // the display's density; 0 = ask the system (see displayDpi)
    std::string targetsFile;          // tests: the touch targets of the screenshot's frame, one per line
    std::string eventsFile;           // tests: lines run one per loop turn (see runScriptLine)
    std::optional<Position> location; // --location
    bool ok = true;
};

Args parseArgs(int argc, char** argv) {
    Args a;
    if (const char* home = SDL_GetPrefPath("carnet", "carnet")) {
        a.app.dataDir = home;
        SDL_free(const_cast<char*>(home));
    }
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : (a.ok = false, std::string()); };
        if (s == "--data")
            a.app.dataDir = next();
        else if (s == "--forms")
            a.app.formsDir = next();
        else if (s == "--media-dir") // where video and photo questions pick their file (default: the platform's)
            a.app.mediaDir = next();
        else if (s == "--location") {
            // A desktop has no receiver: geo questions take this fixed position ("LAT LON [ALT [ACC]]").
            a.location = parsePosition(next());
            a.ok = a.ok && a.location.has_value();
        } else if (s == "--screenshot")
            a.screenshot = next();
        else if (s == "--screen")
            a.screen = next();
        else if (s == "--lang")
            a.app.lang = parseLang(next());
        else if (s == "--demo")
            a.app.demo = true;
        else if (s == "--today")
            a.app.today = next();
        else if (s == "--first-frame-exit")
            a.firstFrameExit = true;
        else if (s == "--gles")
            a.gles = true;
        else if (s == "--targets")
            a.targetsFile = next();
        else if (s == "--events")
            a.eventsFile = next();
        else if (s == "--dpi") {
            const std::string v = next();
            if (std::sscanf(v.c_str(), "%f", &a.dpi) != 1 || a.dpi < 60 || a.dpi > 1000) a.ok = false;
        } else if (s == "--pin-stdin") { // the PIN on standard input, never on the command line
            std::string pin;
            for (int c = std::getchar(); c != EOF && c != '\n'; c = std::getchar())
                pin += static_cast<char>(c);
            a.app.pin = pin;
            sodium_memzero(pin.data(), pin.size());
        } else if (s == "--no-pin") { // a store in clear: tests, screenshots, benchmarks
            a.lock.noPin = true;
        } else if (s == "--lock-after") { // seconds in the background or idle before the PIN is asked again
            const std::string v = next();
            if (std::sscanf(v.c_str(), "%lf", &a.lock.lockAfterSeconds) != 1 || a.lock.lockAfterSeconds < 0)
                a.ok = false;
        } else if (s == "--size") {
            const std::string v = next();
            if (std::sscanf(v.c_str(), "%dx%d", &a.width, &a.height) != 2) a.ok = false;
        } else {
            a.ok = false;
        }
    }
    return a;
}

// Sizes are in dp (1/160 inch, Android's unit). Tablets report their density; desktop screens (96-110
// dpi, seen from further away) count one pixel as one dp, as desktop toolkits do.
float displayDpi(const Args& a) {
    if (a.dpi > 0) return a.dpi;
#if defined(__ANDROID__) || defined(__APPLE__)
    float ddpi = 0;
    if (SDL_GetDisplayDPI(0, &ddpi, nullptr, nullptr) == 0 && ddpi > 60) return ddpi;
#endif
    return 160.0f;
}

// Waits for the next event. SDL2's SDL_WaitEvent does not sleep on Android (its video driver has no
// WaitEventTimeout, so SDL polls every millisecond): there the loop sleeps 50 ms between polls.
bool waitEvent(SDL_Event& e, int timeoutMs) {
#ifdef __ANDROID__
    for (int waited = 0; timeoutMs < 0 || waited < timeoutMs; waited += 50) {
        if (SDL_PollEvent(&e)) return true;
        SDL_Delay(50);
    }
    return SDL_PollEvent(&e) != 0;
#else
    return (timeoutMs < 0 ? SDL_WaitEvent(&e) : SDL_WaitEventTimeout(&e, timeoutMs)) != 0;
#endif
}

bool writeTargets(const std::string& path, const std::vector<Target>& targets) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    for (const auto& t : targets)
        std::fprintf(f, "%s %.1f %.1f %.1f %.1f\n", t.id.c_str(), t.x, t.y, t.w, t.h);
    return std::fclose(f) == 0;
}

// Tests drive the running app with a script, one line per loop turn, through the same paths as the
// system: `edit PATH TEXT` is what typing in a field produces (its EditText intent), `answer PATH JSON`
// what a tap on a choice produces (SetAnswer); `background` and
// `terminate` push SDL_APP_WILLENTERBACKGROUND (+ DIDENTERBACKGROUND) and SDL_APP_TERMINATING into
// SDL's queue, as SDL's Android and iOS glue do; `kill` ends the process at once, closing nothing, as
// the system ends a background app. The loop itself runs `tap ID` (a finger down then up on the
// target ID as last drawn), `wait SECONDS` (the script pauses; the loop sleeps as when idle),
// `report NAME` (prints the loop's counters, for bench/app), `screen SPEC` (opens a screen as
// --screen does) and `screenshot FILE.png` (the screen as drawn three frames later: one process
// draws several screens for the screenshot test).
std::deque<std::string> readScript(const std::string& path) {
    std::deque<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

void runScriptLine(const std::string& line, AppShell& app) {
    const auto space = line.find(' ');
    const std::string verb = line.substr(0, space);
    SDL_Event e{};
    if (verb == "edit" && space != std::string::npos) {
        const std::string rest = line.substr(space + 1);
        const auto sep = rest.find(' ');
        Intent edit;
        edit.kind = Intent::Kind::EditText;
        edit.path = rest.substr(0, sep);
        edit.text = sep == std::string::npos ? std::string() : rest.substr(sep + 1);
        app.apply({edit});
    } else if (verb == "answer" && space != std::string::npos) {
        // `answer PATH JSON`: what a tap on a choice produces (its SetAnswer intent).
        const std::string rest = line.substr(space + 1);
        const auto sep = rest.find(' ');
        Intent answer;
        answer.kind = Intent::Kind::SetAnswer;
        answer.path = rest.substr(0, sep);
        answer.value =
            nlohmann::json::parse(sep == std::string::npos ? std::string() : rest.substr(sep + 1), nullptr, false);
        if (answer.value.is_discarded())
            std::fprintf(stderr, "events: bad JSON in '%s'\n", line.c_str());
        else
            app.apply({answer});
    } else if (verb == "background") {
        e.type = SDL_APP_WILLENTERBACKGROUND;
        SDL_PushEvent(&e);
        e.type = SDL_APP_DIDENTERBACKGROUND;
        SDL_PushEvent(&e);
    } else if (verb == "terminate") {
        e.type = SDL_APP_TERMINATING;
        SDL_PushEvent(&e);
    } else if (verb == "screen" && space != std::string::npos) {
        if (auto r = app.openScreen(line.substr(space + 1)); !r.ok())
            std::fprintf(stderr, "events: %s\n", r.error().message.c_str());
    } else if (verb == "kill") {
        std::fflush(stderr);
        std::_Exit(0);
    } else {
        std::fprintf(stderr, "events: unknown line '%s'\n", line.c_str());
    }
}

// What the loop did, for bench/app: how often it woke from its sleep and how many frames it drew.
struct LoopCounters {
    long wakeups = 0, frames = 0;
};

double cpuMs() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}

// A tap the script asked for: the finger down on one frame, up on the next.
struct ScriptTap {
    int phase = 0; // 0 none, 1 press next frame, 2 release next frame
    float x = 0, y = 0;
};

// The textures of the images shown with labels, in the loop's OpenGL context (ImGui's OpenGL3 renderer
// reads an ImTextureID as a texture name). None are made or freed once the context is gone.
class GlTextures final : public TextureMaker {
public:
    std::uintptr_t makeTexture(const DecodedImage& image) override {
        if (!alive) return 0;
        GLuint name = 0;
        glGenTextures(1, &name);
        glBindTexture(GL_TEXTURE_2D, name);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, image.width, image.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                     image.rgba.data());
        return name;
    }
    void freeTexture(std::uintptr_t texture) override {
        if (!alive) return;
        const auto name = static_cast<GLuint>(texture);
        glDeleteTextures(1, &name);
    }
    bool alive = false; ///< the GL context is current
};

bool saveScreenshot(const std::string& path, int w, int h) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    std::vector<std::uint8_t> flipped(pixels.size());
    const auto row = static_cast<std::size_t>(w) * 4;
    for (std::size_t y = 0; y < static_cast<std::size_t>(h); ++y)
        std::copy_n(pixels.begin() + static_cast<std::ptrdiff_t>((static_cast<std::size_t>(h) - 1 - y) * row), row,
                    flipped.begin() + static_cast<std::ptrdiff_t>(y * row));
    return writePng(path, w, h, flipped);
}

// Milliseconds until the focused field's caret next appears or disappears, so that a blinking caret
// wakes the loop only when its pixels change. Dear ImGui 1.86 (InputTextEx) draws the caret while its
// timer is <= 0 (just after an input) or when the timer modulo 1.2 s is <= 0.8 s.
int msUntilCaretToggle() {
    const ImGuiContext* g = ImGui::GetCurrentContext();
    if (g == nullptr || g->ActiveId == 0 || g->InputTextState.ID != g->ActiveId) return 500;
    const float anim = g->InputTextState.CursorAnim;
    float seconds = 0.0f;
    if (anim <= 0.0f) {
        seconds = 0.80f - anim;
    } else {
        const float phase = std::fmod(anim, 1.20f);
        seconds = phase <= 0.80f ? 0.80f - phase : 1.20f - phase;
    }
    return std::clamp(static_cast<int>(seconds * 1000.0f) + 2, 2, 1200);
}

} // namespace

int main(int argc, char** argv) {
    const auto started = std::chrono::steady_clock::now();
    Args args = parseArgs(argc, argv);
    if (!args.ok || args.app.dataDir.empty()) {
        std::fprintf(
            stderr,
            "Usage: carnet [--data DIR] [--forms DIR] [--demo] [--today YYYY-MM-DD] [--lang fr|en] [--size WxH] "
            "[--gles]\n"
            "             [--location \"LAT LON [ALT [ACC]]\"] [--media-dir DIR]\n"
            "             [--dpi N] [--targets FILE.txt] [--events FILE.txt]\n"
            "             [--pin-stdin | --no-pin] [--lock-after SECONDS]\n"
            "             [--screen home|records|settings|first-run|form:FORM_ID[@PAGE]|walk|walk:ID|walk:first|\n"
            "                       calls|calls:first|contact:ID|contact:first|indicators --screenshot FILE.png]\n");
        return 2;
    }
    // SQLite's temporary files (erasure's VACUUM) in the data folder: Android has no /tmp for it.
    if (auto tmp = platform::useSqliteTempDirectory(platform::tempDirectory(args.app.dataDir)); !tmp.ok()) {
        std::fprintf(stderr, "%s\n", tmp.error().message.c_str());
        return 1;
    }
    // The microphone and loudspeaker of the audio questions: SDL's audio starts when one records or
    // plays, and stops with it (the app stays asleep meanwhile).
    SdlAudio audio;
    args.app.audio = &audio;
    GlTextures textures; // used once the GL context below exists
    args.app.textures = &textures;
    std::optional<FixedLocation> fixedLocation;
    if (args.location) args.app.location = &fixedLocation.emplace(*args.location);
    // The PIN screen first (unlock, or choose the PIN), unless the PIN came on stdin or --no-pin.
    auto opened = AppShell::start(args.app, args.lock);
    if (args.app.pin) sodium_memzero(args.app.pin->data(), args.app.pin->size());
    if (!opened.ok()) {
        std::fprintf(stderr, "%s\n", opened.error().message.c_str());
        return 1;
    }
    AppShell& app = **opened;
    if (!args.screen.empty()) {
        if (auto r = app.openScreen(args.screen); !r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
    }

    // Android: keep the loop running (asleep in SDL_WaitEvent) while paused, so that it receives
    // SDL_APP_WILLENTERBACKGROUND and saves; it draws nothing until back in the foreground.
    SDL_SetHint(SDL_HINT_ANDROID_BLOCK_ON_PAUSE, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
    // Desktop OpenGL 3.0, or OpenGL ES 3.0 (Android, iPadOS; Mesa provides it under Xvfb for the tests).
    if (args.gles) SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "1");
    const Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    SDL_Window* window =
        SDL_CreateWindow("Carnet", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, args.width, args.height, flags);
    if (!window) {
        std::fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GLContext gl = SDL_GL_CreateContext(window);
    if (!gl) {
        std::fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
    SDL_GL_MakeCurrent(window, gl);
    textures.alive = true;
    if (std::getenv("CARNET_REPORT_GL")) {
        const auto* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
        std::fprintf(stderr, "gl_version %s\n", version ? version : "?");
    }
    SDL_GL_SetSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // no layout file: the screens place themselves
    ImGui_ImplSDL2_InitForOpenGL(window, gl);
    // The renderer's shaders in the language of the context: GLSL ES 3.00 or desktop GLSL 1.30.
    ImGui_ImplOpenGL3_Init(args.gles ? "#version 300 es" : "#version 130");
    app.setDensity(displayDpi(args) / 160.0f);
    loadFonts(app.uiScale());
    app.fontsRebuilt();
    theme::apply(app.uiScale(), app.highContrast());

    // The sync worker wakes the loop from its thread; SDL_PushEvent is thread-safe.
    app.setWake([] {
        SDL_Event wake{};
        wake.type = SDL_USEREVENT;
        SDL_PushEvent(&wake);
    });
    TouchState touch;
    bool running = true;
    int framesToDraw = 3; // a few frames after each event let ImGui settle (hover, layout)
    bool firstFrame = true;
    bool background = false; // no GL calls while the system has taken the surface away
    std::deque<std::string> script = args.eventsFile.empty() ? std::deque<std::string>{} : readScript(args.eventsFile);
    int screenshotFrames = 3;
    int wakeMs = -1; // a screen asked to be drawn again after this long (an undo that expires)
    LoopCounters counters;
    ScriptTap scriptTap;
    std::string scriptShot; // a screenshot the script asked for, taken once scriptShotFrames are drawn
    int scriptShotFrames = 0;
    std::vector<Target> targets; // the last frame's targets, when a script or the test asks for them
    auto scriptResume = std::chrono::steady_clock::now();
    // The caret blinks for a while after the last input, then stays solid and lets the loop sleep
    // (GTK's gtk-cursor-blink-timeout, 10 s): a field left focused costs nothing.
    constexpr auto kCaretBlinkFor = std::chrono::seconds(10);
    auto lastInput = std::chrono::steady_clock::now();
    while (running) {
        SDL_Event e;
        const auto now = std::chrono::steady_clock::now();
        const bool scriptReady = !script.empty() && now >= scriptResume && scriptTap.phase == 0 && scriptShot.empty();
        const bool idle =
            framesToDraw <= 0 && args.screenshot.empty() && !scriptReady && scriptTap.phase == 0 && scriptShot.empty();
        // Asleep until something happens; while typing, wake twice a second for the caret, and once
        // more when its blinking ends (never in the background: nothing is drawn there).
        int timeout = -1;
        if (io.WantTextInput && !background && io.ConfigInputTextCursorBlink) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(lastInput + kCaretBlinkFor - now).count();
            timeout = static_cast<int>(std::clamp<long long>(left + 1, 0, msUntilCaretToggle()));
        }
        if (!script.empty() && !scriptReady) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(scriptResume - now).count();
            const int ms = static_cast<int>(std::max<long long>(0, left)) + 1;
            timeout = timeout < 0 ? ms : std::min(timeout, ms);
        }
        if (wakeMs >= 0) timeout = timeout < 0 ? wakeMs : std::min(timeout, wakeMs);
        // Wake up when the lock is due, even in the background: the key leaves memory on time.
        if (const double lockIn = app.secondsUntilLock(); lockIn >= 0) {
            const int lockMs = static_cast<int>(std::min(lockIn, 86400.0) * 1000.0) + 1;
            timeout = timeout < 0 ? lockMs : std::min(timeout, lockMs);
        }
        const bool gotEvent = idle ? waitEvent(e, timeout) : SDL_PollEvent(&e);
        if (idle) ++counters.wakeups;
        if (gotEvent) {
            do {
                ImGui_ImplSDL2_ProcessEvent(&e);
                if (e.type == SDL_QUIT) running = false;
                if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) running = false;
                if (e.type == SDL_APP_WILLENTERBACKGROUND || e.type == SDL_APP_TERMINATING) {
                    // The system may end the process from here on without another word.
                    auto saved = e.type == SDL_APP_TERMINATING ? app.suspend() : app.enterBackground();
                    std::fprintf(stderr, "lifecycle: %s\n", saved.ok() ? "saved" : saved.error().message.c_str());
                }
                if (e.type == SDL_WINDOWEVENT &&
                    (e.window.event == SDL_WINDOWEVENT_MINIMIZED || e.window.event == SDL_WINDOWEVENT_HIDDEN)) {
                    auto saved = app.enterBackground(); // out of sight: the lock counts from now
                    if (!saved.ok()) std::fprintf(stderr, "lifecycle: %s\n", saved.error().message.c_str());
                }
                if (e.type == SDL_WINDOWEVENT &&
                    (e.window.event == SDL_WINDOWEVENT_RESTORED || e.window.event == SDL_WINDOWEVENT_SHOWN))
                    app.enterForeground();
                if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_FINGERDOWN || e.type == SDL_KEYDOWN ||
                    e.type == SDL_TEXTINPUT || e.type == SDL_MOUSEWHEEL) {
                    app.noteInput();
                    lastInput = std::chrono::steady_clock::now();
                }
                if (e.type == SDL_APP_DIDENTERBACKGROUND) background = true;
                if (e.type == SDL_APP_DIDENTERFOREGROUND) {
                    background = false;
                    app.enterForeground();
                }
                if (e.type == SDL_APP_TERMINATING) running = false;
            } while (SDL_PollEvent(&e));
            framesToDraw = 3;
        } else if (idle && timeout >= 0) {
            framesToDraw = 1;
        }
        if (!script.empty() && std::chrono::steady_clock::now() >= scriptResume && scriptTap.phase == 0 &&
            scriptShot.empty()) {
            const std::string line = script.front();
            script.pop_front();
            const std::string verb = line.substr(0, line.find(' '));
            const std::string rest = line.size() > verb.size() ? line.substr(verb.size() + 1) : std::string();
            if (verb == "wait") {
                // Bounded: a script pauses at most an hour (a bad number is no pause at all).
                const double seconds = std::clamp(std::atof(rest.c_str()), 0.0, 3600.0);
                scriptResume = std::chrono::steady_clock::now() +
                               std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
            } else if (verb == "tap") {
                const auto t =
                    std::find_if(targets.begin(), targets.end(), [&](const Target& x) { return x.id == rest; });
                if (t == targets.end()) {
                    std::fprintf(stderr, "events: no target '%s' on screen\n", rest.c_str());
                } else {
                    scriptTap = ScriptTap{1, t->x + t->w / 2, t->y + t->h / 2};
                    lastInput = std::chrono::steady_clock::now();
                }
            } else if (verb == "screenshot" && !rest.empty()) {
                scriptShot = rest;
                scriptShotFrames = 3;
            } else if (verb == "report") {
                const double ms =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
                std::fprintf(stderr, "report %s t_ms %.0f cpu_ms %.1f wakeups %ld frames %ld\n", rest.c_str(), ms,
                             cpuMs(), counters.wakeups, counters.frames);
            } else {
                runScriptLine(line, app);
            }
        }
        if (app.tick()) framesToDraw = std::max(framesToDraw, 3); // locked just now: the PIN screen
        if (background || !running) {
            framesToDraw = 0;
            continue;
        }
        if (app.fontsDirty()) {
            loadFonts(app.uiScale());
            ImGui_ImplOpenGL3_DestroyFontsTexture();
            ImGui_ImplOpenGL3_CreateFontsTexture();
            app.fontsRebuilt();
        }
        theme::apply(app.uiScale(), app.highContrast());
        // Past the blink timeout the caret is drawn solid; the next input makes it blink again.
        io.ConfigInputTextCursorBlink = std::chrono::steady_clock::now() - lastInput < kCaretBlinkFor;
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        if (scriptTap.phase > 0) {
            io.MousePos = ImVec2(scriptTap.x, scriptTap.y);
            io.MouseDown[0] = scriptTap.phase == 1;
            scriptTap.phase = scriptTap.phase == 1 ? 2 : 0;
        }
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("carnet", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground);
        std::vector<Intent> intents;
        targets.clear();
        DrawContext ctx{intents, touch};
        if (!args.targetsFile.empty() || !args.eventsFile.empty()) ctx.targets = &targets;
        app.draw(ctx);
        ImGui::End();
        ImGui::Render();
        if (io.WantTextInput && !SDL_IsTextInputActive()) SDL_StartTextInput(); // on-screen keyboard
        if (!io.WantTextInput && SDL_IsTextInputActive()) SDL_StopTextInput();
        glViewport(0, 0, static_cast<int>(io.DisplaySize.x), static_cast<int>(io.DisplaySize.y));
        // The screen's background is this clear alone (the root window draws none): one fill of the
        // frame instead of two, which is most of a frame's cost on a software renderer.
        const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        glClearColor(bg.x, bg.y, bg.z, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (!scriptShot.empty() && --scriptShotFrames == 0) {
            int w = 0, h = 0;
            SDL_GL_GetDrawableSize(window, &w, &h);
            if (!saveScreenshot(scriptShot, w, h))
                std::fprintf(stderr, "events: cannot write %s\n", scriptShot.c_str());
            scriptShot.clear();
        }
        // A screenshot is taken once the script (taps before it) has run.
        if (!args.screenshot.empty() && script.empty() && scriptTap.phase == 0 && scriptShot.empty() &&
            --screenshotFrames == 0) {
            int w = 0, h = 0;
            SDL_GL_GetDrawableSize(window, &w, &h);
            const bool saved = saveScreenshot(args.screenshot, w, h);
            running = false;
            if (!saved) std::fprintf(stderr, "cannot write %s\n", args.screenshot.c_str());
            if (!args.targetsFile.empty() && !writeTargets(args.targetsFile, targets))
                std::fprintf(stderr, "cannot write %s\n", args.targetsFile.c_str());
        }
        SDL_GL_SwapWindow(window);
        ++counters.frames;
        if (firstFrame) {
            firstFrame = false;
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
            if (std::getenv("CARNET_REPORT_FIRST_FRAME")) {
                // Wall clock too, so that a benchmark can count from before the process existed.
                const auto epochMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
                std::fprintf(stderr, "first_frame_ms %.1f\nfirst_frame_epoch_ms %lld\n", ms,
                             static_cast<long long>(epochMs));
            }
            if (args.firstFrameExit) running = false;
        }
        wakeMs = ctx.wakeAfter > 0 ? static_cast<int>(ctx.wakeAfter * 1000.0) + 1 : -1;
        app.apply(intents);
        if (!intents.empty() || ctx.animating) framesToDraw = std::max(framesToDraw, 2);
        --framesToDraw;
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    textures.alive = false;
    SDL_GL_DeleteContext(gl);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return 0;
}
