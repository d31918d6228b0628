"""Every route made to fail on purpose, and the server's log read back: no request body, answer,
token or password appears in any line (issue 15: a traceback in the log held a respondent's
answers).

Marker strings are planted where each kind of secret travels: in JSON and form bodies (with a NUL,
so that text is refused), in respondents' answers, in bearer tokens, survey-link and collector
paths, in passwords, in query strings and in file names. Every route of the app is called with
ids that do not exist, ids past 64 bits, bodies that are not JSON and bodies full of markers, as
anonymous, an organisation's owner and an administrator. Then the database loses the table of
responses (renamed away under the running server, on SQLite and on PostgreSQL) and answers are
sent through every door (JSON single and batch, the respondent page, OpenRosa), which the server
answers with 5xx and logs with tracebacks; on PostgreSQL its connections are also cut. The server
logs at debug level in the text format, then at info in JSON. The test fails if the failures were
not logged at all (so it cannot pass by logging nothing).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from impactkit.api.access_log import is_secret_parameter
from tests.factories import VALID_TAX_CODES
from tests.reliability.conftest import Deployment
from tests.reliability.loadclient import beneficiary_answers, multipart_submission

pytestmark = pytest.mark.slow

SECRET = "reliability-secret"  # the servers' IMPACTKIT_SECRET_KEY
RUN = uuid.uuid4().hex[:8]
BODY = f"bodymark{RUN}"
ANSWER = f"answermark{RUN}"
TOKEN = f"tokenmark{RUN}"
PASSWORD = f"passwordmark{RUN}"
QUERY = f"querymark{RUN}"
FILENAME = f"filemark{RUN}"
MARKERS = (BODY, ANSWER, TOKEN, PASSWORD, QUERY, FILENAME)
PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")


def app_routes(deployment: Deployment) -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves (API and pages)."""
    from impactkit.api.app import create_app
    from impactkit.settings import Settings

    settings = Settings(data_dir=deployment.data_dir, database_url=deployment.database_url, secret_key=SECRET)
    app = create_app(settings, engine=deployment.engine)
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        for method in getattr(route, "methods", ()):
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, route.path))
    return sorted(found)


def fill(template: str, integer: int) -> str:
    """The path with every int parameter ``integer``, every secret one (a token, a respondent's
    code, an answer's file name) a marker, the others ``x``."""

    def value(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2) or "str"
        if kind == "int":
            return str(integer)
        return f"{TOKEN}{name}" if is_secret_parameter(name) else "x"

    return PARAMETER.sub(value, template)


def marker_body() -> dict[str, Any]:
    """A JSON body that names the usual fields, each a marker (and one with a NUL)."""
    fields = ("name", "title", "label", "email", "password", "description", "framework_id", "text")
    body: dict[str, Any] = {field: f"{BODY}-{field}" for field in fields}
    body["comment"] = f"{BODY}\x00nul"
    body["answers"] = {"comments": f"{ANSWER}\x00", "q": ANSWER}
    body["responses"] = [{"answers": {"q": ANSWER}, "instance_id": BODY}]
    return body


def hammer_every_route(base_url: str, routes: list[tuple[str, str]], tokens: dict[str, str]) -> Counter[int]:
    """Call every route, every way it can fail; the answers' statuses counted."""
    statuses: Counter[int] = Counter()
    callers = {
        "anonymous": {"Authorization": f"Bearer ik_{TOKEN}"},
        "owner": {"Authorization": f"Bearer {tokens['owner_a']}"},
        "admin": {"Authorization": f"Bearer {tokens['admin']}"},
    }
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for method, template in routes:
            for caller, headers in callers.items():
                ids = (1, 987_654) if caller != "anonymous" else (2**70,)
                for integer in ids:
                    path = fill(template, integer)
                    query = {"q": QUERY, "period_id": QUERY, "next": QUERY}
                    if method == "GET":
                        statuses[client.get(path, params=query, headers=headers).status_code] += 1
                        continue
                    sends: list[dict[str, Any]] = [
                        {"json": marker_body()},
                        {
                            "content": b'{"answers": {"q": "' + ANSWER.encode(),
                            "headers": {"Content-Type": "application/json"},
                        },
                        {
                            "data": {
                                "email": f"{BODY}@example.org",
                                "password": PASSWORD,
                                "_csrf_token": TOKEN,
                            }
                        },
                        {
                            "files": {
                                "file": (f"{FILENAME}.xlsx", BODY.encode() * 10, "application/octet-stream")
                            }
                        },
                    ]
                    for send in sends:
                        extra = dict(send.pop("headers", {}))
                        answer = client.request(
                            method, path, params=query, headers={**headers, **extra}, **send
                        )
                        statuses[answer.status_code] += 1
    return statuses


