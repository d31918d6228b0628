"""The sector frameworks' survey forms, built by ``build_shipped_surveys.py`` like the others.

Each form feeds one framework in ``frameworks/`` (work integration, care, youth and NEET,
culture and community). Where a validated public scale is used its wording is the published
one, cited in the form's first note and in ``docs/frameworks.md``:

- WHO-5 Well-Being Index (WHO Collaborating Centre in Mental Health, Psychiatric Research Unit,
  1998; free to use). The Italian wording here is impactkit's own translation.
- UCLA three-item loneliness scale (Hughes, Waite, Hawkley and Cacioppo, Research on Aging 26(6),
  2004), and the direct question "How often do you feel lonely?", both as recommended by the ONS
  (Measuring loneliness: guidance for use of the national indicators on surveys, 2018; Open
  Government Licence). The Italian wording is impactkit's own translation.
- ONS4 personal wellbeing questions (Office for National Statistics; Open Government Licence).
  The Italian life-satisfaction question is ISTAT's own wording (Aspetti della vita quotidiana:
  "Attualmente, quanto si ritiene soddisfatto della sua vita nel complesso?", 0–10); the other
  three Italian items are impactkit's own translation.

Every other question is impactkit's own.
"""

from __future__ import annotations

from typing import Any

from build_shipped_surveys import (
    AGE_QUESTION,
    CONSENT_DECLINED_NOTE,
    CONSENT_QUESTION,
    GENDER,
    GENDER_QUESTION,
    TERRITORY,
    YES_NO,
    choices,
    consented,
    q,
)

Form = tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]

CODE_QUESTION = q(
    "text",
    "respondent_code",
    ("Codice partecipante", "Participant code"),
    hint=(
        "Il codice assegnato dall'organizzazione (non il nome), per esempio TO-0042: collega le "
        "risposte di inizio e fine percorso.",
        "The code the organisation assigned (not the name), for example TO-0042: it links the "
        "answers at the start and at the end.",
    ),
    required=True,
    constraint="regex(., '^[A-Z0-9]{2,8}-[0-9]{1,6}$')",
    message=(
        "Il codice è fatto di 2–8 lettere maiuscole o cifre, un trattino e 1–6 cifre (es. TO-0042).",
        "The code is 2–8 capital letters or digits, a hyphen and 1–6 digits (e.g. TO-0042).",
    ),
)
TERRITORY_QUESTION = q(
    "select_one territory_type",
    "territory_type",
    ("Dove vivi?", "Where do you live?"),
    hint=("Il tipo di territorio del tuo comune.", "The kind of area of your municipality."),
    required=True,
)


