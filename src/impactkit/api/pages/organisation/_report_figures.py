"""The forms of the social report's figures (Decree of 4 July 2019): which fields each section asks,
how they are shown filled in, and how a posted form becomes :class:`SectionFigures` again.

Sections 3 (governance), 4 (people), 6 (economic situation), 7 (other information) and 8
(supervisory body) ask figures; a posted form replaces that section's figures only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from impactkit.api.pages.rendering import form_decimal, form_int, form_text
from impactkit.errors import ImpactkitError, Problem
from impactkit.formats import Formats
from impactkit.reports.structured import CONTRACTS, REVENUE_SOURCES, SectionFigures, label

BODY_ROWS = 3
TEXT_MAX = 4000
FIGURE_SECTIONS = (
    "structure_governance_administration",
    "people",
    "economic_financial_situation",
    "other_information",
    "control_body_monitoring",
)
_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "structure_governance_administration": ("bodies", "members", "members_women", "members_under_35"),
    "people": (
        "staff",
        "volunteers",
        "volunteer_hours",
        "pay_highest",
        "pay_lowest",
        "volunteer_reimbursements",
        "volunteers_reimbursed",
    ),
    "economic_financial_situation": ("revenue", "public_funding", "fundraising", "fundraising_purpose"),
    "other_information": ("disputes", "environmental_impact", "gender_equality"),
    "control_body_monitoring": ("supervisory_body", "supervisory_meetings", "supervisory_conclusion"),
}


@dataclass
class Input:
    name: str
    label: str
    value: str
    kind: str = "int"
    """int, number (money, hours), percent, text or textarea."""


@dataclass
class Group:
    legend: str
    inputs: list[Input] = field(default_factory=list)


def _number(fmt: Formats, value: float | int | None) -> str:
    if value is None:
        return ""
    return fmt.number(value, 0 if float(value).is_integer() else 2).replace("\u00a0", " ")


def groups(key: str, figures: SectionFigures | None, fmt: Formats) -> list[Group]:
    """The fields of ``key``'s form, filled with what was entered."""
    f = figures or SectionFigures()
    lang = fmt.language
    out: list[Group] = []
    if key == "structure_governance_administration":
        for index in range(max(BODY_ROWS, len(f.bodies) + 1)):
            body = f.bodies[index] if index < len(f.bodies) else None
            name = body.name if body else ""
            g = Group(label("bodies", lang) + f" {index + 1}")
            g.inputs = [
                Input(f"body_{index}_name", _field_word("body_name", lang), name, "text"),
                Input(f"body_{index}_members", _field_word("members_count", lang), _num(body, "members")),
                Input(f"body_{index}_women", _field_word("women", lang), _num(body, "women")),
                Input(f"body_{index}_under_35", _field_word("under_35", lang), _num(body, "under_35")),
                Input(f"body_{index}_meetings", _field_word("meetings", lang), _num(body, "meetings")),
                Input(
                    f"body_{index}_attendance",
                    _field_word("attendance", lang),
                    _number(fmt, body.attendance * 100) if body and body.attendance is not None else "",
                    "percent",
                ),
            ]
            out.append(g)
        out.append(
            Group(
                label("members", lang),
                [
                    Input("members", label("members", lang), _number(fmt, f.members)),
                    Input("members_women", label("members_women", lang), _number(fmt, f.members_women)),
                    Input(
                        "members_under_35", label("members_under_35", lang), _number(fmt, f.members_under_35)
                    ),
                ],
            )
        )
    elif key == "people":
        staff = {line.contract: line for line in f.staff}
        g = Group(label("staff_total", lang))
        for contract in CONTRACTS:
            line = staff.get(contract)
            words = label(f"contract_{contract}", lang)
            g.inputs.append(
                Input(
                    f"staff_{contract}_people",
                    label("staff", lang, contract=words),
                    _number(fmt, line.people if line else None),
                )
            )
            g.inputs.append(
                Input(
                    f"staff_{contract}_women",
                    label("staff_women", lang, contract=words),
                    _number(fmt, line.women if line else None),
                )
            )
        out.append(g)
        out.append(
            Group(
                label("volunteers", lang),
                [
                    Input("volunteers", label("volunteers", lang), _number(fmt, f.volunteers)),
                    Input(
                        "volunteer_hours",
                        label("volunteer_hours", lang),
                        _number(fmt, f.volunteer_hours),
                        "number",
                    ),
                    Input(
                        "volunteer_reimbursements",
                        label("reimbursements", lang) + " (€)",
                        _number(fmt, f.volunteer_reimbursements),
                        "number",
                    ),
                    Input(
                        "volunteers_reimbursed",
                        label("reimbursed", lang),
                        _number(fmt, f.volunteers_reimbursed),
                    ),
                ],
            )
        )
        out.append(
            Group(
                label("pay_ratio", lang),
                [
                    Input(
                        "pay_highest", _field_word("pay_highest", lang), _number(fmt, f.pay_highest), "number"
                    ),
                    Input(
                        "pay_lowest", _field_word("pay_lowest", lang), _number(fmt, f.pay_lowest), "number"
                    ),
                ],
            )
        )
    elif key == "economic_financial_situation":
        revenue = {line.source: line for line in f.revenue}
        g = Group(label("revenue_total", lang))
        for source in REVENUE_SOURCES:
            earned = revenue.get(source)
            g.inputs.append(
                Input(
                    f"revenue_{source}",
                    label("revenue", lang, source=label(f"source_{source}", lang)) + " (€)",
                    _number(fmt, earned.amount if earned else None),
                    "number",
                )
            )
        out.append(g)
        out.append(
            Group(
                label("fundraising", lang),
                [
                    Input(
                        "public_funding",
                        label("public_funding", lang) + " (€)",
                        _number(fmt, f.public_funding),
                        "number",
                    ),
                    Input(
                        "fundraising",
                        label("fundraising", lang) + " (€)",
                        _number(fmt, f.fundraising),
                        "number",
                    ),
                    Input(
                        "fundraising_purpose",
                        label("fundraising_purpose", lang),
                        f.fundraising_purpose or "",
                        "text",
                    ),
                ],
            )
        )
    elif key == "other_information":
        out.append(
            Group(
                label("disputes", lang),
                [
                    Input(name, label(name, lang), getattr(f, name) or "", "textarea")
                    for name in ("disputes", "environmental_impact", "gender_equality")
                ],
            )
        )
    elif key == "control_body_monitoring":
        out.append(
            Group(
                label("supervisory_body", lang),
                [
                    Input(
                        "supervisory_body", label("supervisory_body", lang), f.supervisory_body or "", "text"
                    ),
                    Input(
                        "supervisory_meetings",
                        label("supervisory_meetings", lang),
                        _number(fmt, f.supervisory_meetings),
                    ),
                    Input(
                        "supervisory_conclusion",
                        label("supervisory_conclusion", lang),
                        f.supervisory_conclusion or "",
                        "textarea",
                    ),
                ],
            )
        )
    return out


