"""Fixtures of the report tests (helpers and data live in ``helpers.py``)."""

from __future__ import annotations

from tests.unit.reports.helpers import content, soffice, stamp

__all__ = ["content", "soffice", "stamp"]
