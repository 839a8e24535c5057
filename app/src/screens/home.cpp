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
    v.fieldHeader = tr("app.home.field", lang);
    v.walkLists = tr("app.home.walk_lists", lang);
    v.calls = tr("app.home.calls", lang);
    v.indicators = tr("app.home.indicators", lang);
    v.draftsHeader = tr("app.home.drafts", lang);
    v.noDrafts = tr("app.home.no_drafts", lang);
    v.waiting = tr("app.home.waiting", lang, {std::to_string(data.waiting)});
    for (const auto& h : data.held)
        v.held.push_back(tr("app.home.held", lang, {std::to_string(h.records), h.reason, h.action}));
    if (!data.outboxError.empty()) v.held.push_back(data.outboxError);
    v.lastSync = tr("app.home.last_sync", lang, {data.lastSync.empty() ? tr("app.home.never", lang) : data.lastSync});
    v.forms = data.forms;
    v.drafts = data.drafts;
    v.syncButton = tr("app.sync.button", lang);
    v.canSync = data.hasServer && !data.syncing;
    v.syncing = data.syncing;
    if (!data.hasServer) {
        v.syncText = tr("app.sync.no_server", lang);
    } else if (data.syncing) {
        v.syncText = tr("app.sync.running", lang, {data.syncStep, std::to_string(data.syncDone)});
    } else if (data.haveReport && data.offline) {
        v.syncText = tr("app.sync.offline", lang);
        v.syncTextIsError = true;
    } else if (data.haveReport && !data.syncError.empty()) {
        v.syncText = tr("app.sync.error", lang, {data.syncError});
        v.syncTextIsError = true;
    } else if (data.haveReport && data.heldAfterSync > 0) {
        // Something stayed on the tablet: never shown as a clean success.
        v.syncText = tr("app.sync.held", lang,
                        {std::to_string(data.pushed), std::to_string(data.pulled), std::to_string(data.heldAfterSync)});
        v.syncTextIsError = true;
    } else if (data.haveReport) {
        v.syncText = tr("app.sync.summary", lang,
                        {std::to_string(data.pushed), std::to_string(data.pulled), std::to_string(data.merged),
                         std::to_string(data.conflicts)});
    }
    return v;
}

void drawHome(const HomeView& view, DrawContext& ctx) {
    theme::title(view.greeting);
    theme::hint(ctx, view.waiting + "  ·  " + view.lastSync);
    for (const auto& h : view.held)
        theme::error(ctx, "⚠ " + h);
    ImGui::BeginDisabled(!view.canSync);
    if (theme::button(ctx, "sync", view.syncButton, -1, theme::kButtonHeight)) {
        ctx.emit(Intent::Kind::StartSync);
    }
    ImGui::EndDisabled();
    if (view.syncing) ImGui::ProgressBar(0.5f, ImVec2(-1, 10.0f * ctx.scale), "");
    if (view.syncTextIsError)
        theme::error(ctx, view.syncText);
    else
        theme::hint(ctx, view.syncText);
    ImGui::Separator();
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("home.body", ImVec2(0, -navHeight), false);
    theme::touchScroll(ctx);
    ImGui::TextUnformatted(view.fieldHeader.c_str());
    const float third = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    const std::pair<Screen, const std::string*> field[] = {
        {Screen::WalkLists, &view.walkLists}, {Screen::CallQueue, &view.calls}, {Screen::Indicators, &view.indicators}};
    const char* const ids[] = {"home.walk", "home.calls", "home.indicators"};
    for (std::size_t k = 0; k < 3; ++k) {
        if (k) ImGui::SameLine();
        if (theme::button(ctx, ids[k], *field[k].second, third, 80.0f))
            ctx.emit(Intent::Kind::Navigate).screen = field[k].first;
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.formsHeader.c_str());
    for (const auto& f : view.forms) {
        if (theme::button(ctx, "form." + f.formId, f.label, -1, 80.0f, true)) {
            ctx.emit(Intent::Kind::StartForm).id = f.formId;
        }
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(view.draftsHeader.c_str());
    if (view.drafts.empty()) theme::hint(view.noDrafts);
    for (const auto& d : view.drafts) {
        if (theme::labelledButton(ctx, "draft." + d.id, d.title + "\n" + d.subtitle, d.title, -1, 80.0f)) {
            ctx.emit(Intent::Kind::OpenRecord).id = d.id;
        }
    }
    ImGui::EndChild();
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
