// A person's card: consents per purpose (recorded with the wording version), do-not-contact, and the
// erase request (asked twice: a confirmation names what goes).
#include "app/screens.hpp"
#include "app/theme.hpp"

#include <imgui.h>

namespace carnet::app {

ContactView evaluateContact(const ContactModel& model, const ContactData& data, Lang lang) {
    ContactView v;
    v.nav = navView(Screen::Contact, lang);
    v.title = tr("app.contact.title", lang);
    v.back = tr("app.walk.back", lang);
    v.message = model.message;
    v.personId = data.personId;
    v.found = data.found;
    v.erased = data.erased;
    if (!data.found) {
        v.name = tr("app.contact.not_found", lang);
        return v;
    }
    v.name = data.name.empty() ? tr("app.contact.no_name", lang) : data.name;
    v.details = data.phone.empty() ? data.address
                                   : displayPhone(data.phone) + (data.address.empty() ? "" : " · " + data.address);
    v.consentsHeader = tr("app.contact.consents", lang, {data.wordingVersion});
    for (const auto& c : data.consents) {
        ConsentView cv;
        cv.purpose = c.purpose;
        cv.label = tr("app.consent." + c.purpose, lang);
        cv.granted = c.granted;
        cv.recorded = c.recorded;
        cv.status = !c.recorded ? tr("app.contact.consent_none", lang)
                                : tr(c.granted ? "app.contact.consent_granted" : "app.contact.consent_refused", lang,
                                     {displayDate(c.collectedAt, lang), c.wordingVersion, c.collectedBy});
        cv.grant = tr("app.contact.grant", lang);
        cv.refuse = tr("app.contact.refuse", lang);
        v.consents.push_back(std::move(cv));
    }
    v.doNotContact = data.doNotContact;
    v.doNotContactLabel = tr("app.contact.do_not_contact", lang);
    v.doNotContactOn = tr("app.settings.on", lang);
    v.doNotContactOff = tr("app.settings.off", lang);
    v.erase = tr("app.contact.erase", lang);
    v.eraseQuestion = tr("app.contact.erase_question", lang, {v.name});
    v.eraseConfirm = tr("app.contact.erase_confirm", lang);
    v.cancel = tr("app.walk.cancel", lang);
    v.confirmErase = model.confirmErase;
    v.erasedNote = tr("app.contact.erased", lang);
    v.historyHeader = tr("app.contact.history", lang);
    for (const auto& h : data.history) {
        const std::string what =
            h.kind == "door" ? tr("app.walk.outcome." + h.outcome, lang) : tr("app.call_status." + h.outcome, lang);
        v.history.push_back(tr(h.kind == "door" ? "app.contact.door_visit" : "app.contact.call", lang,
                               {displayDate(h.date, lang), what}));
    }
    return v;
}

void drawContact(const ContactView& view, DrawContext& ctx) {
    if (theme::button(ctx, "contact.back", view.back, 240.0f, 56.0f)) ctx.emit(Intent::Kind::Back);
    theme::hint(view.title);
    theme::title(view.name);
    theme::hint(view.details);
    theme::error(view.message);
    const float navHeight = (theme::kButtonHeight + 2 * theme::kPadding) * ctx.scale;
    ImGui::BeginChild("contact.body", ImVec2(0, -navHeight), false);
    theme::touchScroll(ctx);
    if (view.found) {
        const float half = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
        if (view.erased) theme::hint(view.erasedNote);
        ImGui::Separator();
        ImGui::TextUnformatted(view.consentsHeader.c_str());
        for (const auto& c : view.consents) {
            ImGui::PushID(c.purpose.c_str());
            ImGui::TextWrapped("%s", c.label.c_str());
            theme::hint(c.status);
            if (theme::toggle(ctx, "consent." + c.purpose + ".yes", c.grant, c.recorded && c.granted, half)) {
                Intent& i = ctx.emit(Intent::Kind::RecordConsent);
                i.id = view.personId;
                i.text = c.purpose;
                i.flag = true;
            }
            ImGui::SameLine();
            if (theme::toggle(ctx, "consent." + c.purpose + ".no", c.refuse, c.recorded && !c.granted, half)) {
                Intent& i = ctx.emit(Intent::Kind::RecordConsent);
                i.id = view.personId;
                i.text = c.purpose;
                i.flag = false;
            }
            ImGui::PopID();
        }
        ImGui::Separator();
        ImGui::TextUnformatted(view.doNotContactLabel.c_str());
        for (int k = 0; k < 2; ++k) {
            if (k) ImGui::SameLine();
            const bool on = k == 1;
            // Marking is one way (calls are cancelled with it): "off" cannot undo it.
            ImGui::BeginDisabled(!on && view.doNotContact);
            if (theme::toggle(ctx, on ? "dnc.on" : "dnc.off", on ? view.doNotContactOn : view.doNotContactOff,
                              view.doNotContact == on, half)) {
                Intent& i = ctx.emit(Intent::Kind::SetDoNotContact);
                i.id = view.personId;
                i.flag = on;
            }
            ImGui::EndDisabled();
        }
        ImGui::Separator();
        if (!view.history.empty()) {
            ImGui::TextUnformatted(view.historyHeader.c_str());
            for (const auto& h : view.history)
                theme::hint(h);
            ImGui::Separator();
        }
        if (view.confirmErase) {
            theme::error(view.eraseQuestion);
            if (theme::button(ctx, "erase.cancel", view.cancel, half)) ctx.emit(Intent::Kind::AskErase).flag = false;
            ImGui::SameLine();
            if (theme::button(ctx, "erase.confirm", view.eraseConfirm, half, theme::kButtonHeight, true))
                ctx.emit(Intent::Kind::ConfirmErase).id = view.personId;
        } else if (!view.erased) {
            if (theme::button(ctx, "erase", view.erase, -1, 56.0f)) ctx.emit(Intent::Kind::AskErase).flag = true;
        }
    }
    ImGui::EndChild();
    drawNav(view.nav, ctx);
}

} // namespace carnet::app
