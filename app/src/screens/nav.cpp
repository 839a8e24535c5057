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
            Intent i;
            i.kind = Intent::Kind::Navigate;
            i.screen = screen;
            ctx.intents.push_back(i);
        }
    }
}

} // namespace carnet::app
