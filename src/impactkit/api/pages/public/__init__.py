"""Pages anyone may open: sign-in and sign-out, invitations, the observatory and its open data (plus the
observatory's staff pages: publish from a report, curators)."""

from __future__ import annotations

from impactkit.api.pages.public import (
    invitations,
    observatory,
    observatory_curation,
    observatory_opendata,
    signin,
)

ROUTES = [
    *signin.ROUTES,
    *invitations.ROUTES,
    *observatory.ROUTES,
    *observatory_opendata.ROUTES,
    *observatory_curation.ROUTES,
]
NAV = [*observatory_curation.NAV]
