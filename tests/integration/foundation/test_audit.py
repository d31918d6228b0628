"""The audit log records sign-ins (and failed attempts), alongside validations, exports and erasures."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, sign_in


def test_sign_ins_and_failed_attempts_are_audited(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    assert sign_in(live_server.client(), "owner_a@example.org").status_code == 303
    assert sign_in(live_server.client(), "owner_a@example.org", "not the password").status_code == 401
    admin = live_server.client(web.world.tokens["admin"])
    actions = [entry["action"] for entry in admin.get("/api/v1/audit").json()]
    assert "signin" in actions and "signin.failed" in actions
    assert "not the password" not in admin.get("/api/v1/audit").text