BROKEN_TABLES = ("survey_response", "reporting_period")


def break_the_database(engine: Engine, *, restore: bool = False) -> None:
    """Tables go away under the running server (or come back); on PostgreSQL a trigger also
    refuses every new organisation with an error that quotes the row, as a misbehaving
    database extension might."""
    with engine.begin() as connection:
        for table in BROKEN_TABLES:
            old, new = table, f"{table}_gone_{RUN}"
            if restore:
                old, new = new, old
            connection.execute(text(f'ALTER TABLE "{old}" RENAME TO "{new}"'))
        if engine.url.get_backend_name() != "postgresql":
            return
        if restore:
            connection.execute(text("DROP TRIGGER refuse_organisations ON organisation"))
            connection.execute(text("DROP FUNCTION refuse_organisation()"))
            return
        connection.execute(
            text(
                "CREATE FUNCTION refuse_organisation() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'organisation % refused', NEW.name; END $$ LANGUAGE plpgsql"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER refuse_organisations BEFORE INSERT ON organisation "
                "FOR EACH ROW EXECUTE FUNCTION refuse_organisation()"
            )
        )


def cut_connections(engine: Engine) -> None:
    """PostgreSQL only: every connection of the server to its database is terminated."""
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )


def _count(statuses: Counter[int], answer: httpx.Response) -> None:
    statuses[answer.status_code] += 1
    if DEBUG:
        print(
            answer.request.method,
            answer.request.url.path[:40],
            answer.status_code,
            answer.text[:200].replace("\n", " "),
        )


DEBUG = False


