#include "app/app_state.hpp"

#include "app/images.hpp"
#include "app/theme.hpp"
#include "core/json_text.hpp"
#include "core/platform.hpp"
#include "field/builtin.hpp"
#include "field/device.hpp"
#include "forms/bundle.hpp"
#include "forms/instance_name.hpp"
#include "forms/loader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <imgui.h>

namespace carnet::app {

using nlohmann::json;

namespace {

// The built-in field forms: their records are shown by the field screens, not started by hand.
bool isFieldForm(std::string_view formId) {
    using namespace field::formid;
    for (std::string_view f : {kWalkList, kBuilding, kDwelling, kPerson, kConsent, kDoorVisit, kCallTask})
        if (formId == f) return true;
    return false;
}

// "2026-11-25T14:03:00Z" -> "25/11/2026 14:03" (fr) or "2026-11-25 14:03" (en), for display only.
std::string displayTime(const std::string& iso, Lang lang) {
    if (iso.size() < 16) return iso;
    if (lang == Lang::Fr)
        return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4) + " " + iso.substr(11, 5);
    return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

// A form of the forms folder with the media files beside it (its images, audio prompts, CSV files):
// bundled (the manifest filled from the files) and installed, the files kept in the store as if synced.
Result<void> installWithMedia(store::Store& s, const std::string& text, const std::filesystem::path& dir) {
    auto loaded = forms::loadForm(text);
    std::string bundled = text;
    forms::MediaContents files;
    if (loaded.form && !loaded.form->media.empty()) {
        auto read = forms::readMediaDir(*loaded.form, dir, s.language());
        if (!read.ok()) return read.error();
        files = std::move(*read);
        if (files.size() == loaded.form->media.size()) {
            auto b = forms::bundleForm(text, files, s.language());
            if (!b.ok()) return b.error();
            bundled = std::move(*b);
        } else {
            files.clear(); // not all there: installed as it is, its files said missing
        }
    }
    if (auto r = s.installForm(bundled); !r.ok()) return r.error();
    for (const auto& [name, content] : files) {
        const std::string sha = forms::mediaSha256(content);
        if (s.hasMedia(sha)) continue;
        if (auto r = s.appendMedia(sha, 0, content); !r.ok()) return r.error();
        if (auto r = s.finishMedia(sha, content.size(), name); !r.ok()) return r.error();
    }
    return {};
}

} // namespace

AppState::AppState(store::Store store, std::filesystem::path dataDir)
    : m_store(std::move(store))
    , m_dataDir(std::move(dataDir)) {}

AppState::~AppState() {
    stopAudio();
    freeImages();
}

void AppState::freeImages() {
    if (m_textures)
        for (const auto& [sha, img] : m_images)
            if (img.texture != 0) m_textures->freeTexture(img.texture);
    m_images.clear();
}

namespace {

template <class Fn> void eachLabelImage(const std::vector<forms::ItemView>& items, Fn&& fn) {
    for (const auto& item : items) {
        if (!item.image.empty()) fn(item.image);
        for (const auto& c : item.choices)
            if (!c.image.empty()) fn(c.image);
        eachLabelImage(item.children, fn);
        for (const auto& inst : item.instances)
            eachLabelImage(inst, fn);
    }
}

} // namespace

void AppState::labelImages(const forms::Form& form, FormScreenView& view) {
    // The textures of one form at a time: another form's are freed when it opens.
    const std::string formKey = form.id + "\n" + form.version;
    if (formKey != m_imagesForm) {
        freeImages();
        m_imagesForm = formKey;
    }
    eachLabelImage(view.items, [&](const std::string& file) {
        if (view.images.count(file)) return;
        const auto entry = std::find_if(form.mediaFiles.begin(), form.mediaFiles.end(),
                                        [&](const forms::MediaFile& m) { return m.file == file; });
        LabelImage missing;
        missing.message = tr("app.form.image_missing", m_lang, {file});
        if (entry == form.mediaFiles.end() || entry->sha256.empty()) {
            view.images[file] = missing;
            return;
        }
        if (auto it = m_images.find(entry->sha256); it != m_images.end()) {
            view.images[file] = it->second;
            return;
        }
        // Decoded once (then kept with its texture); a file not here yet is looked for again next frame.
        auto data = m_store.mediaData(entry->sha256);
        if (!data.ok()) {
            view.images[file] = missing;
            return;
        }
        LabelImage img;
        auto decoded = decodeImage(*data, m_lang);
        if (decoded.ok()) {
            img.width = decoded->width;
            img.height = decoded->height;
            if (m_textures) img.texture = m_textures->makeTexture(*decoded);
        } else {
            img.message = decoded.error().message;
        }
        m_images[entry->sha256] = img;
        view.images[file] = img;
    });
}

void AppState::addPosition(const std::string& path) {
    forms::Session* session = openSession();
    if (m_location == nullptr || session == nullptr) return;
    const auto fix = m_location->current();
    if (!fix) {
        m_form.message = tr("app.form.no_position", m_lang);
        return;
    }
    // "trace" or "members[2]/trace": the item is named by the last step.
    const forms::Item* item = session->form().find(path.substr(path.rfind('/') + 1));
    if (item == nullptr) return;
    const std::string point = odkPoint(*fix);
    Intent set;
    set.kind = Intent::Kind::SetAnswer;
    set.path = path;
    if (item->type == forms::ItemType::Geopoint) {
        set.value = point;
        apply({set});
        return;
    }
    // The vertices so far: what is typed in the field, else the answer (a shape without its closing point).
    std::string text;
    bool typed = false;
    for (const auto& [p, t] : m_form.edits)
        if (p == path) {
            text = t;
            typed = true;
        }
    if (!typed && session->valueAt(path).is_string()) text = session->valueAt(path).get<std::string>();
    std::vector<std::string> points;
    for (std::size_t start = 0; start <= text.size();) {
        const auto semi = std::min(text.find(';', start), text.size());
        const std::string part = text.substr(start, semi - start);
        if (part.find_first_not_of(' ') != std::string::npos) points.push_back(part);
        start = semi + 1;
    }
    const bool shape = item->type == forms::ItemType::Geoshape;
    if (shape && points.size() > 1 && points.front() == points.back()) points.pop_back();
    points.push_back(point);
    std::string joined;
    for (const auto& p : points)
        joined += (joined.empty() ? "" : ";") + p;
    if (points.size() < (shape ? 3u : 2u)) {
        setText(path, joined); // not an answer yet: kept as typed, shown in the field
        return;
    }
    setText(path, joined); // kept as typed should the engine refuse it (its message is shown)
    set.value = joined;
    apply({set});
}

void AppState::playPrompt(const std::string& key, const std::string& file) {
    stopAudio();
    forms::Session* session = openSession();
    if (m_audio == nullptr || session == nullptr) return;
    const auto& media = session->form().mediaFiles;
    const auto entry =
        std::find_if(media.begin(), media.end(), [&](const forms::MediaFile& m) { return m.file == file; });
    if (entry == media.end() || entry->sha256.empty() || !m_store.hasMedia(entry->sha256)) {
        m_form.message = tr("app.audio.prompt_missing", m_lang, {file});
        return;
    }
    auto data = m_store.mediaData(entry->sha256);
    if (!data.ok()) {
        m_form.message = data.error().message;
        return;
    }
    auto sound = decodeAudio(*data, file, m_lang);
    if (!sound.ok()) {
        m_form.message = sound.error().message;
        return;
    }
    if (auto r = m_audio->startPlayback(sound->pcm, sound->rate, sound->channels); !r.ok()) {
        m_form.message = tr("app.audio.no_device", m_lang, {r.error().message});
        return;
    }
    m_form.audioPath = "prompt:" + key;
    m_form.recording = false;
}

void AppState::startRecording(const std::string& path) {
    stopAudio();
    if (m_audio == nullptr) return;
    m_recorded.clear();
    if (auto r = m_audio->startCapture(); !r.ok()) {
        m_form.message = tr("app.audio.no_device", m_lang, {r.error().message});
        return;
    }
    // On the disk as it goes (flushed every half second): a process killed mid-record keeps it.
    if (auto r = m_store.beginRecording(m_form.recordId, path); !r.ok()) {
        m_audio->stopCapture();
        m_form.message = r.error().message;
        return;
    }
    m_flushed = 0;
    m_form.audioPath = path;
    m_form.recording = true;
    m_form.audioSeconds = 0;
    m_audioRecord = m_form.recordId;
}

void AppState::flushRecording(bool all) {
    constexpr std::size_t kFlushBytes = kAudioRate; // half a second of 16-bit samples
    if (m_recorded.size() - m_flushed < (all ? 1 : kFlushBytes)) return;
    if (auto r = m_store.appendRecording(std::string_view(m_recorded).substr(m_flushed)); !r.ok()) {
        m_form.message = r.error().message; // still held in memory, saved at the end as usual
        return;
    }
    m_flushed = m_recorded.size();
}

void AppState::recoverRecording() {
    auto left = m_store.interruptedRecording();
    if (!left.ok()) {
        m_form.message = left.error().message;
        return;
    }
    if (!*left) return;
    const store::InterruptedRecording& rec = **left;
    if (!rec.pcm.empty()) {
        // Kept like any recording: the answer names its WAV attachment.
        auto stored = m_store.addAttachmentData(encodeWav(rec.pcm, kAudioRate));
        if (!stored.ok()) {
            m_form.message = stored.error().message;
            return; // the file stays, tried again at the next start
        }
        auto r = m_store.setAnswer(rec.recordId, rec.path, stored->hash + ".wav");
        const double seconds = static_cast<double>(rec.pcm.size()) / (2.0 * kAudioRate);
        m_form.message = r.ok() ? tr("app.audio.recovered", m_lang, {std::to_string(static_cast<int>(seconds + 0.5))})
                                : r.error().message;
    }
    if (auto r = m_store.endRecording(); !r.ok()) m_form.message = r.error().message;
}

void AppState::playRecording(const std::string& path) {
    stopAudio();
    forms::Session* session = openSession();
    if (m_audio == nullptr || session == nullptr) return;
    const json ref = session->valueAt(path);
    if (!ref.is_string()) return;
    // The answer is "<sha256>.wav": the attachment's name in the store.
    const std::string name = ref.get<std::string>();
    auto data = m_store.attachmentData(name.substr(0, name.find('.')));
    if (!data.ok()) {
        m_form.message = data.error().message;
        return;
    }
    auto wav = decodeWav(*data, m_lang);
    if (!wav.ok()) {
        m_form.message = wav.error().message;
        return;
    }
    if (auto r = m_audio->startPlayback(wav->pcm, wav->rate, wav->channels); !r.ok()) {
        m_form.message = tr("app.audio.no_device", m_lang, {r.error().message});
        return;
    }
    m_form.audioPath = path;
    m_form.recording = false;
}

void AppState::pollAudio(DrawContext& ctx) {
    if (m_audio == nullptr || m_form.audioPath.empty()) return;
    if (!m_form.recording) {
        if (m_audio->playing())
            ctx.wakeAfter = 0.25;
        else
            m_form.audioPath.clear(); // played to the end: the loudspeaker is closed, the loop sleeps again
        return;
    }
    if (auto r = m_audio->takeCaptured(m_recorded); !r.ok()) {
        m_form.message = tr("app.audio.no_device", m_lang, {r.error().message});
        stopAudio();
        return;
    }
    constexpr auto kMaxBytes = static_cast<std::size_t>(kMaxRecordingSeconds * kAudioRate * 2);
    m_form.audioSeconds = static_cast<double>(m_recorded.size()) / (2.0 * kAudioRate);
    if (m_recorded.size() >= kMaxBytes) {
        m_recorded.resize(kMaxBytes);
        stopAudio(); // the longest recording kept: saved as it is
        return;
    }
    flushRecording(false);
    ctx.wakeAfter = 0.25; // the seconds shown move on, and the next captured samples are taken
}

void AppState::stopAudio() {
    if (m_audio == nullptr || m_form.audioPath.empty()) return;
    const std::string path = m_form.audioPath;
    m_form.audioPath.clear();
    if (!m_form.recording) {
        m_audio->stopPlayback();
        return;
    }
    m_form.recording = false;
    auto taken = m_audio->takeCaptured(m_recorded);
    m_audio->stopCapture();
    std::string pcm = std::move(m_recorded);
    m_recorded.clear();
    if (!taken.ok()) {
        m_form.message = tr("app.audio.no_device", m_lang, {taken.error().message});
        return;
    }
    if (pcm.empty()) {
        if (auto e = m_store.endRecording(); !e.ok()) m_form.message = e.error().message;
        return;
    }
    // Kept like a photo: content-addressed (sealed in an encrypted store), the answer naming it.
    auto stored = m_store.addAttachmentData(encodeWav(pcm, kAudioRate));
    if (!stored.ok()) {
        m_form.message = stored.error().message; // its file on the disk is recovered at the next start
        return;
    }
    auto r = m_store.setAnswer(m_audioRecord, path, stored->hash + ".wav");
    m_form.message = r.ok() ? std::string() : r.error().message;
    if (auto e = m_store.endRecording(); !e.ok()) m_form.message = e.error().message;
}

void AppState::pollWorker() {
    if (!m_worker.status().finished) return;
    SyncStatus done = m_worker.take();
    if (done.wasLogin) {
        m_loginError = done.loginError;
        if (m_loginError.empty()) m_settings = SettingsModel{}; // forget the password
    } else {
        m_haveReport = true;
        m_report = done.report;
        m_viewsLoaded = false; // pulled records (the open form reloads through the store's stamp)
        m_names.clear();       // a person renamed on the server renames their calls and interviews
    }
}

Result<std::unique_ptr<AppState>> AppState::open(const AppOptions& options) {
    // --today moves the clock by whole days: time stamps stay real instants on that date, in order.
    clock::Source appClock = options.clock ? options.clock : clock::Source(clock::systemNow);
    if (!options.today.empty())
        appClock = [base = appClock, today = options.today] { return clock::onLocalDate(base(), today); };
    store::StoreOptions so;
    so.pin = options.pin;
    if (options.kdf) so.kdf = *options.kdf;
    so.clock = appClock; // the forms engine's today() is the app's (date constraints of seeded records)
    auto s = store::Store::open(options.dataDir, so);
    if (!s.ok()) return s.error();
    auto forms = s->forms();
    if (!forms.ok()) return forms.error();
    if (forms->empty() && !options.formsDir.empty()) {
        // The demo campaign: the sample forms, installed once.
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(options.formsDir, ec))
            if (e.path().extension() == ".json") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            auto text = readTextFile(f);
            if (!text.ok()) return text.error();
            if (auto r = installWithMedia(*s, *text, f.parent_path()); !r.ok())
                return makeError(r.error().code, f.string() + ": " + r.error().message);
        }
    }
    // The field forms (walk lists, doors, people, calls) ship with the app.
    if (auto r = field::device::installBuiltinForms(*s); !r.ok()) return r.error();
    auto campaign = field::parseCampaign(json::parse(field::demoCampaignText()), "demo.json");
    if (!campaign.ok()) return campaign.error();
    if (options.demo) {
        // `make run`: a living campaign on first start; an existing store is left as it is.
        auto existing = s->list();
        if (!existing.ok()) return existing.error();
        if (existing->empty()) {
            field::device::DemoOptions demo;
            demo.today = clock::localDate(appClock());
            if (auto r = field::device::seedDemo(*s, *campaign, demo); !r.ok()) return r.error();
        }
    }
    std::unique_ptr<AppState> app(new AppState(std::move(*s), options.dataDir));
    app->m_worker.setKey(app->m_store.dataKey()); // its own connection, the same unlocked key
    app->m_campaign = std::move(*campaign);
    app->m_clock = std::move(appClock);
    app->m_audio = options.audio;
    app->m_textures = options.textures;
    app->m_location = options.location;
    app->m_mediaDir = options.mediaDir.empty() ? platform::mediaDirectory() : options.mediaDir;
    app->m_maxFileBytes = options.maxFileBytes;
    app->recoverRecording(); // a recording the last run was killed in the middle of
    const std::string lang = app->m_store.setting("language", "fr").value_or("fr");
    app->m_lang = options.lang.value_or(parseLang(lang).value_or(Lang::Fr));
    app->m_userName = app->m_store.setting("user_name").value_or("");
    app->m_textScale = std::stof(app->m_store.setting("text_scale", "1").value_or("1"));
    app->m_highContrast = app->m_store.setting("high_contrast", "0").value_or("0") == "1";
    app->m_screen = app->m_userName.empty() ? Screen::FirstRun : Screen::Home;
    app->m_store.setLanguage(langCode(app->m_lang));
    return app;
}

