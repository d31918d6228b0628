"""No token, password or respondent answer reaches the logs, even when a request fails."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import LiveServer
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup, submission


def test_logs_hold_no_tokens_and_no_answers(live_server: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world = setup(live_server)
    token = world.tokens["editor_a"]
    editor = live_server.client(token)
    secret_answer = "Vivo con mia sorella a Bussoleno"
    good = submission(world, answers=beneficiary_answers(comments=secret_answer))
    assert editor.post("/api/v1/responses", json=good).status_code == 201
    bad = submission(world, answers=beneficiary_answers(age="not a number", comments=secret_answer))
    assert editor.post("/api/v1/responses", json=bad).status_code == 422
    assert live_server.client("ik_wrong-token-value").get("/api/v1/me").status_code == 401
    assert editor.get("/api/v1/responses/not-a-route").status_code in (404, 405)
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (token, "ik_wrong-token-value", secret_answer, "AUR-17"):
        assert secret not in text
