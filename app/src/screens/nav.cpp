#include "app/screens.hpp"
#include "app/theme.hpp"

#include <imgui.h>
#include <tuple>

namespace carnet::app {

NavView navView(Screen current, Lang lang) {
    NavView v;
    v.current = current;
    v.home = tr("app.nav.home", lang);
    v.records = tr("app.nav.records", lang);
    v.settings = tr("app.nav.settings", lang);
    v.walk = tr("app.nav.walk", lang);
    v.calls = tr("app.nav.calls", lang);
    return v;
}

void drawNav(const NavView& nav, DrawContext& ctx) {
    // Door to door and calls are one tap away from everywhere: a door outcome is two taps from the
    // walk list and three from home.
    constexpr int kTabs = 5;
    const float w = (ImGui::GetContentRegionAvail().x - (kTabs - 1) * ImGui::GetStyle().ItemSpacing.x) / kTabs;
    const std::tuple<Screen, const char*, const std::string*> tabs[] = {{Screen::Home, "home", &nav.home},
                                                                        {Screen::WalkLists, "walk", &nav.walk},
                                                                        {Screen::CallQueue, "calls", &nav.calls},
                                                                        {Screen::Records, "records", &nav.records},
                                                                        {Screen::Settings, "settings", &nav.settings}};
    bool first = true;
    for (const auto& [screen, name, label] : tabs) {
        if (!first) ImGui::SameLine();
        first = false;
        const bool here = nav.current == screen || (screen == Screen::WalkLists && nav.current == Screen::Contact);
        if (theme::toggle(ctx, std::string("nav.") + name, *label, here, w))
            ctx.emit(Intent::Kind::Navigate).screen = screen;
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
