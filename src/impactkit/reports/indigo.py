"""Outcome-fund data in the INDIGO data standard's fields (Open Data Services for the GO Lab).

INDIGO (https://indigo-data-standard.readthedocs.io, project schema 4.1) describes outcome-based
contracts: the *outcome metrics* a payer pays for (definition, target, validation method, data
source), their *pricings* (currency, price per unit, maximum price), the *results* achieved
(interim or final, for a period) and the *outcome payments*, planned or actual. Here each grant
is one INDIGO project; each of its targets, per stage, one outcome metric. Values use INDIGO's
own shape, ``{"value": …}`` around every field.

* planned payment = what the grant pays when the target is met exactly (``all_units_when_met``:
  target × price, within the cap; ``units_beyond_target``: nothing);
* actual payment = what is payable on the validated report under the grant's terms — impactkit
  computes what is owed, it does not record the transfer itself (stated in each payment's notes).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from impactkit.reports.grants import GranteeSummary, GrantLine

STANDARD = "INDIGO data standard, project schema 4.1"


def metric_id(line: GrantLine) -> str:
    """``work_placements`` for a final target, ``work_placements-interim`` for an interim one."""
    return line.indicator_id if line.stage == "final" else f"{line.indicator_id}-{line.stage}"


def planned_payment(line: GrantLine) -> float:
    """What the grant pays when this target is met exactly (see the module docstring).

    >>> from impactkit.reports.grants import GrantLine
    >>> line = GrantLine(grant_id=1, grant="G", indicator_id="k", indicator="K", unit=None,
    ...     source="grant", stage="final", achieved=12, target=10, direction="at_least", met=True,
    ...     basis="all_units_when_met", units_paid=12, price_per_unit=1500, amount_before_cap=18000,
    ...     cap=12000, amount_payable=12000, amount_capped=6000, currency="EUR")
    >>> planned_payment(line)
    12000.0
    """
    if line.price_per_unit is None or line.basis != "all_units_when_met":
        return 0.0
    amount = (Decimal(repr(line.target)) * Decimal(repr(line.price_per_unit))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    if line.cap is not None:
        amount = min(amount, Decimal(repr(line.cap)))
    return float(amount)


def _target_text(line: GrantLine) -> str:
    sign = "≥" if line.direction == "at_least" else "≤"
    unit = f" {line.unit}" if line.unit else ""
    return f"{line.indicator} {sign} {line.target:g}{unit} ({line.stage} report)"


def _source(grantee: GranteeSummary) -> str:
    period = f"{grantee.period_start.isoformat()}/{grantee.period_end.isoformat()}"
    digest = f", content sha256 {grantee.content_hash}" if grantee.content_hash else ""
    return f"validated social report of {grantee.organisation}, {grantee.project}, {period}{digest}"


def indigo_rows(
    grantees: list[GranteeSummary], language: str = "en"
) -> list[tuple[dict[str, Any], GrantLine]]:
    """One flat row per grant target applied to a report (the workbook's INDIGO sheet), with its line."""
    rows: list[tuple[dict[str, Any], GrantLine]] = []
    for grantee in grantees:
        for line in grantee.lines:
            if line.source != "grant":
                continue
            rows.append(
                (
                    {
                        "project_id": f"impactkit-grant-{line.grant_id}",
                        "project_name": line.grant,
                        "outcome_metric_id": metric_id(line),
                        "definition": line.indicator,
                        "outcome_metric_target": _target_text(line),
                        "outcome_validation_method": line.validation_method or None,
                        "data_source_for_outcome_validation": _source(grantee),
                        "currency": line.currency,
                        "price_per_unit": line.price_per_unit,
                        "maximum_price": line.cap,
                        "result_type": "Interim" if line.stage == "interim" else "Final",
                        "period_start": grantee.period_start.isoformat(),
                        "period_end": grantee.period_end.isoformat(),
                        "outcomes_achieved": line.achieved,
                        "planned": planned_payment(line),
                        "actual": line.amount_payable,
                    },
                    line,
                )
            )
    return rows


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


def indigo_projects(grantees: list[GranteeSummary]) -> list[dict[str, Any]]:
    """The portfolio as INDIGO projects, one per grant (JSON-ready).

    Each project lists ``outcome_metrics``, ``outcome_pricings``, ``results`` and
    ``outcome_payments`` (one planned and one actual per metric and report).
    """
    projects: dict[str, dict[str, Any]] = {}
    for grantee in grantees:
        for line in grantee.lines:
            if line.source != "grant":
                continue
            project_id = f"impactkit-grant-{line.grant_id}"
            project = projects.setdefault(
                project_id,
                {
                    "id": project_id,
                    "name": _v(line.grant),
                    "notes": f"Exported by impactkit in the fields of the {STANDARD}.",
                    "outcome_metrics": [],
                    "outcome_pricings": [],
                    "results": [],
                    "outcome_payments": [],
                },
            )
            metric = metric_id(line)
            if metric not in {m["id"] for m in project["outcome_metrics"]}:
                project["outcome_metrics"].append(
                    {
                        "id": metric,
                        "definition": _v(line.indicator),
                        "outcome_metric_target": _v(_target_text(line)),
                        "outcome_validation_method": _v(line.validation_method),
                        "data_source_for_outcome_validation": _v("validated social reports (impactkit)"),
                    }
                )
                pricing: dict[str, Any] = {
                    "outcome_metric_id": _v(metric),
                    "currency": _v(line.currency),
                    "price_description": _v(
                        "every unit once the target is met"
                        if line.basis == "all_units_when_met"
                        else "units beyond the target"
                    ),
                }
                if line.price_per_unit is not None:
                    pricing["price_per_unit"] = {"amount": _v(line.price_per_unit)}
                if line.cap is not None:
                    pricing["maximum_price_if_all_targets_achieved"] = {"amount": _v(f"{line.cap:g}")}
                project["outcome_pricings"].append(pricing)
            period = {
                "start_date": _v(grantee.period_start.isoformat()),
                "end_date": _v(grantee.period_end.isoformat()),
            }
            project["results"].append(
                {
                    "outcome_metric_id": _v(metric),
                    "result_level": _v("Outcome level"),
                    "result_type": _v("Interim" if line.stage == "interim" else "Final"),
                    "period": period,
                    "outcomes_achieved": _v(
                        f"{line.achieved:g}" if line.achieved is not None else "no value in the report"
                    ),
                    "other_description_of_result": _v(
                        f"{'met' if line.met else 'not met'}: {_target_text(line)}; {_source(grantee)}"
                    ),
                }
            )
            for kind, amount, note in (
                ("Planned", planned_payment(line), "payable when the target is met exactly, within the cap"),
                (
                    "Actual",
                    line.amount_payable,
                    "payable on the validated report under the grant's terms; "
                    "impactkit does not record the transfer",
                ),
            ):
                project["outcome_payments"].append(
                    {
                        "outcome_metric_id": _v(metric),
                        "period": period,
                        "type": _v(kind),
                        "money": {"currency": _v(line.currency), "amount": _v(amount)},
                        "notes": note,
                    }
                )
    return list(projects.values())


__all__ = ["STANDARD", "indigo_projects", "indigo_rows", "metric_id", "planned_payment"]
