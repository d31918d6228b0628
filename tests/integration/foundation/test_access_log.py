"""The server's log for operators: one parsable line per request, with no secret in it."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from impactkit.api.access_log import loggable_path
from impactkit.cli import main
from impactkit.demo import load_demo, load_demo_link
from impactkit.logs import FIELDS, JsonFormatter, TextFormatter
from impactkit.store import migrate
from impactkit.store.db import make_engine, session_scope
from impactkit.store.surveys import publish_shipped_forms
from tests.conftest import free_port
from tests.reliability.loadclient import ServerProcess

SECRET = "reliability-secret"  # the secret key ServerProcess gives the server


def test_paths_are_logged_by_route_with_their_secrets_masked() -> None:
    survey = {"path": "/s/abc", "path_template": "/s/{token:str}/done", "path_params": {"token": "abc"}}
    assert loggable_path(survey) == "/s/{token}/done"
    collector = {
        "path_template": "/collect/{collector_secret:str}/formList",
        "path_params": {"collector_secret": "s3cr3t"},
    }
    assert loggable_path(collector) == "/collect/{collector_secret}/formList"
    project = {"path_template": "/api/v1/projects/{project_id:int}", "path_params": {"project_id": 12}}
    assert loggable_path(project) == "/api/v1/projects/12"
    assert loggable_path({"path": "/s/Zk3J9qHc0VbR2mXw7LpA1TeY/oops"}) == "/s/{masked}/oops"
    assert loggable_path({"path": "/signin"}) == "/signin"


def _record(**fields: object) -> logging.LogRecord:
    record = logging.LogRecord("impactkit.access", logging.INFO, __file__, 1, "a %s", ("line",), None)
    setattr(record, FIELDS, fields)
    return record


def test_the_two_formats_an_operator_can_choose() -> None:
    text = TextFormatter().format(_record(status=200))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO impactkit\.access a line", text)
    parsed = json.loads(JsonFormatter().format(_record(status=200, path="/health")))
    assert parsed["level"] == "info" and parsed["logger"] == "impactkit.access"
    assert parsed["message"] == "a line" and parsed["status"] == 200 and parsed["path"] == "/health"


def test_a_log_setting_that_is_not_understood_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACTKIT_LOG_FORMAT", "xml")
    result = CliRunner().invoke(main, ["info"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: IMPACTKIT_LOG_FORMAT must be one of text, json, got 'xml'"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """``impactkit serve`` on SQLite with the demo's users and survey link, logging JSON."""
    folder = tmp_path_factory.mktemp("access-log")
    url = f"sqlite:///{folder / 'impactkit.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    demo = load_demo(engine, SECRET)
    secrets = {"link": load_demo_link(engine, SECRET), "token": demo.tokens["admin@demo.impactkit.org"]}
    engine.dispose()
    server = ServerProcess(url, free_port(), folder / "data", env={"IMPACTKIT_LOG_FORMAT": "json"}).start()
    try:
        yield server, secrets
    finally:
        server.kill()


def test_every_request_gets_one_json_line_without_its_secrets(
    served: tuple[ServerProcess, dict[str, str]],
) -> None:
    server, secrets = served
    link, token = secrets["link"], secrets["token"]
    before = len(_access_lines(server))
    sent: list[tuple[str, str, int]] = []
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        for method, path, kwargs, logged in [
            ("GET", f"/health?token={token}", {}, "/health"),
            ("GET", f"/s/{link}", {}, "/s/{token}"),
            ("POST", f"/s/{link}", {"data": {"age": "not a number"}}, "/s/{token}"),
            ("GET", "/api/v1/organisations", {"headers": {"Authorization": f"Bearer {token}"}}, None),
            ("GET", "/api/v1/organisations/1", {"headers": {"Authorization": f"Bearer {token}"}}, None),
            ("GET", f"/nowhere/{link}", {}, "/nowhere/{masked}"),
        ]:
            answer = client.request(method, path, **kwargs)  # type: ignore[arg-type]
            sent.append((method, logged or path, answer.status_code))
    # the last line of the server's start-up (its /health poll) may reach the file after
    # ``before`` was counted: wait for the line of the last request sent, then read the tail
    lines = _wait_for_lines(server, before + len(sent), last_path=sent[-1][1])[-len(sent):]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == sent
    for line in lines:
        assert line["level"] == "info" and line["logger"] == "impactkit.access"
        assert line["client"] == "127.0.0.1"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert isinstance(line["bytes"], int)
    log = server.log()
    assert link not in log and token not in log


def _access_lines(server: ServerProcess) -> list[dict[str, object]]:
    found = []
    for text in server.log().splitlines():
        if text.startswith("{"):
            entry = json.loads(text)  # every line the server writes is one JSON object
            if entry.get("logger") == "impactkit.access":
                found.append(entry)
    return found


def _wait_for_lines(server: ServerProcess, count: int, last_path: str) -> list[dict[str, object]]:
    import time

    deadline = time.monotonic() + 10
    lines = _access_lines(server)
    while (len(lines) < count or lines[-1]["path"] != last_path) and time.monotonic() < deadline:
        time.sleep(0.05)
        lines = _access_lines(server)
    return lines


def test_server_messages_are_json_lines_too(served: tuple[ServerProcess, dict[str, str]]) -> None:
    server, _ = served
    written = [line for line in server.log().splitlines() if line.strip()]
    assert written, "the server wrote nothing"
    for line in written:
        assert json.loads(line)["level"] in {"debug", "info", "warning", "error", "critical"}, line

