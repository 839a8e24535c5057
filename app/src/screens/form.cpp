#include "app/screens.hpp"
#include "app/theme.hpp"
#include "pickers.hpp"

#include <algorithm>
#include <imgui.h>
#include <imgui_stdlib.h>
#include <tuple>
#include <utility>

namespace carnet::app {

using forms::ItemType;
using forms::ItemView;
using nlohmann::json;

namespace {

void makeReadOnly(std::vector<ItemView>& items) {
    for (auto& item : items) {
        item.readOnly = true;
        item.canAdd = item.canRemove = false;
        makeReadOnly(item.children);
        for (auto& inst : item.instances)
            makeReadOnly(inst);
    }
}

void hideMissing(std::vector<ItemView>& items) {
    for (auto& item : items) {
        if (item.missing) item.error.clear();
        hideMissing(item.children);
        for (auto& inst : item.instances)
            hideMissing(inst);
    }
}

template <class Fn> void eachQuestion(const std::vector<ItemView>& items, Fn&& fn) {
    for (const auto& item : items) {
        if (item.appearance == "hidden") continue;
        if (item.type == ItemType::Group) {
            eachQuestion(item.children, fn);
        } else if (item.type == ItemType::Repeat) {
            fn(item);
            for (const auto& inst : item.instances)
                eachQuestion(inst, fn);
        } else if (item.type != ItemType::Note) {
            fn(item);
        }
    }
}

OutlineLine::State stateOf(const ItemView& item) {
    if (!item.error.empty() && !item.missing && !item.notice) return OutlineLine::State::Error;
    if (item.missing) return OutlineLine::State::Missing;
    if (item.type == ItemType::Repeat) return OutlineLine::State::Answered;
    return item.value.is_null() ? OutlineLine::State::Unanswered : OutlineLine::State::Answered;
}

std::string pageTitle(const forms::PageView& page, int k, Lang lang) {
    return page.label.empty() ? tr("app.form.page", lang, {std::to_string(k + 1)}) : page.label;
}

// "18:47" -> 18 and 47; -1 and -1 when it is no time of day.
std::pair<int, int> hourMinute(const std::string& time) {
    if (time.size() < 5 || time[2] != ':') return {-1, -1};
    const auto digit = [&](std::size_t k) { return time[k] >= '0' && time[k] <= '9' ? time[k] - '0' : -100; };
    const int h = digit(0) * 10 + digit(1), m = digit(3) * 10 + digit(4);
    if (h < 0 || h > 23 || m < 0 || m > 59) return {-1, -1};
    return {h, m};
}

std::string twoDigits(int n) {
    return std::string(1, static_cast<char>('0' + n / 10)) + static_cast<char>('0' + n % 10);
}

// The calendar's month; the days the question's constraint refuses (with the time held, for a
// date-time) are marked: at most 31 evaluations of one expression.
void calendarPicker(FormScreenView& v, const FormModel& model, const std::string& selected, const std::string& todayIso,
                    bool withTime, const PickerCheck& accepts, Lang lang) {
    v.pickerMonth = monthView(model.pickerMonth, selected, todayIso, lang);
    v.previousMonth = "‹";
    v.nextMonth = "›";
    if (!accepts) return;
    for (auto& d : v.pickerMonth.days)
        d.refused = !accepts(withTime ? d.iso + "T" + model.pickerTime : d.iso);
}

// A time question's hours and minutes. An hour is refused when the question takes none of its
// minutes (a bound such as ". >= '07:00'" greys whole hours); in the hour held, the minutes it refuses.
void timePicker(FormScreenView& v, const PickerCheck& accepts, Lang lang) {
    v.timePickerHint = tr("app.form.time_picker_hint", lang);
    std::tie(v.heldHour, v.heldMinute) = hourMinute(v.pickerTime);
    for (int h = 0; h < 24; ++h)
        v.hourCells.push_back(tr("app.form.hour_cell", lang, {twoDigits(h)}));
    for (int m = 0; m < 60; ++m)
        v.minuteCells.push_back(twoDigits(m));
    if (!accepts) return;
    for (int h = 0; h < 24; ++h) {
        v.refusedHours[static_cast<std::size_t>(h)] = true;
        for (int m = 0; m < 60 && v.refusedHours[static_cast<std::size_t>(h)]; ++m)
            v.refusedHours[static_cast<std::size_t>(h)] = !accepts(twoDigits(h) + ":" + twoDigits(m));
    }
    for (int m = 0; m < 60; ++m)
        v.refusedMinutes[static_cast<std::size_t>(m)] =
            v.heldHour < 0 || !accepts(twoDigits(v.heldHour) + ":" + twoDigits(m));
}

} // namespace

std::vector<std::pair<std::string, std::string>> pageMessages(const forms::FormView& form, int page, bool showMissing) {
    std::vector<std::pair<std::string, std::string>> out;
    if (page < 0 || page >= static_cast<int>(form.pages.size())) return out;
    eachQuestion(form.pages[static_cast<std::size_t>(page)].items, [&](const ItemView& item) {
        if (!item.error.empty() && (showMissing || !item.missing)) out.emplace_back(item.path, item.error);
    });
    return out;
}

bool pageHolds(const forms::FormView& form, int page) {
    bool holds = false;
    if (page < 0 || page >= static_cast<int>(form.pages.size())) return holds;
    eachQuestion(form.pages[static_cast<std::size_t>(page)].items, [&](const ItemView& item) {
        if (!item.error.empty() && !item.missing && !item.notice) holds = true;
    });
    return holds;
}

FormScreenView evaluateForm(const FormModel& model, const forms::FormView& form, Lang lang, const std::string& todayIso,
                            const std::string& nowTime, const PickerCheck& accepts) {
    FormScreenView v;
    v.title = form.title;
    v.subject = model.subject;
    if (!model.conflicts.empty()) {
        v.conflictsTitle = tr("app.conflict.title", lang);
        v.conflictsNote = tr("app.conflict.note", lang);
        for (const auto& c : model.conflicts) {
            std::vector<std::string> lines;
            if (c.mine) lines.push_back(tr("app.conflict.mine", lang, {*c.mine}));
            for (const auto& o : c.others)
                lines.push_back(tr("app.conflict.other", lang, {o}));
            v.conflicts.emplace_back(c.label, std::move(lines));
        }
    }
    v.pageCount = static_cast<int>(form.pages.size());
    v.page = std::clamp(model.page, 0, std::max(0, v.pageCount - 1));
    v.visit = model.visit;
    if (v.pageCount > 0) {
        const auto& page = form.pages[static_cast<std::size_t>(v.page)];
        v.pageLabel = page.label;
        v.pageHint = page.hint;
        v.items = page.items;
    }
    // An untouched form is not a list of errors: "required" shows only once finalizing was tried.
    if (!model.showMissing) hideMissing(v.items);
    v.readOnly = model.readOnly;
    if (v.readOnly) makeReadOnly(v.items);
    v.progress = form.questions > 0 ? static_cast<float>(form.answered) / static_cast<float>(form.questions) : 1.0f;
    v.progressText = tr("app.form.progress", lang,
                        {std::to_string(v.page + 1), std::to_string(std::max(1, v.pageCount)),
                         std::to_string(form.answered), std::to_string(form.questions)});
    v.edits = model.edits;
    v.slots = model.slots;
    v.keypad = model.keypad;
    v.focus = model.focus;
    v.highlight = model.highlight;
    v.message = model.message;
    v.showSummary = model.showSummary;
    v.showOutline = model.showOutline;
    // The summary names questions by their label and knows their page, to jump there.
    for (const auto& issue : model.summary) {
        OutlineLine line;
        line.path = issue.path;
        line.label = issue.path;
        line.detail = issue.message;
        line.state = issue.kind == forms::IssueKind::Required ? OutlineLine::State::Missing : OutlineLine::State::Error;
        for (std::size_t p = 0; p < form.pages.size(); ++p)
            eachQuestion(form.pages[p].items, [&](const ItemView& item) {
                if (item.path != issue.path) return;
                line.label = item.label;
                line.page = static_cast<int>(p);
            });
        v.summary.push_back(std::move(line));
    }
    { // always: a landscape screen shows it beside the form
        for (std::size_t p = 0; p < form.pages.size(); ++p) {
            OutlineLine head;
            head.label = pageTitle(form.pages[p], static_cast<int>(p), lang);
            head.page = static_cast<int>(p);
            head.state = OutlineLine::State::Page;
            v.outline.push_back(std::move(head));
            eachQuestion(form.pages[p].items, [&](const ItemView& item) {
                OutlineLine line;
                line.path = item.path;
                line.label = item.label;
                line.page = static_cast<int>(p);
                line.state = stateOf(item);
                switch (line.state) {
                case OutlineLine::State::Error:
                    line.detail = item.error;
                    break;
                case OutlineLine::State::Missing:
                    line.detail = tr("app.form.state_missing", lang);
                    break;
                case OutlineLine::State::Answered:
                    line.detail = tr("app.form.state_answered", lang);
                    break;
                default:
                    line.detail = tr("app.form.state_empty", lang);
                    break;
                }
                v.outline.push_back(std::move(line));
            });
        }
    }
    v.previous = tr("app.form.previous", lang);
    v.next = tr("app.form.next", lang);
    v.saveLeave = tr("app.form.save_leave", lang);
    v.finalize = tr("app.form.finalize", lang);
    v.addEntry = tr("app.form.add", lang);
    v.removeEntry = tr("app.form.remove", lang);
    v.entry = "app.form.entry";
    v.summaryTitle = tr("app.form.summary", lang, {std::to_string(model.summary.size())});
    v.summaryOk = tr("app.form.summary_ok", lang);
    v.outlineButton = tr("app.form.outline", lang);
    v.outlineTitle = tr("app.form.outline_title", lang);
    v.outlineClose = tr("app.form.summary_ok", lang);
    v.unavailable = tr("app.form.unavailable", lang);
    v.deviceLocation = tr("app.form.device_location", lang);
    v.today = tr("app.form.today", lang);
    v.now = tr("app.form.now", lang);
    v.clear = tr("app.form.clear", lang);
    v.yes = tr("app.form.yes", lang);
    v.keypadOk = tr("app.form.ok", lang);
    v.readOnlyNote = tr("app.form.read_only", lang);
    v.back = tr("app.form.return", lang);
    v.todayIso = todayIso;
    v.dateHint = tr("app.form.date_hint", lang);
    v.timeHint = tr("app.form.time_hint", lang);
    v.dateTimeHint = tr("app.form.datetime_hint", lang);
    v.lang = lang;
    v.nowTime = nowTime;
    v.calendar = tr("app.form.calendar", lang);
    v.clock = tr("app.form.clock", lang);
    if (!model.picker.empty()) {
        // The picker of one question: the calendar's month with the day it holds marked, the time a
        // date-time takes; or a time question's hours and minutes.
        v.picker = model.picker;
        v.pickerTime = model.pickerTime;
        std::string selected;
        ItemType type = ItemType::Date;
        for (const auto& page : form.pages)
            eachQuestion(page.items, [&](const ItemView& item) {
                if (item.path != model.picker) return;
                type = item.type;
                if (item.value.is_string()) selected = item.value.get<std::string>().substr(0, 10);
            });
        v.hour = tr("app.form.hour", lang);
        v.minutes = tr("app.form.minutes", lang);
        if (type == ItemType::Time)
            timePicker(v, accepts, lang);
        else
            calendarPicker(v, model, selected, todayIso, type == ItemType::DateTime, accepts, lang);
    }
    v.audio = model.audio;
    v.audioPath = model.audioPath;
    v.recording = model.recording;
    v.recordAudio = tr("app.audio.record", lang);
    v.stopAudio = tr("app.audio.stop", lang);
    v.playAudio = tr("app.audio.play", lang);
    v.audioKept = tr("app.audio.kept", lang);
    v.playPrompt = tr("app.audio.prompt", lang);
    v.playChoicePrompt = "app.audio.prompt_choice";
    v.location = model.location;
    v.myPosition = tr("app.form.my_position", lang);
    v.addPosition = tr("app.form.add_position", lang);
    evaluateFiles(model, lang, v);
    if (!model.audioPath.empty())
        v.audioStatus = model.recording
                            ? tr("app.audio.recording", lang, {std::to_string(static_cast<int>(model.audioSeconds))})
                            : tr("app.audio.playing", lang);
    return v;
}

namespace {

struct FormDraw {
    const FormScreenView& view;
    DrawContext& ctx;
    Lang lang;

