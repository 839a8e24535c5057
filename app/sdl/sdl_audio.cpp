#include "app/sdl_audio.hpp"

#include <SDL.h>

#include <vector>

namespace carnet::app {

namespace {

Error sdlError(const char* what) {
    return makeError(ErrorCode::Io, std::string(what) + ": " + SDL_GetError());
}

} // namespace

SdlAudio::~SdlAudio() {
    stopCapture();
    stopPlayback();
    if (m_init) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

Result<void> SdlAudio::init() {
    if (m_init) return {};
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) return sdlError("SDL audio");
    m_init = true;
    return {};
}

Result<void> SdlAudio::startCapture() {
    stopCapture();
    stopPlayback();
    if (auto r = init(); !r.ok()) return r;
    SDL_AudioSpec want{};
    want.freq = kAudioRate;
    want.format = AUDIO_S16LSB;
    want.channels = 1;
    want.samples = 1024; // 64 ms a buffer
    SDL_AudioSpec have{};
    // No allowed changes: SDL converts from what the microphone gives to 16 kHz mono s16le.
    const SDL_AudioDeviceID dev = SDL_OpenAudioDevice(nullptr, 1, &want, &have, 0);
    if (dev == 0) return sdlError("microphone");
    m_capture = dev;
    SDL_PauseAudioDevice(dev, 0);
    return {};
}

Result<void> SdlAudio::takeCaptured(std::string& pcm) {
    if (m_capture == 0) return {};
    std::vector<char> buf(1 << 15);
    while (true) {
        const Uint32 n = SDL_DequeueAudio(m_capture, buf.data(), static_cast<Uint32>(buf.size()));
        if (n == 0) break;
        pcm.append(buf.data(), n);
    }
    return {};
}

void SdlAudio::stopCapture() {
    if (m_capture == 0) return;
    SDL_CloseAudioDevice(m_capture);
    m_capture = 0;
}

Result<void> SdlAudio::startPlayback(std::string_view pcm, int rate, int channels) {
    stopCapture();
    stopPlayback();
    if (auto r = init(); !r.ok()) return r;
    SDL_AudioSpec want{};
    want.freq = rate;
    want.format = AUDIO_S16LSB;
    want.channels = static_cast<Uint8>(channels);
    want.samples = 1024;
    SDL_AudioSpec have{};
    const SDL_AudioDeviceID dev = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
    if (dev == 0) return sdlError("loudspeaker");
    m_playback = dev;
    // Followed by 0.1 s of silence: the device is closed once its queue is empty, and the last
    // buffer handed to the hardware then still plays out.
    const std::string tail(static_cast<std::size_t>(rate / 10 * channels * 2), '\0');
    if (SDL_QueueAudio(dev, pcm.data(), static_cast<Uint32>(pcm.size())) != 0 ||
        SDL_QueueAudio(dev, tail.data(), static_cast<Uint32>(tail.size())) != 0) {
        stopPlayback();
        return sdlError("loudspeaker");
    }
    SDL_PauseAudioDevice(dev, 0);
    return {};
}

bool SdlAudio::playing() {
    if (m_playback == 0) return false;
    if (SDL_GetQueuedAudioSize(m_playback) > 0) return true;
    stopPlayback();
    return false;
}

void SdlAudio::stopPlayback() {
    if (m_playback == 0) return;
    SDL_CloseAudioDevice(m_playback);
    m_playback = 0;
}

} // namespace carnet::app
