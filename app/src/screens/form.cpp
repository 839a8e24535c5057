#include "app/screens.hpp"
#include "app/theme.hpp"

#include <algorithm>
#include <imgui.h>
#include <imgui_stdlib.h>

namespace carnet::app {

using forms::ItemType;
using forms::ItemView;
using nlohmann::json;

namespace {
void hideMissing(std::vector<ItemView>& items) {
    for (auto& item : items) {
        if (item.missing) item.error.clear();
        hideMissing(item.children);
        for (auto& inst : item.instances)
            hideMissing(inst);
    }
}
} // namespace

FormScreenView evaluateForm(const FormModel& model, const forms::FormView& form, Lang lang, const std::string& todayIso,
                            const std::string& nowTime) {
    FormScreenView v;
    v.title = form.title;
    v.pageCount = static_cast<int>(form.pages.size());
    v.page = std::clamp(model.page, 0, std::max(0, v.pageCount - 1));
    if (v.pageCount > 0) {
        const auto& page = form.pages[static_cast<std::size_t>(v.page)];
        v.pageLabel = page.label;
        v.pageHint = page.hint;
        v.items = page.items;
    }
    // An untouched form is not a list of errors: "required" shows only once finalizing was tried.
    if (!model.showMissing) hideMissing(v.items);
    v.progress = form.questions > 0 ? static_cast<float>(form.answered) / static_cast<float>(form.questions) : 1.0f;
    v.progressText = tr("app.form.progress", lang,
                        {std::to_string(v.page + 1), std::to_string(std::max(1, v.pageCount)),
                         std::to_string(form.answered), std::to_string(form.questions)});
    v.edits = model.edits;
    v.keypad = model.keypad;
    v.message = model.message;
    v.showSummary = model.showSummary;
    v.summary = model.summary;
    v.previous = tr("app.form.previous", lang);
    v.next = tr("app.form.next", lang);
    v.saveLeave = tr("app.form.save_leave", lang);
    v.finalize = tr("app.form.finalize", lang);
    v.addEntry = tr("app.form.add", lang);
    v.removeEntry = tr("app.form.remove", lang);
    v.entry = "app.form.entry";
    v.summaryTitle = tr("app.form.summary", lang, {std::to_string(model.summary.size())});
    v.summaryOk = tr("app.form.summary_ok", lang);
    v.unavailable = tr("app.form.unavailable", lang);
    v.deviceLocation = tr("app.form.device_location", lang);
    v.today = tr("app.form.today", lang);
    v.now = tr("app.form.now", lang);
    v.clear = tr("app.form.clear", lang);
    v.yes = tr("app.form.yes", lang);
    v.keypadOk = tr("app.form.ok", lang);
    v.todayIso = todayIso;
    v.dateHint = tr("app.form.date_hint", lang);
    v.timeHint = tr("app.form.time_hint", lang);
    v.dateTimeHint = tr("app.form.datetime_hint", lang);
    v.lang = lang;
    v.nowTime = nowTime;
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

    void textField(const ItemView& item, const char* hintText = "") {
        const std::string* pending = edit(item.path);
        std::string text = pending ? *pending : valueText(item.value);
        ImGui::SetNextItemWidth(-1);
        ImGuiInputTextFlags flags = 0;
        if (item.readOnly) flags |= ImGuiInputTextFlags_ReadOnly;
        if (ImGui::InputTextWithHint("##text", hintText, &text, flags))
            push(Intent::Kind::EditText, item.path, nullptr, text);
        if (ctx.targets) {
            const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            ctx.targets->push_back(Target{"input." + item.path, a.x, a.y, b.x - a.x, b.y - a.y});
        }
        if (ImGui::IsItemDeactivatedAfterEdit()) push(Intent::Kind::SetAnswer, item.path, text);
    }

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

    void choices(const ItemView& item) {
        const bool multiple = item.type == ItemType::SelectMultiple;
        for (const auto& c : item.choices) {
            if (!theme::toggle(ctx, "choice." + item.path + "." + c.value, c.label, c.selected) || item.readOnly)
                continue;
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
        if (theme::button(ctx, "minus." + item.path, "−", w, 56.0f) &&
            current - item.rangeStep >= item.rangeStart - 1e-9)
            push(Intent::Kind::SetAnswer, item.path, current - item.rangeStep);
        ImGui::SameLine();
        ImGui::TextUnformatted(item.value.is_null() ? "—" : valueText(item.value).c_str());
        ImGui::SameLine();
        if (theme::button(ctx, "plus." + item.path, "+", w, 56.0f) && current + item.rangeStep <= item.rangeEnd + 1e-9)
            push(Intent::Kind::SetAnswer, item.path, item.value.is_null() ? item.rangeStart : current + item.rangeStep);
    }

    void question(const ItemView& item) {
        std::string label = item.label;
        if (item.required) label += " *";
        ImGui::TextWrapped("%s", label.c_str());
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
            if (theme::toggle(ctx, "ack." + item.path, view.yes, !item.value.is_null()) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, item.value.is_null() ? json(true) : json());
            break;
        case ItemType::Date:
            textField(item, view.dateHint.c_str());
            if (theme::button(ctx, "today." + item.path, view.today, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, view.todayIso);
            break;
        case ItemType::Time:
            textField(item, view.timeHint.c_str());
            if (theme::button(ctx, "now." + item.path, view.now, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, view.nowTime);
            break;
        case ItemType::DateTime:
            textField(item, view.dateTimeHint.c_str());
            if (theme::button(ctx, "now." + item.path, view.now, 220.0f, 48.0f) && !item.readOnly)
                push(Intent::Kind::SetAnswer, item.path, view.todayIso + "T" + view.nowTime);
            break;
        case ItemType::Geopoint:
            textField(item, "43.5297 5.4474");
            theme::hint(view.deviceLocation);
            break;
        case ItemType::Geotrace:
        case ItemType::Geoshape:
            textField(item, "43.5297 5.4474;43.5301 5.4480");
            theme::hint(view.deviceLocation);
            break;
        case ItemType::Photo:
        case ItemType::Signature:
        case ItemType::Audio:
        case ItemType::Video:
            theme::hint(view.unavailable);
            textField(item);
            break;
        case ItemType::Phone:
            textField(item, "06 12 34 56 78");
            break;
        default:
            textField(item);
            break;
        }
        theme::error(item.error);
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

void drawForm(const FormScreenView& view, DrawContext& ctx) {
    FormDraw d{view, ctx, view.lang};
    theme::title(view.title);
    theme::hint(view.progressText);
    ImGui::ProgressBar(view.progress, ImVec2(-1, 10.0f * ctx.scale), "");
    theme::error(view.message);
    const float barHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("form.body", ImVec2(0, -barHeight), false);
    theme::touchScroll(ctx);
    if (view.showSummary) {
        theme::title(view.summaryTitle);
        for (const auto& issue : view.summary)
            theme::error(issue.path + " : " + issue.message);
        if (theme::button(ctx, "summary.ok", view.summaryOk, -1, theme::kButtonHeight, true))
            d.push(Intent::Kind::DismissSummary, "");
    } else {
        if (!view.pageLabel.empty()) theme::title(view.pageLabel);
        theme::hint(view.pageHint);
        d.items(view.items);
    }
    ImGui::EndChild();
    const float third = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    ImGui::BeginDisabled(view.page == 0);
    if (theme::button(ctx, "page.previous", view.previous, third)) {
        ctx.emit(Intent::Kind::GoToPage).number = view.page - 1;
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (theme::button(ctx, "save_leave", view.saveLeave, third)) d.push(Intent::Kind::SaveAndLeave, "");
    ImGui::SameLine();
    if (view.page + 1 < view.pageCount) {
        if (theme::button(ctx, "page.next", view.next, third, theme::kButtonHeight, true)) {
            ctx.emit(Intent::Kind::GoToPage).number = view.page + 1;
        }
    } else if (theme::button(ctx, "finalize", view.finalize, third, theme::kButtonHeight, true)) {
        d.push(Intent::Kind::Finalize, "");
    }
}

} // namespace carnet::app
