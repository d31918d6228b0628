"""Helpers for page tests: a world with the shipped forms published, a survey link, and signing in."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from sqlalchemy.engine import Engine

from impactkit.settings import Settings
from impactkit.store import links
from impactkit.store.db import session_scope
from impactkit.store.surveys import find_form_version, publish_shipped_forms
from tests.factories import World, build_world

PASSWORD = "correct horse battery"
"""The password build_world gives every user (hashed with argon2 by the store)."""


@dataclass
class WebWorld:
    world: World
    token: str
    link_id: int
    form_version_id: int


def build_web_world(engine: Engine, settings: Settings, **link_options: object) -> WebWorld:
    """build_world, the shipped forms published, and a beneficiary survey link for project A."""
    world = build_world(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
        version = find_form_version(session, world.org_a, "beneficiary_outcomes")
        assert version.id is not None
        link, token = links.create_link(
            session,
            secret_key=settings.secret_key,
            project_id=world.project_a,
            period_id=world.period_a,
            form_version_id=version.id,
            wave="baseline",
            created_by=world.users["owner_a"],
            **link_options,  # type: ignore[arg-type]
        )
        assert link.id is not None
        return WebWorld(world, token, link.id, version.id)


def csrf_of(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match[1]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the page has no hidden field {name}"
    return match[1]


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={"email": email, "password": password, "_csrf_token": csrf_of(page.text), "next": "/app"},
    )
