"""Messages of the administrator's pages: organisations, users and roles, accreditations, funders."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "admin_area": {"it": "Amministrazione", "en": "Administration"},
}
