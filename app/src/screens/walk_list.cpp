// Door to door: the ambassador's walk lists, their buildings and doors, and the outcome at a door
// in two taps (the door, then one of five big buttons).
#include "app/screens.hpp"
#include "app/theme.hpp"

#include <imgui.h>

namespace carnet::app {

namespace {

std::string outcomeLabel(const std::string& code, Lang lang) {
    return tr("app.walk.outcome." + code, lang);
}

// Outcome colours: a door's state reads at a glance, without reading the text.
ImVec4 outcomeColour(const std::string& code, bool highContrast) {
    const float k = highContrast ? 0.75f : 1.0f;
    if (code == "entretien") return ImVec4(0.78f * k, 0.90f * k, 0.78f * k, 1);
    if (code == "absent" || code == "repasser") return ImVec4(1.0f * k, 0.93f * k, 0.75f * k, 1);
    if (code == "refus" || code == "ne_pas_contacter") return ImVec4(0.96f * k, 0.82f * k, 0.82f * k, 1);
    return ImGui::GetStyle().Colors[ImGuiCol_Button];
}

float fraction(int done, int total) {
    return total > 0 ? static_cast<float>(done) / static_cast<float>(total) : 0.0f;
}

} // namespace

WalkListView evaluateWalkLists(const WalkListModel& model, const WalkListData& data, Lang lang) {
    WalkListView v;
    v.nav = navView(Screen::WalkLists, lang);
    v.title = tr("app.walk.title", lang);
    v.empty = tr("app.walk.empty", lang);
    v.back = tr("app.walk.back", lang);
    v.contact = tr("app.walk.contact", lang);
    v.confirm = tr("app.walk.confirm", lang);
    v.cancel = tr("app.walk.cancel", lang);
    v.message = model.message;
    v.dncQuestion = tr("app.walk.dnc_question", lang);
    v.undo = tr("app.walk.undo", lang);
    v.canUndo = !model.undoVisit.empty();
    for (const char* code : kDoorOutcomes)
        v.outcomes.push_back(OutcomeButton{code, outcomeLabel(code, lang)});
    for (const auto& l : data.lists) {
        WalkListRowView row;
        row.id = l.id;
        row.name = l.territory.empty() ? l.name : l.name + " · " + l.territory;
        row.progress = fraction(l.done, l.total);
        row.progressText = tr("app.walk.list_progress", lang,
                              {std::to_string(l.done), std::to_string(l.total), std::to_string(l.visited)});
        if (l.id == model.listId) {
            v.inList = true;
            v.listName = row.name;
            v.listProgress = row.progress;
            v.listProgressText = row.progressText;
        }
        v.lists.push_back(std::move(row));
    }
    if (!v.inList) return v;
    for (const auto& b : data.buildings) {
        BuildingView bv;
        bv.id = b.id;
        bv.address = b.address;
        int done = 0;
        for (const auto& d : b.dwellings) {
            DwellingView dv;
            dv.id = d.id;
            dv.label = d.label;
            dv.outcome = d.outcome;
            dv.personId = d.personId;
            dv.open = d.id == model.doorId;
            dv.confirmingDoNotContact = dv.open && model.confirmDoNotContact == d.id;
            if (d.id == model.undoDoor)
                v.undoText = tr("app.walk.undo_text", lang, {outcomeLabel(model.undoOutcome, lang), d.label});
            dv.status = d.outcome.empty()
                            ? tr("app.walk.not_visited", lang)
                            : tr("app.walk.visited", lang, {outcomeLabel(d.outcome, lang), std::to_string(d.visits)});
            if (d.final) ++done;
            bv.dwellings.push_back(std::move(dv));
        }
        const int remaining = b.remaining;
        bv.progress = tr("app.walk.progress", lang, {std::to_string(done), std::to_string(b.dwellings.size())});
        bv.canAbsentAll = remaining > 0;
        bv.absentAll = tr("app.walk.absent_all", lang, {std::to_string(remaining)});
        bv.confirming = model.confirmBuilding == b.id;
        bv.confirmText = tr("app.walk.absent_all_question", lang, {std::to_string(remaining), b.address});
        v.buildings.push_back(std::move(bv));
    }
    return v;
}

namespace {

void outcomeButtons(const WalkListView& view, const DwellingView& door, DrawContext& ctx) {
    if (door.confirmingDoNotContact) {
        // Asked once: the household will never be visited or called again.
        ImGui::TextWrapped("%s", view.dncQuestion.c_str());
        const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
        if (theme::button(ctx, "dnc.cancel." + door.id, view.cancel, half, 80.0f))
            ctx.emit(Intent::Kind::SelectDoor).id = door.id;
        ImGui::SameLine();
        if (theme::button(ctx, "dnc.confirm." + door.id, view.confirm, half, 80.0f, true)) {
            Intent& i = ctx.emit(Intent::Kind::DoorOutcome);
            i.id = door.id;
            i.text = "ne_pas_contacter";
            i.flag = true;
        }
        return;
    }
    // Five big buttons: three on the first row, two on the second, each at least 80 px high.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float third = (ImGui::GetContentRegionAvail().x - 2 * spacing) / 3.0f;
    const float half = (ImGui::GetContentRegionAvail().x - spacing) / 2.0f;
    for (std::size_t k = 0; k < view.outcomes.size(); ++k) {
        const OutcomeButton& o = view.outcomes[k];
        if (k != 0 && k != 3) ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_Button, outcomeColour(o.code, ctx.highContrast));
        const bool tapped =
            theme::button(ctx, "outcome." + door.id + "." + o.code, o.label, k < 3 ? third : half, 80.0f);
        ImGui::PopStyleColor();
        if (tapped) {
            Intent& i = ctx.emit(Intent::Kind::DoorOutcome);
            i.id = door.id;
            i.text = o.code;
        }
    }
    ImGui::BeginDisabled(door.personId.empty());
    if (theme::button(ctx, "contact." + door.id, view.contact, -1, 56.0f))
        ctx.emit(Intent::Kind::OpenContact).id = door.personId;
    ImGui::EndDisabled();
}

// The height of the door panel: its title, two rows of outcome buttons and the contact button.
float doorPanelHeight(float scale) {
    const ImGuiStyle& style = ImGui::GetStyle();
    return ImGui::GetFrameHeight() + 2 * (80.0f * scale + style.ItemSpacing.y) + 56.0f * scale + style.ItemSpacing.y +
           2 * style.WindowPadding.y + style.ItemSpacing.y;
}

void building(const WalkListView& view, const BuildingView& b, DrawContext& ctx) {
    ImGui::PushID(b.id.c_str());
    ImGui::Separator();
    theme::title(b.address);
    theme::hint(b.progress);
    for (const auto& d : b.dwellings) {
        // The open door is marked, but its buttons are in the panel at the bottom: opening a door
        // moves no row, so no button ever appears under the finger that opened it.
        ImGui::PushStyleColor(ImGuiCol_Button, d.open ? ImGui::GetStyle().Colors[ImGuiCol_ButtonActive]
                                                      : outcomeColour(d.outcome, ctx.highContrast));
        const bool tapped = theme::row(ctx, "door." + d.id, d.label + "\n" + d.status, 72.0f);
        ImGui::PopStyleColor();
        if (tapped) ctx.emit(Intent::Kind::SelectDoor).id = d.open ? std::string() : d.id;
    }
    if (b.confirming) {
        ImGui::TextWrapped("%s", b.confirmText.c_str());
        const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
        if (theme::button(ctx, "absent_all.cancel." + b.id, view.cancel, half))
            ctx.emit(Intent::Kind::AskBuildingAbsent).id = "";
        ImGui::SameLine();
        if (theme::button(ctx, "absent_all.confirm." + b.id, view.confirm, half, theme::kButtonHeight, true))
            ctx.emit(Intent::Kind::ConfirmBuildingAbsent).id = b.id;
    } else {
        ImGui::BeginDisabled(!b.canAbsentAll);
        if (theme::button(ctx, "absent_all." + b.id, b.absentAll, -1, 56.0f))
            ctx.emit(Intent::Kind::AskBuildingAbsent).id = b.id;
        ImGui::EndDisabled();
    }
    ImGui::PopID();
}

} // namespace

