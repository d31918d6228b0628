"""Report content as it may be shown outside the organisation: disclosure control made sure of.

KPI results are protected when they are computed (:mod:`impactkit.disclosure`, through
``compute_kpis``), so a report's content normally needs nothing more. Content frozen before that
(its KPIs carry no ``disclosure`` statement) hid only cells under the threshold: there the hidden
counts are unknown, so :func:`protect_content` hides every breakdown cell of a KPI that has a
hidden one (and of the KPIs over the same respondents, which show the same counts), and any
headline figure under the threshold. Every writer of a report or a portfolio calls it.
"""

from __future__ import annotations

from typing import Any

from impactkit.disclosure import default_threshold, method_statement
from impactkit.reports.model import KpiResult, ReportContent

SURVEY_KINDS = frozenset({"mean", "median", "proportion", "change", "count", "sum", "rate"})


def is_protected(content: ReportContent) -> bool:
    """True when the KPIs were computed with disclosure control (they carry its statement)."""
    return any(getattr(kpi, "disclosure", None) for kpi in content.kpis)


def _reported(kpi: KpiResult) -> bool:
    return (kpi.method or "").startswith(("reported figure", "ratio of reported"))


def protect_content(content: ReportContent, threshold: int | None = None) -> ReportContent:
    """The content with every KPI table protected (idempotent on content computed since).

    Args:
        content: a report's content, as stored or frozen.
        threshold: k (default: the instance's).

    Returns:
        The same content when it is already protected; otherwise a copy with the cells hidden
        that legacy content could give away, and the method statement on every KPI.
    """
    if is_protected(content):
        return content
    k = default_threshold() if threshold is None else threshold
    kpis = [kpi.model_copy(deep=True) for kpi in content.kpis]
    risky_shapes: set[tuple[Any, ...]] = set()
    for kpi in kpis:
        if any(cell.suppressed for cell in kpi.disaggregations):
            risky_shapes.add((kpi.n, tuple(sorted({c.dimension for c in kpi.disaggregations}))))
    for kpi in kpis:
        primary = secondary = 0
        if not _reported(kpi) and kpi.n is not None and 1 <= kpi.n < k and kpi.value is not None:
            kpi.value = kpi.ci_low = kpi.ci_high = None
            kpi.n = None
            kpi.target_met = None
            kpi.flags = [*kpi.flags, f"suppressed: fewer than {k} people"]
            primary += 1
        shape = (kpi.n, tuple(sorted({c.dimension for c in kpi.disaggregations})))
        hide_all = any(cell.suppressed for cell in kpi.disaggregations) or (
            kpi.disaggregations and shape in risky_shapes
        )
        for cell in kpi.disaggregations:
            if cell.suppressed:
                cell.value = cell.ci_low = cell.ci_high = None
                cell.n = None
                setattr(cell, "suppression", "primary")  # noqa: B010 - an extra of the tolerant model
                primary += 1
            elif hide_all or kpi.n is None:
                cell.value = cell.ci_low = cell.ci_high = None
                cell.n = None
                cell.suppressed = True
                setattr(cell, "suppression", "secondary")  # noqa: B010
                secondary += 1
        # Extras of the tolerant models (not fields, so that the hashes of frozen content stay).
        setattr(kpi, "disclosure", method_statement(k, primary, secondary))  # noqa: B010
    return content.model_copy(update={"kpis": kpis})


def disclosure_note(content: ReportContent, language: str) -> str:
    """The statement of the method for a whole KPI table of the report, in ``language``."""
    primary = secondary = 0
    threshold = default_threshold()
    for kpi in content.kpis:
        if getattr(kpi, "suppression", None) == "primary" or any(
            f.startswith("suppressed: fewer") for f in kpi.flags
        ):
            primary += 1
        elif getattr(kpi, "suppression", None) == "secondary":
            secondary += 1
        for cell in kpi.disaggregations:
            reason = getattr(cell, "suppression", None)
            if reason == "primary":
                primary += 1
            elif reason == "secondary":
                secondary += 1
    return method_statement(threshold, primary, secondary).get(language, "")


__all__ = ["disclosure_note", "is_protected", "protect_content"]
