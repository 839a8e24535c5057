#pragma once
// Sound for the `audio` question: what the app asks of a microphone and a loudspeaker, and the WAV
// files recordings are kept in. The app library never calls SDL: the loop gives it an AudioDevice
// (app/include/app/sdl_audio.hpp, SDL2's audio over the system's), tests give it the same one under
// SDL's `disk` driver.

#include "core/i18n.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace carnet::app {

/// Recordings are 16-bit signed little-endian mono PCM at this rate (speech: 32 KB a second).
inline constexpr int kAudioRate = 16000;
/// The longest recording kept: it stops there and is saved (about 19 MB of WAV).
inline constexpr double kMaxRecordingSeconds = 600.0;

/// A microphone and a loudspeaker. One recording or one playback at a time; nothing is open between
/// them, so an idle app holds no audio device and no audio thread.
class AudioDevice {
public:
    virtual ~AudioDevice() = default;
    /// Opens the microphone at kAudioRate, mono, 16-bit, and starts capturing.
    virtual Result<void> startCapture() = 0;
    /// Appends to `pcm` what was captured since the last call (s16le mono bytes).
    virtual Result<void> takeCaptured(std::string& pcm) = 0;
    /// Closes the microphone (what was captured and not taken is dropped: take it first).
    virtual void stopCapture() = 0;
    /// Opens the loudspeaker at `rate` with `channels` and plays `pcm` (s16le, interleaved).
    virtual Result<void> startPlayback(std::string_view pcm, int rate, int channels) = 0;
    /// Whether samples are left to play; the loudspeaker is closed once they are played.
    virtual bool playing() = 0;
    /// Stops playing and closes the loudspeaker.
    virtual void stopPlayback() = 0;
};

/// Decoded WAV: 16-bit PCM samples.
struct WavAudio {
    int rate = 0;
    int channels = 0;
    std::string pcm; ///< s16le, interleaved
};

/// A canonical 44-byte-header WAV file holding `pcm` (s16le mono at `rate`).
[[nodiscard]] std::string encodeWav(std::string_view pcm, int rate);
/// Reads a RIFF/WAVE file of 16-bit PCM (1 or 2 channels, 8000..48000 Hz); anything else (compressed,
/// truncated, other sample sizes) is Invalid, with a message in `lang` saying what can be played.
[[nodiscard]] Result<WavAudio> decodeWav(std::string_view wav, Lang lang);

/// Decodes a form's audio prompt (XLSForm's `media::audio`, the media file `file`): a WAV as decodeWav
/// reads it, or an Ogg Vorbis file (stb_vorbis, Debian's libstb) of at most kMaxRecordingSeconds, mono
/// or stereo. Anything else (MP3, AAC, ...) is Invalid, with a message in `lang` naming the file and
/// what can be played.
[[nodiscard]] Result<WavAudio> decodeAudio(std::string_view bytes, std::string_view file, Lang lang);

} // namespace carnet::app
