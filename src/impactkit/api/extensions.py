"""Route handlers of the capabilities built on the foundation (surveys, KPIs, SROI, reports)."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from impactkit.api.analysis import ANALYSIS_CONTROLLERS
    from impactkit.api.designs import DESIGN_CONTROLLERS
    from impactkit.api.flags import FLAG_CONTROLLERS
    from impactkit.api.privacy import PRIVACY_CONTROLLERS
    from impactkit.api.reports import REPORT_CONTROLLERS
    from impactkit.api.surveys import SURVEY_CONTROLLERS

    handlers = [
        *SURVEY_CONTROLLERS,
        *ANALYSIS_CONTROLLERS,
        *REPORT_CONTROLLERS,
        *PRIVACY_CONTROLLERS,
        *DESIGN_CONTROLLERS,
        *FLAG_CONTROLLERS,
    ]
    handlers += _odk_handlers()
    handlers += _import_handlers()
    handlers += _procurement_handlers()
    handlers += _observatory_handlers()
    handlers += _logo_handlers()
    return handlers


def _logo_handlers() -> list[Any]:
    """The organisation's logo (printed on its report documents)."""
    from impactkit.api.logos import LOGO_CONTROLLERS

    return [*LOGO_CONTROLLERS]


def _observatory_handlers() -> list[Any]:
    """The observatory: publish and withdraw a validated report."""
    from impactkit.api.observatory import OBSERVATORY_CONTROLLERS

    return [*OBSERVATORY_CONTROLLERS]


def _import_handlers() -> list[Any]:
    """Imports of KoBoToolbox, ODK Central and impactkit exports."""
    from impactkit.api.imports import IMPORT_CONTROLLERS

    return [*IMPORT_CONTROLLERS]


def _odk_handlers() -> list[Any]:
    """ODK: the OpenRosa doors, collector accesses and the responses' media files."""
    from impactkit.api.attachments import ATTACHMENT_CONTROLLERS
    from impactkit.api.collectors import COLLECTOR_CONTROLLERS
    from impactkit.api.openrosa import OPENROSA_CONTROLLERS

    return [*OPENROSA_CONTROLLERS, *COLLECTOR_CONTROLLERS, *ATTACHMENT_CONTROLLERS]


def _procurement_handlers() -> list[Any]:
    """Social procurement: authorities, tenders, bids, delivery and its verification."""
    from impactkit.api.procurement import PROCUREMENT_CONTROLLERS

    return [*PROCUREMENT_CONTROLLERS]
