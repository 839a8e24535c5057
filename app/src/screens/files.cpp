// The file picker of video and photo questions (and of audio ones on a device without a microphone):
// the media folder's files of the question's kind, with their size and date, one large row each. The
// folder is read by AppState when the list opens (FormModel::files); this draws what it read.
#include "app/theme.hpp"
#include "core/platform.hpp"
#include "pickers.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <imgui.h>

namespace carnet::app {

using forms::ItemType;
using nlohmann::json;

namespace {

// "06/12/2026 18:47" in French, "2026-12-06 18:47" in English, at the device's local time.
std::string fileDate(std::time_t t, Lang lang) {
    const std::tm tm = platform::localTime(t);
    std::array<char, 32> buf{};
    const std::size_t n =
        std::strftime(buf.data(), buf.size(), lang == Lang::Fr ? "%d/%m/%Y %H:%M" : "%Y-%m-%d %H:%M", &tm);
    return std::string(buf.data(), n);
}

} // namespace

std::string fileSize(std::uint64_t bytes, Lang lang) {
    if (bytes < 1000) return tr("app.file.bytes", lang, {std::to_string(bytes)});
    const char* key = "app.file.kb";
    double value = static_cast<double>(bytes) / 1e3;
    if (bytes >= 1'000'000'000) {
        key = "app.file.gb";
        value = static_cast<double>(bytes) / 1e9;
    } else if (bytes >= 1'000'000) {
        key = "app.file.mb";
        value = static_cast<double>(bytes) / 1e6;
    }
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.1f", value);
    std::string number = buf.data();
    if (lang == Lang::Fr)
        for (char& c : number)
            if (c == '.') c = ',';
    return tr(key, lang, {number});
}

std::vector<std::string_view> fileKinds(ItemType type) {
    switch (type) {
    case ItemType::Video:
        return {"mp4", "3gp", "webm", "mkv", "mov"};
    case ItemType::Photo:
        return {"jpg", "jpeg", "png"};
    case ItemType::Audio:
        return {"ogg", "opus", "m4a", "mp3", "wav", "amr"};
    default:
        return {};
    }
}

void evaluateFiles(const FormModel& model, Lang lang, FormScreenView& v) {
    v.chooseFile = tr("app.file.choose", lang);
    v.replaceFile = tr("app.file.replace", lang);
    v.removeFile = tr("app.file.remove", lang);
    v.closeFiles = tr("app.file.close", lang);
    v.filePicker = model.filePicker;
    if (!model.filePicker.empty()) {
        v.filesTitle = tr("app.file.folder", lang, {model.fileFolder});
        v.filesNote = model.filesNote;
        for (const auto& f : model.files)
            v.files.emplace_back(f.name, fileSize(f.size, lang) + " · " + fileDate(f.modified, lang));
    }
    for (const auto& entry : model.attached)
        v.attached[entry.first] =
            tr("app.file.attached", lang, {entry.second.first, fileSize(entry.second.second, lang)});
}

void drawFileField(const FormScreenView& view, DrawContext& ctx, const forms::ItemView& item) {
    auto push = [&](Intent::Kind kind, const std::string& path, json value = nullptr, std::string text = {}) {
        Intent& i = ctx.emit(kind);
        i.path = path;
        i.value = std::move(value);
        i.text = std::move(text);
    };
    if (item.value.is_string()) {
        const auto& answer = item.value.get_ref<const std::string&>();
        const auto known = view.attached.find(answer);
        theme::hint(ctx, known != view.attached.end() ? known->second : answer);
    }
    if (item.readOnly || view.readOnly) return;
    const bool open = view.filePicker == item.path;
    if (theme::button(ctx, "file.choose." + item.path, item.value.is_null() ? view.chooseFile : view.replaceFile,
                      300.0f, 56.0f))
        push(Intent::Kind::OpenFilePicker, open ? std::string() : item.path);
    if (!item.value.is_null()) {
        ImGui::SameLine();
        if (theme::button(ctx, "file.remove." + item.path, view.removeFile, 300.0f, 56.0f))
            push(Intent::Kind::SetAnswer, item.path, json());
    }
    if (!open) return;
    theme::hint(ctx, view.filesTitle);
    if (!view.filesNote.empty()) theme::hint(ctx, view.filesNote);
    for (const auto& file : view.files) {
        // The row reads "name" then "size · date"; tests find it by the file's name.
        if (theme::labelledButton(ctx, "file.pick." + item.path + "/" + file.first, file.first + "\n" + file.second,
                                  file.first, -1.0f, 80.0f))
            push(Intent::Kind::AttachFile, item.path, nullptr, file.first);
    }
    if (theme::button(ctx, "file.close." + item.path, view.closeFiles, 300.0f, 56.0f))
        push(Intent::Kind::OpenFilePicker, std::string());
}

} // namespace carnet::app