Result<void> AppState::openScreen(const std::string& spec) {
    m_viewsLoaded = false;
    if (spec == "home") {
        m_screen = Screen::Home;
    } else if (spec == "records") {
        m_screen = Screen::Records;
    } else if (spec == "settings") {
        m_screen = Screen::Settings;
    } else if (spec == "first-run") {
        m_screen = Screen::FirstRun;
    } else if (spec == "walk") {
        m_walk = WalkListModel{};
        m_screen = Screen::WalkLists;
    } else if (spec.rfind("walk:", 0) == 0) {
        m_walk = WalkListModel{};
        m_walk.listId = spec.substr(5);
        if (m_walk.listId == "first") {
            const WalkListData lists = walkListData();
            if (lists.lists.empty()) return makeError(ErrorCode::NotFound, "no walk list");
            m_walk.listId = lists.lists.front().id;
        }
        // The first door not closed yet shows its outcome buttons.
        for (const auto& b : walkListData().buildings)
            for (const auto& d : b.dwellings)
                if (m_walk.doorId.empty() && !d.final) m_walk.doorId = d.id;
        m_screen = Screen::WalkLists;
    } else if (spec == "calls" || spec == "calls:first") {
        m_calls = CallQueueModel{};
        if (spec == "calls:first") {
            const CallQueueData q = callQueueData();
            if (q.calls.empty()) return makeError(ErrorCode::NotFound, "no call to make");
            m_calls.taskId = q.calls.front().id;
        }
        m_screen = Screen::CallQueue;
    } else if (spec.rfind("contact:", 0) == 0) {
        std::string id = spec.substr(8);
        if (id == "first") {
            const CallQueueData q = callQueueData();
            if (q.calls.empty()) return makeError(ErrorCode::NotFound, "no contact");
            id = q.calls.front().personId;
        }
        m_screen = Screen::Home;
        openContact(id);
    } else if (spec == "indicators") {
        m_screen = Screen::Indicators;
    } else if (spec.rfind("form:", 0) == 0) {
        // "form:ID" or "form:ID@PAGE" (1 = the first page: screenshots of a later page)
        const auto at = spec.find('@');
        startForm(spec.substr(5, at == std::string::npos ? std::string::npos : at - 5));
        if (m_screen != Screen::Form) return makeError(ErrorCode::NotFound, m_form.message);
        if (at != std::string::npos) {
            const int page = std::atoi(spec.c_str() + at + 1);
            if (page < 1) return makeError(ErrorCode::Invalid, "bad page in '" + spec + "'");
            enterPage(page - 1, "");
        }
    } else {
        return makeError(ErrorCode::Invalid, "unknown screen '" + spec + "'");
    }
    return {};
}

