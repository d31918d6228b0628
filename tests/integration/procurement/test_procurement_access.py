"""The access matrix's procurement rows for the contracting-authority role: the officer of the
authority passes exactly where the table says (its tenders, bids, award, workbook) and is refused
everywhere else among these routes, changing nothing when refused. The other roles of these rows
are checked by tests/integration/test_access_matrix.py."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer
from tests.integration.test_access_matrix import CASES, SIGNED_IN, Case, _prepare, _snapshot

PROCUREMENT = ("/authorities", "/tenders", "/bids", "/contracts", "/deliveries", "/procurement/")


def _allowed(case: Case) -> bool:
    """The officer is signed in: routes for anyone signed in are theirs too."""
    return "authority" in case.allowed or case.allowed >= SIGNED_IN


@pytest.mark.slow
def test_the_authority_role_is_allowed_exactly_where_the_table_says(live_server: LiveServer) -> None:
    ctx = _prepare(live_server)
    client = live_server.client(ctx.world.tokens["authority"])
    cases = [case for case in CASES if any(part in case.route for part in PROCUREMENT)]
    assert len(cases) >= 26
    wrong: list[str] = []
    # refused calls first, so that an allowed call's change cannot mask a leak
    for case in sorted(cases, key=_allowed):
        path = case.path(ctx, "authority")
        before = _snapshot(ctx.engine) if case.method != "GET" and not _allowed(case) else None
        response = client.request(
            case.method,
            path,
            params=case.params,
            json=case.body(ctx, "authority") if case.body else None,
            files=case.files(ctx, "authority") if case.files else None,
        )
        passed = response.status_code not in (401, 403, 404)
        if passed != _allowed(case):
            wrong.append(f"{case.method} {case.route}: {response.status_code} {response.text[:160]}")
        if response.status_code >= 500:
            wrong.append(f"{case.method} {case.route}: server error")
        if before is not None and _snapshot(ctx.engine) != before:
            wrong.append(f"{case.method} {case.route}: a refused call changed stored data")
    assert not wrong, "\n".join(wrong)
