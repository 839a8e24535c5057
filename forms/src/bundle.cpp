#include "forms/bundle.hpp"

#include "core/json_text.hpp"
#include "forms/media.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>

namespace carnet::forms {

namespace {

Error bundleError(std::string message) {
    return Error{ErrorCode::Invalid, std::move(message), false};
}

} // namespace

std::string mediaSha256(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xf];
    }
    return hex;
}

Result<std::string> bundleForm(std::string_view formJson, const MediaContents& files, Lang lang) {
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(formJson);
    } catch (const std::exception& e) {
        return bundleError(tr("load.json_syntax", lang, {e.what()}));
    }
    if (!doc.is_object() || !doc.contains("media") || !doc["media"].is_array()) return std::string(formJson);
    for (auto& entry : doc["media"]) {
        const bool object = entry.is_object();
        if (!object && !entry.is_string()) continue; // the loader names it
        const std::string file = object ? entry.value("file", std::string()) : entry.get<std::string>();
        auto it = files.find(file);
        if (it == files.end()) return bundleError(tr("bundle.media_missing", lang, {file}));
        if (it->second.size() > kMaxMediaBytes)
            return bundleError(tr("bundle.media_too_large", lang, {file, std::to_string(kMaxMediaBytes >> 20)}));
        const std::string sha = mediaSha256(it->second);
        if (object && entry.contains("sha256") && entry["sha256"].is_string() && entry["sha256"] != sha)
            return bundleError(tr("bundle.media_mismatch", lang, {file, entry["sha256"].get<std::string>(), sha}));
        if (object && entry.contains("size") && entry["size"] != it->second.size())
            return bundleError(tr("bundle.media_mismatch", lang, {file, entry.value("sha256", std::string()), sha}));
        nlohmann::ordered_json filled;
        filled["file"] = file;
        filled["type"] = mediaType(file);
        filled["sha256"] = sha;
        filled["size"] = it->second.size();
        entry = std::move(filled);
    }
    return doc.dump(2) + "\n";
}

Result<void> verifyMedia(const Form& form, const MediaContents& files, Lang lang) {
    for (const auto& m : form.mediaFiles) {
        if (m.sha256.empty()) continue;
        auto it = files.find(m.file);
        if (it == files.end()) return bundleError(tr("bundle.media_missing", lang, {m.file}));
        const std::string sha = mediaSha256(it->second);
        if (sha != m.sha256 || static_cast<std::int64_t>(it->second.size()) != m.size)
            return bundleError(tr("bundle.media_mismatch", lang, {m.file, m.sha256, sha}));
    }
    return {};
}

Result<MediaContents> readMediaDir(const Form& form, const std::filesystem::path& dir, Lang lang) {
    MediaContents files;
    for (const auto& file : form.media) {
        const std::filesystem::path path = dir / file;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) continue;
        const auto size = std::filesystem::file_size(path, ec);
        if (ec) return bundleError(tr("bundle.media_unreadable", lang, {file}));
        if (size > kMaxMediaBytes)
            return bundleError(tr("bundle.media_too_large", lang, {file, std::to_string(kMaxMediaBytes >> 20)}));
        std::ifstream in(path, std::ios::binary);
        std::ostringstream buf;
        buf << in.rdbuf();
        if (!in && !in.eof()) return bundleError(tr("bundle.media_unreadable", lang, {file}));
        files[file] = buf.str();
    }
    return files;
}

} // namespace carnet::forms
