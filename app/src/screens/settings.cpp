#include "app/screens.hpp"
#include "app/theme.hpp"

#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include <imgui_stdlib.h>

namespace carnet::app {

SettingsView evaluateSettings(Lang lang, float textScale, bool highContrast, const SettingsModel& model,
                              const SettingsServer& server) {
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
    if (server.pinSet) v.changePin = tr("app.settings.change_pin", lang);
    v.serverLabel = tr("app.settings.server", lang);
    v.urlLabel = tr("app.settings.server_url", lang);
    v.userLabel = tr("app.settings.server_user", lang);
    v.passwordLabel = tr("app.settings.password", lang);
    v.connect = tr("app.settings.connect", lang);
    v.url = model.url.empty() ? server.url : model.url;
    v.user = model.user.empty() ? server.user : model.user;
    v.password = model.password;
    v.canConnect = !server.connecting && !v.url.empty() && !v.user.empty() && !model.password.empty();
    if (server.connecting) {
        v.status = tr("app.settings.connecting", lang);
    } else if (!server.loginError.empty()) {
        v.status = tr("app.settings.login_failed", lang, {server.loginError});
        v.statusIsError = true;
    } else if (!server.url.empty()) {
        v.status = tr("app.settings.connected", lang, {server.url, server.user});
    }
    return v;
}

void drawSettings(const SettingsView& view, DrawContext& ctx) {
    theme::title(view.title);
    const float avail = ImGui::GetContentRegionAvail().x;
    const float half = (avail - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
    ImGui::TextUnformatted(view.languageLabel.c_str());
    drawLanguageToggles(view.lang, ctx);
    ImGui::Spacing();
    ImGui::TextUnformatted(view.textSizeLabel.c_str());
    const float sizes[] = {1.0f, 1.25f, 1.5f};
    const float third = (avail - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    for (int k = 0; k < 3; ++k) {
        if (k) ImGui::SameLine();
        char label[16];
        std::snprintf(label, sizeof label, "%d %%", static_cast<int>(sizes[k] * 100.0f + 0.5f));
        if (theme::toggle(ctx, "size." + std::to_string(k), label, view.textScale == sizes[k], third)) {
            ctx.emit(Intent::Kind::SetTextScale).real = sizes[k];
        }
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.contrastLabel.c_str());
    for (int k = 0; k < 2; ++k) {
        if (k) ImGui::SameLine();
        const bool on = k == 1;
        if (theme::toggle(ctx, on ? "contrast.on" : "contrast.off", on ? view.contrastOn : view.contrastOff,
                          view.highContrast == on, half)) {
            ctx.emit(Intent::Kind::SetHighContrast).flag = on;
        }
    }
    if (!view.changePin.empty()) {
        ImGui::Spacing();
        if (theme::button(ctx, "settings.change_pin", view.changePin)) ctx.emit(Intent::Kind::ChangePin).flag = true;
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.serverLabel.c_str());
    const std::pair<const char*, const std::string*> fields[] = {
        {"server.url", &view.url}, {"server.user", &view.user}, {"server.password", &view.password}};
    const std::string* hints[] = {&view.urlLabel, &view.userLabel, &view.passwordLabel};
    for (std::size_t k = 0; k < 3; ++k) {
        std::string text = *fields[k].second;
        ImGui::SetNextItemWidth(-1);
        const ImGuiInputTextFlags flags = k == 2 ? ImGuiInputTextFlags_Password : 0;
        if (ImGui::InputTextWithHint(fields[k].first, hints[k]->c_str(), &text, flags)) {
            Intent& i = ctx.emit(Intent::Kind::EditText);
            i.path = fields[k].first;
            i.text = text;
        }
    }
    ImGui::BeginDisabled(!view.canConnect);
    if (theme::button(ctx, "connect", view.connect, -1, theme::kButtonHeight, true)) {
        ctx.emit(Intent::Kind::Login);
    }
    ImGui::EndDisabled();
    if (view.statusIsError)
        theme::error(view.status);
    else
        theme::hint(view.status);
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), ImGui::GetWindowHeight() - navHeight));
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