    void push(Intent::Kind kind, const std::string& path, json value = nullptr, std::string text = {}) {
        Intent& i = ctx.emit(kind);
        i.path = path;
        i.value = std::move(value);
        i.text = std::move(text);
    }

    const std::string* edit(const std::string& path) const {
        for (const auto& [p, t] : view.edits)
            if (p == path) return &t;
        return nullptr;
    }

    static std::string valueText(const json& v) {
        if (v.is_null()) return {};
        if (v.is_string()) return v.get<std::string>();
        if (v.is_array()) {
            std::string out;
            for (const auto& x : v)
                out += (out.empty() ? "" : " ") + (x.is_string() ? x.get<std::string>() : x.dump());
            return out;
        }
        return v.dump();
    }

    void textField(const ItemView& item, const std::string& placeholder = {}) {
        const std::string* pending = edit(item.path);
        std::string text = pending ? *pending : valueText(item.value);
        // Dates the way the language writes them ("06/12/2026 18:47"); the engine stores ISO.
        if (!pending && (item.type == ItemType::Date || item.type == ItemType::DateTime))
            text = displayDatesIn(text, lang);
        const auto r = theme::inputText(ctx, "input." + item.path, item.label, placeholder, text, item.readOnly);
        if (r.changed) push(Intent::Kind::EditText, item.path, nullptr, text);
        if (r.left) push(Intent::Kind::SetAnswer, item.path, text);
    }

