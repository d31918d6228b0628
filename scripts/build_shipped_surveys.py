"""Build the shipped XLSForm survey forms in ``surveys/`` from the definitions below.

Run ``.venv/bin/python scripts/build_shipped_surveys.py`` after editing a form here; the
output is byte-for-byte reproducible (fixed document dates and zip timestamps), so
``git diff`` shows whether the committed workbooks match this script.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

SURVEYS_DIR = Path(__file__).resolve().parents[1] / "surveys"
VERSION = "2026.1"
DEFAULT_LANGUAGE = "Italiano (it)"
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)

IT = "Italiano (it)"
EN = "English (en)"

SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{IT}",
    f"label::{EN}",
    f"hint::{IT}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{IT}",
    f"constraint_message::{EN}",
    "appearance",
]
CHOICE_COLUMNS = ["list_name", "name", f"label::{IT}", f"label::{EN}"]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "default_language"]

CONSENTED = "${consent} = 'yes'"


def q(
    type_: str,
    name: str,
    label: tuple[str, str],
    *,
    hint: tuple[str, str] | None = None,
    required: bool = False,
    relevant: str = "",
    constraint: str = "",
    message: tuple[str, str] | None = None,
    appearance: str = "",
) -> dict[str, Any]:
    """One row of the survey sheet; label, hint and message are (Italian, English)."""
    row: dict[str, Any] = {
        "type": type_,
        "name": name,
        f"label::{IT}": label[0],
        f"label::{EN}": label[1],
        "required": "yes" if required else "",
        "relevant": relevant,
        "constraint": constraint,
        "appearance": appearance,
    }
    if hint:
        row[f"hint::{IT}"], row[f"hint::{EN}"] = hint
    if message:
        row[f"constraint_message::{IT}"], row[f"constraint_message::{EN}"] = message
    return row


def consented(row: dict[str, Any]) -> dict[str, Any]:
    """Make a question relevant only once the respondent has given consent."""
    extra = row["relevant"]
    row["relevant"] = f"{CONSENTED} and ({extra})" if extra else CONSENTED
    return row


def choices(list_name: str, *items: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Rows of the choices sheet: (name, Italian label, English label)."""
    return [
        {"list_name": list_name, "name": name, f"label::{IT}": it, f"label::{EN}": en}
        for name, it, en in items
    ]


SCALE_5 = choices(
    "scale_5",
    ("1", "1 – per niente", "1 – not at all"),
    ("2", "2 – poco", "2 – a little"),
    ("3", "3 – abbastanza", "3 – moderately"),
    ("4", "4 – molto", "4 – very"),
    ("5", "5 – moltissimo", "5 – extremely"),
)
YES_NO = choices("yes_no", ("yes", "Sì", "Yes"), ("no", "No", "No"))
GENDER = choices(
    "gender",
    ("female", "Donna", "Woman"),
    ("male", "Uomo", "Man"),
    ("nonbinary", "Non binario", "Non-binary"),
    ("prefer_not", "Preferisco non rispondere", "Prefer not to say"),
)
TERRITORY = choices(
    "territory_type",
    ("urban", "Urbano", "Urban"),
    ("rural", "Rurale", "Rural"),
    ("mountain", "Montano", "Mountain"),
)
CONSENT_QUESTION = q(
    "select_one yes_no",
    "consent",
    (
        "Acconsenti a rispondere a questo questionario? Le risposte sono trattate in forma "
        "anonima e aggregata, solo per misurare l'impatto delle attività.",
        "Do you agree to answer this questionnaire? Answers are processed anonymously and "
        "in aggregate, only to measure the impact of the activities.",
    ),
    hint=(
        "Se rispondi «No» il questionario termina e non viene raccolto alcun dato.",
        "If you answer 'No' the questionnaire ends and no data is collected.",
    ),
    required=True,
)
CONSENT_DECLINED_NOTE = q(
    "note",
    "consent_declined_note",
    (
        "Grazie. Non è stato raccolto alcun dato: puoi chiudere il questionario.",
        "Thank you. No data has been collected: you may close the questionnaire.",
    ),
    relevant="${consent} = 'no'",
)
AGE_QUESTION = q(
    "integer",
    "age",
    ("Quanti anni hai?", "How old are you?"),
    hint=("In anni compiuti.", "In completed years."),
    required=True,
    constraint=". >= 14 and . <= 110",
    message=(
        "L'età deve essere compresa tra 14 e 110 anni.",
        "Age must be between 14 and 110 years.",
    ),
)
GENDER_QUESTION = q(
    "select_one gender",
    "gender",
    ("Con quale genere ti identifichi?", "Which gender do you identify with?"),
    required=True,
)


