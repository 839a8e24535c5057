#include "app/screens.hpp"
#include "app/theme.hpp"

#include <algorithm>
#include <cstdio>
#include <imgui.h>

namespace carnet::app {

SettingsView evaluateSettings(Lang lang, float textScale, bool highContrast) {
    SettingsView v;
    v.nav = navView(Screen::Settings, lang);
    v.title = tr("app.settings.title", lang);
    v.languageLabel = tr("app.settings.language", lang);
    v.textSizeLabel = tr("app.settings.text_size", lang);
    v.contrastLabel = tr("app.settings.contrast", lang);
    v.contrastOn = tr("app.settings.on", lang);
    v.contrastOff = tr("app.settings.off", lang);
    v.lang = lang;
    v.textScale = textScale;
    v.highContrast = highContrast;
    return v;
}

void drawSettings(const SettingsView& view, DrawContext& ctx) {
    theme::title(view.title);
    const float avail = ImGui::GetContentRegionAvail().x;
    const float half = (avail - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
    ImGui::TextUnformatted(view.languageLabel.c_str());
    for (int l = 0; l < 2; ++l) {
        if (l) ImGui::SameLine();
        const Lang lang = l == 0 ? Lang::Fr : Lang::En;
        if (theme::toggle(ctx, l == 0 ? "lang.fr" : "lang.en", tr(l == 0 ? "app.lang.fr" : "app.lang.en", view.lang),
                          view.lang == lang, half)) {
            Intent i;
            i.kind = Intent::Kind::SetLanguage;
            i.number = l;
            ctx.intents.push_back(i);
        }
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.textSizeLabel.c_str());
    const float sizes[] = {1.0f, 1.25f, 1.5f};
    const float third = (avail - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    for (int k = 0; k < 3; ++k) {
        if (k) ImGui::SameLine();
        char label[16];
        std::snprintf(label, sizeof label, "%d %%", static_cast<int>(sizes[k] * 100.0f + 0.5f));
        if (theme::toggle(ctx, "size." + std::to_string(k), label, view.textScale == sizes[k], third)) {
            Intent i;
            i.kind = Intent::Kind::SetTextScale;
            i.real = sizes[k];
            ctx.intents.push_back(i);
        }
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.contrastLabel.c_str());
    for (int k = 0; k < 2; ++k) {
        if (k) ImGui::SameLine();
        const bool on = k == 1;
        if (theme::toggle(ctx, on ? "contrast.on" : "contrast.off", on ? view.contrastOn : view.contrastOff,
                          view.highContrast == on, half)) {
            Intent i;
            i.kind = Intent::Kind::SetHighContrast;
            i.flag = on;
            ctx.intents.push_back(i);
        }
    }
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), ImGui::GetWindowHeight() - navHeight));
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
