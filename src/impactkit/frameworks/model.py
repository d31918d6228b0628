"""The framework model: indicators, their sources, disaggregations, targets and tags."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

IndicatorKind = Literal["count", "sum", "mean", "median", "proportion", "rate", "change", "derived"]
ImpDimension = Literal["what", "who", "how_much", "contribution", "risk"]
FrameworkKind = Literal["indicators", "objective_tree", "sdg_map"]

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
DEFINITION_FIELDS = ("kind", "unit", "source", "derived", "denominator", "per", "change", "breakdown")
"""The fields that make an indicator's definition: changing one needs a new indicator id."""
SIMPLE_REFERENCE = re.compile(r"^\s*\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Strict):
    """A text in Italian and English."""

    it: str = Field(min_length=1)
    en: str = Field(min_length=1)


# The proxy bank's models use LocalizedText; imported here, after it, to avoid a cycle.
from impactkit.frameworks.proxies import ProxyEntry  # noqa: E402


class Source(_Strict):
    """Where an indicator's values come from.

    Either answers to a survey form (``form`` + ``expression`` or ``field``, optionally a
    ``filter``), or an organisation-reported figure (``reported: form_id.field``, the
    organisation's latest response to the self-report form for the period).
    """

    form: str = Field(pattern=IDENTIFIER)
    expression: str | None = None
    """An XLSForm expression over the form's fields, e.g. ``${satisfaction} >= 4``."""
    field: str | None = None
    """Shorthand for ``expression: ${field}``."""
    filter: str | None = None
    """Only responses for which this expression is true count."""
    reported: bool = False
    """True: the organisation's own figure (latest response per organisation and period)."""
    exclude_baseline: bool = False
    """Leave out responses of the baseline wave (e.g. satisfaction, asked at the end)."""

    @model_validator(mode="before")
    @classmethod
    def _expand_reported_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("reported"), str):
            reference = data["reported"]
            form, _, field = reference.partition(".")
            data = {k: v for k, v in data.items() if k != "reported"}
            data.update(form=form, field=field or None, reported=True)
        return data

    @model_validator(mode="after")
    def _has_something_to_compute(self) -> Source:
        if self.expression is not None and self.field is not None:
            raise ValueError("give either 'expression' or 'field', not both")
        return self

    @property
    def value_expression(self) -> str | None:
        """The expression giving each response's value (``${field}`` for a field)."""
        if self.expression is not None:
            return self.expression
        if self.field is not None:
            return f"${{{self.field}}}"
        return None


class ChangeSpec(_Strict):
    """How a baseline→endline change is computed for respondents linked by a code."""

    field: str | None = None
    """The outcome field (shorthand for the source expression ``${field}``)."""
    link_by: str = "respondent_code"
    improved_if: Literal["higher", "lower"] = "higher"
    report: Literal["share_improved", "mean_change"] = "share_improved"
    """Which figure is the indicator's value; the other is in the change statistics."""


class Breakdown(_Strict):
    """A reported total split into named parts, each a field of the same form."""

    dimension: str = Field(pattern=IDENTIFIER)
    parts: dict[str, str]
    """category → field name, e.g. ``public: partnerships_public``."""


class Target(_Strict):
    """The value an indicator should reach."""

    value: float
    direction: Literal["at_least", "at_most"] = "at_least"


class Tags(_Strict):
    """What an indicator answers: IMP dimensions, SDG targets, Plan objectives, IRIS+ code."""

    imp_dimensions: list[ImpDimension] = Field(default_factory=list)
    sdg_targets: list[str] = Field(default_factory=list)
    plan_objectives: list[str] = Field(default_factory=list)
    iris_metric: str | None = Field(default=None, pattern=r"^[A-Z]{2}\d{4}$")


