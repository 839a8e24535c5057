#include "app/screens.hpp"
#include "app/theme.hpp"

#include <imgui.h>

namespace carnet::app {

HomeView evaluateHome(const HomeData& data, Lang lang) {
    HomeView v;
    v.nav = navView(Screen::Home, lang);
    v.title = tr("app.title", lang);
    v.greeting =
        data.userName.empty() ? tr("app.home.greeting_anon", lang) : tr("app.home.greeting", lang, {data.userName});
    v.formsHeader = tr("app.home.forms", lang);
    v.draftsHeader = tr("app.home.drafts", lang);
    v.noDrafts = tr("app.home.no_drafts", lang);
    v.waiting = tr("app.home.waiting", lang, {std::to_string(data.waiting)});
    v.lastSync = tr("app.home.last_sync", lang, {data.lastSync.empty() ? tr("app.home.never", lang) : data.lastSync});
    v.forms = data.forms;
    v.drafts = data.drafts;
    return v;
}

void drawHome(const HomeView& view, DrawContext& ctx) {
    theme::title(view.greeting);
    theme::hint(view.waiting + "  ·  " + view.lastSync);
    ImGui::Separator();
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("home.body", ImVec2(0, -navHeight), false);
    theme::touchScroll(ctx);
    ImGui::TextUnformatted(view.formsHeader.c_str());
    for (const auto& f : view.forms) {
        if (theme::button(ctx, "form." + f.formId, f.label, -1, 80.0f, true)) {
            Intent i;
            i.kind = Intent::Kind::StartForm;
            i.id = f.formId;
            ctx.intents.push_back(i);
        }
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.draftsHeader.c_str());
    if (view.drafts.empty()) theme::hint(view.noDrafts);
    for (const auto& d : view.drafts) {
        if (theme::button(ctx, "draft." + d.id, d.title + "\n" + d.subtitle, -1, 80.0f)) {
            Intent i;
            i.kind = Intent::Kind::OpenRecord;
            i.id = d.id;
            ctx.intents.push_back(i);
        }
    }
    ImGui::EndChild();
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
