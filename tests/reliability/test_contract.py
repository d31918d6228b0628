"""Contract fuzzing: schemathesis against the served OpenAPI document, every operation, five roles.

A live `impactkit serve` (SQLite) with the demo data answers cases generated from its own
``/schema/openapi.json``, authenticated in turn as the administrator, an organisation owner, an
accredited evaluator, a funder and a contracting authority's officer. Every answer must not be a
server error and must match the schema the document declares for it. Bounded: a few examples per operation and role, no
shrinking, so the whole run stays within a few minutes; the number of cases is printed.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks as schemathesis_checks

from impactkit.demo import load_demo
from impactkit.store import migrate
from impactkit.store.db import make_engine, session_scope
from impactkit.store.surveys import publish_shipped_forms
from tests.conftest import free_port
from tests.reliability.loadclient import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

EXAMPLES_PER_OPERATION = int(os.environ.get("IMPACTKIT_FUZZ_EXAMPLES", "8"))
ROLES = {
    "administrator": "admin@demo.impactkit.org",
    "organisation owner": "owner@coop-aurora.demo",
    "evaluator": "evaluator@demo.impactkit.org",
    "funder": "funder@fondazione.demo",
    "contracting authority": "gare@comune-pinerolo.demo",
}
CHECKS = [schemathesis_checks.not_a_server_error, schemathesis_checks.response_schema_conformance]


@dataclass
class Served:
    server: ServerProcess
    tokens: dict[str, str]
    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    operations: int = 0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("contract")
    url = f"sqlite:///{folder / 'impactkit.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(engine) as session:
        publish_shipped_forms(session)
    demo = load_demo(engine, "reliability-secret")
    engine.dispose()
    server = ServerProcess(url, free_port(), Path(folder / "data")).start()
    found = Served(server, demo.tokens)
    try:
        yield found
    finally:
        server.kill()
        total = sum(found.cases.values())
        print(
            f"\ncontract fuzzing: {found.operations} operations, {total} cases; by role {dict(found.cases)}; answers {dict(found.statuses)}"
        )


def _destructive_last(operation: Any) -> tuple[bool, bool]:
    """Deletions after everything else, and revoking tokens (ours too) at the very end."""
    return (operation.method.upper() == "DELETE", "/tokens/" in operation.path)


def _label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


AWARD_ROUTES = {
    "POST /api/v1/tenders/{tender_id}/award",
    "GET /api/v1/tenders/{tender_id}/award-report.pdf",
    "GET /api/v1/contracts/{contract_id}",
    "POST /api/v1/contracts/{contract_id}/deliveries",
}
"""The routes that carry a contract's term and the award report: fuzzed above like every other
operation, and exercised on the demo's awarded tender first (before fuzzing changes the demo's data)."""


def test_the_award_routes_are_documented_and_answer_the_demo_as_documented(served: Served) -> None:
    import httpx

    from impactkit.reports import verify_bytes

    schema = schemathesis.openapi.from_url(f"{served.server.base_url}/schema/openapi.json")
    labels = {_label(r.ok()) for r in schema.get_all_operations()}
    assert labels >= AWARD_ROUTES, AWARD_ROUTES - labels
    officer = httpx.Client(
        base_url=served.server.base_url,
        timeout=120,
        headers={"Authorization": f"Bearer {served.tokens[ROLES['contracting authority']]}"},
    )
    owner = httpx.Client(
        base_url=served.server.base_url,
        timeout=120,
        headers={"Authorization": f"Bearer {served.tokens[ROLES['organisation owner']]}"},
    )
    try:
        awarded = [t for t in officer.get("/api/v1/tenders", params={"status": "awarded"}).json()]
        assert awarded and awarded[0]["award_reason"]
        contracts = [c for c in officer.get("/api/v1/contracts").json() if c["tender_id"] == awarded[0]["id"]]
        assert contracts and contracts[0]["starts_on"] == "2026-01-01" and contracts[0]["reporting_periods"]
        for language in ("it", "en"):
            pdf = officer.get(
                f"/api/v1/tenders/{awarded[0]['id']}/award-report.pdf", params={"language": language}
            )
            assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf")
            assert verify_bytes(pdf.content).ok
        refused = owner.get(f"/api/v1/tenders/{awarded[0]['id']}/award-report.pdf")
        assert refused.status_code == 404
        outside = owner.post(
            f"/api/v1/contracts/{contracts[0]['id']}/deliveries",
            json={
                "period_label": "2025 H2",
                "starts_on": "2025-07-01",
                "ends_on": "2025-12-31",
                "delivered": {},
            },
        )
        assert outside.status_code == 422 and outside.json()["errors"][0]["location"] == "starts_on"
    finally:
        officer.close()
        owner.close()


@pytest.mark.parametrize(
    "role",
    [
        "administrator",
        "organisation owner",
        "evaluator",
        "funder",
        "contracting authority",
    ],
)
def test_every_operation_answers_without_server_error_and_as_documented(served: Served, role: str) -> None:
    schema = schemathesis.openapi.from_url(f"{served.server.base_url}/schema/openapi.json")
    headers = {"Authorization": f"Bearer {served.tokens[ROLES[role]]}"}
    failures: list[str] = []
    operations = 0
    for operation in sorted((r.ok() for r in schema.get_all_operations()), key=_destructive_last):
        operations += 1

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            served.cases[role] += 1
            # the generated case may carry a made-up Authorization header: ours wins
            case.headers = {**(case.headers or {}), **headers}
            response = case.call_and_validate(base_url=served.server.base_url, checks=CHECKS, timeout=30)
            served.statuses[response.status_code] += 1

        try:
            exercise()
        except Exception as error:
            failures.append(f"{_label(operation)}: {str(error)[:1500]}")
    served.operations = operations
    assert operations > 20, "the OpenAPI document lists fewer operations than the API has"
    assert not failures, f"{len(failures)} operations failed as {role}:\n" + "\n\n".join(failures)