class Indicator(_Strict):
    """One indicator of a framework, with its exact computation."""

    id: str = Field(pattern=IDENTIFIER)
    labels: LocalizedText
    definition: LocalizedText
    unit: str
    kind: IndicatorKind
    source: Source | None = None
    """Where the values come from (every kind but ``derived``)."""
    derived: str | None = None
    """For ``derived``: an expression over other indicators' values, e.g.
    ``${training_hours_total} div ${placements_started}``."""
    denominator: Source | None = None
    """For ``rate``, and for a ``proportion`` of two reported figures."""
    per: float = 1.0
    """A rate is numerator / denominator × per (e.g. 100 for "per 100")."""
    change: ChangeSpec | None = None
    breakdown: Breakdown | None = None
    disaggregations: list[str] = Field(default_factory=list)
    target: Target | None = None
    tags: Tags = Field(default_factory=Tags)
    proxy: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    """Id of the financial proxy that monetises it (the bank's or the framework's own);
    without one the outcome is counted, not monetised."""

    @model_validator(mode="after")
    def _kind_fits_source(self) -> Indicator:
        problems: list[str] = []
        if self.kind == "derived":
            if self.derived is None:
                problems.append("a derived indicator needs 'derived': an expression over other indicators")
            if self.source is not None or self.denominator is not None or self.change is not None:
                problems.append("a derived indicator is computed from other indicators: no 'source'")
            if problems:
                raise ValueError("; ".join(problems))
            return self
        if self.derived is not None:
            problems.append("only a derived indicator has 'derived'")
        if self.source is None:
            raise ValueError("a source is needed: give 'source' (a form field or a reported figure)")
        if self.kind == "rate" and self.denominator is None:
            problems.append("a rate needs a 'denominator'")
        if self.kind == "change":
            if self.change is None:
                problems.append("a change indicator needs a 'change' section")
            if self.source.reported:
                problems.append("a change is computed from survey responses, not reported")
        elif self.change is not None:
            problems.append("only a change indicator has a 'change' section")
        if self.kind == "proportion" and self.source.reported and self.denominator is None:
            problems.append("a proportion of reported figures needs a 'denominator'")
        if self.kind in {"mean", "median"} and self.source.reported:
            problems.append(f"a {self.kind} is computed from survey responses, not reported")
        if self.breakdown is not None and not self.source.reported:
            problems.append("a breakdown splits a reported figure")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def computation(self) -> dict[str, Any]:
        """What the indicator computes, as plain data (the parts its definition is made of)."""
        return self.model_dump(
            mode="json",
            include=set(DEFINITION_FIELDS),
            exclude_defaults=True,
        ) | {"kind": self.kind, "unit": self.unit}

    def definition_fingerprint(self) -> str:
        """SHA-256 of what the indicator computes (kind, unit, source, formula, change…).

        Labels, the wording of the definition, disaggregations, targets, tags and the proxy may
        change under the same id; a different fingerprint is a different indicator and needs a
        new id, so that values stay comparable across organisations and years.
        """
        text = json.dumps(self.computation(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def measured(self) -> Source:
        """The source of a measured (not derived) indicator."""
        if self.source is None:
            raise ValueError(f"indicator {self.id} is derived and has no source")
        return self.source

    @property
    def value_expression(self) -> str | None:
        """The expression of each response's value (the change field for a change)."""
        if self.source is None:
            return self.derived
        expression = self.source.value_expression
        if expression is None and self.change is not None and self.change.field is not None:
            return f"${{{self.change.field}}}"
        return expression


class AgeBand(_Strict):
    """One band of a banded disaggregation: ``min`` ≤ value ≤ ``max`` (both inclusive)."""

    category: str
    min: float | None = None
    max: float | None = None


class Disaggregation(_Strict):
    """A dimension results are split by: gender, age band, youth 15–35, territory type…"""

    id: str = Field(pattern=IDENTIFIER)
    labels: LocalizedText
    field: str
    """The form field holding the category (or the number, for banded dimensions)."""
    fallback: str | None = None
    """A metadata column used when the form has no such field (e.g. ``_territory_type``)."""
    bands: list[AgeBand] | None = None


class Objective(_Strict):
    """One objective of the Plan (e.g. 1.1)."""

    id: str = Field(pattern=r"^\d+\.\d+$")
    title: LocalizedText


class Theme(_Strict):
    """A macro theme of the Plan with its objectives."""

    id: str = Field(pattern=r"^\d+$")
    title: LocalizedText
    objectives: list[Objective]


class SdgGoal(_Strict):
    """A Sustainable Development Goal and the codes of its targets."""

    id: str = Field(pattern=r"^\d+$")
    title: LocalizedText
    targets: list[str]


class SdgMapping(_Strict):
    """The SDG targets one indicator of one framework contributes to."""

    framework: str
    indicator: str
    sdg_targets: list[str]
    rationale: LocalizedText | None = None


class ChangeStep(_Strict):
    """One box of a theory of change: an activity, an output or an outcome."""

    id: str = Field(pattern=IDENTIFIER)
    text: LocalizedText
    leads_to: list[str] = Field(default_factory=list)
    """Ids of the next level: activity → outputs, output → outcomes, outcome → indicators."""


class TheoryOfChange(_Strict):
    """Activities lead to outputs, outputs to outcomes, and indicators measure the outcomes."""

    activities: list[ChangeStep] = Field(default_factory=list)
    outputs: list[ChangeStep] = Field(default_factory=list)
    outcomes: list[ChangeStep] = Field(default_factory=list)


_LATER_FRAMEWORK_FIELDS: dict[str, Any] = {"proxies": [], "based_on": None, "theory_of_change": None}
_LATER_INDICATOR_FIELDS = ("derived", "proxy")


class Framework(_Strict):
    """A framework: indicators with their computation, or a tagging tree (Plan, SDG)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(min_length=1)
    kind: FrameworkKind = "indicators"
    languages: list[str] = Field(default_factory=lambda: ["it", "en"])
    title: LocalizedText
    description: LocalizedText
    indicators: list[Indicator] = Field(default_factory=list)
    disaggregations: list[Disaggregation] = Field(default_factory=list)
    population: Source | None = None
    """Reported population size per organisation, for finite-population correction."""
    themes: list[Theme] = Field(default_factory=list)
    """The objective tree (``kind: objective_tree``)."""
    goals: list[SdgGoal] = Field(default_factory=list)
    mappings: list[SdgMapping] = Field(default_factory=list)
    """Indicator → SDG targets (``kind: sdg_map``)."""
    proxies: list[ProxyEntry] = Field(default_factory=list)
    """The framework's own financial proxies (each with its checkable source), beside the bank's."""
    based_on: str | None = None
    """``id@version`` of the framework this one was designed from, if any."""
    theory_of_change: TheoryOfChange | None = None
    """Activities → outputs → outcomes → indicators, for a funding application."""

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id (KeyError if there is none)."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def disaggregation(self, disaggregation_id: str) -> Disaggregation:
        """The disaggregation with this id (KeyError if there is none)."""
        for disaggregation in self.disaggregations:
            if disaggregation.id == disaggregation_id:
                return disaggregation
        raise KeyError(disaggregation_id)

    def objective_ids(self) -> set[str]:
        """Every objective id of an objective tree (``1.1`` … ``6.3``)."""
        return {objective.id for theme in self.themes for objective in theme.objectives}

    def sdg_target_ids(self) -> set[str]:
        """Every SDG target code listed in an SDG map."""
        return {target for goal in self.goals for target in goal.targets}

    def canonical_json(self) -> str:
        """The framework as canonical JSON: sorted keys, no spaces, UTF-8 text."""
        data = self.model_dump(mode="json")
        # Fields added after the first shipped versions are left out while unused, so that the
        # hash of an unchanged framework stays what it was.
        for key, empty in _LATER_FRAMEWORK_FIELDS.items():
            if data.get(key) == empty:
                data.pop(key)
        for indicator in data.get("indicators", []):
            for key in _LATER_INDICATOR_FIELDS:
                if indicator.get(key) is None:
                    indicator.pop(key)
        return json.dumps(
            data,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON: equal hashes mean identical content."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