def beneficiary_outcomes() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """The beneficiary outcome survey, asked identically at baseline and at endline."""
    survey = [
        CONSENT_QUESTION,
        CONSENT_DECLINED_NOTE,
        consented(
            q(
                "text",
                "respondent_code",
                ("Codice partecipante", "Participant code"),
                hint=(
                    "Il codice che ti ha dato l'organizzazione (non il tuo nome), per esempio "
                    "TO-0042. Serve a collegare le risposte di inizio e fine percorso.",
                    "The code the organisation gave you (not your name), for example TO-0042. "
                    "It links your answers at the start and at the end of the programme.",
                ),
                required=True,
                constraint="regex(., '^[A-Z0-9]{2,8}-[0-9]{1,6}$')",
                message=(
                    "Il codice è fatto di 2–8 lettere maiuscole o cifre, un trattino e 1–6 "
                    "cifre (es. TO-0042). Non scrivere il tuo nome.",
                    "The code is 2–8 capital letters or digits, a hyphen and 1–6 digits "
                    "(e.g. TO-0042). Do not write your name.",
                ),
            )
        ),
        consented(GENDER_QUESTION.copy()),
        consented(AGE_QUESTION.copy()),
        consented(
            q(
                "select_one territory_type",
                "territory_type",
                ("Dove vivi?", "Where do you live?"),
                hint=(
                    "Il tipo di territorio del comune in cui vivi.",
                    "The kind of area of the municipality where you live.",
                ),
                required=True,
            )
        ),
        consented(
            q(
                "text",
                "municipality",
                ("In quale comune vivi?", "In which municipality do you live?"),
            )
        ),
        consented(
            q(
                "select_multiple vulnerability",
                "vulnerable_conditions",
                (
                    "Ti riconosci in una o più di queste condizioni?",
                    "Do any of these conditions apply to you?",
                ),
                hint=("Puoi sceglierne più di una.", "You may choose more than one."),
                required=True,
                constraint="not(selected(., 'none') and count-selected(.) > 1)",
                message=(
                    "«Nessuna» non può essere scelta insieme ad altre condizioni.",
                    "'None' cannot be chosen together with other conditions.",
                ),
            )
        ),
        consented(
            q(
                "text",
                "vulnerable_other",
                ("Quale altra condizione?", "Which other condition?"),
                relevant="selected(${vulnerable_conditions}, 'other')",
            )
        ),
        consented(
            q(
                "select_one education",
                "education_level",
                ("Qual è il tuo titolo di studio più alto?", "What is your highest education?"),
            )
        ),
        consented(
            q(
                "select_one employment",
                "employment_status",
                ("Qual è la tua condizione lavorativa?", "What is your employment status?"),
                required=True,
            )
        ),
        consented(
            q(
                "integer",
                "months_unemployed",
                (
                    "Da quanti mesi sei senza lavoro?",
                    "For how many months have you been out of work?",
                ),
                relevant="${employment_status} = 'unemployed'",
                constraint=". >= 0 and . <= 600",
                message=(
                    "Indica un numero di mesi tra 0 e 600.",
                    "Give a number of months between 0 and 600.",
                ),
            )
        ),
        consented(
            q(
                "integer",
                "months_in_programme",
                (
                    "Da quanti mesi partecipi alle attività dell'organizzazione?",
                    "For how many months have you taken part in the organisation's activities?",
                ),
                hint=("0 se stai iniziando ora.", "0 if you are just starting."),
                constraint=". >= 0 and . <= 600",
                message=(
                    "Indica un numero di mesi tra 0 e 600.",
                    "Give a number of months between 0 and 600.",
                ),
            )
        ),
        consented(
            q(
                "note",
                "outcomes_note",
                (
                    "Ora alcune domande su come stai. Rispondi pensando alle ultime due settimane.",
                    "Now a few questions about how you are. Answer thinking of the last two weeks.",
                ),
            )
        ),
        consented(
            q(
                "select_one scale_5",
                "wellbeing",
                (
                    "Quanto ti senti bene, in generale?",
                    "How good do you feel, in general?",
                ),
                required=True,
                appearance="likert",
            )
        ),
        consented(
            q(
                "select_one scale_5",
                "autonomy",
                (
                    "Quanto ti senti in grado di gestire da solo/a le cose di tutti i giorni?",
                    "How able do you feel to manage everyday matters on your own?",
                ),
                required=True,
                appearance="likert",
            )
        ),
        consented(
            q(
                "select_one scale_5",
                "social_connections",
                (
                    "Quanto senti di avere persone su cui contare?",
                    "How much do you feel you have people you can count on?",
                ),
                required=True,
                appearance="likert",
            )
        ),
        consented(
            q(
                "select_one scale_5",
                "satisfaction",
                (
                    "Quanto sei soddisfatto/a delle attività a cui partecipi?",
                    "How satisfied are you with the activities you take part in?",
                ),
                required=True,
                appearance="likert",
            )
        ),
        consented(
            q(
                "select_one yes_no_unsure",
                "would_recommend",
                (
                    "Consiglieresti queste attività a un amico o a una persona cara?",
                    "Would you recommend these activities to a friend or someone close to you?",
                ),
                required=True,
            )
        ),
        consented(
            q(
                "text",
                "comments",
                (
                    "Vuoi aggiungere qualcosa? (facoltativo)",
                    "Anything you would like to add? (optional)",
                ),
                hint=(
                    "Non scrivere nomi o dati che possano identificarti.",
                    "Do not write names or details that could identify you.",
                ),
                appearance="multiline",
            )
        ),
    ]
    choice_rows = [
        *YES_NO,
        *choices(
            "yes_no_unsure",
            ("yes", "Sì", "Yes"),
            ("no", "No", "No"),
            ("unsure", "Non so", "Not sure"),
        ),
        *GENDER,
        *TERRITORY,
        *choices(
            "vulnerability",
            ("disability", "Disabilità", "Disability"),
            ("migrant_background", "Background migratorio", "Migrant background"),
            ("unemployment", "Disoccupazione", "Unemployment"),
            ("low_income", "Reddito basso", "Low income"),
            ("neet", "Né a scuola né al lavoro (NEET)", "Not in education or work (NEET)"),
            ("elderly_alone", "Persona anziana che vive sola", "Older person living alone"),
            ("other", "Altro", "Other"),
            ("none", "Nessuna", "None"),
        ),
        *choices(
            "education",
            ("primary", "Licenza elementare o nessun titolo", "Primary school or none"),
            ("lower_secondary", "Licenza media", "Lower secondary"),
            (
                "upper_secondary",
                "Diploma o qualifica professionale",
                "Upper secondary or vocational",
            ),
            ("tertiary", "Laurea o oltre", "University degree or higher"),
        ),
        *choices(
            "employment",
            ("employed", "Lavoro dipendente", "Employed"),
            ("self_employed", "Lavoro autonomo", "Self-employed"),
            ("unemployed", "In cerca di lavoro", "Unemployed, looking for work"),
            ("student", "Studente/studentessa", "Student"),
            ("training", "In formazione o tirocinio", "In training or work placement"),
            ("retired", "In pensione", "Retired"),
            ("other", "Altro", "Other"),
        ),
        *SCALE_5,
    ]
    settings = {
        "form_title": "Esiti per i beneficiari / Beneficiary outcomes",
        "form_id": "beneficiary_outcomes",
    }
    return survey, choice_rows, settings


