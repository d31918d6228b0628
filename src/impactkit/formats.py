"""Numbers, percentages, dates, money and counted things as Italian and English readers expect them.

Every figure a person reads (pages, documents, workbooks) goes through :class:`Formats`, which
uses Babel's CLDR data for the language rather than hand-written patterns:

>>> it, en = Formats("it"), Formats("en")
>>> it.number(1200), en.number(1200)
('1.200', '1,200')
>>> it.percent(0.703), en.percent(0.703)
('70,3\\xa0%', '70.3\\xa0%')
>>> it.date(date(2026, 12, 6)), en.date(date(2026, 12, 6))
('6 dicembre 2026', '6 December 2026')
>>> it.count(80, "people"), en.count(1, "people"), it.count(12.5, "hours")
('80\\xa0persone', '1\\xa0person', '12,5\\xa0ore')
>>> it.kpi(0.8125, "share"), it.kpi(4.25, "score 1–5"), it.kpi(None, "people")
('81,2\\xa0%', '4,25', '—')

A no-break space keeps a figure and its unit on one line on a narrow phone screen.
"""

from __future__ import annotations

import math
from datetime import date
from datetime import datetime as Moment
from functools import cached_property
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = ["LANGUAGES", "NOUNS", "Formats"]

LANGUAGES: Final = ("it", "en")
NBSP: Final = "\u00a0"
MISSING: Final = "—"
"""What an empty figure reads as (an em dash, not a zero)."""

LOCAL_ZONE: Final = ZoneInfo("Europe/Rome")
"""Times are stored in UTC and shown in the time of the territory the tool serves."""

NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    # unit or thing counted → language → (one, other)
    "people": {"it": ("persona", "persone"), "en": ("person", "people")},
    "hours": {"it": ("ora", "ore"), "en": ("hour", "hours")},
    "partnerships": {"it": ("partenariato", "partenariati"), "en": ("partnership", "partnerships")},
    "placements": {"it": ("inserimento", "inserimenti"), "en": ("placement", "placements")},
    "responses": {"it": ("risposta", "risposte"), "en": ("response", "responses")},
    "organisations": {"it": ("organizzazione", "organizzazioni"), "en": ("organisation", "organisations")},
    "projects": {"it": ("progetto", "progetti"), "en": ("project", "projects")},
    "months": {"it": ("mese", "mesi"), "en": ("month", "months")},
    "years": {"it": ("anno", "anni"), "en": ("year", "years")},
    "days": {"it": ("giorno", "giorni"), "en": ("day", "days")},
    "problems": {"it": ("problema", "problemi"), "en": ("problem", "problems")},
    "questions": {"it": ("domanda", "domande"), "en": ("question", "questions")},
}
"""Things counted on pages and in documents, singular and plural (CLDR plural rules pick one)."""


class Formats:
    """Formatting for one language (``it`` or ``en``; anything else reads as Italian)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "it"

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse("it_IT" if self.language == "it" else "en_GB")

    def number(self, value: float | int | None, digits: int | None = None) -> str:
        """A number with the language's grouping and decimal mark; ``digits`` fixes the decimals.

        Without ``digits``, whole numbers show none and others up to three significant digits
        below 100 (``4,25``; ``12,3``) and none from 100 up (``1.235``).
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return MISSING
        if digits is None:
            if float(value).is_integer():
                digits = 0
            else:
                magnitude = abs(float(value))
                digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
            pattern = "#,##0" + ("." + "#" * digits if digits else "")
        else:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def integer(self, value: int | None) -> str:
        return self.number(value, 0)

    def percent(self, fraction: float | None, digits: int = 1) -> str:
        """A fraction as a percentage: 0.703 → ``70,3 %`` (Italian) or ``70.3 %`` (English)."""
        if fraction is None or math.isnan(fraction):
            return MISSING
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + NBSP + "%"
        return str(format_percent(fraction, format=pattern, locale=self.locale))

    def money(self, amount: float | None, currency: str = "EUR", digits: int = 0) -> str:
        """An amount of money: ``12.500\xa0€`` (Italian), ``€12,500`` (English)."""
        if amount is None or math.isnan(amount):
            return MISSING
        number = "#,##0" + ("." + "0" * digits if digits else "")
        pattern = f"{number}{NBSP}¤" if self.language == "it" else f"¤{number}"
        return str(
            format_currency(amount, currency, format=pattern, locale=self.locale, currency_digits=False)
        )

    def date(self, value: date | Moment | None, style: str = "long") -> str:
        """A day: ``6 dicembre 2026`` (long), ``06/12/26`` (short)."""
        if value is None:
            return MISSING
        if isinstance(value, Moment):
            value = value.astimezone(LOCAL_ZONE).date() if value.tzinfo else value.date()
        return str(format_date(value, style, locale=self.locale))

    def datetime(self, value: Moment | None, seconds: bool = False) -> str:
        """A moment in the local time: ``6 dicembre 2026, 15:05`` (``15:05:42`` with ``seconds``,
        to tell apart answers sent in the same minute)."""
        if value is None:
            return MISSING
        local = value.astimezone(LOCAL_ZONE) if value.tzinfo else value
        day = format_date(local.date(), "long", locale=self.locale)
        clock = format_time(local.time(), "HH:mm:ss" if seconds else "HH:mm", locale=self.locale)
        return f"{day}, {clock}"

    def datetime_short(self, value: Moment | None) -> str:
        """A moment in a table cell: ``06/12/26, 15:05``."""
        if value is None:
            return MISSING
        local = value.astimezone(LOCAL_ZONE) if value.tzinfo else value
        return str(format_datetime(local, "short", tzinfo=LOCAL_ZONE, locale=self.locale))

    def plural(self, value: float | int) -> str:
        """The CLDR plural category of ``value`` in this language (``one`` or ``other`` here)."""
        return str(self.locale.plural_form(abs(value)))

    def count(self, value: float | int | None, noun: str) -> str:
        """A number with the thing it counts: ``80 persone``, ``1 person``, ``12,5 ore``.

        A noun not in :data:`NOUNS` is written after the number as it is.
        """
        if value is None:
            return MISSING
        forms = NOUNS.get(noun, {}).get(self.language)
        text = self.number(value)
        if forms is None:
            return f"{text}{NBSP}{noun}" if noun else text
        one, other = forms
        return f"{text}{NBSP}{one if self.plural(value) == 'one' else other}"

    def kpi(self, value: float | None, unit: str) -> str:
        """A KPI figure as people read it: shares as percentages, scores with two decimals,
        counts with what they count."""
        if value is None:
            return MISSING
        if unit == "share":
            return self.percent(value)
        if unit.startswith("score"):
            return self.number(value, 2)
        return self.count(value, unit)

    def kpi_bare(self, value: float | None, unit: str) -> str:
        """A KPI figure without its noun (for table columns headed by the unit)."""
        if value is None:
            return MISSING
        if unit == "share":
            return self.percent(value)
        if unit.startswith("score"):
            return self.number(value, 2)
        return self.number(value)

    def interval(self, low: float | None, high: float | None, unit: str) -> str:
        """An interval: ``61,2 % – 78,9 %``; a dash when either end is missing."""
        if low is None or high is None:
            return MISSING
        return f"{self.kpi_bare(low, unit)} – {self.kpi_bare(high, unit)}"

    def p_value(self, p: float | None) -> str:
        """A test's p-value: ``p = 0,031``; ``p < 0,001`` below a thousandth."""
        if p is None or math.isnan(p):
            return MISSING
        if p < 0.001:
            return f"p < {self.number(0.001, 3)}"
        return f"p = {self.number(p, 3)}"
