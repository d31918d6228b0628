"""The SROI editor's form: a value map as flat form fields and back, numbers the page's language's way.

The editor keeps no state on the server between keystrokes: the whole map travels in the form
(``s0_name``, ``i0_amount``, ``o2_deadweight`` …) and is read back here, every mistake named by
its field. Percentages are typed as percentages (``20`` or ``20,5`` for 20.5 %).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import get_decimal_symbol, get_group_symbol

from impactkit.formats import Formats
from impactkit.sroi._model import ESTIMATES, FRACTION_ESTIMATES

PERCENT_FIELDS = ("deadweight", "displacement", "attribution", "drop_off")
DISTRIBUTION_KINDS = ("uniform", "triangular", "pert", "normal", "lognormal")
MAX_ROWS = 200
"""At most this many stakeholders, inputs or outcomes in one form."""


@dataclass
class EditorForm:
    """The editor's fields as texts (what the person typed, or the map written out)."""

    values: dict[str, str] = field(default_factory=dict)
    stakeholders: int = 0
    inputs: int = 0
    outcomes: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)


def number_text(value: float | int | None, language: str, *, percent: bool = False) -> str:
    """A number as typed in the page's language: no grouping, the language's decimal sign."""
    if value is None:
        return ""
    number = float(value) * (100.0 if percent else 1.0)
    if not math.isfinite(number):
        return ""
    text = f"{round(number, 10):.10f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if Formats(language).locale.language == "it" else text


def to_form(data: Mapping[str, Any], language: str) -> EditorForm:
    """The fields of a value map given as plain data (``ValueMap.model_dump(mode='json')``)."""
    v: dict[str, str] = {}

    def num(value: Any, percent: bool = False) -> str:
        return number_text(value, language, percent=percent) if isinstance(value, int | float) else ""

    v["name"] = str(data.get("name") or "")
    v["currency"] = str(data.get("currency") or "EUR")
    v["discount_rate"] = num(data.get("discount_rate", 0.035), True)
    v["horizon_years"] = num(data.get("horizon_years"))
    v["proxy_bank"] = str(data.get("proxy_bank") or "")
    conventions = data.get("conventions") or {}
    v["c_discounting"] = "yes" if conventions.get("discounting", True) else "no"
    v["c_discount_first_year"] = "yes" if conventions.get("discount_first_year", True) else "no"
    v["c_drop_off_from"] = str(conventions.get("drop_off_from") or "second_year")
    v["c_inputs_discounted"] = "yes" if conventions.get("inputs_discounted", False) else "no"
    rate_distribution = data.get("discount_rate_distribution")
    v["rate_distribution"] = json.dumps(rate_distribution) if rate_distribution else ""
    stakeholders = list(data.get("stakeholders") or [])
    for i, s in enumerate(stakeholders):
        v[f"s{i}_name"] = str(s.get("name") or "")
        v[f"s{i}_description"] = str(s.get("description") or "")
    inputs = list(data.get("inputs") or [])
    for i, item in enumerate(inputs):
        v[f"i{i}_description"] = str(item.get("description") or "")
        v[f"i{i}_stakeholder"] = str(item.get("stakeholder") or "")
        in_kind = item.get("amount") is None and (
            item.get("hours") is not None or item.get("rate") is not None
        )
        v[f"i{i}_kind"] = "in-kind" if in_kind else "money"
        v[f"i{i}_amount"] = num(item.get("amount"))
        v[f"i{i}_hours"] = num(item.get("hours"))
        v[f"i{i}_rate"] = num(item.get("rate"))
        v[f"i{i}_source"] = str(item.get("source") or "")
        v[f"i{i}_year"] = num(item.get("year", 1))
    outcomes = list(data.get("outcomes") or [])
    for i, o in enumerate(outcomes):
        p = f"o{i}_"
        v[p + "name"] = str(o.get("name") or "")
        v[p + "stakeholder"] = str(o.get("stakeholder") or "")
        v[p + "description"] = str(o.get("description") or "")
        v[p + "indicator"] = str(o.get("indicator") or "")
        quantity = o.get("quantity")
        if isinstance(quantity, Mapping):
            v[p + "qkind"] = "kpi"
            v[p + "kpi"] = str(quantity.get("kpi") or "")
            v[p + "kpi_project"] = str(quantity.get("project_id") or "")
            v[p + "kpi_period"] = str(quantity.get("period_id") or "")
            v[p + "quantity"] = ""
        else:
            v[p + "qkind"] = "number"
            v[p + "quantity"] = num(quantity)
        proxy = o.get("proxy") or {}
        if isinstance(proxy, int | float):
            proxy = {"value": proxy}
        v[p + "proxy"] = num(proxy.get("value"))
        v[p + "proxy_description"] = str(proxy.get("description") or "")
        v[p + "proxy_source"] = str(proxy.get("source") or "")
        v[p + "proxy_bank"] = str(proxy.get("bank") or "")
        v[p + "proxy_year"] = num(proxy.get("year"))
        v[p + "proxy_currency"] = str(proxy.get("currency") or "")
        for name in PERCENT_FIELDS:
            v[p + name] = num(o.get(name, 0.0), True)
        v[p + "duration"] = num(o.get("duration", 1))
        v[p + "start_year"] = num(o.get("start_year", 1))
        v[p + "negative"] = "yes" if o.get("negative") else "no"
        evidence = o.get("evidence") or {}
        v[p + "evidence"] = json.dumps(evidence, ensure_ascii=False) if evidence else ""
        for estimate, dist in (o.get("distributions") or {}).items():
            d = f"{p}d_{estimate}_"
            percent = estimate in FRACTION_ESTIMATES
            kind = str(dist.get("kind") or "")
            v[d + "kind"] = kind
            if kind in ("normal", "lognormal"):
                v[d + "mode"] = num(dist.get("mean"), percent)
                v[d + "sd"] = num(dist.get("sd"), percent)
            else:
                v[d + "low"] = num(dist.get("low"), percent)
                v[d + "mode"] = num(dist.get("mode"), percent)
                v[d + "high"] = num(dist.get("high"), percent)
    return EditorForm(v, len(stakeholders), len(inputs), len(outcomes))


