#include "server/form_bundle.hpp"

#include "forms/media.hpp"
#include "xlsform/import.hpp"

#include <zip.h>

#include <memory>

namespace carnet::server {

namespace {

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

Error bundleError(std::string message) {
    return makeError(ErrorCode::Invalid, std::move(message));
}

ZipPtr openZip(std::string_view bytes) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return nullptr;
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z) zip_source_free(src);
    zip_error_fini(&ze);
    return ZipPtr(z);
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Reads one entry, at most `limit` bytes: the zip's declared size is not trusted (a bomb lies about it).
Result<std::string> readEntry(zip_t* z, zip_uint64_t index, const std::string& name, std::size_t limit) {
    zip_file_t* f = zip_fopen_index(z, index, 0);
    if (!f) return bundleError("zip entry '" + name + "' cannot be read: " + zip_strerror(z));
    std::string out;
    char buf[1 << 16];
    while (true) {
        const zip_int64_t n = zip_fread(f, buf, sizeof buf);
        if (n < 0) {
            const std::string why = zip_file_strerror(f);
            zip_fclose(f);
            return bundleError("zip entry '" + name + "' cannot be read: " + why);
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > limit) {
            zip_fclose(f);
            return bundleError("zip entry '" + name + "' is over " + std::to_string(limit >> 20) + " MiB uncompressed");
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    zip_fclose(f);
    return out;
}

} // namespace

bool isBundleZip(std::string_view bytes) {
    if (bytes.rfind("PK\x03\x04", 0) != 0) return false;
    ZipPtr z = openZip(bytes);
    return z && zip_name_locate(z.get(), "xl/workbook.xml", 0) < 0;
}

Result<BundleUpload> readBundleZip(std::string_view bytes) {
    ZipPtr z = openZip(bytes);
    if (!z) return bundleError("the bundle is not a zip file");
    const zip_int64_t count = zip_get_num_entries(z.get(), 0);
    if (count < 0 || static_cast<std::size_t>(count) > forms::kMaxMediaFiles + 1)
        return bundleError("a bundle holds one form and at most " + std::to_string(forms::kMaxMediaFiles) +
                           " media files");
    BundleUpload out;
    std::string formName, workbook;
    std::size_t total = 0;
    for (zip_int64_t i = 0; i < count; ++i) {
        const auto index = static_cast<zip_uint64_t>(i);
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(z.get(), index, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
            return bundleError("zip entry " + std::to_string(i) + " cannot be read");
        const std::string name = st.name;
        if (endsWith(name, "/")) continue; // a folder entry holds nothing
        if (!forms::validMediaName(name))
            return bundleError("zip entry '" + name +
                               "': entries are plain file names at the top of the zip (no folders, no '..')");
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            return bundleError("zip entry '" + name + "' is encrypted");
        auto data = readEntry(z.get(), index, name, std::min(forms::kMaxMediaBytes, kMaxBundleBytes - total));
        if (!data.ok()) return data.error();
        total += data->size();
        const bool json = endsWith(name, ".json"), xlsx = endsWith(name, ".xlsx");
        if (json || xlsx) {
            if (!formName.empty())
                return bundleError("the bundle holds two forms: '" + formName + "' and '" + name + "'");
            formName = name;
            (json ? out.formJson : workbook) = std::move(*data);
        } else {
            out.files[name] = std::move(*data);
        }
    }
    if (formName.empty()) return bundleError("the bundle holds no form (a .json form or an .xlsx XLSForm)");
    if (!workbook.empty()) {
        const auto stem = formName.substr(0, formName.size() - 5);
        const xlsform::ImportResult imported = xlsform::importXlsform(workbook, stem);
        for (const auto& m : imported.messages)
            if (m.severity == xlsform::Severity::Error) return bundleError(m.format(formName, Lang::En));
        out.formJson = imported.json.dump();
        out.fromWorkbook = true;
    }
    return out;
}

} // namespace carnet::server