HomeData AppState::homeData() {
    HomeData d;
    d.userName = m_userName;
    if (auto forms = m_store.forms(); forms.ok()) {
        std::vector<std::string> seen;
        for (const auto& f : *forms) {
            if (std::find(seen.begin(), seen.end(), f.formId) != seen.end() || isFieldForm(f.formId)) continue;
            seen.push_back(f.formId);
            auto form = m_store.latestForm(f.formId);
            if (!form.ok()) continue;
            d.forms.push_back(HomeFormButton{f.formId, (*form)->title.get(langCode(m_lang), (*form)->defaultLanguage)});
        }
    }
    for (const auto& r : recordRows())
        if (r.draft) d.drafts.push_back(HomeRecordRow{r.id, r.title, r.subtitle});
    // What has not reached the server, and why the held records wait, from the outbox itself: true after
    // a restart, before any sync.
    if (auto outbox = sync::outboxSummary(m_store); outbox.ok()) {
        d.waiting = static_cast<int>(outbox->records.size());
        for (const auto& w : outbox->waiting)
            d.held.push_back(HomeHeld{w.records, w.reason, w.action});
    } else {
        d.outboxError = outbox.error().message;
    }
    const std::string last = m_store.setting("last_sync").value_or("");
    d.lastSync = last.empty() ? std::string() : displayTime(last, m_lang);
    d.hasServer = !m_store.setting("server_url").value_or("").empty();
    const SyncStatus st = m_worker.status();
    d.syncing = st.running && !st.wasLogin;
    d.syncStep = st.step;
    d.syncDone = st.done;
    d.haveReport = m_haveReport;
    d.pushed = m_report.pushed;
    d.pulled = m_report.pulled;
    d.merged = m_report.merged;
    d.conflicts = m_report.conflicts;
    d.offline = m_report.offline;
    d.heldAfterSync = m_report.recordsWaiting;
    // The held entries' messages come last in the report; the home screen says them from the outbox.
    d.syncError = m_report.errors.size() > m_report.waiting.size() ? m_report.errors.front() : std::string();
    return d;
}

