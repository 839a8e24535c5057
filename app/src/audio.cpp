#include "app/audio.hpp"

#define STB_VORBIS_HEADER_ONLY
#include <stb_vorbis.h>

#include <climits>
#include <cstdlib>
#include <memory>

namespace carnet::app {

namespace {

void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
}

void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

std::uint32_t get16(std::string_view s, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8;
}

std::uint32_t get32(std::string_view s, std::size_t at) {
    return get16(s, at) | get16(s, at + 2) << 16;
}

} // namespace

std::string encodeWav(std::string_view pcm, int rate) {
    const auto bytes = static_cast<std::uint32_t>(pcm.size() & ~std::size_t{1});
    const auto r = static_cast<std::uint32_t>(rate);
    std::string out;
    out.reserve(44 + bytes);
    out += "RIFF";
    put32(out, 36 + bytes);
    out += "WAVEfmt ";
    put32(out, 16);    // the fmt chunk's size
    put16(out, 1);     // PCM
    put16(out, 1);     // mono
    put32(out, r);     // samples a second
    put32(out, r * 2); // bytes a second
    put16(out, 2);     // bytes a frame
    put16(out, 16);    // bits a sample
    out += "data";
    put32(out, bytes);
    out.append(pcm.substr(0, bytes));
    return out;
}

Result<WavAudio> decodeWav(std::string_view wav, Lang lang) {
    const Error bad = makeError(ErrorCode::Invalid, tr("app.audio.unplayable", lang));
    if (wav.size() < 12 || wav.substr(0, 4) != "RIFF" || wav.substr(8, 4) != "WAVE") return bad;
    WavAudio out;
    bool haveFormat = false;
    // Chunks one after another (id, size, body padded to an even size); "fmt " comes before "data".
    for (std::size_t at = 12; at + 8 <= wav.size();) {
        const std::string_view id = wav.substr(at, 4);
        const std::size_t size = get32(wav, at + 4);
        const std::size_t body = at + 8;
        if (size > wav.size() - body) {
            if (id != "data" || !haveFormat) return bad;
            out.pcm.assign(wav.substr(body)); // a recording cut short (its size never written): what is there
            out.pcm.resize(out.pcm.size() - out.pcm.size() % static_cast<std::size_t>(2 * out.channels));
            return out;
        }
        if (id == "fmt ") {
            if (size < 16) return bad;
            const auto format = get16(wav, body), channels = get16(wav, body + 2), bits = get16(wav, body + 14);
            const auto rate = get32(wav, body + 4);
            if (format != 1 || bits != 16 || channels < 1 || channels > 2 || rate < 8000 || rate > 48000) return bad;
            out.rate = static_cast<int>(rate);
            out.channels = static_cast<int>(channels);
            haveFormat = true;
        } else if (id == "data") {
            if (!haveFormat) return bad;
            out.pcm.assign(wav.substr(body, size - size % static_cast<std::size_t>(2 * out.channels)));
            return out;
        }
        at = body + size + (size & 1);
    }
    return bad;
}

Result<WavAudio> decodeAudio(std::string_view bytes, std::string_view file, Lang lang) {
    const Error bad = makeError(ErrorCode::Invalid, tr("app.audio.prompt_unplayable", lang, {std::string(file)}));
    if (bytes.substr(0, 4) == "RIFF") {
        auto wav = decodeWav(bytes, lang);
        if (!wav.ok()) return bad;
        return wav;
    }
    if (bytes.substr(0, 4) != "OggS" || bytes.size() > static_cast<std::size_t>(INT_MAX)) return bad;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const int len = static_cast<int>(bytes.size());
    int error = 0;
    // Its length first: a small file may decode to hours of samples.
    std::unique_ptr<stb_vorbis, void (*)(stb_vorbis*)> probe(stb_vorbis_open_memory(data, len, &error, nullptr),
                                                             stb_vorbis_close);
    if (!probe) return bad;
    const stb_vorbis_info info = stb_vorbis_get_info(probe.get());
    const unsigned frames = stb_vorbis_stream_length_in_samples(probe.get());
    if (info.channels < 1 || info.channels > 2 || info.sample_rate < 8000 || info.sample_rate > 48000 ||
        static_cast<double>(frames) > kMaxRecordingSeconds * info.sample_rate)
        return bad;
    probe.reset();
    int channels = 0, rate = 0;
    short* samples = nullptr;
    const int decoded = stb_vorbis_decode_memory(data, len, &channels, &rate, &samples);
    std::unique_ptr<short, void (*)(void*)> owned(samples, std::free);
    if (decoded < 0 || !samples || channels < 1 || channels > 2) return bad;
    WavAudio out;
    out.rate = rate;
    out.channels = channels;
    const auto count = static_cast<std::size_t>(decoded) * static_cast<std::size_t>(channels);
    out.pcm.reserve(count * 2);
    for (std::size_t k = 0; k < count; ++k) {
        const auto u = static_cast<std::uint16_t>(samples[k]);
        out.pcm += static_cast<char>(u & 0xff);
        out.pcm += static_cast<char>(u >> 8);
    }
    return out;
}

} // namespace carnet::app