def non_negative_integer(
    name: str, label: tuple[str, str], hint: tuple[str, str] | None = None, *, at_most: str = ""
) -> dict[str, Any]:
    """An integer count that cannot be negative and, if given, cannot exceed a total."""
    if at_most:
        constraint = f". >= 0 and . <= ${{{at_most}}}"
        message = (
            "Il numero non può essere negativo né superiore al totale indicato sopra.",
            "The number cannot be negative nor larger than the total given above.",
        )
    else:
        constraint = ". >= 0"
        message = ("Il numero non può essere negativo.", "The number cannot be negative.")
    return q(
        "integer",
        name,
        label,
        hint=hint,
        required=True,
        constraint=constraint,
        message=message,
    )


def organisation_self_report() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """The organisation's annual figures behind the simplified KPIs."""
    survey = [
        q(
            "note",
            "intro_note",
            (
                "Indica i dati dell'organizzazione per il periodo di rendicontazione (di solito "
                "l'anno solare). Conta ogni persona una sola volta.",
                "Give the organisation's figures for the reporting period (usually the calendar "
                "year). Count each person once.",
            ),
        ),
        q("begin_group", "people", ("Persone raggiunte", "People reached")),
        non_negative_integer(
            "people_reached",
            ("Persone raggiunte dalle attività", "People reached by the activities"),
            (
                "Beneficiari diretti distinti nel periodo.",
                "Distinct direct beneficiaries in the period.",
            ),
        ),
        non_negative_integer(
            "people_reached_youth_15_35",
            ("di cui giovani tra 15 e 35 anni", "of whom young people aged 15 to 35"),
            at_most="people_reached",
        ),
        non_negative_integer(
            "people_reached_vulnerable",
            (
                "di cui persone in condizione di vulnerabilità",
                "of whom people in vulnerable conditions",
            ),
            (
                "Disabilità, background migratorio, disoccupazione, basso reddito, NEET, "
                "anziani soli o altre condizioni di fragilità.",
                "Disability, migrant background, unemployment, low income, NEET, older people "
                "living alone or other conditions of fragility.",
            ),
            at_most="people_reached",
        ),
        non_negative_integer(
            "people_reached_mountain_rural",
            (
                "di cui residenti in comuni montani o rurali",
                "of whom living in mountain or rural municipalities",
            ),
            at_most="people_reached",
        ),
        non_negative_integer(
            "population_served",
            (
                "Persone a cui è stato proposto il questionario beneficiari",
                "People who were offered the beneficiary questionnaire",
            ),
            (
                "La popolazione da cui proviene il campione di risposte: serve a calcolare "
                "intervalli di confidenza più precisi.",
                "The population the responses are drawn from: it makes confidence intervals "
                "more precise (finite-population correction).",
            ),
            at_most="people_reached",
        ),
        q("end_group", "people", ("", "")),
        q("begin_group", "volunteering", ("Volontariato", "Volunteering")),
        non_negative_integer(
            "volunteers",
            ("Volontari attivi nel periodo", "Volunteers active in the period"),
        ),
        q(
            "decimal",
            "volunteer_hours",
            ("Ore di volontariato prestate", "Volunteer hours given"),
            hint=("Totale di tutti i volontari.", "Total across all volunteers."),
            required=True,
            constraint=". >= 0",
            message=("Le ore non possono essere negative.", "Hours cannot be negative."),
        ),
        q("end_group", "volunteering", ("", "")),
        q("begin_group", "work", ("Lavoro", "Work")),
        non_negative_integer(
            "workers_total",
            ("Lavoratori e lavoratrici (totale)", "Workers (total)"),
            ("Dipendenti e soci lavoratori.", "Employees and worker members."),
        ),
        non_negative_integer(
            "workers_disadvantaged",
            (
                "di cui persone svantaggiate o con disabilità",
                "of whom disadvantaged people or people with disabilities",
            ),
            (
                "Come definite dalla legge 381/1991 o dal d.lgs. 112/2017.",
                "As defined by Law 381/1991 or Legislative Decree 112/2017.",
            ),
            at_most="workers_total",
        ),
        non_negative_integer(
            "work_placements_disadvantaged",
            (
                "Tirocini e inserimenti lavorativi attivati per persone svantaggiate",
                "Work placements started for disadvantaged people",
            ),
        ),
        q("end_group", "work", ("", "")),
        q("begin_group", "economics", ("Dati economici", "Economic figures")),
        q(
            "decimal",
            "surplus",
            ("Avanzo (utile) di esercizio, in euro", "Surplus for the year, in euro"),
            hint=("Negativo in caso di disavanzo.", "Negative if there was a deficit."),
            required=True,
        ),
        q(
            "decimal",
            "surplus_reinvested",
            (
                "Parte dell'avanzo reinvestita nella missione, in euro",
                "Part of the surplus reinvested in the mission, in euro",
            ),
            hint=(
                "Destinata a riserve indivisibili o ad attività statutarie.",
                "Allocated to indivisible reserves or to the statutory activities.",
            ),
            required=True,
            constraint=". >= 0 and (. = 0 or . <= ${surplus})",
            message=(
                "La parte reinvestita non può essere negativa né superiore all'avanzo.",
                "The reinvested part cannot be negative nor larger than the surplus.",
            ),
        ),
        q("end_group", "economics", ("", "")),
        q("begin_group", "governance", ("Governance", "Governance")),
        non_negative_integer("members", ("Soci o associati", "Members")),
        non_negative_integer(
            "members_in_governance",
            (
                "di cui hanno partecipato ad almeno un'assemblea o organo di governo",
                "of whom took part in at least one assembly or governing body meeting",
            ),
            at_most="members",
        ),
        non_negative_integer(
            "board_members",
            ("Componenti dell'organo di amministrazione", "Members of the governing body"),
        ),
        non_negative_integer(
            "board_women",
            ("di cui donne", "of whom women"),
            at_most="board_members",
        ),
        q("end_group", "governance", ("", "")),
        q("begin_group", "partnerships", ("Partenariati attivi", "Active partnerships")),
        non_negative_integer(
            "partnerships_public",
            ("con enti pubblici", "with public bodies"),
            (
                "Accordi, convenzioni o progetti comuni attivi nel periodo.",
                "Agreements, contracts or joint projects active in the period.",
            ),
        ),
        non_negative_integer(
            "partnerships_private",
            ("con imprese private", "with private businesses"),
        ),
        non_negative_integer(
            "partnerships_third_sector",
            ("con altri enti del Terzo settore", "with other third-sector bodies"),
        ),
        q("end_group", "partnerships", ("", "")),
        q(
            "text",
            "notes",
            ("Note sui dati (facoltativo)", "Notes on the figures (optional)"),
            appearance="multiline",
        ),
    ]
    settings = {
        "form_title": ("Autovalutazione annuale dell'organizzazione / Organisation annual self-report"),
        "form_id": "organisation_self_report",
    }
    return survey, [], settings


