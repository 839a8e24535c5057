#include "app/audio.hpp"

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

} // namespace carnet::app
