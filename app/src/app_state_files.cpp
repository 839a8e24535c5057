// The file questions' picker (video, photo, and audio without a microphone): the media folder's files
// of the question's kind are listed when the list opens, and the one tapped is copied into the store
// as an attachment (in chunks: a long video never sits in memory), its answer naming it as a
// recording's does ("<sha256>.mp4"), so that it syncs like every attachment.
#include "app/app_state.hpp"
#include "core/platform.hpp"
#include "sync/protocol.hpp"

#include <algorithm>
#include <cctype>

namespace carnet::app {

namespace fs = std::filesystem;

namespace {

// The question at `path` among `items` (repeat instances included); null when it is not there.
const forms::ItemView* findItem(const std::vector<forms::ItemView>& items, const std::string& path) {
    for (const auto& item : items) {
        if (item.path == path) return &item;
        if (const auto* found = findItem(item.children, path)) return found;
        for (const auto& instance : item.instances)
            if (const auto* found = findItem(instance, path)) return found;
    }
    return nullptr;
}

bool isFileQuestion(const forms::ItemView& item, bool microphone) {
    return item.type == forms::ItemType::Video || item.type == forms::ItemType::Photo ||
           (item.type == forms::ItemType::Audio && !microphone);
}

// "clip.MP4" -> "mp4"; "" without one.
std::string extensionOf(const std::string& name) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0) return {};
    std::string ext = name.substr(dot + 1);
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

} // namespace

void AppState::openFilePicker(const std::string& path) {
    m_form.files.clear();
    m_form.filesNote.clear();
    if (path.empty() || path == m_form.filePicker) {
        m_form.filePicker.clear();
        return;
    }
    forms::Session* session = openSession();
    if (!session) return;
    const forms::FormView view = session->view();
    const forms::ItemView* item = nullptr;
    for (const auto& page : view.pages)
        if (!item) item = findItem(page.items, path);
    if (!item || !isFileQuestion(*item, m_audio != nullptr)) return;
    const auto kinds = fileKinds(item->type);
    m_form.filePicker = path;
    m_form.fileFolder = platform::utf8Path(m_mediaDir);
    m_form.picker.clear();
    m_form.keypad.clear();
    auto listed = m_mediaDir.empty() ? Result<std::vector<platform::FileEntry>>(makeError(ErrorCode::NotFound, ""))
                                     : platform::listFiles(m_mediaDir);
    if (!listed.ok()) {
        m_form.filesNote = tr("app.file.no_folder", m_lang, {m_form.fileFolder});
        return;
    }
    for (auto& f : *listed)
        if (std::find(kinds.begin(), kinds.end(), extensionOf(f.name)) != kinds.end()) m_form.files.push_back(f);
    // Newest first: the video just filmed is at the top.
    std::sort(m_form.files.begin(), m_form.files.end(), [](const platform::FileEntry& a, const platform::FileEntry& b) {
        return a.modified != b.modified ? a.modified > b.modified : a.name < b.name;
    });
    if (m_form.files.empty()) {
        std::string list;
        for (const auto k : kinds)
            list += (list.empty() ? "" : ", ") + std::string(k);
        m_form.filesNote = tr("app.file.empty", m_lang, {list});
    }
}

void AppState::attachFile(const std::string& path, const std::string& file) {
    // Only a file the list shows: a name never reaches out of the media folder.
    const auto listed = std::find_if(m_form.files.begin(), m_form.files.end(),
                                     [&](const platform::FileEntry& f) { return f.name == file; });
    if (path != m_form.filePicker || listed == m_form.files.end()) return;
    auto stored = m_store.addAttachment(m_mediaDir / fs::path(std::u8string(file.begin(), file.end())), m_maxFileBytes);
    if (!stored.ok()) {
        m_form.message = stored.error().message;
        return;
    }
    const std::string ext = extensionOf(file);
    const std::string answer = stored->hash + (ext.empty() ? "" : "." + ext);
    // The answer and the name the file had, together or not at all.
    auto tx = m_store.transaction();
    Result<void> r = tx.begun();
    if (r.ok()) r = m_store.setSetting("file_name." + stored->hash, file);
    if (r.ok()) r = m_store.setAnswer(m_form.recordId, path, answer);
    if (r.ok()) r = tx.commit();
    if (!r.ok()) {
        m_form.message = r.error().message;
        return;
    }
    m_form.message.clear();
    m_form.attached[answer] = {file, static_cast<std::uint64_t>(stored->size)};
    m_form.filePicker.clear();
    m_form.files.clear();
}

void AppState::describeAttached(const forms::FormView& view) {
    if (m_form.page < 0 || m_form.page >= static_cast<int>(view.pages.size())) return;
    const bool microphone = m_audio != nullptr;
    auto visit = [&](const auto& self, const std::vector<forms::ItemView>& items) -> void {
        for (const auto& item : items) {
            self(self, item.children);
            for (const auto& instance : item.instances)
                self(self, instance);
            if (!isFileQuestion(item, microphone) || !item.value.is_string()) continue;
            const auto& answer = item.value.get_ref<const std::string&>();
            if (m_form.attached.count(answer)) continue;
            const auto hash = sync::attachmentHash(item.value);
            if (!hash) continue;
            auto a = m_store.attachment(*hash);
            if (!a.ok()) continue; // not on this device (pulled): the answer is shown as it is
            const std::string name = m_store.setting("file_name." + *hash, answer).value_or(answer);
            m_form.attached[answer] = {name, static_cast<std::uint64_t>(a->size)};
        }
    };
    visit(visit, view.pages[static_cast<std::size_t>(m_form.page)].items);
}

} // namespace carnet::app