    // A placeholder that reads as an example, never as an answer: "ex. 06 12 34 56 78" (and muted).
    std::string example(const std::string& sample) const { return tr("app.form.example", lang, {sample}); }

    void numberField(const ItemView& item) {
        const std::string* pending = edit(item.path);
        const std::string shown = pending ? *pending : valueText(item.value);
        const bool open = view.keypad == item.path;
        if (theme::button(ctx, "number." + item.path, shown.empty() ? "—" : shown, -1, 56.0f) && !item.readOnly)
            push(Intent::Kind::FocusKeypad, open ? std::string() : item.path);
        if (!open) return;
        const char* const kKeys[] = {"7", "8", "9", "4", "5", "6", "1", "2", "3", "-", "0", ","};
        const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
        for (int k = 0; k < 12; ++k) {
            if (k % 3) ImGui::SameLine();
            if (theme::button(ctx, std::string("key.") + kKeys[k], kKeys[k], w, 64.0f))
                push(Intent::Kind::EditText, item.path, nullptr, shown + kKeys[k]);
        }
        if (theme::button(ctx, "key.back", "⌫", w, 64.0f) && !shown.empty()) {
            std::string s = shown;
            s.pop_back();
            push(Intent::Kind::EditText, item.path, nullptr, s);
        }
        ImGui::SameLine();
        if (theme::button(ctx, "key.clear", view.clear, w, 64.0f)) push(Intent::Kind::EditText, item.path, nullptr, "");
        ImGui::SameLine();
        if (theme::button(ctx, "key.ok", view.keypadOk, w, 64.0f, true)) {
            push(Intent::Kind::SetAnswer, item.path, shown);
            push(Intent::Kind::FocusKeypad, "");
        }
    }

