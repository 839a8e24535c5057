#include "core/i18n.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace carnet {
namespace {

struct Entry {
    std::string_view key, fr, en;
};

// Sorted by key (checked by a test) so lookups are a binary search.
// std::to_array: class template argument deduction of std::array over hundreds of entries
// exceeds clang's fold-expression nesting limit.
constexpr auto kTable = std::to_array<Entry>({
    Entry{"api.error.bad_body", "Le corps de la requête n’a pas pu être lu.", "The request body could not be read."},
    Entry{"api.error.bad_json", "Le corps de la requête n’est pas un JSON valide.",
          "The request body is not valid JSON."},
    Entry{"api.error.bad_request", "La requête n’a pas pu être traitée.", "The request could not be handled."},
    Entry{"api.error.busy", "Le serveur est occupé ; réessayez dans un instant.",
          "The server is busy; try again in a moment."},
    Entry{"api.error.conflict", "Cela existe déjà ou contredit ce qui est enregistré.",
          "This exists already or contradicts what is stored."},
    Entry{"api.error.device_not_registered", "Cet appareil n’est pas enregistré pour ce compte.",
          "This device is not registered to this account."},
    Entry{"api.error.device_taken", "Cet identifiant d’appareil ne peut pas être utilisé.",
          "This device id cannot be used."},
    Entry{"api.error.forbidden", "Votre rôle ou votre organisation ne permet pas cette action.",
          "Your role or organisation does not allow this."},
    Entry{"api.error.hash_mismatch", "Le fichier reçu ne correspond pas à son empreinte ; envoyez-le à nouveau.",
          "The file received does not match its hash; send it again."},
    Entry{"api.error.internal", "Erreur interne du serveur.", "Internal server error."},
    Entry{"api.error.invalid_csv", "Le fichier CSV comporte des lignes invalides ; rien n’a été importé.",
          "The CSV file has invalid lines; nothing was imported."},
    Entry{"api.error.invalid_form", "Le formulaire comporte des erreurs.", "The form has errors."},
    Entry{"api.error.invalid_request", "Requête invalide.", "Invalid request."},
    Entry{"api.error.invalid_xlsform", "Le classeur n’est pas un XLSForm valide.",
          "The workbook is not a valid XLSForm."},
    Entry{"api.error.missing_field", "Un champ manque ou n’est pas valide.", "A field is missing or invalid."},
    Entry{"api.error.name_unavailable", "Ce nom d’utilisateur ne peut pas être utilisé ; choisissez-en un autre.",
          "This user name cannot be used; choose another."},
    Entry{"api.error.no_space", "Le disque du serveur est plein.", "The server’s disk is full."},
    Entry{"api.error.not_found", "Introuvable.", "Not found."},
    Entry{"api.error.offset_mismatch", "L’envoi doit reprendre là où le serveur en est.",
          "The upload must resume where the server is."},
    Entry{"api.error.payload_too_large", "Le corps de la requête est trop gros.", "The request body is too large."},
    Entry{"api.error.protocol_mismatch", "Version du protocole incompatible : mettez Carnet à jour.",
          "Incompatible protocol version: update Carnet."},
    Entry{"api.error.too_many_attempts", "Trop de tentatives de connexion échouées ; réessayez plus tard.",
          "Too many failed logins; try again later."},
    Entry{"api.error.too_many_connections",
          "Trop de connexions ouvertes depuis votre adresse ; réessayez dans un instant.",
          "Too many open connections from your address; try again in a moment."},
    Entry{"api.error.too_many_to_sort", "Trop de fiches pour les trier par nom ; affinez les filtres.",
          "Too many records to sort by name; narrow the filters."},
    Entry{"api.error.unauthorized", "Identifiant ou mot de passe incorrect, ou session expirée.",
          "Wrong user or password, or the session has expired."},
    Entry{"api.error.unexpected_body", "Cette requête ne prend pas de corps.", "This request takes no body."},
    Entry{"api.error.unsupported_encoding", "Encodage du corps non pris en charge.", "Unsupported body encoding."},
    Entry{"api.error.unsupported_media_type", "Type de fichier non pris en charge.", "Unsupported file type."},
    Entry{"app.call_status.a_faire", "à appeler", "to call"},
    Entry{"app.call_status.annule", "annulé", "cancelled"},
    Entry{"app.call_status.epuise", "sans réponse (abandonné)", "no answer (given up)"},
    Entry{"app.call_status.faux_numero", "faux numéro", "wrong number"},
    Entry{"app.call_status.termine", "appel abouti", "call completed"},
    Entry{"app.calls.answered", "A répondu : ouvrir le script", "Answered: open the script"},
    Entry{"app.calls.callback", "Rappeler le…", "Call back on…"},
    Entry{"app.calls.choose_date", "Choisissez une date", "Choose a date"},
    Entry{"app.calls.confirm_callback", "Rappeler le {0}", "Call back on {0}"},
    Entry{"app.calls.contact", "Fiche contact", "Contact card"},
    Entry{"app.calls.due", "{0} · prévu le {1} · {2} essai(s)", "{0} · due {1} · {2} attempt(s)"},
    Entry{"app.calls.empty", "Aucun appel à passer.", "No calls to make."},
    Entry{"app.calls.in_six_weeks", "Dans 6 semaines", "In 6 weeks"},
    Entry{"app.calls.in_week", "Dans 1 semaine", "In 1 week"},
    Entry{"app.calls.no_answer", "Pas de réponse", "No answer"},
    Entry{"app.calls.overdue", "{0} · en retard, prévu le {1} · {2} essai(s)",
          "{0} · overdue, due {1} · {2} attempt(s)"},
    Entry{"app.calls.title", "Appels à passer ({0})", "Calls to make ({0})"},
    Entry{"app.calls.tomorrow", "Demain", "Tomorrow"},
    Entry{"app.calls.wrong_number", "Faux numéro", "Wrong number"},
    Entry{"app.consent.answers_use", "Utilisation des réponses pour l’évaluation",
          "Use of the answers for the evaluation"},
    Entry{"app.consent.phone_followup", "Suivi par téléphone", "Phone follow-up"},
    Entry{"app.contact.call", "{0} · appel : {1}", "{0} · call: {1}"},
    Entry{"app.contact.consent_granted", "Accordé le {0} (texte {1}, recueilli par {2})",
          "Granted on {0} (wording {1}, collected by {2})"},
    Entry{"app.contact.consent_none", "Pas encore demandé", "Not asked yet"},
    Entry{"app.contact.consent_refused", "Refusé le {0} (texte {1}, recueilli par {2})",
          "Refused on {0} (wording {1}, collected by {2})"},
    Entry{"app.contact.consents", "Consentements (texte en vigueur : {0})", "Consents (wording in use: {0})"},
    Entry{"app.contact.do_not_contact", "Ne plus contacter", "Do not contact"},
    Entry{"app.contact.door_visit", "{0} · porte : {1}", "{0} · door: {1}"},
    Entry{"app.contact.erase", "Effacer les données personnelles…", "Erase the personal data…"},
    Entry{"app.contact.erase_confirm", "Oui, effacer", "Yes, erase"},
    Entry{"app.contact.erase_question",
          "Effacer le nom, le téléphone et les réponses personnelles de {0} sur toutes les fiches liées ? "
          "Ses appels seront annulés. Les réponses anonymes restent comptées.",
          "Erase the name, phone and personal answers of {0} on every linked record? "
          "Their calls will be cancelled. Anonymous answers are still counted."},
    Entry{"app.contact.erased", "Données personnelles effacées.", "Personal data erased."},
    Entry{"app.contact.grant", "Accorde", "Grants"},
    Entry{"app.contact.history", "Historique", "History"},
    Entry{"app.contact.no_name", "(sans nom)", "(no name)"},
    Entry{"app.contact.not_found", "Contact introuvable", "Contact not found"},
    Entry{"app.contact.refuse", "Refuse", "Refuses"},
    Entry{"app.contact.title", "Fiche contact", "Contact card"},
    Entry{"app.first.intro",
          "Vos réponses sont enregistrées sur la tablette dès que vous les donnez, même sans réseau.",
          "Your answers are saved on the tablet as soon as you give them, even without network."},
    Entry{"app.first.language", "Langue", "Language"},
    Entry{"app.first.name", "Votre nom", "Your name"},
    Entry{"app.first.name_hint", "Il accompagne chaque fiche que vous remplissez.",
          "It goes with every record you fill in."},
    Entry{"app.first.start", "Commencer", "Start"},
    Entry{"app.first.title", "Bienvenue dans Carnet", "Welcome to Carnet"},
    Entry{"app.form.about", "Personne : {0}", "Person: {0}"},
    Entry{"app.form.add", "+ Ajouter", "+ Add"},
    Entry{"app.form.calling", "Vous appelez {0}", "You are calling {0}"},
    Entry{"app.form.clear", "Effacer", "Clear"},
    Entry{"app.form.date_hint", "JJ/MM/AAAA", "YYYY-MM-DD"},
    Entry{"app.form.datetime_hint", "JJ/MM/AAAA HH:MM", "YYYY-MM-DD HH:MM"},
    Entry{"app.form.device_location", "Position de l’appareil : non disponible", "Device location: not available"},
    Entry{"app.form.entry", "{0} n° {1}", "{0} #{1}"},
    Entry{"app.form.finalize", "Finaliser", "Finalize"},
    Entry{"app.form.next", "Suivant ›", "Next ›"},
    Entry{"app.form.now", "Maintenant", "Now"},
    Entry{"app.form.ok", "Valider", "OK"},
    Entry{"app.form.outline", "Plan du formulaire", "Form outline"},
    Entry{"app.form.outline_title", "Toutes les pages et questions", "Every page and question"},
    Entry{"app.form.page", "Page {0}", "Page {0}"},
    Entry{"app.form.previous", "‹ Précédent", "‹ Previous"},
    Entry{"app.form.progress", "Page {0}/{1} · {2} réponse(s) sur {3}", "Page {0}/{1} · {2} of {3} answered"},
    Entry{"app.form.read_only", "Fiche finalisée : lecture seule", "Finalized record: read only"},
    Entry{"app.form.remove", "Supprimer", "Remove"},
    Entry{"app.form.return", "Retour", "Back"},
    Entry{"app.form.save_leave", "Enregistrer et quitter", "Save and leave"},
    Entry{"app.form.state_answered", "Répondu", "Answered"},
    Entry{"app.form.state_empty", "Sans réponse (facultatif)", "No answer (optional)"},
    Entry{"app.form.state_missing", "À remplir", "To fill in"},
    Entry{"app.form.summary", "Avant de finaliser, il reste {0} point(s) :", "Before finalizing, {0} item(s) remain:"},
    Entry{"app.form.summary_ok", "Revenir au formulaire", "Back to the form"},
    Entry{"app.form.time_hint", "HH:MM", "HH:MM"},
    Entry{"app.form.today", "Aujourd’hui", "Today"},
    Entry{"app.form.unavailable", "Capture non disponible sur cet appareil : saisissez la référence du fichier.",
          "Capture is not available on this device: type the file reference."},
    Entry{"app.form.yes", "J’ai compris", "I understand"},
    Entry{"app.home.calls", "Appels", "Calls"},
    Entry{"app.home.drafts", "Brouillons à terminer", "Drafts to finish"},
    Entry{"app.home.field", "Sur le terrain", "In the field"},
    Entry{"app.home.forms", "Nouvel entretien", "New interview"},
    Entry{"app.home.greeting", "Bonjour {0} !", "Hello {0}!"},
    Entry{"app.home.greeting_anon", "Bonjour !", "Hello!"},
    Entry{"app.home.held", "{0} fiche(s) bloquée(s) par le serveur : {1}. {2}",
          "{0} record(s) held by the server: {1}. {2}"},
    Entry{"app.home.indicators", "Indicateurs", "Indicators"},
    Entry{"app.home.last_sync", "Dernière synchronisation : {0}", "Last sync: {0}"},
    Entry{"app.home.never", "jamais", "never"},
    Entry{"app.home.no_drafts", "Aucun brouillon : tout est terminé.", "No drafts: everything is finished."},
    Entry{"app.home.waiting", "{0} fiche(s) en attente d’envoi", "{0} record(s) waiting to be sent"},
    Entry{"app.home.walk_lists", "Tournées", "Walk lists"},
    Entry{"app.ind.calls", "Appels passés", "Calls made"},
    Entry{"app.ind.co2", "CO₂ évité par an", "CO₂ avoided per year"},
    Entry{"app.ind.consents", "Consentements", "Consents"},
    Entry{"app.ind.interviews", "Entretiens", "Interviews"},
    Entry{"app.ind.interviews_per_week", "Entretiens par semaine", "Interviews per week"},
    Entry{"app.ind.kg_value", "{0} kg", "{0} kg"},
    Entry{"app.ind.km", "Km évités par an", "Km avoided per year"},
    Entry{"app.ind.km_per_week", "Km évités par an, cumul par semaine", "Km avoided per year, cumulated by week"},
    Entry{"app.ind.km_value", "{0} km", "{0} km"},
    Entry{"app.ind.note", "Calculés à partir des fiches de cette tablette.", "Computed from this tablet’s records."},
    Entry{"app.ind.pairs", "Paires avant / après", "Before / after pairs"},
    Entry{"app.ind.percent", "{0} %", "{0}%"},
    Entry{"app.ind.pickup", "Taux de décroché", "Pick-up rate"},
    Entry{"app.ind.sessions", "Séances par type (objectif en orange)", "Sessions by kind (target in orange)"},
    Entry{"app.ind.target", "Objectif", "Target"},
    Entry{"app.ind.title", "Indicateurs", "Indicators"},
    Entry{"app.ind.volunteers", "Volontaires", "Volunteers"},
    Entry{"app.ind.week_short", "S{0}", "W{0}"},
    Entry{"app.lang.en", "English", "English"},
    Entry{"app.lang.fr", "Français", "Français"},
    Entry{"app.month.01", "janvier", "January"},
    Entry{"app.month.02", "février", "February"},
    Entry{"app.month.03", "mars", "March"},
    Entry{"app.month.04", "avril", "April"},
    Entry{"app.month.05", "mai", "May"},
    Entry{"app.month.06", "juin", "June"},
    Entry{"app.month.07", "juillet", "July"},
    Entry{"app.month.08", "août", "August"},
    Entry{"app.month.09", "septembre", "September"},
    Entry{"app.month.10", "octobre", "October"},
    Entry{"app.month.11", "novembre", "November"},
    Entry{"app.month.12", "décembre", "December"},
    Entry{"app.nav.calls", "Appels", "Calls"},
    Entry{"app.nav.home", "Accueil", "Home"},
    Entry{"app.nav.records", "Fiches", "Records"},
    Entry{"app.nav.settings", "Réglages", "Settings"},
    Entry{"app.nav.walk", "Portes", "Doors"},
    Entry{"app.record.updated", "{0} · modifiée le {1}", "{0} · updated {1}"},
    Entry{"app.records.drafts", "Brouillons", "Drafts"},
    Entry{"app.records.empty", "Aucune fiche ici.", "No records here."},
    Entry{"app.records.finalized", "À envoyer", "To send"},
    Entry{"app.records.held", "⚠ Pas encore sur le serveur : {0}", "⚠ Not on the server yet: {0}"},
    Entry{"app.records.search", "Rechercher", "Search"},
    Entry{"app.records.sent", "Envoyées", "Sent"},
    Entry{"app.records.title", "Fiches", "Records"},
    Entry{"app.session.awareness", "Sensibilisation", "Awareness"},
    Entry{"app.session.phone", "Perm. tél.", "Phone desk"},
    Entry{"app.session.physical", "Perm. physique", "Desk"},
    Entry{"app.session.workshop", "Atelier", "Workshop"},
    Entry{"app.settings.about", "Carnet {0} · données de la tablette : {1}", "Carnet {0} · this tablet's data: {1}"},
    Entry{"app.settings.connect", "Se connecter", "Connect"},
    Entry{"app.settings.connected", "Connecté à {0} en tant que {1}", "Connected to {0} as {1}"},
    Entry{"app.settings.connecting", "Connexion…", "Connecting…"},
    Entry{"app.settings.contrast", "Contraste élevé (plein soleil)", "High contrast (bright sunlight)"},
    Entry{"app.settings.language", "Langue", "Language"},
    Entry{"app.settings.login_failed", "Connexion impossible : {0}", "Cannot connect: {0}"},
    Entry{"app.settings.off", "Désactivé", "Off"},
    Entry{"app.settings.on", "Activé", "On"},
    Entry{"app.settings.password", "Mot de passe", "Password"},
    Entry{"app.settings.server", "Serveur", "Server"},
    Entry{"app.settings.server_url", "Adresse du serveur (https://…)", "Server address (https://…)"},
    Entry{"app.settings.server_user", "Identifiant", "User name"},
    Entry{"app.settings.text_size", "Taille du texte", "Text size"},
    Entry{"app.settings.title", "Réglages", "Settings"},
    Entry{"app.status.draft", "Brouillon", "Draft"},
    Entry{"app.status.finalized", "Finalisée", "Finalized"},
    Entry{"app.sync.button", "Synchroniser", "Sync now"},
    Entry{"app.sync.error", "Échec de la synchronisation : {0}", "Sync failed: {0}"},
    Entry{"app.sync.held",
          "Synchronisation incomplète (envoyées : {0} · reçues : {1}) : {2} fiche(s) restent sur la tablette, voir "
          "ci-dessous",
          "Sync incomplete (sent: {0} · received: {1}): {2} record(s) stay on the tablet, see below"},
    Entry{"app.sync.no_server", "Aucun serveur configuré : voir Réglages.", "No server set up: see Settings."},
    Entry{"app.sync.offline",
          "Pas de réseau : vos fiches restent sur la tablette et partiront à la prochaine synchronisation.",
          "No network: your records stay on the tablet and will go with the next sync."},
    Entry{"app.sync.running", "Synchronisation en cours… ({0} : {1})", "Syncing… ({0}: {1})"},
    Entry{"app.sync.summary", "Envoyées : {0} · reçues : {1} · fusionnées : {2} · conflits : {3}",
          "Sent: {0} · received: {1} · merged: {2} · conflicts: {3}"},
    Entry{"app.title", "Carnet", "Carnet"},
    Entry{"app.walk.absent_all", "Personne pour tous les logements restants ({0})",
          "Nobody home at every remaining door ({0})"},
    Entry{"app.walk.absent_all_question", "Noter « Personne » pour les {0} logements restants du {1} ?",
          "Record “nobody home” for the {0} remaining doors of {1}?"},
    Entry{"app.walk.back", "‹ Retour", "‹ Back"},
    Entry{"app.walk.cancel", "Annuler", "Cancel"},
    Entry{"app.walk.confirm", "Confirmer", "Confirm"},
    Entry{"app.walk.contact", "Fiche contact de la personne rencontrée", "Contact card of the person met"},
    Entry{"app.walk.dnc_question", "Ne plus jamais solliciter ce foyer, ni à la porte ni au téléphone ?",
          "Never contact this household again, at the door or by phone?"},
    Entry{"app.walk.empty", "Aucune tournée sur cette tablette.", "No walk lists on this tablet."},
    Entry{"app.walk.first_floor", "1er étage", "1st floor"},
    Entry{"app.walk.floor", "{0}e étage", "floor {0}"},
    Entry{"app.walk.ground_floor", "rez-de-chaussée", "ground floor"},
    Entry{"app.walk.list_progress", "{0} portes terminées sur {1} · {2} visitées",
          "{0} of {1} doors done · {2} visited"},
    Entry{"app.walk.not_visited", "Pas encore visité", "Not visited yet"},
    Entry{"app.walk.outcome.absent", "Personne", "Nobody home"},
    Entry{"app.walk.outcome.entretien", "Entretien", "Interview"},
    Entry{"app.walk.outcome.ne_pas_contacter", "Ne pas contacter", "Do not contact"},
    Entry{"app.walk.outcome.refus", "Refus", "Refused"},
    Entry{"app.walk.outcome.repasser", "Repasser", "Come back"},
    Entry{"app.walk.progress", "{0} portes terminées sur {1}", "{0} of {1} doors done"},
    Entry{"app.walk.title", "Mes tournées", "My walk lists"},
    Entry{"app.walk.undo", "Annuler", "Undo"},
    Entry{"app.walk.undo_text", "« {0} » noté · {1}", "“{0}” recorded · {1}"},
    Entry{"app.walk.visited", "{0} · {1} passage(s)", "{0} · {1} visit(s)"},
    Entry{"app.weekday.fri", "V", "F"},
    Entry{"app.weekday.mon", "L", "M"},
    Entry{"app.weekday.sat", "S", "S"},
    Entry{"app.weekday.sun", "D", "S"},
    Entry{"app.weekday.thu", "J", "T"},
    Entry{"app.weekday.tue", "M", "T"},
    Entry{"app.weekday.wed", "M", "W"},
    Entry{"cli.forms.answers_not_object", "les réponses doivent être un objet JSON", "answers must be a JSON object"},
    Entry{"cli.forms.check_ok", "{0} : formulaire valide ({1} questions)", "{0}: valid form ({1} questions)"},
    Entry{"cli.forms.import_ok", "{0} : formulaire « {1} » importé dans {4} ({2} questions, avertissements : {3})",
          "{0}: form '{1}' imported into {4} ({2} questions, warnings: {3})"},
    Entry{"cli.forms.usage",
          "Utilisation : carnet-forms [--lang fr|en] check FICHIER...\n"
          "              carnet-forms [--lang fr|en] eval FORMULAIRE.json REPONSES.json\n"
          "              carnet-forms [--lang fr|en] import-xlsform FICHIER.xlsx [-o FORMULAIRE.json]",
          "Usage: carnet-forms [--lang fr|en] check FILE...\n"
          "       carnet-forms [--lang fr|en] eval FORM.json ANSWERS.json\n"
          "       carnet-forms [--lang fr|en] import-xlsform FILE.xlsx [-o FORM.json]"},
    Entry{"cli.forms.write_failed", "{0} : écriture impossible", "{0}: cannot write the file"},
    Entry{"device.erase_not_field",
          "fiche {0} : « {1} » n’est pas une question de premier niveau du formulaire « {2} »",
          "record {0}: '{1}' is not a top-level question of form '{2}'"},
    Entry{"device.finalize_missing",
          "fiche {0} : impossible de finaliser, {1} problème(s) :", "record {0}: cannot finalize, {1} problem(s):"},
    Entry{"device.finalized", "finalisée", "finalized"},
    Entry{"device.form_installed",
          "formulaire « {0} » version « {1} » installé ({2} brouillon(s) migré(s), {3} gardé(s) sur leur version)",
          "form '{0}' version '{1}' installed ({2} draft(s) migrated, {3} kept on their version)"},
    Entry{"device.form_unchanged", "formulaire « {0} » version « {1} » déjà installé",
          "form '{0}' version '{1}' already installed"},
    Entry{"device.not_logged_in", "pas de serveur : lancez d’abord « carnet-device login URL UTILISATEUR »",
          "no server: run 'carnet-device login URL USER' first"},
    Entry{"device.pin_changed", "code PIN changé", "PIN changed"},
    Entry{"device.reset_done", "appareil réinitialisé : base et pièces jointes supprimées",
          "device reset: database and attachments deleted"},
    Entry{"device.reset_warning",
          "ATTENTION : la réinitialisation supprime toutes les données de cet appareil. {0} modification(s) non "
          "synchronisée(s) seront perdues pour de bon. Relancez avec « reset --confirm » pour le faire.",
          "WARNING: the reset deletes all the data on this device. {0} change(s) not synced will be lost for good. "
          "Run 'reset --confirm' to do it."},
    Entry{"device.saved", "saved", "saved"},
    Entry{"device.usage",
          "Utilisation : carnet-device --data DOSSIER [--lang fr|en] [--author NOM] COMMANDE\n"
          "  forms add FICHIER | forms list\n"
          "  new FORMULAIRE | set FICHE CHAMP VALEUR | add-repeat FICHE CHEMIN | remove-repeat FICHE CHEMIN[k]\n"
          "  get FICHE | list [--status draft|finalized] | finalize FICHE\n"
          "  delete FICHE | erase FICHE CHAMP... (données personnelles, pour de bon)\n"
          "  import-answers FORMULAIRE FICHIER.json | attach FICHIER | outbox | check\n"
          "  login URL UTILISATEUR [--ca FICHIER.pem] (mot de passe sur l’entrée standard) | sync\n"
          "  --pin-stdin : code PIN sur la première ligne de l’entrée standard (ou CARNET_PIN) ; chiffre la base\n"
          "  pin change (nouveau code sur l’entrée standard) | reset [--confirm] (code PIN oublié)",
          "Usage: carnet-device --data DIR [--lang fr|en] [--author NAME] COMMAND\n"
          "  forms add FILE | forms list\n"
          "  new FORM_ID | set RECORD_ID FIELD VALUE | add-repeat RECORD_ID PATH | remove-repeat RECORD_ID PATH[k]\n"
          "  get RECORD_ID | list [--status draft|finalized] | finalize RECORD_ID\n"
          "  delete RECORD_ID | erase RECORD_ID FIELD... (personal data, for good)\n"
          "  import-answers FORM_ID FILE.json | attach FILE | outbox | check\n"
          "  login URL USER [--ca FILE.pem] (password on standard input) | sync\n"
          "  --pin-stdin: PIN on the first line of standard input (or CARNET_PIN); encrypts the store\n"
          "  pin change (new PIN on standard input) | reset [--confirm] (forgotten PIN)"},
    Entry{"device.usage_field",
          "Travail de terrain (sorties JSON ; --at AAAA-MM-JJTHH:MM, --today AAAA-MM-JJ, --campaign FICHIER) :\n"
          "  demo-seed [--user NOM] | field install-forms | field finalize FICHE\n"
          "  walklist import FICHIER.csv --name NOM | walklist list | walklist buildings LISTE | walklist doors "
          "IMMEUBLE\n"
          "  door LOGEMENT absent|refus|repasser|entretien|ne_pas_contacter | building-absent IMMEUBLE\n"
          "  interview start LOGEMENT | people | person add JSON | person do-not-contact|erase PERSONNE\n"
          "  consent PERSONNE phone_followup|answers_use oui|non | duplicates | merge GARDÉE DOUBLON\n"
          "  calls queue [--caller NOM] | calls stats | call TÂCHE decroche|pas_de_reponse|faux_numero|rappeler "
          "[--callback AAAA-MM-JJ]\n"
          "  impact KM | impact pairs | indicators --by ambassador|territory|organisation|funder|week",
          "Field work (JSON output; --at YYYY-MM-DDTHH:MM, --today YYYY-MM-DD, --campaign FILE):\n"
          "  demo-seed [--user NAME] | field install-forms | field finalize RECORD_ID\n"
          "  walklist import FILE.csv --name NAME | walklist list | walklist buildings LIST_ID | walklist doors "
          "BUILDING_ID\n"
          "  door DWELLING_ID absent|refus|repasser|entretien|ne_pas_contacter | building-absent BUILDING_ID\n"
          "  interview start DWELLING_ID | people | person add JSON | person do-not-contact|erase PERSON_ID\n"
          "  consent PERSON_ID phone_followup|answers_use oui|non | duplicates | merge KEPT_ID DUPLICATE_ID\n"
          "  calls queue [--caller NAME] | calls stats | call TASK_ID decroche|pas_de_reponse|faux_numero|rappeler "
          "[--callback YYYY-MM-DD]\n"
          "  impact KM | impact pairs | indicators --by ambassador|territory|organisation|funder|week"},
    Entry{"expr.arity", "{0}() attend {1} argument(s)", "{0}() takes {1} argument(s)"},
    Entry{"expr.bare_name", "« {0} » n’est pas une référence de champ : écrivez ${{0}}",
          "'{0}' is not a field reference: write ${{0}}"},
    Entry{"expr.empty", "expression vide", "empty expression"},
    Entry{"expr.expected", "« {0} » attendu", "expected '{0}'"},
    Entry{"expr.parent_only_in_position", "« .. » n’est permis que dans position(..)",
          "'..' is only allowed in position(..)"},
    Entry{"expr.too_long", "expression trop longue ({0} éléments au plus)",
          "expression too long (at most {0} elements)"},
    Entry{"expr.unexpected_char", "caractère inattendu « {0} »", "unexpected character '{0}'"},
    Entry{"expr.unexpected_end", "fin d’expression inattendue", "unexpected end of expression"},
    Entry{"expr.unexpected_token", "« {0} » inattendu", "unexpected '{0}'"},
    Entry{"expr.unknown_function", "fonction inconnue « {0} »", "unknown function '{0}'"},
    Entry{"expr.unterminated_ref", "référence ${…} non fermée", "unterminated ${…} reference"},
    Entry{"expr.unterminated_string", "chaîne non fermée", "unterminated string"},
    Entry{"field.call.bad_callback", "date de rappel non valide « {0} » (attendu AAAA-MM-JJ)",
          "invalid callback date '{0}' (expected YYYY-MM-DD)"},
    Entry{"field.call.bad_time", "heure d’appel non valide « {0} » (attendu AAAA-MM-JJTHH:MM)",
          "invalid call time '{0}' (expected YYYY-MM-DDTHH:MM)"},
    Entry{"field.call.callback_past", "la date de rappel {0} précède l’appel du {1}",
          "the callback date {0} is before the call on {1}"},
    Entry{"field.call.not_open", "l’appel {0} n’est plus à faire (statut « {1} »)",
          "call task {0} is no longer open (status '{1}')"},
    Entry{"field.call.not_task", "la fiche {0} n’est pas un appel à passer", "record {0} is not a call task"},
    Entry{"field.campaign.expect_count", "doit être un nombre entier d’au moins {0}",
          "must be a whole number of at least {0}"},
    Entry{"field.campaign.expect_object", "doit être un objet", "must be an object"},
    Entry{"field.campaign.expect_positive", "doit être un nombre positif", "must be a positive number"},
    Entry{"field.campaign.expect_string", "doit être une chaîne", "must be a string"},
    Entry{"field.campaign.unknown", "propriété inconnue « {0} »", "unknown property '{0}'"},
    Entry{"field.csv.bad_name", "le nom de la liste n’est pas du texte UTF-8", "the list name is not UTF-8 text"},
    Entry{"field.csv.bad_postcode", "code postal « {0} » non valide (cinq chiffres)",
          "invalid postcode '{0}' (five digits)"},
    Entry{"field.csv.bad_utf8", "le fichier n’est pas du texte UTF-8 (enregistrez-le en UTF-8)",
          "the file is not UTF-8 text (save it as UTF-8)"},
    Entry{"field.csv.duplicate_column", "colonne « {0} » en double", "duplicate column '{0}'"},
    Entry{"field.csv.duplicate_dwelling", "logement « {0} » en double dans cet immeuble (déjà ligne {1})",
          "duplicate dwelling '{0}' in this building (already on line {1})"},
    Entry{"field.csv.empty", "fichier vide : il faut une ligne d’en-tête et au moins un logement",
          "empty file: a header line and at least one dwelling are needed"},
    Entry{"field.csv.empty_cell", "la colonne « {0} » est vide", "column '{0}' is empty"},
    Entry{"field.csv.line", "ligne {0} : {1}", "line {0}: {1}"},
    Entry{"field.csv.missing_column", "colonne obligatoire « {0} » absente de l’en-tête",
          "required column '{0}' missing from the header"},
    Entry{"field.csv.no_name", "la liste n’a pas de nom : donnez-en un ou remplissez la colonne « liste »",
          "the walk list has no name: give one or fill in the 'liste' column"},
    Entry{"field.csv.no_rows", "aucun logement après l’en-tête", "no dwelling after the header"},
    Entry{"field.csv.rejected", "{0} : {1} ligne(s) en erreur, rien n’a été importé",
          "{0}: {1} bad line(s), nothing was imported"},
    Entry{"field.csv.too_many_cells", "{0} cellules pour {1} colonnes d’en-tête", "{0} cells for {1} header columns"},
    Entry{"field.csv.unclosed_quote", "guillemet ouvert jamais refermé", "quote opened and never closed"},
    Entry{"field.csv.unknown_column", "colonne inconnue « {0} » (colonnes possibles : {1})",
          "unknown column '{0}' (possible columns: {1})"},
    Entry{"field.demo.not_empty",
          "la tablette contient déjà des fiches : la campagne de démonstration ne s’installe que sur une tablette vide",
          "the device already holds records: the demo campaign only goes on an empty device"},
    Entry{"field.door.not_building", "la fiche {0} n’est pas un immeuble", "record {0} is not a building"},
    Entry{"field.door.not_dwelling", "la fiche {0} n’est pas un logement", "record {0} is not a dwelling"},
    Entry{"field.person.merge_self", "impossible de fusionner la personne {0} avec elle-même",
          "cannot merge person {0} with itself"},
    Entry{"field.person.not_found", "aucune personne {0}", "no person {0}"},
    Entry{"field.person.not_live", "{0} n’est pas une personne active (effacée, fusionnée ou inconnue)",
          "{0} is not a live person (erased, merged or unknown)"},
    Entry{"forms.bad_attachment", "Référence de pièce jointe non valide.", "Invalid attachment reference."},
    Entry{"forms.bad_email", "Adresse e-mail non valide.", "Invalid email address."},
    Entry{"forms.bad_geopoint", "Coordonnées non valides : « latitude longitude [altitude précision] ».",
          "Invalid coordinates: 'latitude longitude [altitude accuracy]'."},
    Entry{"forms.bad_geotrace", "Points non valides : « latitude longitude [altitude précision] » séparés par « ; ».",
          "Invalid points: 'latitude longitude [altitude accuracy]' separated by ';'."},
    Entry{"forms.bad_instance_id", "Identifiant d’occurrence non valide : de 1 à 64 lettres, chiffres, « - » ou « _ ».",
          "Invalid instance id: 1 to 64 letters, digits, '-' or '_'."},
    Entry{"forms.bad_phone", "Numéro de téléphone non valide.", "Invalid phone number."},
    Entry{"forms.choice_unavailable", "Ce choix n’est plus proposé : « {0} ».",
          "This choice is no longer offered: '{0}'."},
    Entry{"forms.constraint", "Réponse non valide.", "Invalid answer."},
    Entry{"forms.geoshape_points", "Une surface a au moins 3 points.", "A shape needs at least 3 points."},
    Entry{"forms.geotrace_points", "Une ligne a au moins 2 points.", "A line needs at least 2 points."},
    Entry{"forms.max_repeats", "Nombre maximal d’entrées atteint ({0}).", "Maximum number of entries reached ({0})."},
    Entry{"forms.min_repeats", "Il faut au moins {0} entrée(s).", "At least {0} entry(ies) needed."},
    Entry{"forms.not_answerable", "Cette question n’attend pas de réponse.", "This question takes no answer."},
    Entry{"forms.not_date", "Entrez une date valide (AAAA-MM-JJ).", "Enter a valid date (YYYY-MM-DD)."},
    Entry{"forms.not_datetime", "Entrez une date et une heure valides (AAAA-MM-JJTHH:MM).",
          "Enter a valid date and time (YYYY-MM-DDTHH:MM)."},
    Entry{"forms.not_decimal", "Entrez un nombre.", "Enter a number."},
    Entry{"forms.not_integer", "Entrez un nombre entier.", "Enter a whole number."},
    Entry{"forms.not_text", "Entrez du texte.", "Enter some text."},
    Entry{"forms.not_time", "Entrez une heure valide (HH:MM).", "Enter a valid time (HH:MM)."},
    Entry{"forms.pattern", "Le format de la réponse n’est pas valide.", "The answer's format is not valid."},
    Entry{"forms.range", "La valeur doit être comprise entre {0} et {1}.", "The value must be between {0} and {1}."},
    Entry{"forms.range_step", "La valeur doit être un multiple de {0} à partir de {1}.",
          "The value must be a step of {0} from {1}."},
    Entry{"forms.read_only", "Cette question est en lecture seule.", "This question is read-only."},
    Entry{"forms.repeat_fixed", "Le nombre d’entrées est calculé par le formulaire.",
          "The number of entries is set by the form."},
    Entry{"forms.required", "Cette question est obligatoire.", "This question is required."},
    Entry{"forms.unknown_choice", "Choix inconnu : « {0} ».", "Unknown choice: '{0}'."},
    Entry{"forms.unknown_field", "Champ inconnu : « {0} ».", "Unknown field: '{0}'."},
    Entry{"forms.unknown_instance", "Entrée {1} inexistante pour « {0} ».", "No entry {1} for '{0}'."},
    Entry{"load.bad_default", "valeur par défaut non valide : {0}", "invalid default value: {0}"},
    Entry{"load.bad_name",
          "nom non valide « {0} » : lettres, chiffres, « _ », « - » ou « . », en commençant par une lettre ou « _ »",
          "invalid name '{0}': use letters, digits, '_', '-' or '.', starting with a letter or '_'"},
    Entry{"load.bad_regex", "expression régulière non valide : {0}", "invalid regular expression: {0}"},
    Entry{"load.choice_column_outside_filter", "« {0} » : les noms nus ne sont permis que dans choice_filter",
          "'{0}': bare names are only allowed in choice_filter"},
    Entry{"load.choices_both", "« choices » et « choice_list » sont exclusifs",
          "'choices' and 'choice_list' cannot both be given"},
    Entry{"load.choices_missing", "une question à choix demande « choices » ou « choice_list »",
          "a select question needs 'choices' or 'choice_list'"},
    Entry{"load.cycle", "cycle entre calculs : {0}", "cycle between calculations: {0}"},
    Entry{"load.duplicate_choice", "valeur de choix en double « {0} »", "duplicate choice value '{0}'"},
    Entry{"load.duplicate_name", "nom en double « {0} » (déjà utilisé en {1})",
          "duplicate name '{0}' (first used at {1})"},
    Entry{"load.empty_pages", "un formulaire doit avoir au moins une page", "a form needs at least one page"},
    Entry{"load.expect_array", "doit être un tableau", "must be an array"},
    Entry{"load.expect_bool", "doit être un booléen", "must be a boolean"},
    Entry{"load.expect_expr", "doit être une expression (chaîne) ou un booléen",
          "must be an expression (string) or a boolean"},
    Entry{"load.expect_number", "doit être un nombre", "must be a number"},
    Entry{"load.expect_object", "doit être un objet", "must be an object"},
    Entry{"load.expect_string", "doit être une chaîne", "must be a string"},
    Entry{"load.expect_text", "doit être un texte ou un objet {\"fr\": …, \"en\": …}",
          "must be a text or an object {\"fr\": …, \"en\": …}"},
    Entry{"load.expr", "colonne {0} : {1}", "column {0}: {1}"},
    Entry{"load.followup_days", "doit être un nombre entier de jours entre 0 et 3650",
          "must be a whole number of days between 0 and 3650"},
    Entry{"load.json_syntax", "erreur de syntaxe JSON : {0}", "JSON syntax error: {0}"},
    Entry{"load.missing", "propriété obligatoire « {0} » manquante", "missing required property '{0}'"},
    Entry{"load.missing_default_language", "pas de texte dans la langue par défaut « {0} »",
          "no text in the default language '{0}'"},
    Entry{"load.not_in_repeat", "position(..) n’a de sens que dans une répétition",
          "position(..) only makes sense inside a repeat"},
    Entry{"load.page_nested", "une page ne peut apparaître qu’au premier niveau",
          "a page may only appear at the top level"},
    Entry{"load.range_bounds", "« end » doit être supérieur à « start » et « step » positif",
          "'end' must be greater than 'start' and 'step' positive"},
    Entry{"load.regex_too_long", "expression régulière trop longue ({0} caractères au plus)",
          "regular expression too long (at most {0} characters)"},
    Entry{"load.repeat_counts", "« max_count » doit être au moins égal à « min_count »",
          "'max_count' must be at least 'min_count'"},
    Entry{"load.space_in_multiple",
          "valeur de choix « {0} » avec une espace : impossible dans une liste de « {1} », à choix multiples",
          "choice value '{0}' holds a space: not allowed in a list of '{1}', a select_multiple"},
    Entry{"load.too_deep", "tableaux et objets imbriqués sur plus de {0} niveaux",
          "arrays and objects nested deeper than {0} levels"},
    Entry{"load.too_large", "le fichier dépasse {0} Mio", "the file is over {0} MiB"},
    Entry{"load.too_nested", "groupes et répétitions imbriqués sur plus de {0} niveaux",
          "groups and repeats nested deeper than {0} levels"},
    Entry{"load.top_not_page", "le premier niveau ne contient que des pages (type « page »)",
          "the top level holds pages only (type 'page')"},
    Entry{"load.unknown_choice_list", "la liste de choix « {0} » n’existe pas", "choice list '{0}' does not exist"},
    Entry{"load.unknown_language", "langue « {0} » non déclarée dans « languages »",
          "language '{0}' is not declared in 'languages'"},
    Entry{"load.unknown_property", "propriété inconnue « {0} »", "unknown property '{0}'"},
    Entry{"load.unknown_ref", "champ inconnu « {0} »", "unknown field '{0}'"},
    Entry{"load.unknown_type", "type de question inconnu « {0} »", "unknown question type '{0}'"},
    Entry{"load.value_needs_calculation", "une question « calculate » demande « calculation »",
          "a 'calculate' question needs 'calculation'"},
    Entry{"server.bad_days", "{0} attend un nombre de jours de 1 à 99999",
          "{0} needs a number of days from 1 to 99999"},
    Entry{"server.bad_port", "--port attend un nombre de 0 à 65535", "--port needs a number from 0 to 65535"},
    Entry{"server.bad_role", "--role doit valoir ambassador, coordinator ou admin",
          "--role must be ambassador, coordinator or admin"},
    Entry{"server.builtin_published", "{0} formulaire(s) intégré(s) publié(s)", "{0} built-in form(s) published"},
    Entry{"server.cannot_bind", "impossible d’écouter sur {0}", "cannot bind {0}"},
    Entry{"server.form_already_published", "formulaire {0} {1} déjà publié (sha256 {2})",
          "form {0} {1} already published (sha256 {2})"},
    Entry{"server.form_published", "formulaire {0} {1} publié (sha256 {2})", "form {0} {1} published (sha256 {2})"},
    Entry{"server.internal_error", "erreur interne : {0}", "internal error: {0}"},
    Entry{"server.needs_data", "--data DOSSIER est obligatoire", "--data DIR is required"},
    Entry{"server.needs_value", "{0} attend une valeur", "{0} needs a value"},
    Entry{"server.no_org", "pas d’organisation « {0} »", "no organisation '{0}'"},
    Entry{"server.no_record_in_org", "pas de fiche {0} dans l’organisation de l’utilisateur",
          "no record {0} in the user's organisation"},
    Entry{"server.no_user", "pas d’utilisateur « {0} »", "no user '{0}'"},
    Entry{"server.no_walklist", "pas de liste de porte-à-porte {0}", "no walk list {0}"},
    Entry{"server.org_added", "organisation {0} ajoutée", "organisation {0} added"},
    Entry{"server.plain_http",
          "le HTTP en clair sur {0} enverrait mots de passe et données personnelles en clair : donnez --tls-cert et "
          "--tls-key, ou --insecure-http quand un mandataire TLS devant ce serveur termine le https",
          "plain HTTP on {0} would send passwords and personal data in clear: give --tls-cert and --tls-key, or "
          "--insecure-http when a TLS proxy in front of this server terminates https"},
    Entry{"server.record_assigned", "fiche {0} attribuée à {1}", "record {0} assigned to {1}"},
    Entry{"server.serve_needs_port", "serve attend --port N", "serve needs --port N"},
    Entry{"server.tls_pair", "--tls-cert et --tls-key vont ensemble", "--tls-cert and --tls-key go together"},
    Entry{"server.unknown_command", "commande inconnue", "unknown command"},
    Entry{"server.unknown_option", "option inconnue {0}", "unknown option {0}"},
    Entry{"server.usage",
          "Utilisation :\n  carnet-server serve --data DOSSIER --port N [--bind 127.0.0.1]   (le port 0 en choisit un "
          "libre)\n        [--tls-cert FICHIER.pem --tls-key FICHIER.pem]   (https ; HTTP en clair seulement sur une "
          "adresse "
          "locale,\n        [--insecure-http]   sauf derrière un mandataire TLS)\n        [--token-idle-days N]   (30 "
          "par "
          "défaut : un jeton inutilisé aussi longtemps ne sert plus)\n        [--token-lifetime-days N]   (180 par "
          "défaut : un jeton ne sert plus aussi longtemps après sa connexion)\n        limites (docs/security.md, « "
          "Limits ») : --header-timeout-ms N (10000)  "
          "--body-timeout-ms N (60000)\n          --max-connections-per-address N (32)  --password-hashes N (2 à la "
          "fois)\n          --password-hash-queue N (32 en attente)  --password-hash-wait-ms N (10000)\n  "
          "carnet-server org add NOM --data "
          "DOSSIER\n  carnet-server user add NOM --role "
          "ambassador|coordinator|admin --org ORG --password-stdin --data DOSSIER\n  carnet-server form publish "
          "FICHIER --data DOSSIER [--org ORG]   (sans --org : partagé par toutes les organisations)\n  carnet-server "
          "form publish-builtin --data DOSSIER   (les formulaires de terrain "
          "de assets/forms/)\n  carnet-server record assign FICHE UTILISATEUR --data DOSSIER\n  carnet-server walklist "
          "import FICHIER.csv --name NOM --org ORG --data DOSSIER\n  carnet-server walklist assign LISTE UTILISATEUR "
          "--data DOSSIER\n  --campaign FICHIER : la campagne (coefficients d’impact, règles d’appel) des "
          "indicateurs\n  --lang fr|en : la langue des messages (sinon CARNET_LANG, LANG)",
          "Usage:\n  carnet-server serve --data DIR --port N [--bind 127.0.0.1]   (port 0 picks a free port)\n  "
          "      [--tls-cert FILE.pem --tls-key FILE.pem]   (https; plain HTTP only on a loopback address,\n  "
          "      [--insecure-http]   unless behind a TLS proxy)\n        [--token-idle-days N]   (default 30: a "
          "token unused this long stops working)\n        [--token-lifetime-days N]   (default 180: a token stops "
          "working this long after its login)\n        limits (docs/security.md, \"Limits\"): --header-timeout-ms N "
          "(10000)  "
          "--body-timeout-ms N (60000)\n          --max-connections-per-address N (32)  --password-hashes N (2 at "
          "once)\n          --password-hash-queue N (32 waiting)  --password-hash-wait-ms N (10000)\n  carnet-server "
          "org add NAME --data DIR\n  carnet-server user add NAME "
          "--role ambassador|coordinator|admin "
          "--org ORG --password-stdin --data DIR\n  carnet-server form publish FILE --data DIR [--org ORG]   (without "
          "--org: shared with every organisation)\n  carnet-server form "
          "publish-builtin --data DIR   (the field forms of assets/forms/)\n  carnet-server record assign RECORD_ID "
          "USER --data DIR\n  carnet-server walklist import FILE.csv --name NAME --org ORG --data DIR\n  carnet-server "
          "walklist assign WALKLIST_ID USER --data DIR\n  --campaign FILE: the campaign (impact coefficients, call "
          "rules) the figures use\n  --lang fr|en: the language of the messages (otherwise CARNET_LANG, LANG)"},
    Entry{"server.user_added", "utilisateur {0} ({1}, {2}) ajouté", "user {0} ({1}, {2}) added"},
    Entry{"server.user_needs_org", "user add attend --org ORG", "user add needs --org ORG"},
    Entry{"server.user_needs_password_stdin",
          "user add attend --password-stdin (un mot de passe ne passe jamais sur la ligne de commande)",
          "user add needs --password-stdin (passwords never go on the command line)"},
    Entry{"server.walklist_assigned", "liste {0} attribuée à {1}", "walk list {0} assigned to {1}"},
    Entry{"server.walklist_bad_lines", "{0} : {1} ligne(s) incorrecte(s), rien n’a été importé",
          "{0}: {1} bad line(s), nothing was imported"},
    Entry{"server.walklist_needs_org", "walklist import attend --org ORG", "walklist import needs --org ORG"},
    Entry{"store.bad_answers", "fiche {0} : réponses illisibles : {1}", "record {0}: unreadable answers: {1}"},
    Entry{"store.bad_link_field", "champ de lien « {0} » invalide (lettres, chiffres et _ seulement)",
          "invalid link field '{0}' (letters, digits and _ only)"},
    Entry{"store.corrupt", "{0} : base de données illisible ou endommagée, laissée intacte ({1})",
          "{0}: unreadable or damaged database, left untouched ({1})"},
    Entry{"store.deleted", "fiche {0} : supprimée, elle ne peut plus changer",
          "record {0}: deleted, it can no longer change"},
    Entry{"store.disk_full", "{0} : espace disque insuffisant, rien n’a été enregistré",
          "{0}: disk full, nothing was saved"},
    Entry{"store.field_erased", "fiche {0} : le champ « {1} » a été effacé définitivement (données personnelles)",
          "record {0}: field '{1}' was erased for good (personal data)"},
    Entry{"store.field_error", "fiche {0} : champ « {1} » : {2}", "record {0}: field '{1}': {2}"},
    Entry{"store.finalized", "fiche {0} : déjà finalisée, elle ne peut plus changer",
          "record {0}: already finalized, it can no longer change"},
    Entry{"store.form_changed",
          "formulaire « {0} » version « {1} » déjà installé avec un autre contenu : publiez une nouvelle version",
          "form '{0}' version '{1}' is already installed with different content: publish a new version"},
    Entry{"store.migration_kept",
          "fiche {0} : le brouillon reste sur la version {1} du formulaire, car la version {2} n’accepte pas ses "
          "réponses (champ « {3} » : {4}) ; il est envoyé sur la version {1}",
          "record {0}: the draft stays on form version {1}, because version {2} does not accept its answers "
          "(field '{3}': {4}); it is sent on version {1}"},
    Entry{"store.missing_form_version", "fiche {0} : la version « {2} » du formulaire « {1} » n’est pas installée",
          "record {0}: version '{2}' of form '{1}' is not installed"},
    Entry{"store.newer_schema", "{0} : créée par une version plus récente de Carnet (schéma {1})",
          "{0}: written by a newer Carnet (schema {1})"},
    Entry{"store.not_carnet", "{0} : ce fichier n’est pas une base Carnet, laissé intact",
          "{0}: this file is not a Carnet store, left untouched"},
    Entry{"store.not_encrypted", "{0} : cette base n’a pas de code PIN", "{0}: this store has no PIN"},
    Entry{"store.not_writable", "{0} : dossier de données inaccessible en écriture ({1})",
          "{0}: data folder is not writable ({1})"},
    Entry{"store.pin_length", "le code PIN doit compter au moins {0} caractères",
          "the PIN must have at least {0} characters"},
    Entry{"store.pin_required", "{0} : les données sont chiffrées, le code PIN est nécessaire",
          "{0}: the data is encrypted, the PIN is needed"},
    Entry{"store.sealed_damaged", "fiche {0} : champ chiffré « {1} » altéré, illisible",
          "record {0}: encrypted field '{1}' was altered, unreadable"},
    Entry{"store.unknown_form", "formulaire inconnu « {0} »", "unknown form '{0}'"},
    Entry{"store.unknown_record", "fiche inconnue « {0} »", "unknown record '{0}'"},
    Entry{"store.wrong_pin", "code PIN incorrect", "wrong PIN"},
    Entry{"sync.held", "{0} modification(s) de {1} fiche(s) en attente sur la tablette : {2}. {3}",
          "{0} change(s) to {1} record(s) waiting on the tablet: {2}. {3}"},
    Entry{"sync.held_action.coordinator",
          "Elles ne passeront pas telles quelles : signalez-le au coordinateur, les fiches restent sur la tablette",
          "They cannot pass as they are: tell the coordinator; the records stay on the tablet"},
    Entry{"sync.held_action.not_assigned",
          "Le coordinateur doit vous attribuer la fiche ; renvoi automatique à chaque synchronisation",
          "The coordinator must assign the record to you; sent again automatically at every sync"},
    Entry{"sync.held_action.retry", "Renvoi automatique à chaque synchronisation",
          "Sent again automatically at every sync"},
    Entry{"sync.held_action.unknown_form_version",
          "Le coordinateur doit publier cette version du formulaire sur le serveur ; renvoi automatique à chaque "
          "synchronisation",
          "The coordinator must publish this form version on the server; sent again automatically at every sync"},
    Entry{"sync.held_action.unknown_record",
          "La création de la fiche attend elle aussi ; renvoi automatique à chaque synchronisation",
          "The record's creation is waiting too; sent again automatically at every sync"},
    Entry{"xlsform.ambiguous_ref",
          "« ${{0}} » est ambigu : ce nom est utilisé dans deux groupes (ligne {1} et une autre)",
          "'${{0}}' is ambiguous: the name is used in two groups (row {1} and another)"},
    Entry{"xlsform.bad_cell_ref", "{0} : référence de cellule non valide « {1} »", "{0}: invalid cell reference '{1}'"},
    Entry{"xlsform.bad_form_id",
          "form_id « {0} » n’est pas un nom (une date du tableur ?) : « {1} », tiré du nom du fichier, est utilisé",
          "form_id '{0}' is not a name (a spreadsheet date?): '{1}', from the file name, is used"},
    Entry{"xlsform.bad_number", "paramètre « {0} » : « {1} » n’est pas un nombre",
          "parameter '{0}': '{1}' is not a number"},
    Entry{"xlsform.bad_parameter", "paramètre « {0} » non pris en charge (range accepte start, end et step) : ignoré",
          "unsupported parameter '{0}' (range takes start, end and step): ignored"},
    Entry{"xlsform.bad_part", "partie « {0} » illisible ({1})", "part '{0}' is unreadable ({1})"},
    Entry{"xlsform.bad_shared_string", "{0} : cellule {1} : index de chaîne partagée non valide « {2} »",
          "{0}: cell {1}: invalid shared string index '{2}'"},
    Entry{"xlsform.bad_utf8", "texte non valide (pas de l’UTF-8)", "invalid text (not UTF-8)"},
    Entry{"xlsform.bad_xml", "{0} : XML non valide ({1})", "{0}: invalid XML ({1})"},
    Entry{"xlsform.choice_duplicate",
          "valeur « {0} » en double dans la liste « {1} » : gardée, comme avec le réglage allow_choice_duplicates "
          "(choice_filter les distingue)",
          "value '{0}' twice in list '{1}': kept, as with the allow_choice_duplicates setting (choice_filter tells "
          "them apart)"},
    Entry{"xlsform.choice_no_label", "choix « {0} » sans libellé : son nom est affiché",
          "choice '{0}' without a label: its name is shown"},
    Entry{"xlsform.column_ignored", "colonne « {0} » non prise en charge par Carnet : ses valeurs sont ignorées",
          "column '{0}' is not supported by Carnet: its values are ignored"},
    Entry{"xlsform.default_not_choice",
          "valeur par défaut « {0} » absente de la liste « {1} » : ignorée (la question commence sans réponse)",
          "default '{0}' is not a choice of list '{1}': ignored (the question starts unanswered)"},
    Entry{"xlsform.duplicate_name", "nom en double « {0} » (déjà utilisé ligne {1})",
          "duplicate name '{0}' (already used on row {1})"},
    Entry{"xlsform.dynamic_default",
          "valeur par défaut calculée « {0} » non prise en charge (une valeur fixe seulement) : ignorée",
          "computed default '{0}' is not supported (a fixed value only): ignored"},
    Entry{"xlsform.error", "erreur", "error"},
    Entry{"xlsform.expr", "caractère {0} : {1}", "character {0}: {1}"},
    Entry{"xlsform.form_id_renamed", "form_id « {0} » n’est pas un nom : « {1} » utilisé",
          "form_id '{0}' is not a name: '{1}' used"},
    Entry{"xlsform.language_no_code",
          "langue « {0} » sans code entre parenthèses (« Français (fr) ») : code « {1} » utilisé",
          "language '{0}' has no code in parentheses ('English (en)'): code '{1}' used"},
    Entry{"xlsform.list_renamed",
          "liste de choix « {0} » : nommée « {1} » (un nom de liste Carnet n’a ni espace ni « : »)",
          "choice list '{0}' named '{1}' (a Carnet list name has no space or ':')"},
    Entry{"xlsform.metadata_calculated", "métadonnée « {0} » utilisée par ${{1}} : calculée par {2}",
          "metadata '{0}' is used as ${{1}}: computed as {2}"},
    Entry{"xlsform.metadata_empty",
          "métadonnée « {0} » utilisée par ${{1}} : Carnet n’a pas cette valeur sur l’appareil, elle reste vide",
          "metadata '{0}' is used as ${{1}}: Carnet has no such value on the device, it stays empty"},
    Entry{"xlsform.metadata_skipped",
          "métadonnée « {0} » : Carnet enregistre lui-même l’auteur et les dates de création et de modification de "
          "chaque fiche ; ligne ignorée",
          "metadata '{0}': Carnet itself records the author and the creation and modification times of every record; "
          "row skipped"},
    Entry{"xlsform.mismatched_end", "« {0} » ferme un « {1} » (ouvert ligne {2})",
          "'{0}' closes a '{1}' (opened on row {2})"},
    Entry{"xlsform.missing_calculation", "une question « calculate » demande une « calculation »",
          "a 'calculate' question needs a 'calculation'"},
    Entry{"xlsform.missing_choice_name", "choix de la liste « {0} » sans nom", "choice of list '{0}' has no name"},
    Entry{"xlsform.missing_column", "colonne obligatoire « {0} » absente", "required column '{0}' is missing"},
    Entry{"xlsform.missing_list", "« {0} » demande un nom de liste de choix (« select_one oui_non »)",
          "'{0}' needs a choice list name ('select_one yes_no')"},
    Entry{"xlsform.missing_list_name", "choix sans « list_name »", "choice without a 'list_name'"},
    Entry{"xlsform.missing_name", "nom manquant", "missing name"},
    Entry{"xlsform.missing_part", "partie « {0} » absente du classeur", "part '{0}' is missing from the workbook"},
    Entry{"xlsform.missing_type", "ligne remplie sans type : ignorée", "row has values but no type: ignored"},
    Entry{"xlsform.name_by_path",
          "nom « {0} » déjà utilisé ligne {1} dans un autre groupe : celui-ci est nommé par son chemin « {2} »",
          "name '{0}' is already used on row {1} in another group: this one is named by its path '{2}'"},
    Entry{"xlsform.no_label", "question « {0} » sans libellé : son nom est affiché",
          "question '{0}' without a label: its name is shown"},
    Entry{"xlsform.no_survey", "pas de feuille « survey » : ce classeur n’est pas un XLSForm",
          "no 'survey' sheet: this workbook is not an XLSForm"},
    Entry{"xlsform.no_version", "pas de « version » dans la feuille settings : version « 1 » utilisée",
          "no 'version' in the settings sheet: version '1' used"},
    Entry{"xlsform.not_zip", "ce fichier n’est pas un classeur .xlsx lisible ({0})",
          "this file is not a readable .xlsx workbook ({0})"},
    Entry{"xlsform.note_named", "note sans nom : nommée « {0} »", "note without a name: named '{0}'"},
    Entry{"xlsform.other_choice", "Autre", "Other"},
    Entry{"xlsform.other_specify", "Précisez :", "Specify other."},
    Entry{"xlsform.page_appearance", "apparence « {0} » sans effet sur une page : ignorée",
          "appearance '{0}' has no effect on a page: ignored"},
    Entry{"xlsform.page_without_label", "groupe de premier niveau sans libellé : son nom « {0} » sert de titre de page",
          "top-level group without a label: its name '{0}' is the page title"},
    Entry{"xlsform.part_too_large", "partie « {0} » trop volumineuse (plus de {1} octets)",
          "part '{0}' is too large (more than {1} bytes)"},
    Entry{"xlsform.plain_text_shadowed", "colonne « {0} » ignorée : la colonne de la langue « {1} » est remplie",
          "column '{0}' ignored: the column for language '{1}' is filled in"},
    Entry{"xlsform.report", "{0} : {1} : {2} : {3}", "{0}: {1}: {2}: {3}"},
    Entry{"xlsform.report_file", "{0} : {1} : {2}", "{0}: {1}: {2}"},
    Entry{"xlsform.search_needs_csv",
          "apparence « {0} » : les choix viennent d’un fichier CSV livré avec le formulaire, que l’import ne lit pas "
          "encore ; la liste de la feuille choices n’est qu’un modèle",
          "appearance '{0}': the choices come from a CSV file shipped with the form, which the importer does not read "
          "yet; the choices sheet only holds a placeholder"},
    Entry{"xlsform.setting_row_ignored", "seule la première ligne de settings compte : valeur ignorée",
          "only the first row of settings counts: value ignored"},
    Entry{"xlsform.sheet_ignored", "feuille « {0} » ignorée (Carnet lit survey, choices et settings)",
          "sheet '{0}' ignored (Carnet reads survey, choices and settings)"},
    Entry{"xlsform.text_no_default_language",
          "{0} sans texte dans la langue par défaut « {1} » : celui de « {2} » est affiché",
          "{0} has no text in the default language '{1}': the '{2}' one is shown"},
    Entry{"xlsform.too_deep", "groupes et répétitions imbriqués sur plus de {0} niveaux",
          "groups and repeats nested more than {0} levels deep"},
    Entry{"xlsform.unclosed", "« {0} » jamais fermé par « {1} »", "'{0}' is never closed by '{1}'"},
    Entry{"xlsform.unexpected_end", "« {0} » sans « {1} » ouvert", "'{0}' without an open '{1}'"},
    Entry{"xlsform.unknown_list", "liste de choix « {0} » absente de la feuille choices",
          "choice list '{0}' is not in the choices sheet"},
    Entry{"xlsform.unknown_type", "type inconnu « {0} »", "unknown type '{0}'"},
    Entry{"xlsform.unreadable", "{0} : fichier illisible", "{0}: cannot read the file"},
    Entry{"xlsform.unsupported_osm",
          "question « {0} » de type « osm » : elle s’édite dans OpenMapKit, une application de carte OpenStreetMap que "
          "Carnet n’a pas ; remplacez-la par des questions (select_one, text, geopoint)",
          "question '{0}' of type 'osm': it is edited in OpenMapKit, an OpenStreetMap map application Carnet does not "
          "have; replace it with questions (select_one, text, geopoint)"},
    Entry{"xlsform.unsupported_type", "type « {0} » non pris en charge par Carnet",
          "type '{0}' is not supported by Carnet"},
    Entry{"xlsform.value_ignored", "« {0} » sans effet pour le type « {1} » : valeur ignorée",
          "'{0}' has no effect on type '{1}': value ignored"},
    Entry{"xlsform.warning", "avertissement", "warning"},
    Entry{"xlsform.where.cell", "{0}, ligne {1}, colonne {2} ({3})", "{0}, row {1}, column {2} ({3})"},
    Entry{"xlsform.where.cell_only", "{0}, ligne {1}, colonne {2}", "{0}, row {1}, column {2}"},
    Entry{"xlsform.where.no_column", "{0}, ligne {1}, colonne « {2} » (absente)",
          "{0}, row {1}, column '{2}' (absent)"},
    Entry{"xlsform.where.row", "{0}, ligne {1}", "{0}, row {1}"},
    Entry{"xlsform.where.sheet", "feuille {0}", "sheet {0}"},
    Entry{"xlsform.where.sheet_no_column", "{0}, colonne « {2} » (absente)", "{0}, column '{2}' (absent)"},
});

constexpr bool tableSorted() {
    for (std::size_t i = 1; i < kTable.size(); ++i)
        if (!(kTable[i - 1].key < kTable[i].key)) return false;
    return true;
}
static_assert(tableSorted(), "translation table must be sorted by key");

const Entry* find(std::string_view key) {
    auto it = std::lower_bound(kTable.begin(), kTable.end(), key,
                               [](const Entry& e, std::string_view k) { return e.key < k; });
    return (it != kTable.end() && it->key == key) ? &*it : nullptr;
}

} // namespace