def volunteer_survey() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """The volunteer survey."""
    survey = [
        CONSENT_QUESTION,
        CONSENT_DECLINED_NOTE,
        consented(AGE_QUESTION.copy()),
        consented(GENDER_QUESTION.copy()),
        consented(
            q(
                "decimal",
                "hours_in_period",
                (
                    "Quante ore di volontariato hai svolto nel periodo?",
                    "How many hours did you volunteer in the period?",
                ),
                hint=("Una stima va bene.", "An estimate is fine."),
                required=True,
                constraint=". >= 0 and . <= 5000",
                message=(
                    "Indica un numero di ore tra 0 e 5000.",
                    "Give a number of hours between 0 and 5000.",
                ),
            )
        ),
        consented(
            q(
                "select_one scale_5",
                "satisfaction",
                (
                    "Quanto sei soddisfatto/a della tua esperienza di volontariato?",
                    "How satisfied are you with your volunteering experience?",
                ),
                required=True,
                appearance="likert",
            )
        ),
        consented(
            q(
                "select_multiple skills",
                "skills_gained",
                (
                    "Quali competenze hai sviluppato facendo volontariato?",
                    "Which skills have you developed through volunteering?",
                ),
                hint=("Puoi sceglierne più di una.", "You may choose more than one."),
                constraint="not(selected(., 'none') and count-selected(.) > 1)",
                message=(
                    "«Nessuna» non può essere scelta insieme ad altre competenze.",
                    "'None' cannot be chosen together with other skills.",
                ),
            )
        ),
        consented(
            q(
                "select_one continue_intention",
                "intends_to_continue",
                (
                    "Pensi di continuare a fare volontariato con noi il prossimo anno?",
                    "Do you intend to keep volunteering with us next year?",
                ),
                required=True,
            )
        ),
        consented(
            q(
                "text",
                "comments",
                ("Vuoi aggiungere qualcosa? (facoltativo)", "Anything to add? (optional)"),
                appearance="multiline",
            )
        ),
    ]
    choice_rows = [
        *YES_NO,
        *GENDER,
        *SCALE_5,
        *choices(
            "skills",
            ("teamwork", "Lavoro di squadra", "Teamwork"),
            ("communication", "Comunicazione", "Communication"),
            ("organisation", "Organizzazione", "Organisation"),
            ("digital", "Competenze digitali", "Digital skills"),
            ("care", "Cura e relazione d'aiuto", "Care and helping relationships"),
            ("leadership", "Leadership", "Leadership"),
            (
                "technical",
                "Competenze tecniche o professionali",
                "Technical or professional skills",
            ),
            ("none", "Nessuna", "None"),
        ),
        *choices(
            "continue_intention",
            ("yes", "Sì", "Yes"),
            ("maybe", "Forse", "Maybe"),
            ("no", "No", "No"),
        ),
    ]
    settings = {
        "form_title": "Questionario volontari / Volunteer survey",
        "form_id": "volunteer_survey",
    }
    return survey, choice_rows, settings


