"""The figures of the social report's sections (Decree of 4 July 2019): what impactkit already knows
from the report's KPIs, and (with :class:`SectionFigures`) what the organisation enters.

Pure: takes report content, returns label → formatted value lines per section key.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from impactkit.formats import Formats

Contract = Literal["permanent", "fixed_term", "freelance", "other"]
RevenueSource = Literal[
    "public_contracts", "public_grants", "private_grants", "donations", "members", "sales", "other"
]
CONTRACTS: tuple[Contract, ...] = ("permanent", "fixed_term", "freelance", "other")
REVENUE_SOURCES: tuple[RevenueSource, ...] = (
    "public_contracts",
    "public_grants",
    "private_grants",
    "donations",
    "members",
    "sales",
    "other",
)
PAY_RATIO_LIMIT = 8.0
"""Art. 16 of the Third Sector Code (D.Lgs. 117/2017): the highest gross pay at most 8 times the lowest."""

_LABELS: dict[str, dict[str, str]] = {
    "bodies": {"it": "Organi di governo", "en": "Governing bodies"},
    "body_members": {"it": "{name}: componenti", "en": "{name}: members"},
    "body_women": {"it": "{name}: di cui donne", "en": "{name}: of whom women"},
    "body_under_35": {"it": "{name}: di cui under 35", "en": "{name}: of whom under 35"},
    "body_meetings": {"it": "{name}: riunioni nell'anno", "en": "{name}: meetings in the year"},
    "body_attendance": {"it": "{name}: partecipazione media", "en": "{name}: average attendance"},
    "members": {"it": "Soci o associati", "en": "Members"},
    "members_women": {"it": "Soci: di cui donne", "en": "Members: of whom women"},
    "members_under_35": {"it": "Soci: di cui under 35", "en": "Members: of whom under 35"},
    "staff": {"it": "Lavoratori ({contract})", "en": "Workers ({contract})"},
    "staff_women": {
        "it": "Lavoratori ({contract}): di cui donne",
        "en": "Workers ({contract}): of whom women",
    },
    "staff_total": {"it": "Lavoratori in totale", "en": "Workers in all"},
    "contract_permanent": {"it": "tempo indeterminato", "en": "permanent"},
    "contract_fixed_term": {"it": "tempo determinato", "en": "fixed-term"},
    "contract_freelance": {"it": "collaboratori", "en": "freelance"},
    "contract_other": {"it": "altri contratti", "en": "other contracts"},
    "volunteers": {"it": "Volontari", "en": "Volunteers"},
    "volunteer_hours": {"it": "Ore di volontariato", "en": "Volunteer hours"},
    "pay_ratio": {
        "it": "Rapporto tra retribuzione annua lorda massima e minima",
        "en": "Ratio of highest to lowest gross annual pay",
    },
    "pay_ratio_value": {
        "it": "{ratio} : 1 (massima {high}, minima {low}; limite di legge 8 : 1)",
        "en": "{ratio} : 1 (highest {high}, lowest {low}; legal limit 8 : 1)",
    },
    "reimbursements": {"it": "Rimborsi ai volontari", "en": "Reimbursements to volunteers"},
    "reimbursed": {"it": "Volontari rimborsati", "en": "Volunteers reimbursed"},
    "revenue": {"it": "Proventi: {source}", "en": "Revenue: {source}"},
    "revenue_total": {"it": "Proventi in totale", "en": "Revenue in all"},
    "source_public_contracts": {"it": "contratti con enti pubblici", "en": "contracts with public bodies"},
    "source_public_grants": {"it": "contributi pubblici", "en": "public grants"},
    "source_private_grants": {"it": "contributi privati", "en": "private grants"},
    "source_donations": {"it": "donazioni", "en": "donations"},
    "source_members": {"it": "quote associative", "en": "membership fees"},
    "source_sales": {"it": "vendita di beni e servizi", "en": "sales of goods and services"},
    "source_other": {"it": "altri proventi", "en": "other revenue"},
    "public_funding": {"it": "Contributi pubblici ricevuti", "en": "Public funding received"},
    "fundraising": {"it": "Raccolta fondi", "en": "Fundraising"},
    "fundraising_purpose": {"it": "Finalità della raccolta fondi", "en": "Purpose of the fundraising"},
    "disputes": {"it": "Contenziosi e controversie", "en": "Disputes"},
    "environmental_impact": {"it": "Impatto ambientale", "en": "Environmental impact"},
    "gender_equality": {"it": "Parità di genere", "en": "Gender equality"},
    "supervisory_body": {"it": "Organo di controllo", "en": "Supervisory body"},
    "supervisory_meetings": {"it": "Verifiche nell'anno", "en": "Checks in the year"},
    "supervisory_conclusion": {"it": "Esito del monitoraggio", "en": "Outcome of the monitoring"},
}


def label(key: str, language: str, **values: str) -> str:
    """A figure's label in ``language`` (used by the documents and the organisation's form)."""
    texts = _LABELS[key]
    return (texts.get(language) or texts["it"]).format(**values)


class _Figures(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoverningBody(_Figures):
    """One governing body (assembly, board of directors …) with its composition and meetings."""

    name: str = Field(min_length=1, max_length=200)
    members: int | None = Field(default=None, ge=0)
    women: int | None = Field(default=None, ge=0)
    under_35: int | None = Field(default=None, ge=0)
    meetings: int | None = Field(default=None, ge=0)
    attendance: float | None = Field(default=None, ge=0, le=1)
    """Average share of members present, 0–1."""


class StaffLine(_Figures):
    """People who work for the organisation under one kind of contract."""

    contract: Contract
    people: int = Field(ge=0)
    women: int | None = Field(default=None, ge=0)


class RevenueLine(_Figures):
    """Revenue of the year from one source, in euro."""

    source: RevenueSource
    amount: float = Field(ge=0)


class SectionFigures(_Figures):
    """The figures the Decree of 4 July 2019 asks for, as the organisation enters them.

    Section 3 (structure, governance): ``bodies``, ``members*``; section 4 (people): ``staff``,
    ``volunteers``, ``volunteer_hours``, ``pay_highest``/``pay_lowest`` (gross annual, euro),
    ``volunteer_reimbursements`` (euro), ``volunteers_reimbursed``; section 6 (economic):
    ``revenue``, ``public_funding``, ``fundraising`` (euro), ``fundraising_purpose``; section 7
    (other information): ``disputes``, ``environmental_impact``, ``gender_equality``; section 8
    (supervisory body): ``supervisory_body``, ``supervisory_meetings``, ``supervisory_conclusion``.
    """

    bodies: list[GoverningBody] = Field(default_factory=list, max_length=20)
    members: int | None = Field(default=None, ge=0)
    members_women: int | None = Field(default=None, ge=0)
    members_under_35: int | None = Field(default=None, ge=0)
    staff: list[StaffLine] = Field(default_factory=list, max_length=10)
    volunteers: int | None = Field(default=None, ge=0)
    volunteer_hours: float | None = Field(default=None, ge=0)
    pay_highest: float | None = Field(default=None, ge=0)
    pay_lowest: float | None = Field(default=None, gt=0)
    volunteer_reimbursements: float | None = Field(default=None, ge=0)
    volunteers_reimbursed: int | None = Field(default=None, ge=0)
    revenue: list[RevenueLine] = Field(default_factory=list, max_length=20)
    public_funding: float | None = Field(default=None, ge=0)
    fundraising: float | None = Field(default=None, ge=0)
    fundraising_purpose: str | None = Field(default=None, max_length=2000)
    disputes: str | None = Field(default=None, max_length=4000)
    environmental_impact: str | None = Field(default=None, max_length=4000)
    gender_equality: str | None = Field(default=None, max_length=4000)
    supervisory_body: str | None = Field(default=None, max_length=500)
    supervisory_meetings: int | None = Field(default=None, ge=0)
    supervisory_conclusion: str | None = Field(default=None, max_length=4000)

    def pay_ratio(self) -> float | None:
        """Highest over lowest gross annual pay, when both are entered."""
        if self.pay_highest is None or not self.pay_lowest:
            return None
        return self.pay_highest / self.pay_lowest

    def lines(self, fmt: Formats) -> dict[str, list[tuple[str, str]]]:
        """Label → formatted value per section key, for every figure entered."""
        language = fmt.language
        out: dict[str, list[tuple[str, str]]] = {}

        def add(section: str, text: str, value: str | None) -> None:
            if value:
                out.setdefault(section, []).append((text, value))

        governance = "structure_governance_administration"
        for body in self.bodies:
            name = body.name
            add(governance, label("body_members", language, name=name), _int(fmt, body.members))
            add(governance, label("body_women", language, name=name), _int(fmt, body.women))
            add(governance, label("body_under_35", language, name=name), _int(fmt, body.under_35))
            add(governance, label("body_meetings", language, name=name), _int(fmt, body.meetings))
            add(
                governance,
                label("body_attendance", language, name=name),
                fmt.percent(body.attendance) if body.attendance is not None else None,
            )
        add(governance, label("members", language), _int(fmt, self.members))
        add(governance, label("members_women", language), _int(fmt, self.members_women))
        add(governance, label("members_under_35", language), _int(fmt, self.members_under_35))
        for line in self.staff:
            contract = label(f"contract_{line.contract}", language)
            add("people", label("staff", language, contract=contract), fmt.count(line.people, "people"))
            add("people", label("staff_women", language, contract=contract), _int(fmt, line.women))
        if self.staff:
            add(
                "people",
                label("staff_total", language),
                fmt.count(sum(s.people for s in self.staff), "people"),
            )
        add("people", label("volunteers", language), _count(fmt, self.volunteers, "people"))
        add("people", label("volunteer_hours", language), _count(fmt, self.volunteer_hours, "hours"))
        ratio = self.pay_ratio()
        if ratio is not None:
            add(
                "people",
                label("pay_ratio", language),
                label(
                    "pay_ratio_value",
                    language,
                    ratio=fmt.number(ratio, 2),
                    high=fmt.money(self.pay_highest),
                    low=fmt.money(self.pay_lowest),
                ),
            )
        add("people", label("reimbursements", language), _money(fmt, self.volunteer_reimbursements))
        add("people", label("reimbursed", language), _count(fmt, self.volunteers_reimbursed, "people"))
        economic = "economic_financial_situation"
        for item in self.revenue:
            source = label(f"source_{item.source}", language)
            add(economic, label("revenue", language, source=source), fmt.money(item.amount))
        if self.revenue:
            add(economic, label("revenue_total", language), fmt.money(sum(r.amount for r in self.revenue)))
        add(economic, label("public_funding", language), _money(fmt, self.public_funding))
        add(economic, label("fundraising", language), _money(fmt, self.fundraising))
        add(economic, label("fundraising_purpose", language), self.fundraising_purpose)
        add("other_information", label("disputes", language), self.disputes)
        add("other_information", label("environmental_impact", language), self.environmental_impact)
        add("other_information", label("gender_equality", language), self.gender_equality)
        control = "control_body_monitoring"
        add(control, label("supervisory_body", language), self.supervisory_body)
        add(control, label("supervisory_meetings", language), _int(fmt, self.supervisory_meetings))
        add(control, label("supervisory_conclusion", language), self.supervisory_conclusion)
        return out

    def entered(self, section: str) -> bool:
        """Whether any figure of ``section`` was entered (language does not matter here)."""
        return bool(self.lines(Formats("it")).get(section))


def demo_figures() -> dict[str, Any]:
    """The demo cooperative's figures for the decree's sections (used by ``impactkit demo``)."""
    return SectionFigures(
        bodies=[
            GoverningBody(
                name="Assemblea dei soci", members=41, women=22, under_35=9, meetings=2, attendance=0.66
            ),
            GoverningBody(name="Consiglio di amministrazione", members=7, women=4, under_35=1, meetings=11),
        ],
        members=41,
        members_women=22,
        members_under_35=9,
        staff=[
            StaffLine(contract="permanent", people=15, women=8),
            StaffLine(contract="fixed_term", people=6, women=3),
            StaffLine(contract="freelance", people=1, women=0),
        ],
        volunteers=14,
        volunteer_hours=1200,
        pay_highest=38_500,
        pay_lowest=19_800,
        volunteer_reimbursements=2_350,
        volunteers_reimbursed=9,
        revenue=[
            RevenueLine(source="public_contracts", amount=265_000),
            RevenueLine(source="public_grants", amount=40_000),
            RevenueLine(source="private_grants", amount=78_000),
            RevenueLine(source="donations", amount=6_500),
            RevenueLine(source="sales", amount=112_000),
        ],
        public_funding=40_000,
        fundraising=6_500,
        fundraising_purpose="Raccolta di Natale per l'acquisto di un furgone per l'orto sociale.",
        disputes="Nessun contenzioso in corso.",
        environmental_impact="Orto biologico certificato; raccolta differenziata nelle sedi.",
        gender_equality="Metà del consiglio di amministrazione è composta da donne.",
        supervisory_body="Sindaco unico (revisore legale iscritto al registro)",
        supervisory_meetings=4,
        supervisory_conclusion="Nessun rilievo sul perseguimento delle finalità civiche, solidaristiche "
        "e di utilità sociale.",
    ).model_dump(mode="json")


def _int(fmt: Formats, value: int | None) -> str | None:
    return fmt.integer(value) if value is not None else None


def _count(fmt: Formats, value: float | None, noun: str) -> str | None:
    return fmt.count(value, noun) if value is not None else None


def _money(fmt: Formats, value: float | None) -> str | None:
    return fmt.money(value) if value is not None else None


# KPI → (section, unit of the figure) of the figures impactkit fills in from the KPIs.
PREFILLED: dict[str, str] = {
    "people_reached": "objectives_and_activities",
    "young_people_reached": "objectives_and_activities",
    "vulnerable_people_reached": "objectives_and_activities",
    "work_placements_disadvantaged": "objectives_and_activities",
    "volunteers": "people",
    "volunteer_hours": "people",
    "disadvantaged_workers_share": "people",
    "members_in_governance_share": "structure_governance_administration",
    "women_in_governing_body_share": "structure_governance_administration",
    "surplus_reinvested_share": "economic_financial_situation",
}


def prefilled(content: Any, fmt: Formats) -> dict[str, list[tuple[str, str]]]:
    """Figures impactkit knows from the KPIs, per section: ``{section: [(label, value), …]}``."""
    out: dict[str, list[tuple[str, str]]] = {}
    for kpi in content.kpis:
        section = PREFILLED.get(kpi.indicator_id)
        if section is None or kpi.value is None:
            continue
        out.setdefault(section, []).append((kpi.label(content.language), fmt.kpi(kpi.value, kpi.unit or "")))
    return out


def section_facts(content: Any, fmt: Formats) -> dict[str, list[tuple[str, str]]]:
    """Every figure of every section: what the organisation entered, then what impactkit knows."""
    out: dict[str, list[tuple[str, str]]] = {}
    figures: Any = getattr(content, "figures", None)
    if figures is not None:
        for key, lines in figures.lines(fmt).items():
            out.setdefault(key, []).extend(lines)
    for key, lines in prefilled(content, fmt).items():
        out.setdefault(key, []).extend(lines)
    return out


__all__ = [
    "CONTRACTS",
    "PAY_RATIO_LIMIT",
    "PREFILLED",
    "REVENUE_SOURCES",
    "GoverningBody",
    "RevenueLine",
    "SectionFigures",
    "StaffLine",
    "demo_figures",
    "label",
    "prefilled",
    "section_facts",
]
