"""A respondent's data can be exported and erased (GDPR); KPIs then no longer count them; all audited."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.integration.reports.test_reports_api import collect
from tests.integration.surveys.test_responses_api import setup, submission


def test_erasing_a_respondent_removes_them_from_kpis_and_blocks_their_ids(live_server: LiveServer) -> None:
    world = setup(live_server)
    collect(live_server, world)
    owner = live_server.client(world.tokens["owner_a"])
    before = {
        r["indicator_id"]: r for r in owner.get(f"/api/v1/projects/{world.project_a}/kpis").json()["results"]
    }

    exported = owner.get(f"/api/v1/organisations/{world.org_a}/respondents/AUR-3")
    assert exported.status_code == 200
    records = exported.json()["responses"]
    assert {r["wave"] for r in records} == {"baseline", "endline"}
    assert all(r["answers"]["respondent_code"] == "AUR-3" for r in records)

    editor = live_server.client(world.tokens["editor_a"])
    assert editor.delete(f"/api/v1/organisations/{world.org_a}/respondents/AUR-3").status_code == 403
    assert (
        live_server.client(world.tokens["owner_b"])
        .delete(f"/api/v1/organisations/{world.org_a}/respondents/AUR-3")
        .status_code
        == 404
    )
    erased = owner.delete(f"/api/v1/organisations/{world.org_a}/respondents/AUR-3")
    assert erased.status_code == 200 and len(erased.json()["erased"]) == 2

    after = {
        r["indicator_id"]: r for r in owner.get(f"/api/v1/projects/{world.project_a}/kpis").json()["results"]
    }
    changed = [k for k in before if before[k]["kind"] == "change"]
    assert changed and all(after[k]["n"] == before[k]["n"] - 1 for k in changed)
    assert owner.get(f"/api/v1/organisations/{world.org_a}/respondents/AUR-3").status_code == 404

    # the erased instance id stays blocked: a resend of the erased answers cannot bring them back
    resend = editor.post("/api/v1/responses", json=submission(world, instance_id=erased.json()["erased"][0]))
    assert resend.status_code == 409 and resend.json()["errors"][0]["code"] == "erased"

    log = owner.get(f"/api/v1/organisations/{world.org_a}/audit").json()
    actions = [entry["action"] for entry in log]
    assert "respondent.erased" in actions and "respondent.exported" in actions
    assert "AUR-3" not in str(log)
    assert (
        live_server.client(world.tokens["admin"])
        .get("/api/v1/audit", params={"action": "respondent.erased"})
        .json()
    )
    assert editor.get(f"/api/v1/organisations/{world.org_a}/audit").status_code == 403
