"""Reading the standard layout (``exports/layout-v2.yaml``, v1 still shipped): sheets, columns, formats."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from impactkit._paths import data_dir

LAYOUT_FILE = "layout-v2.yaml"


class Column(BaseModel):
    """One column of a table in the layout."""

    model_config = ConfigDict(extra="forbid")

    key: str
    label: dict[str, str]
    format: str = "text"
    width: float | None = None
    formula: str | None = None


class Layout(BaseModel):
    """The whole layout file, lightly typed: sheets are dicts read by the writers."""

    model_config = ConfigDict(extra="allow")

    layout: str
    version: int
    formats: dict[str, str]
    sheets: dict[str, dict[str, Any]]
    portfolio: dict[str, Any] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        """``impactkit-standard v2``."""
        return f"{self.layout} v{self.version}"

    def sheet(self, sheet_id: str) -> dict[str, Any]:
        """The settings of one sheet."""
        return self.sheets[sheet_id]

    def columns(self, sheet: dict[str, Any], key: str = "columns") -> list[Column]:
        """The typed columns listed under ``key`` in a sheet's settings."""
        return [Column.model_validate(item) for item in sheet[key]]


@lru_cache(maxsize=4)
def load_layout(name: str = LAYOUT_FILE) -> Layout:
    """The standard layout shipped in ``exports/`` (cached)."""
    path = data_dir("exports") / name
    return Layout.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def text_in(labels: dict[str, str] | str | None, language: str) -> str:
    """A label in ``language``, falling back to English, Italian, then any."""
    if labels is None:
        return ""
    if isinstance(labels, str):
        return labels
    for candidate in (language, "en", "it"):
        if labels.get(candidate):
            return labels[candidate]
    return next(iter(labels.values()), "")


def utc_text(moment: datetime) -> str:
    """A time as ``YYYY-MM-DD HH:MM:SS`` in UTC (a naive time is taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")
