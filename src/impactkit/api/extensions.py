"""Route handlers of the capabilities built on the foundation (surveys, KPIs, SROI, reports, pages)."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    return []