def _count(data: Mapping[str, Any], name: str) -> int:
    try:
        return max(0, min(int(str(data.get(name) or "0")), MAX_ROWS))
    except ValueError:
        return 0


def posted_form(data: Mapping[str, Any]) -> EditorForm:
    """The posted fields as they were typed."""
    values = {str(k): (v if isinstance(v, str) else str(v)) for k, v in data.items() if k != "_csrf_token"}
    return EditorForm(values, _count(data, "n_s"), _count(data, "n_i"), _count(data, "n_o"))


def parse_number(text: str, decimal: str, group: str) -> float | None:
    """A number as the language writes it (``1.234,5`` in Italian); None when it is not one.

    Thousands separators must group by three; a dot typed as the decimal sign on an Italian page
    (``0.2``, not a valid grouping) still reads as a decimal, as people type it.

    >>> parse_number("20.000", ",", "."), parse_number("3,5", ",", "."), parse_number("0.2", ",", ".")
    (20000.0, 3.5, 0.2)
    >>> parse_number("1,5", ".", ","), parse_number("abc", ",", ".")
    (None, None)
    """
    body = text
    if group in body:
        whole, _, fraction = body.partition(decimal)
        parts = whole.lstrip("+-").split(group)
        if parts[0] and len(parts[0]) <= 3 and all(len(p) == 3 and p.isdigit() for p in parts[1:]):
            body = whole.replace(group, "") + (("." + fraction) if fraction else "")
        elif group == "." and body.count(".") == 1 and decimal not in body:
            body = body  # a dot as the decimal sign
        else:
            return None
    else:
        body = body.replace(decimal, ".")
    if not body.lstrip("+-").replace(".", "", 1).isdigit():
        return None
    value = float(body)
    return value if math.isfinite(value) else None


class _Reader:
    def __init__(self, form: EditorForm, language: str) -> None:
        self.form = form
        locale = Formats(language).locale
        self.decimal = get_decimal_symbol(locale)
        self.group = get_group_symbol(locale)
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str:
        return self.form.get(name).strip()

    def number(self, name: str, *, percent: bool = False, required: bool = True) -> float | None:
        text = self.text(name).replace(" ", "").replace("\u00a0", "").removesuffix("%")
        if not text:
            if required:
                self.errors.setdefault(name, "required")
            return None
        value = parse_number(text, self.decimal, self.group)
        if value is None:
            self.errors.setdefault(name, "number")
            return None
        return value / 100.0 if percent else value

    def whole(self, name: str, *, default: int | None = None) -> int | None:
        value = self.number(name, required=default is None)
        if value is None:
            return default
        if value != int(value):
            self.errors.setdefault(name, "integer")
            return default
        return int(value)