    // A label's image (media::image): the column's width, at most half the screen's height; a frame
    // when there is no renderer, a message when the file is not here yet or is no image it can show.
    void labelImage(const std::string& file, const std::string& key) {
        if (file.empty()) return;
        const auto it = view.images.find(file);
        if (it == view.images.end() || it->second.width <= 0 || it->second.height <= 0) {
            theme::hint(ctx, it == view.images.end() ? file : it->second.message);
            return;
        }
        const LabelImage& img = it->second;
        float w = ImGui::GetContentRegionAvail().x;
        float h = w * static_cast<float>(img.height) / static_cast<float>(img.width);
        const float maxH = ImGui::GetIO().DisplaySize.y * 0.5f;
        if (h > maxH) {
            w *= maxH / h;
            h = maxH;
        }
        const ImVec2 at = ImGui::GetCursorScreenPos();
        if (img.texture != 0) {
            ImGui::Image(reinterpret_cast<ImTextureID>(img.texture), ImVec2(w, h));
        } else {
            ImGui::GetWindowDrawList()->AddRect(at, ImVec2(at.x + w, at.y + h), ImGui::GetColorU32(ImGuiCol_Border));
            ImGui::Dummy(ImVec2(w, h));
        }
        theme::addTarget(ctx, "image." + key, file);
    }