std::vector<RecordRow> AppState::recordRows() {
    std::vector<RecordRow> rows;
    auto list = m_store.list();
    if (!list.ok()) return rows;
    auto outbox = sync::outboxSummary(m_store);
    const sync::OutboxSummary waiting = outbox.ok() ? std::move(*outbox) : sync::OutboxSummary{};
    for (const auto& rec : *list) {
        if (isFieldForm(rec.formId)) continue; // walk lists, doors, people and calls have their own screens
        RecordRow row;
        row.id = rec.id;
        row.draft = rec.status == store::Status::Draft;
        auto form = m_store.form(rec.formId, rec.formVersion);
        const std::string formTitle =
            form.ok() ? (*form)->title.get(langCode(m_lang), (*form)->defaultLanguage) : rec.formId;
        // Records are told apart by their name (the person, the address); the form's title says what
        // kind of record it is.
        const std::string name = recordName(rec);
        row.title = name.empty() ? formTitle : name;
        row.status = tr(row.draft ? "app.status.draft" : "app.status.finalized", m_lang);
        row.subtitle = tr("app.record.updated", m_lang, {row.status, displayTime(rec.updatedAt, m_lang)});
        if (!name.empty()) row.subtitle = formTitle + " · " + row.subtitle;
        if (!rec.migrationNote.empty()) row.subtitle += " · " + rec.migrationNote;
        row.waiting = std::binary_search(waiting.records.begin(), waiting.records.end(), rec.id);
        if (const std::string reason = waiting.reasonFor(rec.id); !reason.empty())
            row.held = tr("app.records.held", m_lang, {reason});
        if (!rec.conflicts.empty())
            row.conflicts = tr("app.records.conflicts", m_lang, {std::to_string(rec.conflicts.size())});
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string AppState::instanceNameOf(std::string_view recordId) {
    auto rec = m_store.get(recordId);
    if (!rec.ok()) return {};
    auto form = m_store.form(rec->formId, rec->formVersion);
    if (!form.ok()) return {};
    return forms::instanceName(**form, rec->answers, langCode(m_lang));
}

std::string AppState::subjectOf(const store::Record& rec) {
    const auto person = rec.answers.find(field::fields::kPersonId);
    if (person == rec.answers.end() || !person->is_string() || person->get<std::string>().empty()) return {};
    auto p = m_store.get(person->get<std::string>());
    if (!p.ok()) return {};
    std::string who = instanceNameOf(p->id);
    if (who.empty()) return {};
    auto form = m_store.form(rec.formId, rec.formVersion);
    const bool call = form.ok() && (*form)->settings.value("kind", "") == "call";
    if (!call) return tr("app.form.about", m_lang, {who});
    const auto phone = p->answers.find(field::fields::kPhone);
    if (phone != p->answers.end() && phone->is_string() && !phone->get<std::string>().empty())
        who += " · " + displayPhone(phone->get<std::string>());
    return tr("app.form.calling", m_lang, {who});
}

std::string AppState::recordName(const store::Record& summary) {
    auto cached = m_names.find(summary.id);
    if (cached != m_names.end() && cached->second.updatedAt == summary.updatedAt) return cached->second.name;
    std::string name;
    if (auto rec = m_store.get(summary.id); rec.ok()) {
        if (auto form = m_store.form(rec->formId, rec->formVersion); form.ok())
            name = forms::instanceName(**form, rec->answers, langCode(m_lang));
        // A call script or an interview names the person it is about first.
        const auto person = rec->answers.find(field::fields::kPersonId);
        if (person != rec->answers.end() && person->is_string() && !person->get<std::string>().empty()) {
            const std::string who = instanceNameOf(person->get<std::string>());
            if (!who.empty()) name = name.empty() ? who : who + " · " + name;
        }
    }
    name = displayDatesIn(name, m_lang); // "Atelier – 06/12/2026", not 2026-12-06
    m_names[summary.id] = CachedName{summary.updatedAt, name};
    return name;
}

void AppState::startForm(const std::string& formId) {
    auto id = m_store.createRecord(formId, m_userName);
    if (!id.ok()) {
        m_form.message = id.error().message;
        return;
    }
    openRecord(*id);
}

void AppState::openRecord(const std::string& id) {
    m_form = FormModel{};
    m_form.recordId = id;
    m_session.reset();
    auto session = m_store.openSession(id);
    if (!session.ok()) {
        m_form.message = session.error().message;
        return;
    }
    m_session = std::move(*session);
    m_sessionStamp = m_store.stamp().value_or(store::Store::Stamp{});
    m_sessionLang.clear(); // its language set, its conflicts read by openSession()
    m_screen = Screen::Form;
    // A finalized record opens read-only, at its first page.
    auto rec = m_store.get(id);
    m_form.readOnly = !rec.ok() || rec->status != store::Status::Draft;
    m_form.subject = rec.ok() ? subjectOf(*rec) : std::string();
    if (m_form.readOnly) {
        enterPage(0);
        return;
    }
    // A draft reopens where it was left, with what was being typed.
    const std::string page = m_store.setting("draft_page." + id, "0").value_or("0");
    enterPage(std::atoi(page.c_str()));
    restoreTyping();
}

void AppState::enterPage(int page, const std::string& focus) {
    forms::Session* session = openSession();
    if (!session) return;
    const int pages = static_cast<int>(session->view().pages.size());
    m_form.page = std::clamp(page, 0, std::max(0, pages - 1));
    ++m_form.visit;
    m_form.keypad.clear();
    m_form.picker.clear();
    m_form.filePicker.clear();
    m_form.files.clear();
    m_form.showSummary = false;
    m_form.showOutline = false;
    m_form.focus = focus;
    m_form.highlight = focus;
    freezeMessages();
    if (m_form.readOnly) return; // only drafts reopen where they were left
    if (auto r = m_store.setSetting("draft_page." + m_form.recordId, std::to_string(m_form.page)); !r.ok())
        m_form.message = r.error().message;
}

void AppState::freezeMessages() {
    forms::Session* session = openSession();
    if (!session) return;
    m_form.slots = pageMessages(session->view(), m_form.page, m_form.showMissing);
}

forms::Session* AppState::openSession() {
    auto stamp = m_store.stamp();
    if (!m_session || !stamp.ok() || !(*stamp == m_sessionStamp)) {
        auto session = m_store.openSession(m_form.recordId);
        if (!session.ok()) {
            m_session.reset();
            return nullptr;
        }
        m_session = std::move(*session);
        m_sessionStamp = stamp.ok() ? *stamp : store::Store::Stamp{};
        m_sessionLang.clear();
    }
    if (m_sessionLang != langCode(m_lang)) {
        m_session->setLanguage(std::string(langCode(m_lang)));
        m_sessionLang = langCode(m_lang);
        // The record's open conflicts on the server, with both values, as of what the store holds now.
        m_form.conflicts.clear();
        if (auto rec = m_store.get(m_form.recordId); rec.ok() && !rec->conflicts.empty())
            m_form.conflicts = conflictLines(m_session->form(), m_session->view(), rec->answers, rec->conflicts,
                                             rec->conflictValues, m_store.deviceId(), m_lang);
    }
    return m_session.get();
}

void AppState::setText(const std::string& path, const std::string& text) {
    bool found = false;
    for (auto& [p, t] : m_form.edits)
        if (p == path) {
            t = text;
            found = true;
        }
    if (!found) m_form.edits.emplace_back(path, text);
    saveTyping();
}

void AppState::saveTyping() {
    // One small settings row per record, rewritten at each keystroke: not an answer (no outbox entry
    // per letter), but what restoreTyping() puts back after a crash.
    if (m_form.recordId.empty()) return;
    std::string value;
    if (!m_form.edits.empty()) {
        json pending = json::object();
        for (const auto& [p, t] : m_form.edits)
            pending[p] = t;
        value = pending.dump();
    }
    if (auto r = m_store.setSetting("typing." + m_form.recordId, value); !r.ok()) m_form.message = r.error().message;
}

void AppState::restoreTyping() {
    const std::string saved = m_store.setting("typing." + m_form.recordId).value_or("");
    if (saved.empty()) return;
    const json pending = json::parse(saved, nullptr, false);
    if (!pending.is_object()) return;
    for (const auto& [p, t] : pending.items())
        if (t.is_string()) m_form.edits.emplace_back(p, t.get<std::string>());
    // Valid text becomes the answer it was meant to be; anything refused stays in its field.
    std::erase_if(m_form.edits,
                  [&](const auto& e) { return m_store.setAnswer(m_form.recordId, e.first, e.second).ok(); });
    saveTyping();
}

void AppState::draw(DrawContext& ctx) {
    pollWorker();
    ctx.scale = uiScale();
    ctx.highContrast = m_highContrast;
    switch (m_screen) {
    case Screen::FirstRun:
        drawFirstRun(evaluateFirstRun(m_firstRun, m_lang), ctx);
        break;
    case Screen::Home:
        drawHome(evaluateHome(homeData(), m_lang), ctx);
        break;
    case Screen::Records:
        drawRecords(evaluateRecords(m_records, recordRows(), m_lang), ctx);
        break;
    case Screen::Settings: {
        SettingsServer server;
        server.url = m_store.setting("server_url").value_or("");
        server.user = m_store.setting("server_user").value_or("");
        const SyncStatus st = m_worker.status();
        server.connecting = st.running && st.wasLogin;
        server.loginError = m_loginError;
        server.pinSet = m_store.encrypted();
        drawSettings(evaluateSettings(m_lang, m_textScale, m_highContrast, m_settings, server), ctx);
        break;
    }
    case Screen::WalkLists:
        if (!m_walk.undoVisit.empty()) {
            const double left = m_walk.undoUntil - clock();
            if (left <= 0)
                m_walk.undoVisit.clear();
            else
                ctx.wakeAfter = left; // the undo bar goes away on time, even when nothing else happens
        }
        drawWalkLists(evaluateWalkLists(m_walk, walkListData(), m_lang), ctx);
        break;
    case Screen::CallQueue:
        drawCallQueue(evaluateCallQueue(m_calls, callQueueData(), m_lang), ctx);
        break;
    case Screen::Contact:
        drawContact(evaluateContact(m_contact, contactData(), m_lang), ctx);
        break;
    case Screen::Indicators:
        drawIndicators(evaluateIndicators(indicatorsData(), m_lang), ctx);
        break;
    case Screen::Form: {
        forms::Session* session = openSession();
        if (session == nullptr) {
            m_screen = Screen::Home;
            return;
        }
        m_form.audio = m_audio != nullptr;
        m_form.location = m_location != nullptr;
        pollAudio(ctx);
        // The open picker offers only what its question takes: the engine checks each day or time shown.
        const std::string picker = m_form.picker;
        const PickerCheck accepts = [session, &picker](const std::string& value) {
            return session->accepts(picker, value);
        };
        const forms::FormView formView = session->view();
        describeAttached(formView);
        FormScreenView view = evaluateForm(m_form, formView, m_lang, today(), clock::localFormat(m_clock(), "%H:%M"),
                                           picker.empty() ? PickerCheck{} : accepts);
        labelImages(session->form(), view);
        drawForm(view, ctx);
        break;
    }
    }
}

void AppState::apply(const std::vector<Intent>& intents) {
    if (!intents.empty()) m_viewsLoaded = false; // the field screens reload what may have changed
    for (const Intent& i : intents) {
        using K = Intent::Kind;
        if (m_screen == Screen::Form && m_form.readOnly) {
            // A finalized record is shown, never edited (the store would refuse it anyway).
            if (i.kind == K::SetAnswer || i.kind == K::EditText || i.kind == K::AddRepeat ||
                i.kind == K::RemoveRepeat || i.kind == K::Finalize || i.kind == K::FocusKeypad ||
                i.kind == K::RecordAudio || i.kind == K::OpenFilePicker || i.kind == K::AttachFile)
                continue;
        }
        // A recording is saved before the page, the record or the screen changes (and before finalizing).
        if (i.kind == K::GoToPage || i.kind == K::JumpTo || i.kind == K::Finalize || i.kind == K::SaveAndLeave ||
            i.kind == K::Navigate || i.kind == K::Back || i.kind == K::OpenRecord || i.kind == K::StartForm ||
            i.kind == K::ShowOutline || i.kind == K::RemoveRepeat)
            stopAudio();
        switch (i.kind) {
        case Intent::Kind::Navigate:
            m_screen = i.screen;
            if (i.screen == Screen::WalkLists) {
                m_walk.doorId.clear();
                // The tab opens the list being walked (the last one opened, else the first): a door's
                // outcome is three taps from home, two from the list.
                if (m_walk.listId.empty()) m_walk.listId = currentWalkList();
            }
            break;
        case Intent::Kind::SetLanguage:
            m_lang = i.number == 0 ? Lang::Fr : Lang::En;
            m_store.setLanguage(langCode(m_lang));
            m_names.clear(); // choice labels in names follow the language
            (void)m_store.setSetting("language", langCode(m_lang));
            break;
        case Intent::Kind::EditName:
            m_firstRun.name = i.text;
            break;
        case Intent::Kind::FinishFirstRun:
            if (auto r = m_store.setSetting("user_name", m_firstRun.name); r.ok()) {
                m_userName = m_firstRun.name;
                m_screen = Screen::Home;
            }
            break;
        case Intent::Kind::SetTextScale:
            m_textScale = std::clamp(i.real, 0.75f, 2.0f);
            m_fontsDirty = true;
            (void)m_store.setSetting("text_scale", std::to_string(m_textScale));
            break;
        case Intent::Kind::SetHighContrast:
            m_highContrast = i.flag;
            (void)m_store.setSetting("high_contrast", i.flag ? "1" : "0");
            break;
        case Intent::Kind::StartForm:
            startForm(i.id);
            break;
        case Intent::Kind::OpenRecord: {
            const Screen from = m_screen;
            openRecord(i.id);
            if (m_screen == Screen::Form && from == Screen::Records) m_formBack = from; // back to the list
            break;
        }
        case Intent::Kind::EditText:
            if (i.path == "server.url")
                m_settings.url = i.text;
            else if (i.path == "server.user")
                m_settings.user = i.text;
            else if (i.path == "server.password")
                m_settings.password = i.text;
            else
                setText(i.path, i.text);
            break;
        case Intent::Kind::StartSync:
            (void)m_worker.startSync(m_dataDir, m_wake);
            break;
        case Intent::Kind::Login: {
            const std::string url =
                m_settings.url.empty() ? m_store.setting("server_url").value_or("") : m_settings.url;
            const std::string user =
                m_settings.user.empty() ? m_store.setting("server_user").value_or("") : m_settings.user;
            m_loginError.clear();
            (void)m_worker.startLogin(m_dataDir, url, user, m_settings.password, m_wake);
            break;
        }
        case Intent::Kind::SetAnswer: {
            auto r = m_store.setAnswer(m_form.recordId, i.path, i.value);
            // A refused value stays in the field, with the engine's message, so nothing typed is lost.
            m_form.message = r.ok() ? std::string() : r.error().message;
            if (r.ok()) {
                std::erase_if(m_form.edits, [&](const auto& e) { return e.first == i.path; });
                saveTyping();
            }
            break;
        }
        case Intent::Kind::AddRepeat: {
            auto r = m_store.addRepeat(m_form.recordId, i.path);
            m_form.message = r.ok() ? std::string() : r.error().message;
            break;
        }
        case Intent::Kind::RemoveRepeat: {
            auto r = m_store.removeRepeat(m_form.recordId, i.path);
            m_form.message = r.ok() ? std::string() : r.error().message;
            m_form.edits.clear(); // paths after the removed entry moved
            saveTyping();
            break;
        }
        case Intent::Kind::GoToPage: {
            if (!commitEdits()) break;
            // Leaving a page forward with a wrong answer on it shows its messages there, and stays.
            forms::Session* session = openSession();
            if (i.number > m_form.page && session && pageHolds(session->view(), m_form.page)) {
                freezeMessages();
                break;
            }
            enterPage(i.number);
            break;
        }
        case Intent::Kind::JumpTo:
            if (!commitEdits()) break;
            enterPage(i.number, i.path);
            break;
        case Intent::Kind::FocusShown:
            m_form.focus.clear();
            break;
        case Intent::Kind::ShowOutline:
            if (!commitEdits()) break;
            m_form.showOutline = i.flag;
            m_form.showSummary = false;
            break;
        case Intent::Kind::OpenDatePicker: {
            if (i.path.empty() || i.path == m_form.picker) {
                m_form.picker.clear();
                break;
            }
            // The picker opens at the month and time the question holds ("2026-12-06T18:47", "18:47"),
            // else today and now, and comes on screen under its question.
            std::string value;
            if (forms::Session* session = openSession())
                if (const auto v = session->valueAt(i.path); v.is_string()) value = v.get<std::string>();
            const bool isTime = value.size() >= 5 && value[2] == ':';
            const std::string day = value.size() >= 10 && !isTime ? value.substr(0, 10) : today();
            m_form.picker = i.path;
            m_form.pickerMonth = day.substr(0, 7);
            m_form.pickerTime = isTime ? value.substr(0, 5)
                                : value.size() >= 16 && value[10] == 'T'
                                    ? value.substr(11, 5)
                                    : clock::localFormat(m_clock ? m_clock() : clock::systemNow(), "%H:%M");
            m_form.keypad.clear();
            m_form.focus = i.path;
            break;
        }
        case Intent::Kind::ShiftPickerMonth:
            m_form.pickerMonth = shiftMonth(m_form.pickerMonth, i.number);
            break;
        case Intent::Kind::ShiftPickerTime: {
            int hours = 0, minutes = 0;
            if (std::sscanf(m_form.pickerTime.c_str(), "%2d:%2d", &hours, &minutes) != 2) break;
            const int total = (((hours * 60 + minutes + i.number) % 1440) + 1440) % 1440; // within the day
            char buf[8];
            std::snprintf(buf, sizeof buf, "%02d:%02d", total / 60, total % 60);
            m_form.pickerTime = buf;
            break;
        }
        case Intent::Kind::SetPickerTime:
            if (i.text.size() == 5 && i.text[2] == ':') m_form.pickerTime = i.text;
            break;
        case Intent::Kind::FocusKeypad:
            m_form.keypad = i.path;
            if (!i.path.empty()) m_form.focus = i.path; // the keypad opens on screen, under its question
            break;
        case Intent::Kind::Finalize: {
            if (!commitEdits()) break;
            // The field rules run with it: a door interview records the door's outcome and creates
            // the person, their consents and the follow-up call; an answered script plans the next.
            // The ambassador's code, given once, is prefilled in their next interviews: the code of the
            // account the tablet is paired with (a shared tablet keeps one per account).
            std::string code;
            if (forms::Session* session = openSession(); session && session->form().find("code_ambassadeur"))
                if (const auto v = session->valueAt("code_ambassadeur"); v.is_string()) code = v.get<std::string>();
            auto r = field::device::finalizeRecord(m_store, m_form.recordId, m_campaign, nowIso(), m_userName);
            if (r.ok() && r->issues.empty() && !code.empty())
                if (auto saved = m_store.setSetting(ambassadorCodeSetting(), code); !saved.ok())
                    m_form.message = saved.error().message;
            if (!r.ok()) {
                m_form.message = r.error().message;
            } else if (!r->issues.empty()) {
                m_form.summary = r->issues;
                m_form.showSummary = true;
                m_form.showOutline = false;
                m_form.showMissing = true;
                freezeMessages();
            } else {
                m_form = FormModel{};
                m_screen = m_formBack;
                m_formBack = Screen::Home;
            }
            break;
        }
        case Intent::Kind::DismissSummary:
            m_form.showSummary = false;
            freezeMessages();
            break;
        case Intent::Kind::SaveAndLeave:
            // Every answer is already on disk: leaving only closes the screen.
            if (!commitEdits()) break;
            m_form = FormModel{};
            m_screen = m_formBack;
            m_formBack = Screen::Home;
            break;
        case Intent::Kind::SetRecordsTab:
            m_records.tab = i.number;
            break;
        case Intent::Kind::EditSearch:
            m_records.search = i.text;
            break;
        case Intent::Kind::OpenWalkList:
            m_walk = WalkListModel{};
            m_walk.listId = i.id;
            if (!i.id.empty()) {
                if (auto saved = m_store.setSetting("walk_list", i.id); !saved.ok())
                    m_walk.message = saved.error().message;
            }
            break;
        case Intent::Kind::SelectDoor:
            m_walk.doorId = i.id;
            m_walk.confirmBuilding.clear();
            m_walk.confirmDoNotContact.clear();
            if (!i.id.empty()) m_walk.undoVisit.clear(); // another door: the last outcome stands
            break;
        case Intent::Kind::DoorOutcome:
            doorOutcome(i.id, i.text, i.flag);
            break;
        case Intent::Kind::UndoOutcome:
            undoOutcome();
            break;
        case Intent::Kind::AskBuildingAbsent:
            m_walk.confirmBuilding = i.id;
            m_walk.doorId.clear();
            break;
        case Intent::Kind::ConfirmBuildingAbsent: {
            auto r = field::device::markBuildingAbsent(m_store, i.id, nowIso(), m_userName);
            m_walk.message = r.ok() ? std::string() : r.error().message;
            m_walk.confirmBuilding.clear();
            break;
        }
        case Intent::Kind::SelectCall:
            m_calls = CallQueueModel{};
            m_calls.taskId = i.id;
            break;
        case Intent::Kind::CallOutcome:
            callOutcome(i.id, i.text);
            break;
        case Intent::Kind::ShowCallbackPicker:
            m_calls.picking = i.flag;
            m_calls.date.clear();
            m_calls.monthOffset = 0;
            break;
        case Intent::Kind::ShiftMonth:
            m_calls.monthOffset = std::clamp(m_calls.monthOffset + i.number, 0, 12);
            break;
        case Intent::Kind::PickDate:
            m_calls.date = i.text;
            break;
        case Intent::Kind::OpenContact:
            openContact(i.id);
            break;
        case Intent::Kind::RecordConsent: {
            auto r = field::device::recordConsent(m_store, i.id, i.text, i.flag, m_campaign, nowIso(), m_userName);
            m_contact.message = r.ok() ? std::string() : r.error().message;
            break;
        }
        case Intent::Kind::SetDoNotContact: {
            // The library has no way back: once marked, a person stays do-not-contact (the "off" toggle
            // is disabled then).
            if (!i.flag) break;
            auto r = field::device::setDoNotContact(m_store, i.id);
            m_contact.message = r.ok() ? std::string() : r.error().message;
            break;
        }
        case Intent::Kind::AskErase:
            m_contact.confirmErase = i.flag;
            break;
        case Intent::Kind::ConfirmErase: {
            auto r = field::device::erasePerson(m_store, i.id);
            m_contact.message = r.ok() ? std::string() : r.error().message;
            m_contact.confirmErase = false;
            break;
        }
        case Intent::Kind::Back:
            m_screen = m_contact.back;
            break;
        case Intent::Kind::RecordAudio:
            startRecording(i.path);
            break;
        case Intent::Kind::StopAudio:
            stopAudio();
            break;
        case Intent::Kind::PlayAudio:
            playRecording(i.path);
            break;
        case Intent::Kind::AddPosition:
            addPosition(i.path);
            break;
        case Intent::Kind::OpenFilePicker:
            openFilePicker(i.path);
            break;
        case Intent::Kind::AttachFile:
            attachFile(i.path, i.text);
            break;
        case Intent::Kind::PlayPrompt:
            playPrompt(i.path, i.text);
            break;
        case Intent::Kind::PinDigit:
        case Intent::Kind::PinErase:
        case Intent::Kind::PinSubmit:
        case Intent::Kind::PinForgot:
        case Intent::Kind::PinReset:
        case Intent::Kind::ChangePin:
            break; // the PIN screen's, applied by AppShell
        }
    }
}

Result<void> AppState::suspend() {
    stopAudio(); // the system may end the process next: a recording is saved now
    // A value the engine refuses stays in its field with its message, as when leaving the page; what was
    // saved before it is checkpointed all the same.
    const bool saved = commitEdits();
    auto checkpointed = m_store.checkpoint();
    if (!saved) return makeError(ErrorCode::Invalid, m_form.message);
    return checkpointed;
}

bool AppState::commitEdits() {
    // Text still in a field (a number typed on the keypad without "OK") is saved before moving on.
    for (auto it = m_form.edits.begin(); it != m_form.edits.end();) {
        auto r = m_store.setAnswer(m_form.recordId, it->first, it->second);
        if (!r.ok()) {
            m_form.message = r.error().message;
            saveTyping();
            return false;
        }
        it = m_form.edits.erase(it);
    }
    saveTyping();
    return true;
}

} // namespace carnet::app
