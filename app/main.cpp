// carnet: the tablet app. This file is the SDL2 + OpenGL loop only; everything else is in the app
// library. The loop sleeps in SDL_WaitEvent when nothing happens.
#include "app/app_state.hpp"
#include "app/fonts.hpp"
#include "app/png.hpp"
#include "app/theme.hpp"

#include <SDL.h>
#include <SDL_opengl.h>
#include <backends/imgui_impl_opengl3.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace carnet;
using namespace carnet::app;

namespace {

struct Args {
    AppOptions app;
    std::string screenshot, screen;
    int width = 800, height = 1280;
    bool firstFrameExit = false; // bench: exit once the first frame is shown
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
        else if (s == "--screenshot")
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
        else if (s == "--size") {
            const std::string v = next();
            if (std::sscanf(v.c_str(), "%dx%d", &a.width, &a.height) != 2) a.ok = false;
        } else {
            a.ok = false;
        }
    }
    return a;
}

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

} // namespace

int main(int argc, char** argv) {
    const auto started = std::chrono::steady_clock::now();
    Args args = parseArgs(argc, argv);
    if (!args.ok || args.app.dataDir.empty()) {
        std::fprintf(
            stderr,
            "Usage: carnet [--data DIR] [--forms DIR] [--demo] [--today YYYY-MM-DD] [--lang fr|en] [--size WxH]\n"
            "             [--screen home|records|settings|first-run|form:FORM_ID|walk|walk:ID|walk:first|\n"
            "                       calls|calls:first|contact:ID|contact:first|indicators --screenshot FILE.png]\n");
        return 2;
    }
    auto opened = AppState::open(args.app);
    if (!opened.ok()) {
        std::fprintf(stderr, "%s\n", opened.error().message.c_str());
        return 1;
    }
    AppState& app = **opened;
    if (!args.screen.empty()) {
        if (auto r = app.openScreen(args.screen); !r.ok()) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
    }

    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::fprintf(stderr, "SDL: %s\n", SDL_GetError());
        return 1;
    }
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
    SDL_GL_MakeCurrent(window, gl);
    SDL_GL_SetSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // no layout file: the screens place themselves
    ImGui_ImplSDL2_InitForOpenGL(window, gl);
    ImGui_ImplOpenGL3_Init("#version 130");
    loadFonts(app.textScale());
    theme::apply(app.textScale(), app.highContrast());

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
    int screenshotFrames = 3;
    while (running) {
        SDL_Event e;
        const bool idle = framesToDraw <= 0 && args.screenshot.empty();
        // Asleep until something happens; while typing, wake twice a second for the caret.
        const bool gotEvent =
            idle ? (io.WantTextInput ? SDL_WaitEventTimeout(&e, 500) : SDL_WaitEvent(&e)) : SDL_PollEvent(&e);
        if (gotEvent) {
            do {
                ImGui_ImplSDL2_ProcessEvent(&e);
                if (e.type == SDL_QUIT) running = false;
                if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) running = false;
            } while (SDL_PollEvent(&e));
            framesToDraw = 3;
        } else if (idle && io.WantTextInput) {
            framesToDraw = 1;
        }
        if (app.fontsDirty()) {
            loadFonts(app.textScale());
            ImGui_ImplOpenGL3_DestroyFontsTexture();
            ImGui_ImplOpenGL3_CreateFontsTexture();
            app.fontsRebuilt();
        }
        theme::apply(app.textScale(), app.highContrast());
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("carnet", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus);
        std::vector<Intent> intents;
        DrawContext ctx{intents, touch};
        app.draw(ctx);
        ImGui::End();
        ImGui::Render();
        if (io.WantTextInput && !SDL_IsTextInputActive()) SDL_StartTextInput(); // on-screen keyboard
        if (!io.WantTextInput && SDL_IsTextInputActive()) SDL_StopTextInput();
        glViewport(0, 0, static_cast<int>(io.DisplaySize.x), static_cast<int>(io.DisplaySize.y));
        const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        glClearColor(bg.x, bg.y, bg.z, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (!args.screenshot.empty() && --screenshotFrames == 0) {
            int w = 0, h = 0;
            SDL_GL_GetDrawableSize(window, &w, &h);
            const bool saved = saveScreenshot(args.screenshot, w, h);
            running = false;
            if (!saved) std::fprintf(stderr, "cannot write %s\n", args.screenshot.c_str());
        }
        SDL_GL_SwapWindow(window);
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
        app.apply(intents);
        if (!intents.empty() || ctx.animating) framesToDraw = std::max(framesToDraw, 2);
        --framesToDraw;
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_GL_DeleteContext(gl);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return 0;
}