    // The device's position as the answer (geopoint) or as the next vertex (geotrace, geoshape).
    void positionButton(const ItemView& item, const std::string& label) {
        if (!view.location) {
            theme::hint(view.deviceLocation);
            return;
        }
        if (!item.readOnly && theme::button(ctx, "position." + item.path, label, -1, 56.0f))
            push(Intent::Kind::AddPosition, item.path);
    }

    // A label's audio prompt (media::audio): a button that plays it, Stop while it plays.
    void promptButton(const std::string& file, const std::string& key, const std::string& label) {
        if (file.empty() || !view.audio) return;
        if (view.audioPath == "prompt:" + key) {
            if (theme::button(ctx, "prompt." + key, view.stopAudio, 220.0f, 56.0f, true))
                push(Intent::Kind::StopAudio, key);
            return;
        }
        if (theme::button(ctx, "prompt." + key, label, -1, 56.0f)) push(Intent::Kind::PlayPrompt, key, nullptr, file);
    }

    void choices(const ItemView& item) {
        // Several answers: check boxes; one answer: radio marks. The whole row is the target.
        const bool multiple = item.type == ItemType::SelectMultiple;
        for (const auto& c : item.choices) {
            const std::string key = item.path + "." + c.value;
            const bool tapped = theme::choice(ctx, "choice." + key, c.label, c.selected, multiple);
            labelImage(c.image, key);
            promptButton(c.audio, key, tr(view.playChoicePrompt, lang, {c.label}));
            if (!tapped || item.readOnly) continue;
            if (!multiple) {
                push(Intent::Kind::SetAnswer, item.path, c.selected ? json() : json(c.value));
                continue;
            }
            json next = json::array();
            for (const auto& o : item.choices)
                if (o.selected != (o.value == c.value)) next.push_back(o.value);
            push(Intent::Kind::SetAnswer, item.path, next.empty() ? json() : next);
        }
    }

    void rangeField(const ItemView& item) {
        const double current = item.value.is_number() ? item.value.get<double>() : item.rangeStart;
        const float w = 72.0f * ctx.scale;
        if (theme::button(ctx, "minus." + item.path, "−", w, 56.0f) && !item.readOnly &&
            current - item.rangeStep >= item.rangeStart - 1e-9)
            push(Intent::Kind::SetAnswer, item.path, current - item.rangeStep);
        ImGui::SameLine();
        ImGui::TextUnformatted(item.value.is_null() ? "—" : valueText(item.value).c_str());
        ImGui::SameLine();
        if (theme::button(ctx, "plus." + item.path, "+", w, 56.0f) && !item.readOnly &&
            current + item.rangeStep <= item.rangeEnd + 1e-9)
            push(Intent::Kind::SetAnswer, item.path, item.value.is_null() ? item.rangeStart : current + item.rangeStep);
    }

    const std::string* slot(const std::string& path) const {
        for (const auto& [p, m] : view.slots)
            if (p == path) return &m;
        return nullptr;
    }

    // The space of a message decided when the page was entered: it stays the same height while the
    // page is shown (empty once the answer is fixed), so what is below never moves under a finger.
    void messageSlot(const ItemView& item) {
        const std::string* frozen = slot(item.path);
        if (!frozen) return;
        const float w = ImGui::GetContentRegionAvail().x;
        const float h = ImGui::CalcTextSize(frozen->c_str(), nullptr, false, w).y;
        const ImVec2 start = ImGui::GetCursorPos();
        const ImVec2 screen = ImGui::GetCursorScreenPos();
        if (!item.error.empty()) {
            ImGui::PushClipRect(screen, ImVec2(screen.x + w, screen.y + h), true);
            theme::error(item.error);
            ImGui::PopClipRect();
        }
        ImGui::SetCursorPos(start);
        ImGui::Dummy(ImVec2(w, h));
    }

    void question(const ItemView& item) {
        const ImVec2 top = ImGui::GetCursorScreenPos();
        if (item.path == view.focus) {
            ImGui::SetScrollHereY(0.15f);
            ctx.emit(Intent::Kind::FocusShown);
        }
        questionBody(item);
        if (item.path == view.highlight) {
            // The question reached from the outline or the summary: a bar in the accent colour.
            const ImVec2 bottom = ImGui::GetCursorScreenPos();
            const float left = top.x - 10.0f * ctx.scale;
            ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(left, top.y), ImVec2(left + 6.0f * ctx.scale, bottom.y),
                                                      ImGui::GetColorU32(ImGuiCol_Header));
            if (ctx.targets)
                ctx.targets->push_back(Target{"highlight." + item.path, item.label, top.x, top.y,
                                              ImGui::GetContentRegionAvail().x, bottom.y - top.y});
        }
    }

