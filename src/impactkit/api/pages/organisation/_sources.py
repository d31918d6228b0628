"""A response's ``source`` in words, for the pages that list responses."""

from __future__ import annotations

from impactkit.api.deps import DB
from impactkit.api.pages.rendering import message
from impactkit.store import collectors, links
from impactkit.store.imports import IMPORT_SOURCE
from impactkit.store.tables import CollectorAccess, SurveyLink


class SourceNames:
    """A response's ``source`` in words: which survey link, which ODK access, an import, the API."""

    def __init__(self, db: DB, language: str) -> None:
        self.db = db
        self.language = language
        self.known: dict[str, str] = {}

    def __call__(self, source: str) -> str:
        if source not in self.known:
            self.known[source] = self._describe(source)
        return self.known[source]

    def _describe(self, source: str) -> str:
        link_id = links.link_of_source(source)
        if link_id is not None:
            link = self.db.get(SurveyLink, link_id)
            label = (link.label if link is not None else "") or f"#{link_id}"
            return message("source_link", self.language, label=label)
        if source.startswith(collectors.collector_source(0).removesuffix("0")):
            digits = source.rsplit(":", 1)[-1]
            access = self.db.get(CollectorAccess, int(digits)) if digits.isdigit() else None
            label = (access.label if access is not None else "") or f"#{digits}"
            return message("source_odk", self.language, label=label)
        if source == IMPORT_SOURCE:
            return message("source_import", self.language)
        if source == "api":
            return message("source_api", self.language)
        return source
