#!/usr/bin/env python3
"""Writes the sample XLSForm workbooks (.xlsx) used by the tests, the console and the docs.

    python3 scripts/make-xlsform-samples.py              # rewrites the files listed in SAMPLES
    python3 scripts/make-xlsform-samples.py --out DIR    # writes them under DIR instead (tests compare)

The workbooks are written the way spreadsheet programs write them: shared strings for text, plain
numbers, booleans as t="b", one sheet part per sheet. The zip entries carry a fixed date so that the
output is byte-for-byte reproducible: running the script again leaves git with nothing to commit.
Standard library only (zipfile), no pip.
"""

import os
import sys
import zipfile
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXED_DATE = (2026, 11, 26, 0, 0, 0)


def column_letters(n):
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def sheet_xml(rows, shared, inline):
    """rows: list of lists; None or "" is an empty cell (not written)."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>']
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            ref = f"{column_letters(c)}{r}"
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{1 if value else 0}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif inline:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>')
            else:
                if value not in shared:
                    shared[value] = len(shared)
                cells.append(f'<c r="{ref}" t="s"><v>{shared[value]}</v></c>')
        if cells:
            out.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write_xlsx(path, sheets, inline=False):
    """sheets: list of (name, rows). inline=True writes inline strings instead of shared strings."""
    shared = {}
    parts = {}
    for i, (_, rows) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(rows, shared, inline)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, (name, _) in enumerate(sheets, start=1))
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                f'<workbook xmlns="{ns}" xmlns:r="{rel_ns}"><sheets>{sheet_entries}</sheets></workbook>')
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel_ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1))
    n = len(sheets)
    rels += f'<Relationship Id="rId{n + 1}" Type="{rel_ns}/sharedStrings" Target="sharedStrings.xml"/>'
    pkg_rel_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts["xl/_rels/workbook.xml.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                           f'<Relationships xmlns="{pkg_rel_ns}">{rels}</Relationships>')
    strings = sorted(shared, key=shared.get)
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="{ns}" count="{len(strings)}" uniqueCount="{len(strings)}">' +
        "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings) + "</sst>")
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{pkg_rel_ns}"><Relationship Id="rId1" '
        f'Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    ct = "http://schemas.openxmlformats.org/package/2006/content-types"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1))
    parts["[Content_Types].xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{ct}">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f'{overrides}</Types>')
    order = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
             "xl/sharedStrings.xml"] + [f"xl/worksheets/sheet{i}.xml" for i in range(1, n + 1)]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, parts[name].encode("utf-8"))


# ---------------------------------------------------------------------------------------------------
# A door-to-door mobility interview, in French and English: commune -> quartier cascading select,
# a repeat per household member, constraints with messages in both languages.

FR, EN = "Français (fr)", "English (en)"

ENQUETE_SURVEY = [
    ["type", "name", f"label::{FR}", f"label::{EN}", f"hint::{FR}", f"hint::{EN}", "required", "relevant",
     "constraint", f"constraint_message::{FR}", f"constraint_message::{EN}", "choice_filter", "calculation",
     "appearance", "default", "repeat_count"],
    ["start", "debut"],
    ["end", "fin"],
    ["today", "jour"],
    ["begin_group", "p_logement", "Le logement", "The household", "", "", "", "", "", "", "", "", "", "field-list"],
    ["select_one commune", "commune", "Commune", "Town", "", "", "yes"],
    ["select_one quartier", "quartier", "Quartier", "Neighbourhood", "Seuls les quartiers de la commune choisie.",
     "Only the neighbourhoods of the chosen town.", "yes", "", "", "", "", "commune = ${commune}"],
    ["text", "adresse", "Adresse (numéro et rue)", "Address (number and street)"],
    ["integer", "nb_personnes", "Combien de personnes vivent dans le logement ?", "How many people live here?", "",
     "", "yes", "", ". >= 1 and . <= 20", "Entre 1 et 20 personnes.", "Between 1 and 20 people."],
    ["integer", "nb_voitures", "Nombre de voitures du ménage", "Cars in the household", "", "", "yes", "",
     ". >= 0 and . <= 10", "Entre 0 et 10 voitures.", "Between 0 and 10 cars.", "", "", "", 0],
    ["select_one oui_non", "a_velo", "Le ménage possède-t-il au moins un vélo ?", "Does the household own a bike?",
     "", "", "yes"],
    ["end_group"],
    ["begin_repeat", "membres", "Membres du ménage", "Household members", "", "", "", "", "", "", "", "", "", "",
     "", "${nb_personnes}"],
    ["calculate", "rang", "", "", "", "", "", "", "", "", "", "", "position(..)"],
    ["text", "prenom", "Prénom du membre n° ${rang}", "First name of member no. ${rang}", "", "", "yes"],
    ["integer", "age", "Âge de ${prenom}", "Age of ${prenom}", "", "", "yes", "", ". >= 0 and . < 120",
     "L’âge doit être compris entre 0 et 119 ans.", "The age must be between 0 and 119."],
    ["select_one mode", "mode_principal", "Mode principal pour le travail ou l’école",
     "Main mode to work or school", "", "", "yes", "${age} >= 6"],
    ["select_multiple mode", "autres_modes", "Autres modes utilisés dans la semaine", "Other modes used in the week",
     "Plusieurs réponses possibles.", "Several answers allowed.", "", "${age} >= 6",
     "count-selected(.) <= 3", "Trois modes au plus.", "Three modes at most."],
    ["decimal", "distance_km", "Distance domicile–travail (km)", "Home–work distance (km)", "", "", "",
     "${mode_principal} != 'aucun'", ". > 0 and . <= 200", "Entre 0 et 200 km.", "Between 0 and 200 km."],
    ["end_repeat"],
    ["begin_group", "p_fin", "Fin de l’entretien", "End of the interview"],
    ["calculate", "nb_membres", "", "", "", "", "", "", "", "", "", "", "count(${membres})"],
    ["range", "satisfaction", "Satisfaction des transports dans le quartier (0 à 10)",
     "Satisfaction with transport in the neighbourhood (0 to 10)"],
    ["acknowledge", "recontact", "La personne accepte d’être recontactée", "The person agrees to be contacted again"],
    ["geopoint", "position", "Position du logement", "Location of the household"],
    ["image", "photo_facade", "Photo de la façade", "Photo of the front", "Sans personne sur la photo.",
     "No people in the picture."],
    ["note", "merci", "Merci ! ${nb_membres} membres enregistrés.", "Thank you! ${nb_membres} members recorded."],
    ["end_group"],
]
# The range bounds go in the parameters column, after the others (added here to keep the rows short).
ENQUETE_SURVEY[0].append("parameters")
for row in ENQUETE_SURVEY:
    if len(row) > 1 and row[1] == "satisfaction":
        row.extend([""] * (len(ENQUETE_SURVEY[0]) - 1 - len(row)))
        row.append("start=0 end=10 step=1")

ENQUETE_CHOICES = [
    ["list_name", "name", f"label::{FR}", f"label::{EN}", "commune"],
    ["commune", "aix", "Aix-en-Provence", "Aix-en-Provence"],
    ["commune", "marseille", "Marseille", "Marseille"],
    ["commune", "aubagne", "Aubagne", "Aubagne"],
    ["quartier", "aix_centre", "Centre-ville", "Town centre", "aix"],
    ["quartier", "aix_duranne", "La Duranne", "La Duranne", "aix"],
    ["quartier", "mrs_noailles", "Noailles", "Noailles", "marseille"],
    ["quartier", "mrs_estaque", "L’Estaque", "L’Estaque", "marseille"],
    ["quartier", "aub_centre", "Centre", "Centre", "aubagne"],
    ["oui_non", "oui", "Oui", "Yes"],
    ["oui_non", "non", "Non", "No"],
    ["mode", "marche", "Marche", "Walking"],
    ["mode", "velo", "Vélo", "Bike"],
    ["mode", "tc", "Transports en commun", "Public transport"],
    ["mode", "voiture", "Voiture", "Car"],
    ["mode", "aucun", "Aucun déplacement", "No trip"],
]

ENQUETE_SETTINGS = [
    ["form_title", "form_id", "version", "default_language", "instance_name"],
    ["Enquête mobilité porte-à-porte", "enquete_mobilite", 2026112601, FR, "concat(${commune}, ' – ', ${adresse})"],
]

# ---------------------------------------------------------------------------------------------------
# As in ODK's documentation (docs.getodk.org, "Form Logic" / cascading selects): plain label column,
# no settings sheet, a top-level calculate, booleans typed as TRUE in the required column.

ODK_SURVEY = [
    ["type", "name", "label", "hint", "required", "choice_filter", "calculation", "appearance", "constraint",
     "constraint_message"],
    ["select_one states", "state", "State", "", True],
    ["select_one counties", "county", "County", "", True, "state=${state}"],
    ["select_one cities", "city", "City", "", True, "state=${state} and county=${county}"],
    ["calculate", "place", "", "", "", "", "concat(${city}, ', ', ${state})"],
    ["begin group", "household", "Household", "", "", "", "", "field-list"],
    ["integer", "people", "How many people?", "Include yourself.", "yes", "", "", "", ". > 0",
     "At least one person."],
    ["note", "where", "You live in ${place}."],
    ["end group"],
]

ODK_CHOICES = [
    ["list_name", "name", "label", "state", "county"],
    ["states", "texas", "Texas"],
    ["states", "washington", "Washington"],
    ["counties", "brewster", "Brewster", "texas"],
    ["counties", "harris", "Harris", "texas"],
    ["counties", "king", "King", "washington"],
    ["counties", "pierce", "Pierce", "washington"],
    ["cities", "dumont", "Dumont", "texas", "brewster"],
    ["cities", "finney", "Finney", "texas", "brewster"],
    ["cities", "brownsville", "Brownsville", "texas", "harris"],
    ["cities", "harlingen", "Harlingen", "texas", "harris"],
    ["cities", "seattle", "Seattle", "washington", "king"],
    ["cities", "redmond", "Redmond", "washington", "king"],
    ["cities", "tacoma", "Tacoma", "washington", "pierce"],
    ["cities", "puyallup", "Puyallup", "washington", "pierce"],
]

# ---------------------------------------------------------------------------------------------------
# As KoboToolbox exports a form (support.kobotoolbox.org, "Adding another language"): English and
# French label columns, a settings sheet naming the default language, $kuid columns Carnet ignores,
# a repeat in a group, a range, a signature.

KOBO_SURVEY = [
    ["type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)", "hint::Français (fr)",
     "required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::Français (fr)",
     "appearance", "parameters", "read_only", "$kuid"],
    ["start", "start", "", "", "", "", "", "", "", "", "", "", "", "", "k01"],
    ["end", "end", "", "", "", "", "", "", "", "", "", "", "", "", "k02"],
    ["begin_group", "respondent", "Respondent", "Personne interrogée", "", "", "", "", "", "", "", "field-list", "",
     "", "k03"],
    ["text", "full_name", "Full name", "Nom complet", "", "", "true", "", "", "", "", "", "", "", "k04"],
    ["integer", "age", "Age", "Âge", "In years", "En années", "true", "", ". >= 18",
     "Respondents must be adults.", "La personne doit être majeure.", "", "", "", "k05"],
    ["select_multiple water", "water", "Water sources", "Sources d’eau", "", "", "false", "", "", "", "", "", "",
     "", "k06"],
    ["range", "trust", "Trust in the water (1-5)", "Confiance dans l’eau (1-5)", "", "", "", "", "", "", "",
     "", "start=1;end=5;step=1", "", "k07"],
    ["begin_group", "children_grp", "Children", "Enfants", "", "", "", "${age} < 60", "", "", "", "", "", "", "k08"],
    ["begin_repeat", "child", "Child", "Enfant", "", "", "", "", "", "", "", "", "", "", "k09"],
    ["text", "child_name", "Name", "Prénom", "", "", "", "", "", "", "", "", "", "", "k10"],
    ["date", "child_birth", "Date of birth", "Date de naissance", "", "", "", "", ". <= today()",
     "Not in the future.", "Pas dans le futur.", "", "", "", "k11"],
    ["end_repeat", "", "", "", "", "", "", "", "", "", "", "", "", "", "k12"],
    ["end_group", "", "", "", "", "", "", "", "", "", "", "", "", "", "k13"],
    ["calculate", "adult", "", "", "", "", "", "", "", "", "", "", "", "", "k14"],
    ["image", "signature", "Signature", "Signature", "", "", "", "", "", "", "", "signature", "", "", "k15"],
    ["time", "visit_time", "Time of visit", "Heure de la visite", "", "", "", "", "", "", "", "", "", "yes", "k16"],
    ["end_group", "", "", "", "", "", "", "", "", "", "", "", "", "", "k17"],
]
# The calculate row needs its calculation: Kobo puts it in a calculation column, after the others.
KOBO_SURVEY[0].append("calculation")
for row in KOBO_SURVEY[1:]:
    row.append("if(${age} >= 18, 'yes', 'no')" if row[1] == "adult" else "")

KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Français (fr)", "$kuid"],
    ["water", "tap", "Tap", "Robinet", "c01"],
    ["water", "well", "Well", "Puits", "c02"],
    ["water", "bottled", "Bottled", "En bouteille", "c03"],
]

KOBO_SETTINGS = [
    ["form_title", "form_id", "version", "default_language"],
    ["Water and household", "water_household", "vX7pN2", "English (en)"],
]

# ---------------------------------------------------------------------------------------------------
# Mistakes coordinators make, one per row, for the CLI test: every one is reported with its cell.

BROKEN_SURVEY = [
    ["type", "name", "label", "constraint"],
    ["begin_group", "identite", "Identité"],
    ["textarea", "remarques", "Remarques"],
    ["select_one pays", "pays", "Pays"],
    ["integer", "age", "Âge", ". > 0"],
    ["text", "age", "Âge encore"],
]

BROKEN_CHOICES = [
    ["list_name", "name", "label"],
    ["oui_non", "oui", "Oui"],
]

SAMPLES = {
    "assets/xlsform/enquete_mobilite.xlsx": (
        [("survey", ENQUETE_SURVEY), ("choices", ENQUETE_CHOICES), ("settings", ENQUETE_SETTINGS)], False),
    "tests/forms/xlsform/odk_cascading.xlsx": ([("survey", ODK_SURVEY), ("choices", ODK_CHOICES)], False),
    "tests/forms/xlsform/kobo_household.xlsx": (
        [("survey", KOBO_SURVEY), ("choices", KOBO_CHOICES), ("settings", KOBO_SETTINGS)], True),
    "tests/forms/xlsform/broken.xlsx": ([("survey", BROKEN_SURVEY), ("choices", BROKEN_CHOICES)], False),
}


def main():
    base = ROOT
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        base = sys.argv[2]
    elif len(sys.argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for rel, (sheets, inline) in SAMPLES.items():
        path = os.path.join(base, rel)
        write_xlsx(path, sheets, inline)
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
