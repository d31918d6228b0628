"""Report content model: what a social report holds, and payment by results.

Everything here is plain data (pydantic models that accept plain dicts) and
pure functions; nothing reads files except :func:`report_sections`, which reads
the shipped section list in ``exports/``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)

from impactkit._paths import data_dir
from impactkit.errors import Problem, ReportContentError
from impactkit.reports.structured import SectionFigures

Language = Literal["it", "en"]
Direction = Literal["at_least", "at_most"]
PaymentBasis = Literal["all_units_when_met", "units_beyond_target"]
Stage = Literal["interim", "final"]

SECTIONS_FILE = "sections-dm-2019-07-04.yaml"


class _Tolerant(BaseModel):
    """Base for input shapes produced by other parts: unknown keys are kept as they are."""

    model_config = ConfigDict(extra="allow")


class Disaggregation(_Tolerant):
    """One category of one disaggregation of a KPI (e.g. gender = female)."""

    dimension: str
    category: str
    value: float | None = None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool = False


class KpiTags(_Tolerant):
    """Tags that let one measure answer several funders ("report once")."""

    imp_dimensions: list[str] = Field(default_factory=list)
    sdg_targets: list[str] = Field(default_factory=list)
    plan_objectives: list[str] = Field(default_factory=list)
    iris_metric: str | None = None


class KpiResult(_Tolerant):
    """One computed indicator, as the frameworks part produces it."""

    indicator_id: str
    labels: dict[str, str] = Field(default_factory=dict)
    unit: str | None = None
    kind: str | None = None
    value: float | None = None
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float | None = None
    method: str | None = None
    target: float | None = None
    direction: Direction | None = None
    target_met: bool | None = None
    flags: list[str] = Field(default_factory=list)
    disaggregations: list[Disaggregation] = Field(default_factory=list)
    tags: KpiTags = Field(default_factory=KpiTags)

    def label(self, language: Language) -> str:
        """Label in ``language``, falling back to the other language, then to the id."""
        return (
            self.labels.get(language)
            or self.labels.get("en" if language == "it" else "it")
            or self.indicator_id
        )


class LogoRef(BaseModel):
    """The organisation's logo as a report names it: the SHA-256 of the stored image's bytes.

    The content hash covers this reference, so a validated report is sealed with *this* image: a
    logo changed later never changes the report's documents (they print the image with this hash,
    and ``report verify`` checks the image attached to the PDF against it)."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: Literal["image/png", "image/jpeg"]
    width: int = Field(ge=1)
    height: int = Field(ge=1)