def read_form(
    form: EditorForm, language: str, *, project_id: int, period_id: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """The value map's plain data from the form, and the fields that could not be read.

    A KPI-linked quantity without its own project and period links to the report's.
    """
    r = _Reader(form, language)
    data: dict[str, Any] = {
        "name": r.text("name"),
        "currency": (r.text("currency") or "EUR").upper(),
        "discount_rate": r.number("discount_rate", percent=True),
        "conventions": {
            "discounting": r.text("c_discounting") != "no",
            "discount_first_year": r.text("c_discount_first_year") != "no",
            "drop_off_from": "first_year" if r.text("c_drop_off_from") == "first_year" else "second_year",
            "inputs_discounted": r.text("c_inputs_discounted") == "yes",
        },
    }
    horizon = r.whole("horizon_years", default=-1)
    if horizon is not None and horizon != -1:
        data["horizon_years"] = horizon
    if r.text("proxy_bank"):
        data["proxy_bank"] = r.text("proxy_bank")
    if r.text("rate_distribution"):
        try:
            data["discount_rate_distribution"] = json.loads(r.text("rate_distribution"))
        except json.JSONDecodeError:
            r.errors["rate_distribution"] = "invalid"
    data["stakeholders"] = [
        {"name": r.text(f"s{i}_name"), "description": r.text(f"s{i}_description")}
        for i in range(form.stakeholders)
    ]
    inputs = []
    for i in range(form.inputs):
        p = f"i{i}_"
        item: dict[str, Any] = {
            "description": r.text(p + "description"),
            "source": r.text(p + "source"),
            "year": r.whole(p + "year", default=1),
        }
        if r.text(p + "stakeholder"):
            item["stakeholder"] = r.text(p + "stakeholder")
        if r.text(p + "kind") == "in-kind":
            item["hours"] = r.number(p + "hours")
            item["rate"] = r.number(p + "rate")
        else:
            item["amount"] = r.number(p + "amount")
        inputs.append(item)
    data["inputs"] = inputs
    outcomes = []
    for i in range(form.outcomes):
        p = f"o{i}_"
        outcome: dict[str, Any] = {
            "name": r.text(p + "name"),
            "stakeholder": r.text(p + "stakeholder"),
            "description": r.text(p + "description"),
            "indicator": r.text(p + "indicator"),
            "negative": r.text(p + "negative") == "yes",
            "duration": r.whole(p + "duration", default=1),
            "start_year": r.whole(p + "start_year", default=1),
        }
        if r.text(p + "qkind") == "kpi":
            if not r.text(p + "kpi"):
                r.errors[p + "kpi"] = "required"
            outcome["quantity"] = {
                "kpi": r.text(p + "kpi") or "?",
                "project_id": int(r.text(p + "kpi_project") or project_id)
                if (r.text(p + "kpi_project") or str(project_id)).isdigit()
                else project_id,
                "period_id": int(r.text(p + "kpi_period") or period_id)
                if (r.text(p + "kpi_period") or str(period_id)).isdigit()
                else period_id,
            }
        else:
            outcome["quantity"] = r.number(p + "quantity")
        proxy: dict[str, Any] = {
            "value": r.number(p + "proxy"),
            "description": r.text(p + "proxy_description"),
            "source": r.text(p + "proxy_source"),
        }
        if r.text(p + "proxy_bank"):
            proxy["bank"] = r.text(p + "proxy_bank")
        if r.text(p + "proxy_currency"):
            proxy["currency"] = r.text(p + "proxy_currency").upper()
        year = r.whole(p + "proxy_year", default=-1)
        if year is not None and year != -1:
            proxy["year"] = year
        outcome["proxy"] = proxy
        for name in PERCENT_FIELDS:
            value = r.number(p + name, percent=True, required=False)
            outcome[name] = 0.0 if value is None else value
        if r.text(p + "evidence"):
            try:
                evidence = json.loads(r.text(p + "evidence"))
                if isinstance(evidence, dict):
                    outcome["evidence"] = {str(k): str(v) for k, v in evidence.items()}
            except json.JSONDecodeError:
                r.errors[p + "evidence"] = "invalid"
        distributions: dict[str, Any] = {}
        for estimate in ESTIMATES:
            d = f"{p}d_{estimate}_"
            kind = r.text(d + "kind")
            if kind not in DISTRIBUTION_KINDS:
                continue
            percent = estimate in FRACTION_ESTIMATES
            if kind in ("normal", "lognormal"):
                distributions[estimate] = {
                    "kind": kind,
                    "mean": r.number(d + "mode", percent=percent),
                    "sd": r.number(d + "sd", percent=percent),
                }
            elif kind == "uniform":
                distributions[estimate] = {
                    "kind": kind,
                    "low": r.number(d + "low", percent=percent),
                    "high": r.number(d + "high", percent=percent),
                }
            else:
                distributions[estimate] = {
                    "kind": kind,
                    "low": r.number(d + "low", percent=percent),
                    "mode": r.number(d + "mode", percent=percent),
                    "high": r.number(d + "high", percent=percent),
                }
        if distributions:
            outcome["distributions"] = distributions
        outcomes.append(outcome)
    data["outcomes"] = outcomes
    return data, r.errors


def field_of(location: str) -> str | None:
    """The form field a value-map problem's location names (``outcomes[2].proxy.value`` → ``o2_proxy``)."""
    path = location.partition(" (")[0]
    for plural, letter in (("stakeholders", "s"), ("inputs", "i"), ("outcomes", "o")):
        if path.startswith(plural + "["):
            index, _, rest = path[len(plural) + 1 :].partition("]")
            rest = rest.lstrip(".")
            name = {
                "proxy.value": "proxy",
                "proxy.source": "proxy_source",
                "proxy.currency": "proxy_currency",
                "proxy.bank": "proxy_bank",
                "quantity": "quantity",
            }.get(rest, rest.split(".")[0] if rest else "name")
            if not rest:
                name = "amount" if letter == "i" else "name"
            if rest.startswith("distributions."):
                estimate = rest.split(".")[1]
                name = f"d_{estimate}_kind"
            return f"{letter}{index}_{name}"
    top = path.split(".")[0]
    return top or None
