// The PIN screen (docs/security.md): unlocking the store, setting the PIN (typed twice), changing it,
// and the "forgotten PIN" reset. Digits only, on large keys; what is typed is shown as dots.
#include "app/screens.hpp"
#include "app/theme.hpp"
#include "store/vault.hpp"

#include <cmath>
#include <imgui.h>

namespace carnet::app {

PinView evaluatePin(const PinModel& model, Lang lang, double waitSeconds) {
    using Mode = PinModel::Mode;
    const std::string min = std::to_string(store::kMinPinLength);
    PinView v;
    switch (model.mode) {
    case Mode::Unlock:
        v.title = tr("app.pin.unlock_title", lang);
        v.prompt = tr("app.pin.unlock", lang);
        break;
    case Mode::Create:
        v.title = tr("app.pin.create_title", lang);
        v.prompt = tr("app.pin.create", lang, {min});
        break;
    case Mode::Confirm:
        v.title = tr("app.pin.confirm_title", lang);
        v.prompt = tr("app.pin.confirm", lang);
        break;
    case Mode::ChangeOld:
        v.title = tr("app.pin.change_title", lang);
        v.prompt = tr("app.pin.change_old", lang);
        break;
    case Mode::ChangeNew:
        v.title = tr("app.pin.change_title", lang);
        v.prompt = tr("app.pin.change_new", lang, {min});
        break;
    case Mode::ChangeConfirm:
        v.title = tr("app.pin.change_title", lang);
        v.prompt = tr("app.pin.change_confirm", lang);
        break;
    }
    v.digits = static_cast<int>(model.entered.size());
    v.checking = model.checking;
    v.waitSeconds = waitSeconds;
    if (model.checking) {
        v.message = tr("app.pin.checking", lang);
    } else if (waitSeconds > 0) {
        v.message = tr("app.pin.wait", lang, {std::to_string(static_cast<long long>(std::ceil(waitSeconds)))});
        v.messageIsError = true;
    } else {
        v.message = model.message;
        v.messageIsError = model.messageIsError;
    }
    v.canType = !model.checking && waitSeconds <= 0 && model.entered.size() < kMaxPinDigits;
    v.canSubmit = !model.checking && waitSeconds <= 0 && model.entered.size() >= store::kMinPinLength;
    v.showForgot = model.mode == Mode::Unlock;
    v.showCancel = model.mode == Mode::ChangeOld || model.mode == Mode::ChangeNew || model.mode == Mode::ChangeConfirm;
    v.forgot = tr("app.pin.forgot", lang);
    v.erase = tr("app.pin.erase", lang);
    v.ok = tr("app.pin.ok", lang);
    v.cancel = tr("app.pin.cancel", lang);
    v.confirmReset = model.confirmReset;
    if (model.confirmReset) {
        v.resetTitle = tr("app.pin.reset_title", lang);
        v.resetIntro = tr("app.pin.reset_intro", lang);
        v.resetLost = model.unsynced > 0 ? tr("app.pin.reset_lost", lang, {std::to_string(model.unsynced)})
                                         : tr("app.pin.reset_nothing_lost", lang);
        v.resetAfter = tr("app.pin.reset_after", lang);
        v.resetConfirm = tr("app.pin.reset_confirm", lang);
    }
    return v;
}

namespace {

void drawResetQuestion(const PinView& view, DrawContext& ctx) {
    theme::title(view.resetTitle);
    ImGui::TextWrapped("%s", view.resetIntro.c_str());
    ImGui::Spacing();
    theme::error(view.resetLost);
    ImGui::Spacing();
    ImGui::TextWrapped("%s", view.resetAfter.c_str());
    ImGui::Spacing();
    if (theme::button(ctx, "pin.reset", view.resetConfirm, -1, theme::kButtonHeight, true))
        ctx.emit(Intent::Kind::PinReset);
    if (theme::button(ctx, "pin.reset_cancel", view.cancel)) ctx.emit(Intent::Kind::PinForgot).flag = false;
}

} // namespace

void drawPin(const PinView& view, DrawContext& ctx) {
    if (view.checking) ctx.animating = true; // the next frame runs the check, with "Checking…" on screen
    if (view.waitSeconds > 0) ctx.wakeAfter = view.waitSeconds;
    if (view.confirmReset) {
        drawResetQuestion(view, ctx);
        return;
    }
    theme::title(view.title);
    ImGui::TextWrapped("%s", view.prompt.c_str());
    ImGui::Spacing();
    // The digits typed, as dots, on a line of their own that keeps its height when empty.
    const float avail = ImGui::GetContentRegionAvail().x;
    const float line = theme::kTouchMin * ctx.scale;
    const float radius = 8.0f * ctx.scale, step = 28.0f * ctx.scale;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float first = origin.x + (avail - step * static_cast<float>(view.digits - 1)) / 2;
    ImDrawList* drawList = ImGui::GetWindowDrawList();
    for (int k = 0; k < view.digits; ++k)
        drawList->AddCircleFilled(ImVec2(first + step * static_cast<float>(k), origin.y + line / 2), radius,
                                  ImGui::GetColorU32(ImGuiCol_Text));
    ImGui::Dummy(ImVec2(avail, line));
    if (view.messageIsError)
        theme::error(view.message);
    else
        theme::hint(view.message.empty() ? std::string(" ") : view.message);
    ImGui::Spacing();
    // The keypad: 1-9, then erase, 0, OK; three columns, centred, keys at least 96 x 80 at scale 1.
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float keyW = std::min((avail - 2 * gap) / 3, 160.0f * ctx.scale);
    const float keyH = 80.0f;
    const float left = ImGui::GetCursorPosX() + (avail - (3 * keyW + 2 * gap)) / 2;
    const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
    for (int k = 0; k < 9; ++k) {
        if (k % 3 == 0)
            ImGui::SetCursorPosX(left);
        else
            ImGui::SameLine();
        ImGui::BeginDisabled(!view.canType);
        if (theme::button(ctx, std::string("pin.") + keys[k], keys[k], keyW, keyH))
            ctx.emit(Intent::Kind::PinDigit).text = keys[k];
        ImGui::EndDisabled();
    }
    ImGui::SetCursorPosX(left);
    ImGui::BeginDisabled(view.digits == 0 || view.checking);
    if (theme::button(ctx, "pin.erase", view.erase, keyW, keyH)) ctx.emit(Intent::Kind::PinErase);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!view.canType);
    if (theme::button(ctx, "pin.0", "0", keyW, keyH)) ctx.emit(Intent::Kind::PinDigit).text = "0";
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!view.canSubmit);
    if (theme::button(ctx, "pin.ok", view.ok, keyW, keyH, true)) ctx.emit(Intent::Kind::PinSubmit);
    ImGui::EndDisabled();
    ImGui::Spacing();
    ImGui::Spacing();
    if (view.showForgot && theme::button(ctx, "pin.forgot", view.forgot)) ctx.emit(Intent::Kind::PinForgot).flag = true;
    if (view.showCancel && theme::button(ctx, "pin.cancel", view.cancel))
        ctx.emit(Intent::Kind::ChangePin).flag = false;
}

} // namespace carnet::app
