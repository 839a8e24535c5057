#include "app/screens.hpp"
#include "app/theme.hpp"

#include <imgui.h>

namespace carnet::app {

NavView navView(Screen current, Lang lang) {
    return NavView{current, tr("app.nav.home", lang), tr("app.nav.records", lang), tr("app.nav.settings", lang)};
}

void drawNav(const NavView& nav, DrawContext& ctx) {
    const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    const std::pair<Screen, const std::string*> tabs[] = {
        {Screen::Home, &nav.home}, {Screen::Records, &nav.records}, {Screen::Settings, &nav.settings}};
    bool first = true;
    for (const auto& [screen, label] : tabs) {
        if (!first) ImGui::SameLine();
        first = false;
        const std::string id = std::string("nav.") + (screen == Screen::Home      ? "home"
                                                      : screen == Screen::Records ? "records"
                                                                                  : "settings");
        if (theme::toggle(ctx, id, *label, nav.current == screen, w)) {
            ctx.emit(Intent::Kind::Navigate).screen = screen;
        }
    }
}

void drawLanguageToggles(Lang current, DrawContext& ctx) {
    const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
    const Lang langs[] = {Lang::Fr, Lang::En};
    for (int l = 0; l < 2; ++l) {
        if (l) ImGui::SameLine();
        const std::string code(langCode(langs[l]));
        if (theme::toggle(ctx, "lang." + code, tr("app.lang." + code, current), current == langs[l], half))
            ctx.emit(Intent::Kind::SetLanguage).number = l;
    }
}

} // namespace carnet::app
