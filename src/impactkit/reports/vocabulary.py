"""Words a reader sees instead of impactkit's codes: legal forms, territories, breakdown categories,
units and KPI methods, in Italian and English — for the documents and the workbook alike.

>>> term("legal_form", "social_cooperative_b", "it"), term("territory_type", "urban", "en")
('Cooperativa sociale di tipo B', 'urban')
>>> term("category", "nonbinary", "it"), unit_label("people", "it"), unit_label("score 1–5", "en")
('non binario', 'persone', 'score 1–5')
>>> method_text("Wilson score interval (statsmodels proportion_confint)", "it")[:30]
'Quota con intervallo di Wilson'
"""

from __future__ import annotations

from typing import Final

_TERMS: Final[dict[str, dict[str, dict[str, str]]]] = {
    "legal_form": {
        "social_cooperative_a": {"it": "Cooperativa sociale di tipo A", "en": "Social cooperative, type A"},
        "social_cooperative_b": {"it": "Cooperativa sociale di tipo B", "en": "Social cooperative, type B"},
        "aps": {"it": "Associazione di promozione sociale (APS)", "en": "Social promotion association (APS)"},
        "odv": {"it": "Organizzazione di volontariato (ODV)", "en": "Volunteer organisation (ODV)"},
        "social_enterprise": {"it": "Impresa sociale", "en": "Social enterprise"},
        "benefit_company": {"it": "Società benefit", "en": "Benefit company"},
        "foundation": {"it": "Fondazione", "en": "Foundation"},
        "association": {"it": "Associazione", "en": "Association"},
        "siavs": {
            "it": "Start-up innovativa a vocazione sociale (SIAVS)",
            "en": "Innovative social start-up (SIAVS)",
        },
        "other_ets": {"it": "Altro ente del Terzo settore", "en": "Other third-sector body"},
        "other": {"it": "Altro", "en": "Other"},
    },
    "territory_type": {
        "urban": {"it": "urbano", "en": "urban"},
        "rural": {"it": "rurale", "en": "rural"},
        "mountain": {"it": "montano", "en": "mountain"},
    },
    "dimension": {
        "gender": {"it": "Genere", "en": "Gender"},
        "age_band": {"it": "Fascia d'età", "en": "Age band"},
        "youth_15_35": {"it": "Giovani 15–35", "en": "Young people 15–35"},
        "territory_type": {"it": "Territorio", "en": "Territory"},
        "zone": {"it": "Zona omogenea", "en": "Homogeneous zone"},
        "partner_kind": {"it": "Tipo di partner", "en": "Kind of partner"},
    },
    "category": {
        "female": {"it": "donne", "en": "women"},
        "male": {"it": "uomini", "en": "men"},
        "nonbinary": {"it": "non binario", "en": "non-binary"},
        "undisclosed": {"it": "non dichiarato", "en": "not stated"},
        "yes": {"it": "sì", "en": "yes"},
        "no": {"it": "no", "en": "no"},
        "urban": {"it": "urbano", "en": "urban"},
        "rural": {"it": "rurale", "en": "rural"},
        "mountain": {"it": "montano", "en": "mountain"},
        "15-35": {"it": "15–35 anni", "en": "15–35 years"},
        "36-64": {"it": "36–64 anni", "en": "36–64 years"},
        "65+": {"it": "65 anni e oltre", "en": "65 years and over"},
        "0-14": {"it": "0–14 anni", "en": "0–14 years"},
        "unknown": {"it": "non noto", "en": "unknown"},
        "public": {"it": "enti pubblici", "en": "public bodies"},
        "private": {"it": "imprese private", "en": "private companies"},
        "third_sector": {"it": "enti del Terzo settore", "en": "third-sector bodies"},
    },
    "unit": {
        "people": {"it": "persone", "en": "people"},
        "hours": {"it": "ore", "en": "hours"},
        "share": {"it": "quota (%)", "en": "share (%)"},
        "partnerships": {"it": "partenariati", "en": "partnerships"},
        "placements": {"it": "inserimenti", "en": "placements"},
        "euro": {"it": "euro", "en": "euro"},
        "EUR": {"it": "euro", "en": "euro"},
        "months": {"it": "mesi", "en": "months"},
        "years": {"it": "anni", "en": "years"},
    },
}

# Method texts are written by the KPI code in English; a reader gets the family of the method in
# their language (the full technical text stays in the frozen content and the data dictionary).
_METHODS: Final[tuple[tuple[str, dict[str, str]], ...]] = (
    (
        "share improved",
        {
            "it": "Quota di chi migliora tra inizio e fine percorso (intervallo di Wilson); cambiamento "
            "medio con intervallo t; test t per dati appaiati e test di Wilcoxon",
            "en": "Share improving from baseline to endline (Wilson interval); mean change with a "
            "t interval; paired t-test and Wilcoxon signed-rank test",
        },
    ),
    (
        "ratio of reported",
        {
            "it": "Rapporto tra dati dichiarati dall'ente (somma dei numeratori / somma dei denominatori)",
            "en": "Ratio of figures reported by the organisation (sum of numerators / sum of denominators)",
        },
    ),
    (
        "reported figure",
        {
            "it": "Dato dichiarato dall'ente (ultima dichiarazione del periodo)",
            "en": "Figure reported by the organisation (latest report of the period)",
        },
    ),
    (
        "Wilson",
        {
            "it": "Quota con intervallo di Wilson, correzione per popolazione finita",
            "en": "Share with a Wilson score interval, finite-population correction",
        },
    ),
    (
        "t interval",
        {
            "it": "Media con intervallo t, correzione per popolazione finita",
            "en": "Mean with a t interval, finite-population correction",
        },
    ),
    (
        "median",
        {
            "it": "Mediana con intervallo non parametrico (ranghi binomiali)",
            "en": "Median with a distribution-free interval (binomial ranks)",
        },
    ),
)


def term(kind: str, code: str | None, language: str) -> str:
    """The reader's word for ``code`` of ``kind`` (legal_form, territory_type, dimension, category,
    unit); an unknown code is returned as it is, an empty one as ``""``."""
    if not code:
        return ""
    found = _TERMS.get(kind, {}).get(code)
    if found is None:
        return code
    return found.get(language) or found.get("it") or code


def unit_label(unit: str | None, language: str) -> str:
    """A KPI's unit in the report language (scores keep their scale, e.g. ``score 1–5``)."""
    if not unit:
        return ""
    if unit.startswith("score"):
        return unit.replace("score", "punteggio", 1) if language == "it" else unit
    return term("unit", unit, language)


def method_text(method: str | None, language: str) -> str:
    """The family of a KPI's method in the report language; unknown methods as written."""
    if not method:
        return ""
    for marker, texts in _METHODS:
        if marker in method:
            return texts.get(language) or texts["en"]
    return method


__all__ = ["method_text", "term", "unit_label"]