class Organisation(_Tolerant):
    """The organisation that reports (an ETS, a social cooperative, a benefit company …)."""

    name: str
    legal_form: str | None = None
    tax_code: str | None = None
    municipality: str | None = None
    zone: str | None = None
    """Zona omogenea of the Metropolitan City of Turin, when known."""
    territory_type: str | None = None
    """e.g. urban, rural, mountain."""
    logo: LogoRef | None = None
    """The logo printed on the documents, when the organisation has one."""

    @model_serializer(mode="wrap")
    def _without_absent_logo(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Content frozen before logos existed has no such key: its hash must stay the same.
        data = handler(self)
        if isinstance(data, dict) and data.get("logo") is None:
            data.pop("logo", None)
        return data


class Project(_Tolerant):
    """The project the report is about."""

    name: str
    id: str | None = None
    description: str | None = None


class Period(_Tolerant):
    """The reporting period, both days included."""

    start: date
    end: date


class FrameworkRef(_Tolerant):
    """Which framework (and version) the KPIs were computed with."""

    id: str
    version: str


class OutcomeTarget(_Tolerant):
    """A funder's target for one indicator, and the price of a unit of outcome if paid by results.

    Units are those of the indicator (``KpiResult.unit``); ``price_per_unit`` is in
    ``currency`` per unit; ``cap`` is the most payable for this indicator, in ``currency``.
    """

    indicator_id: str
    target: float
    direction: Direction = "at_least"
    price_per_unit: float | None = None
    cap: float | None = None
    basis: PaymentBasis = "all_units_when_met"
    currency: str = "EUR"
    stage: Stage = "final"
    """``interim``: applies to reports whose period ends before the grant does; ``final``: the last."""
    validation_method: str = ""


class SroiSection(_Tolerant):
    """An SROI analysis as stored in the report: JSON of the SROI engine's objects."""

    value_map: dict[str, Any]
    result: dict[str, Any] | None = None
    sensitivity: list[dict[str, Any]] | dict[str, Any] | None = None


class ReportContent(BaseModel):
    """Everything a social report says; this is what gets frozen and hashed on validation."""

    model_config = ConfigDict(extra="forbid")

    organisation: Organisation
    project: Project
    period: Period
    framework: FrameworkRef
    language: Language = "it"
    kpis: list[KpiResult] = Field(default_factory=list)
    sroi: SroiSection | None = None
    sections: dict[str, str] = Field(default_factory=dict)
    """Narrative text per section key of :func:`report_sections` (Decree of 4 July 2019)."""
    targets: list[OutcomeTarget] = Field(default_factory=list)
    figures: SectionFigures | None = None
    """The figures the decree asks for, as the organisation entered them (governance, people,
    economic situation, other information, supervisory body); absent until some are entered."""

    @model_serializer(mode="wrap")
    def _without_absent_figures(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Content frozen before figures existed has no such key: its hash must stay the same.
        data = handler(self)
        if isinstance(data, dict) and data.get("figures") is None:
            data.pop("figures", None)
        return data

    @field_validator("sections")
    @classmethod
    def _known_sections(cls, value: dict[str, str]) -> dict[str, str]:
        known = {section.key for section in report_sections()}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown section key(s) {unknown}; expected some of {sorted(known)}")
        return value


class FrozenCheck(BaseModel):
    """One checklist line as frozen in a validation stamp."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: dict[str, str]
    status: Literal["pass", "warn", "fail"]
    detail: str
    principle: str | None = None
    texts: list[dict[str, Any]] = Field(default_factory=list)
    """The detail as keyed texts, for readers in another language (empty on older stamps)."""


class ValidationStamp(BaseModel):
    """Who validated a report, under which accreditation, when, and the content hash validated."""

    model_config = ConfigDict(extra="forbid")

    evaluator: str
    accreditation_number: str
    accreditation_body: str
    validated_at: datetime
    content_hash: str
    """SHA-256 of the canonical JSON of the content, 64 lowercase hex digits."""
    checklist: list[FrozenCheck] = Field(default_factory=list)
    """The checklist as it stood on the content validated (frozen with the stamp)."""
    justifications: dict[str, str] = Field(default_factory=dict)
    """The evaluator's written justification per check id that failed (or warned)."""

    def stamp_data(self) -> dict[str, Any]:
        """Plain data of the stamp for the frozen document; a stamp without a checklist (made
        before checklists were frozen) keeps its original shape, so its documents stay the same."""
        return self.model_dump(mode="json", exclude_defaults=True)


class WorkflowEvent(_Tolerant):
    """One move in the report workflow, for the validation log sheet."""

    at: datetime
    actor: str
    action: str
    from_state: str | None = None
    to_state: str | None = None
    comment: str | None = None


class Section(BaseModel):
    """One standard section of the social report."""

    key: str
    number: int
    title: dict[str, str]


@lru_cache(maxsize=1)
def _sections() -> tuple[Section, ...]:
    raw = yaml.safe_load((data_dir("exports") / SECTIONS_FILE).read_text(encoding="utf-8"))
    return tuple(Section.model_validate(item) for item in raw["sections"])


def report_sections() -> list[Section]:
    """The eight sections of the social report (Decree of 4 July 2019), in order."""
    return list(_sections())


def load_content(data: dict[str, Any] | ReportContent) -> ReportContent:
    """Build a :class:`ReportContent` from plain data, reporting every problem at once.

    Raises:
        ReportContentError: with one :class:`Problem` per invalid field, located by its path.
    """
    if isinstance(data, ReportContent):
        return data
    try:
        return ReportContent.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(message=item["msg"], location=".".join(str(part) for part in item["loc"]))
            for item in error.errors()
        ]
        raise ReportContentError("report content is not valid", problems=problems) from None


class PaymentLine(BaseModel):
    """What one indicator earns under payment by results."""

    indicator_id: str
    achieved: float | None
    target: float
    direction: Direction
    met: bool
    basis: PaymentBasis
    units_paid: float
    price_per_unit: float
    amount_before_cap: float
    cap: float | None
    amount_payable: float
    currency: str
    note: str = ""


def _cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def target_met(achieved: float | None, target: float, direction: Direction) -> bool:
    """Whether ``achieved`` meets ``target``: ``at_least`` means ≥, ``at_most`` means ≤."""
    if achieved is None:
        return False
    return achieved >= target if direction == "at_least" else achieved <= target


def payment_by_results(
    kpis: list[KpiResult] | list[dict[str, Any]],
    targets: list[OutcomeTarget] | list[dict[str, Any]],
) -> list[PaymentLine]:
    """Amount payable per indicator under an outcome-based contract.

    The rule, per target that has a ``price_per_unit``:

    * achieved = the KPI's ``value`` (in the indicator's unit); met = achieved ≥ target
      for ``at_least``, ≤ target for ``at_most``; a missing value is not met and pays 0;
    * ``all_units_when_met`` (default): when met, every achieved unit is paid
      (units = achieved); when not met, nothing;
    * ``units_beyond_target``: only the units better than the target are paid:
      achieved − target for ``at_least``, target − achieved for ``at_most``, never below 0;
    * amount = units × price, rounded half-up to the cent; payable = min(amount, cap)
      when a cap is set.

    Targets without a price are reported with met / not met and 0 payable.

    Args:
        kpis: KPI results of the report.
        targets: the funder's targets (price in currency per unit; cap in currency).

    Returns:
        One line per target, in the order of ``targets``.

    Example:
        >>> lines = payment_by_results(
        ...     [{"indicator_id": "jobs", "value": 12}],
        ...     [{"indicator_id": "jobs", "target": 10, "price_per_unit": 1500, "cap": 15000}],
        ... )
        >>> lines[0].amount_before_cap, lines[0].amount_payable
        (18000.0, 15000.0)
    """
    by_id = {kpi.indicator_id: kpi for kpi in (KpiResult.model_validate(k) for k in kpis)}
    lines: list[PaymentLine] = []
    for target in (OutcomeTarget.model_validate(t) for t in targets):
        kpi = by_id.get(target.indicator_id)
        achieved = kpi.value if kpi is not None else None
        met = target_met(achieved, target.target, target.direction)
        note = ""
        if kpi is None:
            note = "no KPI result for this indicator"
        elif achieved is None:
            note = "no value for this indicator"
        units = Decimal(0)
        if achieved is not None:
            if target.basis == "all_units_when_met":
                units = Decimal(repr(achieved)) if met else Decimal(0)
            else:
                beyond = (
                    Decimal(repr(achieved)) - Decimal(repr(target.target))
                    if target.direction == "at_least"
                    else Decimal(repr(target.target)) - Decimal(repr(achieved))
                )
                units = max(beyond, Decimal(0))
        price = Decimal(repr(target.price_per_unit)) if target.price_per_unit is not None else None
        if price is None and not note:
            note = "no price per unit: target only"
        amount = units * price if price is not None else Decimal(0)
        payable = amount
        if target.cap is not None and payable > Decimal(repr(target.cap)):
            payable = Decimal(repr(target.cap))
            note = note or "capped"
        lines.append(
            PaymentLine(
                indicator_id=target.indicator_id,
                achieved=achieved,
                target=target.target,
                direction=target.direction,
                met=met,
                basis=target.basis,
                units_paid=float(units),
                price_per_unit=float(price) if price is not None else 0.0,
                amount_before_cap=_cents(amount),
                cap=target.cap,
                amount_payable=_cents(payable),
                currency=target.currency,
                note=note,
            )
        )
    return lines
