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
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
    if (theme::toggle(ctx, "lang.fr", tr("app.lang.fr", view.lang), view.lang == Lang::Fr, half)) {
        Intent i;
        i.kind = Intent::Kind::SetLanguage;
        i.number = 0;
        ctx.intents.push_back(i);
    }
    ImGui::SameLine();
    if (theme::toggle(ctx, "lang.en", tr("app.lang.en", view.lang), view.lang == Lang::En, half)) {
        Intent i;
        i.kind = Intent::Kind::SetLanguage;
        i.number = 1;
        ctx.intents.push_back(i);
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.nameLabel.c_str());
    std::string name = view.name;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##name", &name)) {
        Intent i;
        i.kind = Intent::Kind::EditName;
        i.text = name;
        ctx.intents.push_back(i);
    }
    if (ctx.targets) {
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ctx.targets->push_back(Target{"name", a.x, a.y, b.x - a.x, b.y - a.y});
    }
    theme::hint(view.nameHint);
    ImGui::Spacing();
    ImGui::BeginDisabled(!view.canStart);
    if (theme::button(ctx, "start", view.start, -1, theme::kButtonHeight, true)) {
        Intent i;
        i.kind = Intent::Kind::FinishFirstRun;
        ctx.intents.push_back(i);
    }
    ImGui::EndDisabled();
}

} // namespace carnet::app