def _num(body: Any, name: str) -> str:
    value = getattr(body, name, None) if body is not None else None
    return "" if value is None else str(value)


_WORDS = {
    "body_name": {
        "it": "Nome dell'organo (es. assemblea dei soci)",
        "en": "Name of the body (e.g. members' assembly)",
    },
    "members_count": {"it": "Componenti", "en": "Members"},
    "women": {"it": "di cui donne", "en": "of whom women"},
    "under_35": {"it": "di cui under 35", "en": "of whom under 35"},
    "meetings": {"it": "Riunioni nell'anno", "en": "Meetings in the year"},
    "attendance": {"it": "Partecipazione media (%)", "en": "Average attendance (%)"},
    "pay_highest": {"it": "Retribuzione annua lorda massima (€)", "en": "Highest gross annual pay (€)"},
    "pay_lowest": {"it": "Retribuzione annua lorda minima (€)", "en": "Lowest gross annual pay (€)"},
}


def _field_word(key: str, language: str) -> str:
    return _WORDS[key].get(language) or _WORDS[key]["it"]


def read_figures(
    key: str, data: Mapping[str, Any], language: str, old: SectionFigures | None
) -> SectionFigures:
    """The figures with ``key``'s fields replaced by the posted form.

    Raises:
        ImpactkitError: one problem per wrong field, named by the field.
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def safely(read: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return read(*args, **kwargs)
        except ImpactkitError as exc:
            problems.extend(exc.problems)
            return None

    def integer(name: str) -> int | None:
        return safely(form_int, data, name, minimum=0)  # type: ignore[no-any-return]

    def number(name: str) -> float | None:
        value = safely(form_decimal, data, name, language)
        if value is not None and value < 0:
            problems.append(Problem("minimum", name, code="minimum", details={"min": 0}))
            return None
        return value  # type: ignore[no-any-return]

    def text(name: str, limit: int = TEXT_MAX) -> str | None:
        return safely(form_text, data, name, max_length=limit) or None

    if key == "structure_governance_administration":
        bodies = []
        index = 0
        while f"body_{index}_name" in data and index < 20:
            name = text(f"body_{index}_name", 200)
            row = {
                "members": integer(f"body_{index}_members"),
                "women": integer(f"body_{index}_women"),
                "under_35": integer(f"body_{index}_under_35"),
                "meetings": integer(f"body_{index}_meetings"),
            }
            attendance = number(f"body_{index}_attendance")
            if attendance is not None and attendance > 100:
                problems.append(
                    Problem("maximum", f"body_{index}_attendance", code="maximum", details={"max": 100})
                )
                attendance = None
            if name:
                bodies.append(
                    {"name": name, **row, "attendance": attendance / 100 if attendance is not None else None}
                )
            elif any(v is not None for v in row.values()) or attendance is not None:
                problems.append(Problem("required", f"body_{index}_name", code="required"))
            index += 1
        values["bodies"] = bodies
        for name in ("members", "members_women", "members_under_35"):
            values[name] = integer(name)
    elif key == "people":
        staff = []
        for contract in CONTRACTS:
            people = integer(f"staff_{contract}_people")
            women = integer(f"staff_{contract}_women")
            if people is not None:
                staff.append({"contract": contract, "people": people, "women": women})
            elif women is not None:
                problems.append(Problem("required", f"staff_{contract}_people", code="required"))
        values["staff"] = staff
        values["volunteers"] = integer("volunteers")
        values["volunteers_reimbursed"] = integer("volunteers_reimbursed")
        for name in ("volunteer_hours", "volunteer_reimbursements", "pay_highest", "pay_lowest"):
            values[name] = number(name)
        if values["pay_lowest"] == 0:
            problems.append(Problem("minimum", "pay_lowest", code="minimum", details={"min": 1}))
            values["pay_lowest"] = None
    elif key == "economic_financial_situation":
        revenue = []
        for source in REVENUE_SOURCES:
            amount = number(f"revenue_{source}")
            if amount is not None:
                revenue.append({"source": source, "amount": amount})
        values["revenue"] = revenue
        values["public_funding"] = number("public_funding")
        values["fundraising"] = number("fundraising")
        values["fundraising_purpose"] = text("fundraising_purpose", 2000)
    elif key == "other_information":
        for name in ("disputes", "environmental_impact", "gender_equality"):
            values[name] = text(name)
    elif key == "control_body_monitoring":
        values["supervisory_body"] = text("supervisory_body", 500)
        values["supervisory_meetings"] = integer("supervisory_meetings")
        values["supervisory_conclusion"] = text("supervisory_conclusion")
    else:
        raise ImpactkitError("unknown_section", [Problem("unknown section", key, "choice")])
    if problems:
        raise ImpactkitError("figures_invalid", problems)
    base = (old or SectionFigures()).model_dump()
    for name in _FIELDS_OF[key]:
        base[name] = values.get(name)
        if base[name] is None and name in ("bodies", "staff", "revenue"):
            base[name] = []
    return SectionFigures.model_validate(base)


__all__ = ["FIGURE_SECTIONS", "Group", "Input", "groups", "read_figures"]