std::optional<Lang> parseLang(std::string_view code) {
    if (code.size() < 2) return std::nullopt;
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    const char a = lower(code[0]), b = lower(code[1]);
    if (code.size() > 2 && code[2] != '_' && code[2] != '-' && code[2] != '.') return std::nullopt;
    if (a == 'f' && b == 'r') return Lang::Fr;
    if (a == 'e' && b == 'n') return Lang::En;
    return std::nullopt;
}

std::string_view langCode(Lang lang) {
    return lang == Lang::Fr ? "fr" : "en";
}

std::string tr(std::string_view key, Lang lang, std::initializer_list<std::string_view> args) {
    const Entry* e = find(key);
    const std::string_view text = e ? (lang == Lang::Fr ? e->fr : e->en) : key;
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{' && i + 2 < text.size() && text[i + 2] == '}' && text[i + 1] >= '0' && text[i + 1] <= '9') {
            const auto n = static_cast<std::size_t>(text[i + 1] - '0');
            if (n < args.size()) out += *(args.begin() + n);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool hasTranslation(std::string_view key) {
    return find(key) != nullptr;
}

std::vector<std::string_view> translationKeys() {
    std::vector<std::string_view> keys;
    keys.reserve(kTable.size());
    for (const Entry& e : kTable)
        keys.push_back(e.key);
    return keys;
}

} // namespace carnet