def _who(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [consented(dict(row)) for row in rows]


def _integer(
    name: str, label: tuple[str, str], low: int, high: int, *, required: bool = True, relevant: str = ""
) -> dict[str, Any]:
    return q(
        "integer",
        name,
        label,
        required=required,
        relevant=relevant,
        constraint=f". >= {low} and . <= {high}",
        message=(f"Un numero intero da {low} a {high}.", f"A whole number from {low} to {high}."),
    )


def _scale_0_10(
    name: str, label: tuple[str, str], low: tuple[str, str], high: tuple[str, str]
) -> dict[str, Any]:
    return q(
        "integer",
        name,
        label,
        hint=(f"0 = {low[0]}, 10 = {high[0]}.", f"0 = {low[1]}, 10 = {high[1]}."),
        required=True,
        constraint=". >= 0 and . <= 10",
        message=("Un numero intero da 0 a 10.", "A whole number from 0 to 10."),
        appearance="",
    )


# --- validated scales ------------------------------------------------------------------------

WHO5_NOTE = q(
    "note",
    "who5_note",
    (
        "Per ognuna delle cinque affermazioni indica quella che più si avvicina a come ti sei "
        "sentito/a nelle ultime due settimane. (Indice di benessere WHO-5, OMS 1998; traduzione "
        "italiana di impactkit)",
        "For each of the five statements, choose the answer closest to how you have been feeling "
        "over the last two weeks. (WHO-5 Well-Being Index, WHO 1998)",
    ),
)
WHO5_ITEMS = [
    (
        "who5_cheerful",
        "Mi sono sentito/a allegro/a e di buon umore",
        "I have felt cheerful and in good spirits",
    ),
    ("who5_calm", "Mi sono sentito/a calmo/a e rilassato/a", "I have felt calm and relaxed"),
    ("who5_active", "Mi sono sentito/a attivo/a ed energico/a", "I have felt active and vigorous"),
    ("who5_rested", "Mi sono svegliato/a fresco/a e riposato/a", "I woke up feeling fresh and rested"),
    (
        "who5_interest",
        "La mia vita di tutti i giorni è stata piena di cose che mi interessano",
        "My daily life has been filled with things that interest me",
    ),
]
WHO5_CHOICES = choices(
    "who5",
    ("5", "Sempre", "All of the time"),
    ("4", "Quasi sempre", "Most of the time"),
    ("3", "Più della metà del tempo", "More than half of the time"),
    ("2", "Meno della metà del tempo", "Less than half of the time"),
    ("1", "Qualche volta", "Some of the time"),
    ("0", "Mai", "At no time"),
)


def who5_questions() -> list[dict[str, Any]]:
    """The five WHO-5 items (0–5 each; raw score 0–25, ×4 for the 0–100 percentage score)."""
    return [WHO5_NOTE] + [
        q("select_one who5", name, (it, en), required=True, appearance="likert")
        for name, it, en in WHO5_ITEMS
    ]


UCLA3_NOTE = q(
    "note",
    "ucla3_note",
    (
        "Le prossime domande riguardano come ti senti nei confronti degli altri. (Scala della "
        "solitudine UCLA a tre domande, Hughes et al. 2004; traduzione italiana di impactkit)",
        "The next questions are about how you feel about other people. (UCLA three-item "
        "loneliness scale, Hughes et al. 2004)",
    ),
)
UCLA3_ITEMS = [
    (
        "ucla_companionship",
        "Quanto spesso senti la mancanza di compagnia?",
        "How often do you feel that you lack companionship?",
    ),
    ("ucla_left_out", "Quanto spesso ti senti escluso/a?", "How often do you feel left out?"),
    (
        "ucla_isolated",
        "Quanto spesso ti senti isolato/a dagli altri?",
        "How often do you feel isolated from others?",
    ),
]
UCLA3_CHOICES = choices(
    "ucla3",
    ("1", "Quasi mai o mai", "Hardly ever or never"),
    ("2", "Qualche volta", "Some of the time"),
    ("3", "Spesso", "Often"),
)
LONELY_DIRECT = q(
    "select_one lonely_direct",
    "lonely_direct",
    ("Quanto spesso ti senti solo/a?", "How often do you feel lonely?"),
    required=True,
)
LONELY_DIRECT_CHOICES = choices(
    "lonely_direct",
    ("often_always", "Spesso o sempre", "Often/always"),
    ("some_of_the_time", "Qualche volta", "Some of the time"),
    ("occasionally", "Ogni tanto", "Occasionally"),
    ("hardly_ever", "Quasi mai", "Hardly ever"),
    ("never", "Mai", "Never"),
)


def ucla3_questions() -> list[dict[str, Any]]:
    """UCLA-3 (1–3 each, total 3–9, higher = lonelier) and the ONS direct question."""
    return (
        [UCLA3_NOTE]
        + [q("select_one ucla3", name, (it, en), required=True) for name, it, en in UCLA3_ITEMS]
        + [LONELY_DIRECT]
    )


ONS4_NOTE = q(
    "note",
    "ons4_note",
    (
        "Ora quattro domande sul tuo benessere, con un punteggio da 0 a 10. (Domande sul benessere "
        "personale dell'ONS; la prima con la formulazione dell'Istat)",
        "Now four questions about your wellbeing, on a scale from 0 to 10. (ONS personal "
        "wellbeing questions)",
    ),
)


def ons4_questions() -> list[dict[str, Any]]:
    """ONS4: life satisfaction, worthwhile, happiness yesterday, anxiety yesterday (0–10)."""
    not_at_all = ("per niente", "not at all")
    return [
        ONS4_NOTE,
        _scale_0_10(
            "life_satisfaction",
            (
                "Attualmente, quanto si ritiene soddisfatto della sua vita nel complesso?",
                "Overall, how satisfied are you with your life nowadays?",
            ),
            ("per niente soddisfatto", "not at all"),
            ("molto soddisfatto", "completely"),
        ),
        _scale_0_10(
            "worthwhile",
            (
                "Nel complesso, quanto senti che le cose che fai nella tua vita valgono la pena?",
                "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
            ),
            not_at_all,
            ("del tutto", "completely"),
        ),
        _scale_0_10(
            "happy_yesterday",
            (
                "Nel complesso, quanto ti sei sentito/a felice ieri?",
                "Overall, how happy did you feel yesterday?",
            ),
            not_at_all,
            ("del tutto", "completely"),
        ),
        _scale_0_10(
            "anxious_yesterday",
            (
                "Nel complesso, quanto ti sei sentito/a ansioso/a ieri?",
                "Overall, how anxious did you feel yesterday?",
            ),
            ("per niente ansioso/a", "not at all anxious"),
            ("completamente ansioso/a", "completely anxious"),
        ),
    ]


# --- the four forms --------------------------------------------------------------------------


def work_integration_followup() -> Form:
    """One record per person placed, at placement and at the 6- and 12-month follow-ups."""
    survey = [
        CONSENT_QUESTION,
        CONSENT_DECLINED_NOTE,
        *_who(
            [
                CODE_QUESTION,
                q(
                    "select_one followup",
                    "followup",
                    ("Momento della rilevazione", "When this record is taken"),
                    hint=(
                        "All'avvio dell'inserimento, a 6 mesi o a 12 mesi.",
                        "At the start of the placement, at 6 months or at 12 months.",
                    ),
                    required=True,
                ),
                GENDER_QUESTION,
                AGE_QUESTION,
                TERRITORY_QUESTION,
                q(
                    "select_one disadvantage",
                    "disadvantage",
                    (
                        "Condizione di svantaggio principale (legge 381/1991, art. 4, o svantaggio "
                        "ai sensi del Reg. UE 651/2014)",
                        "Main disadvantage (Italian law 381/1991, art. 4, or disadvantage under EU "
                        "Regulation 651/2014)",
                    ),
                    required=True,
                ),
                q(
                    "select_one yes_no",
                    "in_work",
                    ("La persona sta lavorando?", "Is the person in work?"),
                    hint=(
                        "Con la cooperativa o con un altro datore di lavoro.",
                        "With the cooperative or with another employer.",
                    ),
                    required=True,
                ),
                q(
                    "select_one contract",
                    "contract_type",
                    ("Tipo di contratto", "Type of contract"),
                    required=True,
                    relevant="${in_work} = 'yes'",
                ),
                _integer(
                    "hours_per_week",
                    ("Ore di lavoro a settimana", "Working hours per week"),
                    1,
                    60,
                    relevant="${in_work} = 'yes'",
                ),
                _integer(
                    "monthly_net_income",
                    ("Reddito netto mensile da lavoro (euro)", "Monthly net earnings from work (euro)"),
                    0,
                    10000,
                    relevant="${in_work} = 'yes'",
                ),
                _integer(
                    "training_hours",
                    ("Ore di formazione ricevute nel periodo", "Hours of training received in the period"),
                    0,
                    2000,
                ),
            ]
        ),
    ]
    choice_rows = [
        *YES_NO,
        *GENDER,
        *TERRITORY,
        *choices(
            "followup",
            ("placement", "Avvio dell'inserimento", "Start of the placement"),
            ("month_6", "Dopo 6 mesi", "After 6 months"),
            ("month_12", "Dopo 12 mesi", "After 12 months"),
        ),
        *choices(
            "disadvantage",
            (
                "disability",
                "Disabilità fisica, psichica o sensoriale",
                "Physical, mental or sensory disability",
            ),
            ("psychiatric", "Persona in trattamento psichiatrico", "Person in psychiatric care"),
            ("addiction", "Dipendenza (droghe o alcol)", "Addiction (drugs or alcohol)"),
            ("justice", "Detenuto/a o in misura alternativa", "Prisoner or on an alternative measure"),
            ("minor", "Minore in difficoltà familiare", "Minor in family difficulty"),
            ("long_unemployed", "Disoccupazione di lunga durata", "Long-term unemployment"),
            ("other", "Altro svantaggio", "Other disadvantage"),
        ),
        *choices(
            "contract",
            ("permanent", "A tempo indeterminato", "Open-ended"),
            ("fixed_term", "A tempo determinato", "Fixed-term"),
            ("traineeship", "Tirocinio", "Traineeship"),
            ("other", "Altro", "Other"),
        ),
    ]
    settings = {
        "form_title": "Inserimento lavorativo / Work integration follow-up",
        "form_id": "work_integration_followup",
    }
    return survey, choice_rows, settings


def care_outcomes() -> Form:
    """People cared for (autonomy, loneliness) and their family carers (relief), at both waves."""
    cared_for = "${respondent_role} = 'cared_for'"
    carer = "${respondent_role} = 'carer'"
    autonomy = [
        ("adl_washing", "lavarti", "washing yourself"),
        ("adl_dressing", "vestirti", "getting dressed"),
        ("adl_meals", "prepararti da mangiare", "preparing a meal"),
        ("adl_going_out", "uscire di casa", "going out of the house"),
        ("adl_medicines", "prendere le medicine giuste", "taking the right medicines"),
    ]
    survey = [
        CONSENT_QUESTION,
        CONSENT_DECLINED_NOTE,
        *_who(
            [
                CODE_QUESTION,
                q(
                    "select_one respondent_role",
                    "respondent_role",
                    ("Chi risponde?", "Who is answering?"),
                    required=True,
                ),
                GENDER_QUESTION,
                AGE_QUESTION,
                TERRITORY_QUESTION,
                q(
                    "note",
                    "autonomy_note",
                    (
                        "Nelle ultime due settimane, riesci a fare da solo/a queste cose?",
                        "Over the last two weeks, have you been able to do these things on your own?",
                    ),
                    relevant=cared_for,
                ),
                *[
                    q(
                        "select_one autonomy",
                        name,
                        (f"Riesci a {it}?", f"Can you manage {en}?"),
                        required=True,
                        relevant=cared_for,
                    )
                    for name, it, en in autonomy
                ],
                *[{**row, "relevant": cared_for} for row in ucla3_questions()],
                _integer(
                    "care_hours_week",
                    (
                        "Quante ore a settimana dedichi alla cura del tuo familiare?",
                        "How many hours a week do you spend caring for your relative?",
                    ),
                    0,
                    168,
                    relevant=carer,
                ),
                _integer(
                    "respite_hours_week",
                    (
                        "Quante ore a settimana di sollievo ti danno i nostri servizi (ore in cui "
                        "qualcun altro si prende cura del tuo familiare)?",
                        "How many hours of relief a week do our services give you (hours in which "
                        "someone else looks after your relative)?",
                    ),
                    0,
                    168,
                    relevant=carer,
                ),
                q(
                    "select_one strain",
                    "carer_strain",
                    (
                        "Quanto ti senti sopraffatto/a dal compito di cura?",
                        "How overwhelmed do you feel by caring?",
                    ),
                    required=True,
                    relevant=carer,
                    appearance="likert",
                ),
            ]
        ),
    ]
    choice_rows = [
        *YES_NO,
        *GENDER,
        *TERRITORY,
        *choices(
            "respondent_role",
            ("cared_for", "La persona assistita", "The person cared for"),
            ("carer", "Un familiare che se ne prende cura", "A family carer"),
        ),
        *choices(
            "autonomy",
            ("2", "Sì, da solo/a", "Yes, on my own"),
            ("1", "Sì, con un aiuto", "Yes, with some help"),
            ("0", "No", "No"),
        ),
        *UCLA3_CHOICES,
        *LONELY_DIRECT_CHOICES,
        *choices(
            "strain",
            ("1", "1 – per niente", "1 – not at all"),
            ("2", "2 – poco", "2 – a little"),
            ("3", "3 – abbastanza", "3 – moderately"),
            ("4", "4 – molto", "4 – very"),
            ("5", "5 – del tutto", "5 – completely"),
        ),
    ]
    settings = {"form_title": "Esiti della cura / Care outcomes", "form_id": "care_outcomes"}
    return survey, choice_rows, settings


def youth_pathways() -> Form:
    """Young people aged 15–35 at the start and at the end: status, learning, wellbeing."""
    youth_age = q(
        "integer",
        "age",
        ("Quanti anni hai?", "How old are you?"),
        required=True,
        constraint=". >= 15 and . <= 35",
        message=(
            "Questo questionario è per giovani tra 15 e 35 anni.",
            "This questionnaire is for young people aged 15 to 35.",
        ),
    )
    survey = [
        CONSENT_QUESTION,
        CONSENT_DECLINED_NOTE,
        *_who(
            [
                CODE_QUESTION,
                GENDER_QUESTION,
                youth_age,
                TERRITORY_QUESTION,
                q(
                    "select_one status",
                    "status",
                    ("Qual è la tua situazione oggi?", "What is your situation today?"),
                    required=True,
                ),
                q(
                    "select_one yes_no",
                    "course_started",
                    (
                        "Hai iniziato un corso di studio o di formazione negli ultimi 6 mesi?",
                        "Have you started a course of study or training in the last 6 months?",
                    ),
                    required=True,
                ),
                q(
                    "select_one yes_no",
                    "qualification_obtained",
                    (
                        "Hai ottenuto un titolo di studio, una qualifica o una certificazione negli "
                        "ultimi 6 mesi?",
                        "Have you obtained a qualification or certificate in the last 6 months?",
                    ),
                    required=True,
                ),
                *who5_questions(),
                *ons4_questions(),
            ]
        ),
    ]
    choice_rows = [
        *YES_NO,
        *GENDER,
        *TERRITORY,
        *choices(
            "status",
            ("employed", "Lavoro come dipendente", "Employed"),
            ("self_employed", "Lavoro in proprio", "Self-employed"),
            ("education", "Studio (scuola o università)", "In education (school or university)"),
            ("training", "Sono in formazione o tirocinio", "In training or a traineeship"),
            (
                "neet_looking",
                "Non studio né lavoro e cerco lavoro",
                "Not in education or work, looking for work",
            ),
            (
                "neet_not_looking",
                "Non studio né lavoro e non cerco lavoro",
                "Not in education or work, not looking for work",
            ),
        ),
        *WHO5_CHOICES,
    ]
    settings = {"form_title": "Percorsi dei giovani / Youth pathways", "form_id": "youth_pathways"}
    return survey, choice_rows, settings


def community_participation() -> Form:
    """Participants in cultural and community activities: participation, connections, giving."""
    survey = [
        CONSENT_QUESTION,
        CONSENT_DECLINED_NOTE,
        *_who(
            [
                CODE_QUESTION,
                GENDER_QUESTION,
                AGE_QUESTION,
                TERRITORY_QUESTION,
                _integer(
                    "events_attended",
                    (
                        "A quante attività o eventi dell'organizzazione hai partecipato negli ultimi 3 mesi?",
                        "How many of the organisation's activities or events did you take part in over "
                        "the last 3 months?",
                    ),
                    0,
                    200,
                ),
                q(
                    "select_one yes_no",
                    "first_time",
                    (
                        "È il primo anno in cui partecipi alle nostre attività?",
                        "Is this the first year you take part in our activities?",
                    ),
                    required=True,
                ),
                _integer(
                    "new_people_met",
                    (
                        "Quante persone nuove, che rivedresti volentieri, hai conosciuto grazie "
                        "alle attività?",
                        "How many new people, whom you would gladly see again, have you met through "
                        "the activities?",
                    ),
                    0,
                    500,
                ),
                *ucla3_questions(),
                q(
                    "select_one yes_no",
                    "volunteered",
                    (
                        "Negli ultimi 12 mesi hai svolto attività di volontariato?",
                        "Have you volunteered in the last 12 months?",
                    ),
                    required=True,
                ),
                _integer(
                    "volunteer_hours_month",
                    ("Quante ore al mese, in media?", "How many hours a month, on average?"),
                    1,
                    300,
                    relevant="${volunteered} = 'yes'",
                ),
                *ons4_questions(),
            ]
        ),
    ]
    choice_rows = [*YES_NO, *GENDER, *TERRITORY, *UCLA3_CHOICES, *LONELY_DIRECT_CHOICES]
    settings = {
        "form_title": "Partecipazione e comunità / Community participation",
        "form_id": "community_participation",
    }
    return survey, choice_rows, settings


SECTOR_FORMS = {
    "work_integration_followup": work_integration_followup,
    "care_outcomes": care_outcomes,
    "youth_pathways": youth_pathways,
    "community_participation": community_participation,
}
