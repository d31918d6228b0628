"""The theory of change of a framework as a printable document (HTML, and PDF by WeasyPrint).

Activities → outputs → outcomes → the indicators that measure them, with each indicator's
definition, unit and target: what an organisation attaches to a funding application.
Nothing in the document is fetched: WeasyPrint gets the HTML and its CSS as strings, and a
URL fetcher that refuses every address.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from impactkit.frameworks.model import ChangeStep, Framework

_HERE = Path(__file__).resolve().parent

TEXT: dict[str, dict[str, str]] = {
    "theory_of_change": {"it": "Teoria del cambiamento", "en": "Theory of change"},
    "activities": {"it": "Attività", "en": "Activities"},
    "outputs": {"it": "Realizzazioni (output)", "en": "Outputs"},
    "outcomes": {"it": "Esiti (outcome)", "en": "Outcomes"},
    "indicators": {"it": "Indicatori", "en": "Indicators"},
    "indicator": {"it": "Indicatore", "en": "Indicator"},
    "unit": {"it": "Unità", "en": "Unit"},
    "target": {"it": "Obiettivo", "en": "Target"},
    "at_least": {"it": "almeno", "en": "at least"},
    "at_most": {"it": "al massimo", "en": "at most"},
    "leads_to": {"it": "porta a", "en": "leads to"},
    "measured_by": {"it": "misurato da", "en": "measured by"},
    "none": {"it": "—", "en": "—"},
    "based_on": {"it": "Costruito a partire da", "en": "Designed from"},
    "version": {"it": "versione", "en": "version"},
    "value": {"it": "Valore monetario", "en": "Money value"},
    "not_monetised": {
        "it": "Contato, non monetizzato (nessun proxy con fonte verificabile)",
        "en": "Counted, not monetised (no proxy with a checkable source)",
    },
    "no_theory": {
        "it": "La teoria del cambiamento non è ancora stata descritta.",
        "en": "The theory of change has not been described yet.",
    },
    "sources": {
        "it": "Ogni indicatore è calcolato da impactkit come descritto; gli identificativi restano "
        "stabili tra le versioni, così i valori sono confrontabili.",
        "en": "impactkit computes every indicator as described; ids stay stable across versions, "
        "so values are comparable.",
    },
}

CSS = (_HERE / "theory_of_change.css").read_text(encoding="utf-8")

TEMPLATE = (_HERE / "theory_of_change.html.j2").read_text(encoding="utf-8")

_ENVIRONMENT = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def _number_in(lang: str) -> Any:
    """A number written the way the language writes it (18,57 in Italian), by Babel."""
    from babel.numbers import format_decimal

    return lambda value: format_decimal(value, locale="it_IT" if lang == "it" else "en_GB")


def _text(key: str, lang: str) -> str:
    return TEXT[key][lang]


def monetisation(framework: Framework, indicator_id: str, lang: str, number: Any = None) -> str:
    """How an indicator is valued: its proxy with value, price year and source, or "counted, not
    monetised" when it names none (or one that exists nowhere)."""
    from impactkit.errors import FrameworkError
    from impactkit.frameworks.proxies import shipped_proxy_bank

    format_number = number or _number_in(lang)
    name = framework.indicator(indicator_id).proxy
    entries = {p.id: p for p in framework.proxies}
    with contextlib.suppress(FrameworkError):
        entries = {p.id: p for p in shipped_proxy_bank().proxies} | entries
    entry = entries.get(name or "")
    if entry is None:
        return _text("not_monetised", lang)
    unit = getattr(entry.unit, lang)
    return (
        f"{getattr(entry.labels, lang)}: {format_number(entry.value)} {entry.currency} / {unit} "
        f"({entry.price_year}, {entry.geography}) — {entry.source.citation()}"
    )


def theory_of_change_context(framework: Framework, lang: str, number: Any = None) -> dict[str, Any]:
    """What the document shows, as plain data (the web page renders the same data).

    Args:
        framework: the framework.
        lang: ``it`` or ``en``.
        number: formats a target value (default: ``str``); the page passes Babel's.
    """
    format_number = number or _number_in(lang)
    labels = {i.id: getattr(i.labels, lang) for i in framework.indicators}
    toc = framework.theory_of_change

    def boxes(steps: list[ChangeStep], names: dict[str, str], verb: str) -> list[dict[str, str]]:
        return [
            {
                "id": step.id,
                "text": getattr(step.text, lang),
                "next": "; ".join(names.get(x, x) for x in step.leads_to),
                "verb": _text(verb, lang),
            }
            for step in steps
        ]

    columns: list[list[dict[str, str]]] = []
    if toc is not None:
        outputs = {s.id: getattr(s.text, lang) for s in toc.outputs}
        outcomes = {s.id: getattr(s.text, lang) for s in toc.outcomes}
        measured = {x for s in toc.outcomes for x in s.leads_to}
        columns = [
            boxes(toc.activities, outputs, "leads_to"),
            boxes(toc.outputs, outcomes, "leads_to"),
            boxes(toc.outcomes, labels, "measured_by"),
            [
                {"id": f"indicator-{i.id}", "text": labels[i.id], "next": "", "verb": ""}
                for i in framework.indicators
                if i.id in measured
            ],
        ]
    indicators = []
    for indicator in framework.indicators:
        target = _text("none", lang)
        if indicator.target is not None:
            target = f"{_text(indicator.target.direction, lang)} {format_number(indicator.target.value)}"
        indicators.append(
            {
                "id": indicator.id,
                "label": labels[indicator.id],
                "definition": getattr(indicator.definition, lang),
                "unit": indicator.unit,
                "target": target,
                "value": monetisation(framework, indicator.id, lang, number),
            }
        )
    return {
        "lang": lang,
        "framework": framework,
        "title": getattr(framework.title, lang),
        "description": getattr(framework.description, lang),
        "toc": toc is not None,
        "columns": columns,
        "indicators": indicators,
    }


def theory_of_change_html(framework: Framework, lang: str = "it", *, css: str | None = CSS) -> str:
    """The theory of change as a standalone HTML document (its CSS inside, for WeasyPrint)."""
    context = theory_of_change_context(framework, lang)
    template = _ENVIRONMENT.from_string(TEMPLATE)
    return template.render(**context, css=css, t=lambda key: _text(key, lang))


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the document fetches nothing ({url})")


def theory_of_change_pdf(framework: Framework, lang: str = "it") -> bytes:
    """The theory of change as a PDF (A4 landscape), written by WeasyPrint."""
    from weasyprint import HTML

    document = HTML(string=theory_of_change_html(framework, lang), url_fetcher=_refuse_fetch)
    return bytes(document.write_pdf())


__all__ = ["theory_of_change_context", "theory_of_change_html", "theory_of_change_pdf"]