def write_form(
    path: Path,
    survey: list[dict[str, Any]],
    choice_rows: list[dict[str, Any]],
    settings: dict[str, str],
) -> None:
    """Write one XLSForm workbook with fixed metadata, so rebuilding gives the same bytes."""
    workbook = Workbook()
    bold = Font(bold=True)
    sheets: list[tuple[str, list[str], list[dict[str, Any]]]] = [
        ("survey", SURVEY_COLUMNS, survey),
        ("choices", CHOICE_COLUMNS, choice_rows),
        (
            "settings",
            SETTINGS_COLUMNS,
            [{**settings, "version": VERSION, "default_language": DEFAULT_LANGUAGE}],
        ),
    ]
    first = True
    for title, columns, rows in sheets:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            # A plain string, never a number or a formula: the version "2026.1" must stay text.
            sheet.append([str(row.get(column, "")) or None for column in columns])
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "impactkit"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    _write_with_fixed_zip_times(buffer.getvalue(), path)


def _write_with_fixed_zip_times(data: bytes, path: Path) -> None:
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into "modified"; pin it to keep builds identical.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    content,
                )
            target.writestr(fixed, content)


FORMS = {
    "beneficiary_outcomes": beneficiary_outcomes,
    "organisation_self_report": organisation_self_report,
    "volunteer_survey": volunteer_survey,
}


def all_forms() -> dict[str, Any]:
    """Every shipped form's builder: the general forms above and the sector frameworks' forms."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    from shipped_sector_surveys import SECTOR_FORMS

    return {**FORMS, **SECTOR_FORMS}


def main() -> None:
    """Build every shipped form into ``surveys/``."""
    SURVEYS_DIR.mkdir(exist_ok=True)
    for form_id, build in all_forms().items():
        survey, choice_rows, settings = build()
        path = SURVEYS_DIR / f"{form_id}.xlsx"
        write_form(path, survey, choice_rows, settings)
        print(f"wrote {path.relative_to(SURVEYS_DIR.parent)}")


if __name__ == "__main__":
    main()
