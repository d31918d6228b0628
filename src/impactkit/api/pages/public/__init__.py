"""Pages anyone may open: sign-in and sign-out, invitations (and, as they come, the observatory)."""

from __future__ import annotations

from impactkit.api.pages.public import invitations, signin

ROUTES = [*signin.ROUTES, *invitations.ROUTES]
NAV: list[object] = []