    // Record / stop / play: 56 px high buttons; only the question in use shows what it is doing.
    void audioField(const ItemView& item) {
        if (view.audioPath == item.path) {
            theme::hint(ctx, view.audioStatus);
            if (theme::button(ctx, "audio.stop." + item.path, view.stopAudio, 220.0f, 56.0f, true))
                push(Intent::Kind::StopAudio, item.path);
            return;
        }
        if (!item.value.is_null()) theme::hint(ctx, view.audioKept);
        const bool canRecord = !item.readOnly && !view.readOnly;
        if (canRecord && theme::button(ctx, "audio.record." + item.path, view.recordAudio, 220.0f, 56.0f))
            push(Intent::Kind::RecordAudio, item.path);
        if (item.value.is_null()) return;
        if (canRecord) ImGui::SameLine();
        if (theme::button(ctx, "audio.play." + item.path, view.playAudio, 220.0f, 56.0f))
            push(Intent::Kind::PlayAudio, item.path);
    }

    void questionBody(const ItemView& item) {
        std::string label = item.label;
        if (item.required) label += " *";
        ImGui::TextWrapped("%s", label.c_str());
        labelImage(item.image, item.path);
        promptButton(item.audio, item.path, view.playPrompt);
        theme::hint(item.hint);
        switch (item.type) {
        case ItemType::Note:
            break;
        case ItemType::Integer:
        case ItemType::Decimal:
            numberField(item);
            break;
        case ItemType::Range:
            rangeField(item);
            break;
        case ItemType::SelectOne:
        case ItemType::SelectMultiple:
            choices(item);
            break;
        case ItemType::Acknowledge:
            if (theme::choice(ctx, "ack." + item.path, view.yes, !item.value.is_null(), true) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, item.value.is_null() ? json(true) : json());
            break;
        case ItemType::Date:
            textField(item, view.dateHint);
            if (theme::button(ctx, "today." + item.path, view.today, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, view.todayIso);
            ImGui::SameLine();
            if (theme::button(ctx, "calendar." + item.path, view.calendar, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::OpenDatePicker, item.path);
            if (view.picker == item.path && !item.readOnly) drawCalendar(view, ctx, item.path, false);
            break;
        case ItemType::Time:
            textField(item, view.timeHint);
            if (theme::button(ctx, "now." + item.path, view.now, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, view.nowTime);
            ImGui::SameLine();
            if (theme::button(ctx, "clock." + item.path, view.clock, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::OpenDatePicker, item.path);
            if (view.picker == item.path && !item.readOnly) drawTimePicker(view, ctx, item.path);
            break;
        case ItemType::DateTime:
            textField(item, view.dateTimeHint);
            if (theme::button(ctx, "now." + item.path, view.now, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, view.todayIso + "T" + view.nowTime);
            ImGui::SameLine();
            if (theme::button(ctx, "calendar." + item.path, view.calendar, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::OpenDatePicker, item.path);
            if (view.picker == item.path && !item.readOnly) drawCalendar(view, ctx, item.path, true);
            break;
        case ItemType::Geopoint:
            textField(item, example("43.5297 5.4474"));
            positionButton(item, view.myPosition);
            break;
        case ItemType::Geotrace:
        case ItemType::Geoshape:
            textField(item, example("43.5297 5.4474;43.5301 5.4480"));
            positionButton(item, view.addPosition);
            break;
        case ItemType::Audio:
            if (view.audio)
                audioField(item);
            else
                drawFileField(view, ctx, item); // no microphone: a recording made elsewhere
            break;
        case ItemType::Photo:
        case ItemType::Video:
            drawFileField(view, ctx, item);
            break;
        case ItemType::Signature:
            theme::hint(view.unavailable);
            textField(item);
            break;
        case ItemType::Phone:
            textField(item, example("06 12 34 56 78"));
            break;
        default:
            textField(item);
            break;
        }
        messageSlot(item);
        ImGui::Spacing();
    }

    void items(const std::vector<ItemView>& list) {
        for (const auto& item : list) {
            // Links to other records (dwelling_id, person_id, ...) are set by the app, never shown.
            if (item.appearance == "hidden") continue;
            ImGui::PushID(item.path.c_str());
            if (item.type == ItemType::Group) {
                if (!item.label.empty()) theme::title(item.label);
                theme::hint(item.hint);
                items(item.children);
            } else if (item.type == ItemType::Repeat) {
                theme::title(item.label);
                theme::hint(item.hint);
                for (std::size_t k = 0; k < item.instances.size(); ++k) {
                    ImGui::PushID(static_cast<int>(k));
                    ImGui::Separator();
                    ImGui::TextUnformatted(tr(view.entry, lang, {item.label, std::to_string(k + 1)}).c_str());
                    if (item.canRemove) {
                        if (theme::button(ctx, "remove." + item.path + "." + std::to_string(k + 1), view.removeEntry,
                                          200.0f, 48.0f))
                            push(Intent::Kind::RemoveRepeat, item.path + "[" + std::to_string(k + 1) + "]");
                    }
                    items(item.instances[k]);
                    ImGui::PopID();
                }
                if (item.canAdd && theme::button(ctx, "add." + item.path, view.addEntry, -1, 56.0f))
                    push(Intent::Kind::AddRepeat, item.path);
                ImGui::Separator();
            } else {
                question(item);
            }
            ImGui::PopID();
        }
    }
};

} // namespace

namespace {

ImVec4 stateColour(OutlineLine::State state) {
    switch (state) {
    case OutlineLine::State::Error:
        return ImVec4(0.96f, 0.82f, 0.82f, 1);
    case OutlineLine::State::Missing:
        return ImVec4(1.0f, 0.93f, 0.75f, 1);
    case OutlineLine::State::Answered:
        return ImVec4(0.85f, 0.93f, 0.85f, 1);
    default:
        return ImGui::GetStyle().Colors[ImGuiCol_Button];
    }
}

// A line of the outline or the summary: tapping it opens its page with the question on screen.
void jumpRow(DrawContext& ctx, const std::string& id, const OutlineLine& line) {
    const bool page = line.state == OutlineLine::State::Page;
    ImGui::PushStyleColor(ImGuiCol_Button, stateColour(line.state));
    const std::string text = page ? line.label : line.label + "\n" + line.detail;
    bool tapped = false;
    if (page) {
        tapped = theme::labelledButton(ctx, id, text, line.label, -1, 56.0f);
    } else {
        ImGui::PushStyleVar(ImGuiStyleVar_ButtonTextAlign, ImVec2(0.0f, 0.5f));
        tapped = theme::labelledButton(ctx, id, text, line.label, -1, 72.0f);
        ImGui::PopStyleVar();
    }
    ImGui::PopStyleColor();
    if (tapped) {
        Intent& i = ctx.emit(Intent::Kind::JumpTo);
        i.number = line.page;
        i.path = line.path;
    }
}

// The outline: every page and question (`beside` = false), or, beside the form on a landscape screen,
// every page's heading then the questions of the page shown.
void drawOutline(const FormScreenView& view, DrawContext& ctx, bool beside) {
    for (int pass = 0; pass < (beside ? 2 : 1); ++pass) {
        for (const auto& line : view.outline) {
            const bool page = line.state == OutlineLine::State::Page;
            if (beside && (pass == 0) != page) continue;
            if (beside && !page && line.page != view.page) continue;
            const bool here = page && line.page == view.page;
            if (here) {
                // The page shown: its heading in a tint of the accent colour.
                ImVec4 tint = ImGui::GetStyle().Colors[ImGuiCol_Header];
                tint.w = 0.25f;
                ImGui::PushStyleColor(ImGuiCol_Button, tint);
            }
            jumpRow(ctx, page ? "outline.page." + std::to_string(line.page) : "outline." + line.path, line);
            if (here) ImGui::PopStyleColor();
        }
        if (beside && pass == 0) ImGui::Separator();
    }
}

} // namespace

void drawForm(const FormScreenView& view, DrawContext& ctx) {
    FormDraw d{view, ctx, view.lang};
    // A landscape tablet (1200 px and wider) shows the outline beside the form, always.
    const bool wide = ImGui::GetIO().DisplaySize.x >= theme::kWideForm;
    theme::title(view.title);
    if (!view.subject.empty()) {
        // Who is called or interviewed, under the title on every page: the caller reads it aloud.
        ImGui::TextWrapped("%s", view.subject.c_str());
        theme::addTarget(ctx, "form.subject", view.subject);
    }
    if (wide) {
        theme::hint(view.progressText);
    } else {
        const float outlineWidth = 260.0f * ctx.scale;
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - outlineWidth -
                               ImGui::GetStyle().ItemSpacing.x);
        theme::hint(view.progressText);
        ImGui::PopTextWrapPos();
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - outlineWidth);
        if (theme::button(ctx, "outline", view.outlineButton, outlineWidth, theme::kTouchMin))
            ctx.emit(Intent::Kind::ShowOutline).flag = !view.showOutline;
    }
    ImGui::ProgressBar(view.progress, ImVec2(-1, 10.0f * ctx.scale), "");
    const float barHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    if (wide) {
        const float side = std::min(460.0f * ctx.scale, ImGui::GetContentRegionAvail().x * 0.38f);
        ImGui::BeginChild("form.outline", ImVec2(side, -barHeight), false);
        theme::touchScroll(ctx);
        drawOutline(view, ctx, true);
        ImGui::EndChild();
        ImGui::SameLine();
    }
    // Each page visit is a new scroll region: a page always opens at its top.
    ImGui::PushID(view.visit);
    ImGui::BeginChild("form.body", ImVec2(0, -barHeight), false);
    theme::touchScroll(ctx);
    if (view.showSummary) {
        theme::title(view.summaryTitle);
        for (const auto& line : view.summary)
            jumpRow(ctx, "summary." + line.path, line);
        if (theme::button(ctx, "summary.ok", view.summaryOk, -1, theme::kButtonHeight, true))
            d.push(Intent::Kind::DismissSummary, "");
    } else if (view.showOutline && !wide) {
        theme::title(view.outlineTitle);
        drawOutline(view, ctx, false);
        if (theme::button(ctx, "outline.close", view.outlineClose, -1, theme::kButtonHeight, true))
            ctx.emit(Intent::Kind::ShowOutline).flag = false;
    } else {
        if (!view.conflicts.empty()) {
            // Fields the server holds two values for: both shown, and who settles it.
            theme::error(ctx, view.conflictsTitle);
            for (const auto& [label, lines] : view.conflicts) {
                ImGui::Bullet();
                ImGui::SameLine();
                ImGui::TextWrapped("%s", label.c_str());
                if (ctx.texts) ctx.texts->push_back(label);
                ImGui::Indent();
                for (const auto& line : lines)
                    theme::hint(ctx, line);
                ImGui::Unindent();
            }
            theme::hint(ctx, view.conflictsNote);
            ImGui::Separator();
        }
        if (view.readOnly) theme::hint(view.readOnlyNote);
        if (!view.pageLabel.empty()) theme::title(view.pageLabel);
        theme::hint(view.pageHint);
        d.items(view.items);
    }
    ImGui::EndChild();
    ImGui::PopID();
    const float third = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    // A refused value is said over the bottom of the page, not above it: nothing moves.
    theme::toast(view.message, ImGui::GetCursorScreenPos().y);
    ImGui::BeginDisabled(view.page == 0);
    if (theme::button(ctx, "page.previous", view.previous, third)) {
        ctx.emit(Intent::Kind::GoToPage).number = view.page - 1;
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (theme::button(ctx, "save_leave", view.readOnly ? view.back : view.saveLeave, third))
        d.push(Intent::Kind::SaveAndLeave, "");
    ImGui::SameLine();
    if (view.page + 1 < view.pageCount || view.readOnly) {
        ImGui::BeginDisabled(view.page + 1 >= view.pageCount);
        if (theme::button(ctx, "page.next", view.next, third, theme::kButtonHeight, true)) {
            ctx.emit(Intent::Kind::GoToPage).number = view.page + 1;
        }
        ImGui::EndDisabled();
    } else if (theme::button(ctx, "finalize", view.finalize, third, theme::kButtonHeight, true)) {
        d.push(Intent::Kind::Finalize, "");
    }
}

} // namespace carnet::app