void drawWalkLists(const WalkListView& view, DrawContext& ctx) {
    if (view.inList) {
        if (theme::button(ctx, "walk.back", view.back, 240.0f, 56.0f)) ctx.emit(Intent::Kind::OpenWalkList).id = "";
        theme::title(view.listName);
        theme::hint(view.listProgressText);
        ImGui::ProgressBar(view.listProgress, ImVec2(-1, 16.0f * ctx.scale), "");
    } else {
        theme::title(view.title);
    }
    const DwellingView* open = nullptr;
    const BuildingView* openBuilding = nullptr;
    for (const auto& b : view.buildings)
        for (const auto& d : b.dwellings)
            if (d.open) {
                open = &d;
                openBuilding = &b;
            }
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    const bool undo = !open && view.canUndo && !view.undoText.empty();
    const float undoHeight = 56.0f * ctx.scale + 2 * ImGui::GetStyle().WindowPadding.y;
    const float panelHeight = open ? doorPanelHeight(ctx.scale) : undo ? undoHeight : 0.0f;
    ImGui::BeginChild("walk.body", ImVec2(0, -(navHeight + panelHeight)), false);
    theme::touchScroll(ctx);
    if (view.inList) {
        for (const auto& b : view.buildings)
            building(view, b, ctx);
    } else {
        if (view.lists.empty()) theme::hint(view.empty);
        for (const auto& l : view.lists) {
            ImGui::PushID(l.id.c_str());
            if (theme::row(ctx, "walk." + l.id, l.name + "\n" + l.progressText))
                ctx.emit(Intent::Kind::OpenWalkList).id = l.id;
            ImGui::ProgressBar(l.progress, ImVec2(-1, 12.0f * ctx.scale), "");
            ImGui::PopID();
        }
    }
    ImGui::EndChild();
    if (open) {
        // The outcome buttons of the open door, always at the same place above the tab bar.
        ImGui::BeginChild("walk.door", ImVec2(0, panelHeight), true, ImGuiWindowFlags_NoScrollbar);
        ImGui::TextUnformatted((open->label + " · " + openBuilding->address).c_str());
        outcomeButtons(view, *open, ctx);
        ImGui::EndChild();
    } else if (undo) {
        // The last outcome can be taken back for a few seconds (a wrong tap is replaced, not added to).
        ImGui::BeginChild("walk.undo", ImVec2(0, panelHeight), true, ImGuiWindowFlags_NoScrollbar);
        const float w = 220.0f * ctx.scale;
        ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x - w);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(view.undoText.c_str());
        ImGui::PopTextWrapPos();
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - w);
        if (theme::button(ctx, "undo", view.undo, w, 56.0f, true)) ctx.emit(Intent::Kind::UndoOutcome);
        ImGui::EndChild();
    }
    theme::toast(view.message, ImGui::GetCursorScreenPos().y);
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
