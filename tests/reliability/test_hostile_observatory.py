"""The public observatory, hostile, over HTTP on both databases: an organisation's draft report
(never published) leaves no trace on the public pages and open data, and guessing addresses
(report ids, small numbers, slug-like strings) finds nothing. Publications are named by random
slugs; a guess is a 404 whatever it names."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.reliability.conftest import Deployment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PUBLIC = ["/osservatorio", "/osservatorio/buone-pratiche", "/osservatorio/aggregati", "/osservatorio/dati"]


def test_an_unpublished_report_is_nowhere_public_and_addresses_cannot_be_guessed(
    deployment: Deployment,
) -> None:
    world = deployment.world
    marker = f"Riservato{secrets.token_hex(4)}"
    server = deployment.start_server()
    owner = httpx.Client(
        base_url=server.base_url, timeout=120, headers={"Authorization": f"Bearer {world.tokens['owner_a']}"}
    )
    renamed = owner.patch(
        f"/api/v1/projects/{world.project_a}", json={"name": marker, "framework_id": "simplified-kpis"}
    )
    assert renamed.status_code == 200, renamed.text
    draft = owner.post(
        f"/api/v1/projects/{world.project_a}/reports",
        json={"period_id": world.period_a, "sections": {"methodology": marker}},
    )
    assert draft.status_code == 201, draft.text
    report_id = draft.json()["id"]
    visitor = httpx.Client(base_url=server.base_url, timeout=120)
    seen = 0
    for path in PUBLIC:
        page = visitor.get(path, follow_redirects=True)
        assert page.status_code == 200, (path, page.status_code)
        assert marker not in page.text, f"{path} shows the unpublished report"
        for link in [part.split('"', 1)[0] for part in page.text.split('href="')[1:]]:
            if link.startswith("/osservatorio") and not link.endswith(".pdf"):
                other = visitor.get(link)
                seen += 1
                assert other.status_code < 500 and marker not in other.text, link
    guesses = [
        str(report_id),
        *map(str, range(0, 31)),
        "-1",
        "..%2f..%2fapi%2fv1%2freports%2f1",
        secrets.token_urlsafe(9),
    ]
    for guess in guesses:
        for suffix in ("", "/rapporto.pdf", "/logo"):
            answer = visitor.get(f"/osservatorio/rapporti/{guess}{suffix}")
            assert answer.status_code == 404, (guess, suffix, answer.status_code)
            assert marker not in answer.text
    assert visitor.get(f"/observatory/reports/{report_id}", follow_redirects=True).status_code == 404
    print(
        f"\n{deployment.engine.url.get_backend_name()}: {len(PUBLIC)} public pages, {seen} linked pages and data, "
        f"{len(guesses) * 3} guessed addresses: nothing of the draft"
    )
    owner.close()
    visitor.close()
