"""Route handlers of the capabilities built on the foundation (surveys, KPIs, SROI, reports)."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from impactkit.api.analysis import ANALYSIS_CONTROLLERS
    from impactkit.api.designs import DESIGN_CONTROLLERS
    from impactkit.api.privacy import PRIVACY_CONTROLLERS
    from impactkit.api.reports import REPORT_CONTROLLERS
    from impactkit.api.surveys import SURVEY_CONTROLLERS

    return [
        *SURVEY_CONTROLLERS,
        *ANALYSIS_CONTROLLERS,
        *REPORT_CONTROLLERS,
        *PRIVACY_CONTROLLERS,
        *DESIGN_CONTROLLERS,
    ]