def answer_every_door(
    deployment: Deployment, base_url: str, link_token: str, collector_secret: str, xml: bytes
) -> Counter[int]:
    """Answers sent through the JSON API (single and batch), the respondent page and OpenRosa."""
    world = deployment.world
    statuses: Counter[int] = Counter()
    answers = {**beneficiary_answers(1), "comments": ANSWER, "municipality": ANSWER}
    body = {
        "form_id": "beneficiary_outcomes",
        "form_version": "2026.1",
        "project_id": world.project_a,
        "period_id": world.period_a,
        "respondent_code": ANSWER,
        "answers": answers,
    }
    headers = {"Authorization": f"Bearer {world.tokens['editor_a']}"}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for _ in range(3):
            single = {**body, "instance_id": str(uuid.uuid4())}
            _count(statuses, client.post("/api/v1/responses", json=single, headers=headers))
            batch = [{**body, "instance_id": str(uuid.uuid4())} for _ in range(5)]
            _count(
                statuses, client.post("/api/v1/responses/batch", json={"responses": batch}, headers=headers)
            )
            page = client.get(f"/s/{link_token}")
            _count(statuses, page)
            csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
            form: dict[str, Any] = {
                key: str(value) for key, value in answers.items() if not isinstance(value, list)
            }
            form["vulnerable_conditions"] = answers["vulnerable_conditions"]
            if csrf:
                form["_csrf_token"] = csrf[1]
            _count(statuses, client.post(f"/s/{link_token}", data=form))
            content, content_type = multipart_submission(xml)
            openrosa = {"Content-Type": content_type, "X-OpenRosa-Version": "1.0"}
            _count(
                statuses,
                client.post(f"/collect/{collector_secret}/submission", content=content, headers=openrosa),
            )
        period = {"label": BODY, "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
        _count(
            statuses, client.post(f"/api/v1/projects/{world.project_a}/periods", json=period, headers=headers)
        )
        organisation = {
            "name": BODY,
            "legal_form": "aps",
            "tax_code": VALID_TAX_CODES[2],
            "municipality": BODY,
            "territory_type": "urban",
            "size_class": "micro",
        }
        admin = {"Authorization": f"Bearer {world.tokens['admin']}"}
        _count(statuses, client.post("/api/v1/organisations", json=organisation, headers=admin))
        for password in (PASSWORD, f"{PASSWORD}\x00"):
            signin = client.get("/signin")
            csrf = re.search(r'name="_csrf_token" value="([^"]+)"', signin.text)
            data = {"email": "owner_a@example.org", "password": password, "next": f"/app?{QUERY}"}
            if csrf:
                data["_csrf_token"] = csrf[1]
            _count(statuses, client.post("/signin", data=data))
    return statuses


def doors(deployment: Deployment) -> tuple[str, str, bytes]:
    """A survey link's token, a collector access's secret and an ODK submission full of markers;
    fresh tokens for the editor and the administrator (the hammering revoked what it could)."""
    from impactkit.store import collectors, links
    from impactkit.store.db import session_scope
    from impactkit.store.surveys import find_form_version, form_source
    from tests.odk import instance_xml

    world = deployment.world
    with session_scope(deployment.engine) as session:
        version = find_form_version(session, world.org_a, "beneficiary_outcomes", "2026.1")
        _, link_token = links.create_link(
            session,
            secret_key=SECRET,
            project_id=world.project_a,
            form_version_id=version.id or 0,
            created_by=None,
            period_id=world.period_a,
        )
        _, secret = collectors.create_access(
            session, secret_key=SECRET, project_id=world.project_a, created_by=None, period_id=world.period_a
        )
        source = form_source(session, version.id or 0)
        assert source is not None
        xml = instance_xml(
            source.xform, {**beneficiary_answers(2), "respondent_code": ANSWER}, str(uuid.uuid4())
        )
    return link_token, secret, xml


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_failing_route_writes_a_body_an_answer_a_token_or_a_password_to_the_log(
    deployment: Deployment, log_format: str, tmp_path: Path
) -> None:
    level = "debug" if log_format == "text" else "info"
    server = deployment.start_server(
        env={
            "IMPACTKIT_LOG_LEVEL": level,
            "IMPACTKIT_LOG_FORMAT": log_format,
            # every sign-in and survey post reaches the code that reads it, not the rate limit
            "IMPACTKIT_RATE_SIGNIN_PER_MINUTE": "100000",
            "IMPACTKIT_RATE_SURVEY_PER_MINUTE": "100000",
        }
    )
    statuses = hammer_every_route(server.base_url, app_routes(deployment), deployment.world.tokens)
    assert statuses[500] == 0, f"a route failed by itself: {statuses}"
    link_token, secret, xml = doors(deployment)  # after the hammering, which revokes what it can
    postgres = deployment.engine.url.get_backend_name() == "postgresql"
    break_the_database(deployment.engine)
    try:
        if postgres:
            cut_connections(deployment.engine)
        broken = answer_every_door(deployment, server.base_url, link_token, secret, xml)
    finally:
        break_the_database(deployment.engine, restore=True)
    healed = answer_every_door(deployment, server.base_url, link_token, secret, xml)
    server.stop()
    log = server.log()
    (tmp_path / "server.log").write_text(log)
    print(
        f"\n{deployment.engine.url.get_backend_name()} {log_format}: routes {sum(statuses.values())} requests "
        f"{dict(sorted(statuses.items()))}; database broken {dict(sorted(broken.items()))}; "
        f"restored {dict(sorted(healed.items()))}; log {len(log.splitlines())} lines"
    )
    assert sum(count for status, count in broken.items() if status >= 500) >= 5, broken
    assert "unexpected error" in log and "Traceback" in log, "the failures were logged with their tracebacks"
    assert max(healed) < 500, healed
    for marker in MARKERS:
        lines = [line for line in log.splitlines() if marker in line]
        assert not lines, f"{marker[: -len(RUN)]} written to the log:\n" + "\n".join(lines[:5])
    assert link_token not in log and secret not in log
    for token in deployment.world.tokens.values():
        assert token not in log
