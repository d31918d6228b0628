"""Pages anyone may open: sign-in and sign-out (and, as they come, invitations and the observatory)."""

from __future__ import annotations

from impactkit.api.pages.public import signin

ROUTES = [*signin.ROUTES]
NAV: list[object] = []
