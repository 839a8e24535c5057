#pragma once
// The AudioDevice over SDL2's audio (the system's microphone and loudspeaker; SDL's `disk` driver in
// tests). Its own small library beside the app's: the app library stays free of SDL.

#include "app/audio.hpp"

#include <cstdint>

namespace carnet::app {

/// SDL_OpenAudioDevice for capture (iscapture = 1) and playback, fed and drained with
/// SDL_QueueAudio / SDL_DequeueAudio (no callback: SDL's audio thread does the timing). A device is
/// open only while recording or playing. Used from the UI thread only.
class SdlAudio final : public AudioDevice {
public:
    SdlAudio() = default;
    ~SdlAudio() override;
    SdlAudio(const SdlAudio&) = delete;
    SdlAudio& operator=(const SdlAudio&) = delete;

    Result<void> startCapture() override;
    Result<void> takeCaptured(std::string& pcm) override;
    void stopCapture() override;
    Result<void> startPlayback(std::string_view pcm, int rate, int channels) override;
    bool playing() override;
    void stopPlayback() override;

private:
    Result<void> init();
    std::uint32_t m_capture = 0;  ///< SDL_AudioDeviceID, 0 = closed
    std::uint32_t m_playback = 0; ///< SDL_AudioDeviceID, 0 = closed
    bool m_init = false;          ///< SDL's audio subsystem is started (by this object)
};

} // namespace carnet::app
