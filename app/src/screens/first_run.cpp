#include "app/screens.hpp"
#include "app/theme.hpp"
#include "core/strings.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

namespace carnet::app {

FirstRunView evaluateFirstRun(const FirstRunModel& model, Lang lang) {
    FirstRunView v;
    v.title = tr("app.first.title", lang);
    v.intro = tr("app.first.intro", lang);
    v.languageLabel = tr("app.first.language", lang);
    v.nameLabel = tr("app.first.name", lang);
    v.nameHint = tr("app.first.name_hint", lang);
    v.start = tr("app.first.start", lang);
    v.name = model.name;
    v.lang = lang;
    v.canStart = !trim(model.name).empty();
    return v;
}

void drawFirstRun(const FirstRunView& view, DrawContext& ctx) {
    theme::title(view.title);
    ImGui::TextWrapped("%s", view.intro.c_str());
    ImGui::Spacing();
    ImGui::TextUnformatted(view.languageLabel.c_str());
    drawLanguageToggles(view.lang, ctx);
    ImGui::Spacing();
    ImGui::TextUnformatted(view.nameLabel.c_str());
    std::string name = view.name;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##name", &name)) {
        ctx.emit(Intent::Kind::EditName).text = name;
    }
    if (ctx.targets) {
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ctx.targets->push_back(Target{"name", "", a.x, a.y, b.x - a.x, b.y - a.y});
    }
    theme::hint(view.nameHint);
    ImGui::Spacing();
    ImGui::BeginDisabled(!view.canStart);
    if (theme::button(ctx, "start", view.start, -1, theme::kButtonHeight, true)) {
        ctx.emit(Intent::Kind::FinishFirstRun);
    }
    ImGui::EndDisabled();
}

} // namespace carnet::app
