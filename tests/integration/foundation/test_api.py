"""The foundation API over real HTTP, on SQLite and PostgreSQL: health, docs, auth, isolation, errors."""

from __future__ import annotations

from sqlmodel import Session, select

from impactkit import __version__
from impactkit.store.security import hash_token
from impactkit.store.tables import ApiToken
from tests.conftest import LiveServer
from tests.factories import build_world

NEW_ORG = {
    "name": "Cooperativa Nuova",
    "legal_form": "social_cooperative_a",
    "tax_code": "01234567897",
    "municipality": "Ivrea",
    "zone": "Eporediese",
    "territory_type": "rural",
    "size_class": "small",
}


def test_health_names_the_version_and_the_database(live_server: LiveServer) -> None:
    body = live_server.client().get("/health").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["database"]["backend"] == live_server.engine.url.get_backend_name()


def test_the_openapi_document_and_its_docs_page_are_served(live_server: LiveServer) -> None:
    client = live_server.client()
    spec = client.get("/schema/openapi.json").json()
    assert spec["info"]["title"] == "impactkit API"
    assert "/api/v1/organisations" in spec["paths"]
    page = client.get("/schema/swagger")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "<script>" not in page.text and "<style" not in page.text and "https://" not in page.text
    assert client.get("/static/pages/api-docs.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui-standalone-preset.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_missing_or_wrong_token_is_401_problem_json(live_server: LiveServer) -> None:
    build_world(live_server.engine)
    for client in (live_server.client(), live_server.client("ik_not-a-real-token")):
        response = client.get("/api/v1/organisations")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 401


def test_another_organisations_data_is_a_404_that_reveals_nothing(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    owner_b = live_server.client(world.tokens["owner_b"])
    response = owner_b.get(f"/api/v1/organisations/{world.org_a}")
    assert response.status_code == 404
    assert "Cooperativa A" not in response.text
    assert owner_b.get(f"/api/v1/organisations/{world.org_a}/projects").status_code == 404
    assert owner_b.get(f"/api/v1/projects/{world.project_a}").status_code == 404
    listed = owner_b.get("/api/v1/organisations").json()
    assert [org["id"] for org in listed] == [world.org_b]
    # and it cannot change A either
    changed = owner_b.patch(f"/api/v1/organisations/{world.org_a}", json=NEW_ORG)
    assert changed.status_code == 404


def test_malformed_json_is_a_400_problem(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    response = live_server.client(world.tokens["admin"]).post(
        "/api/v1/organisations", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_field_and_wrong_type_are_422_naming_the_field(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    admin = live_server.client(world.tokens["admin"])
    unknown = admin.post("/api/v1/organisations", json={**NEW_ORG, "colour": "blue"})
    assert unknown.status_code == 422
    assert any("colour" in error["location"] for error in unknown.json()["errors"])
    wrong_type = admin.post(
        f"/api/v1/organisations/{world.org_a}/projects", json={"name": "P", "population": "many"}
    )
    assert wrong_type.status_code == 422
    assert any("population" in error["location"] for error in wrong_type.json()["errors"])


def test_an_invalid_tax_code_is_422_saying_why(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    response = live_server.client(world.tokens["admin"]).post(
        "/api/v1/organisations", json={**NEW_ORG, "tax_code": "01234567890"}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert "tax_code" in error["location"]
    assert "check digit is 0, expected 7" in error["message"]


def test_an_administrator_sets_up_an_organisation_end_to_end(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    admin = live_server.client(world.tokens["admin"])
    org = admin.post("/api/v1/organisations", json=NEW_ORG)
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    user = admin.post("/api/v1/users", json={"email": "new.owner@example.org", "name": "New Owner"}).json()
    member = admin.post(
        f"/api/v1/organisations/{org_id}/members", json={"user_id": user["id"], "role": "owner"}
    )
    assert member.status_code == 201
    issued = admin.post(f"/api/v1/users/{user['id']}/tokens", json={"name": "laptop"}).json()
    token = issued["token"]
    with Session(live_server.engine) as session:
        stored = session.exec(select(ApiToken).where(ApiToken.id == issued["id"])).one()
        assert stored.token_hash == hash_token(token) and token not in stored.model_dump_json()

    owner = live_server.client(token)
    project = owner.post(
        f"/api/v1/organisations/{org_id}/projects", json={"name": "Doposcuola", "population": 60}
    )
    assert project.status_code == 201
    period = owner.post(
        f"/api/v1/projects/{project.json()['id']}/periods",
        json={"label": "2026", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert period.status_code == 201
    assert [o["id"] for o in owner.get("/api/v1/organisations").json()] == [org_id]

    accreditation = admin.post(
        "/api/v1/accreditations",
        json={
            "user_id": user["id"],
            "number": "N-1",
            "body": "Registro",
            "valid_from": "2026-01-01",
            "valid_until": "2027-01-01",
        },
    )
    assert accreditation.status_code == 201
    funder = admin.post("/api/v1/funders", json={"name": "Banca Etica Demo", "kind": "bank"}).json()
    grant = admin.post(
        f"/api/v1/funders/{funder['id']}/grants",
        json={
            "organisation_id": org_id,
            "project_id": project.json()["id"],
            "title": "Start",
            "amount": 5000,
            "targets": [{"indicator_id": "people_reached", "target": 50}],
        },
    )
    assert grant.status_code == 201
    assert grant.json()["targets"][0]["indicator_id"] == "people_reached"

    # revoking the token locks it out at once
    assert owner.delete(f"/api/v1/users/{user['id']}/tokens/{issued['id']}").status_code == 204
    assert owner.get("/api/v1/organisations").status_code == 401


def test_roles_inside_an_organisation_are_enforced(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    viewer = live_server.client(world.tokens["viewer_a"])
    editor = live_server.client(world.tokens["editor_a"])
    assert viewer.get(f"/api/v1/organisations/{world.org_a}/projects").status_code == 200
    assert viewer.post(f"/api/v1/organisations/{world.org_a}/projects", json={"name": "X"}).status_code == 403
    assert editor.post(f"/api/v1/organisations/{world.org_a}/projects", json={"name": "X"}).status_code == 201
    assert (
        editor.post(
            f"/api/v1/organisations/{world.org_a}/members",
            json={"user_id": world.users["viewer_a"], "role": "owner"},
        ).status_code
        == 403
    )
    assert editor.post("/api/v1/organisations", json=NEW_ORG).status_code == 403


def test_a_funder_sees_its_grantees_only(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    funder_a = live_server.client(world.tokens["funder_a"])
    assert [o["id"] for o in funder_a.get("/api/v1/organisations").json()] == [world.org_a]
    assert funder_a.get(f"/api/v1/organisations/{world.org_b}").status_code == 404
    assert funder_a.get(f"/api/v1/funders/{world.funder_b}/grants").status_code == 404
    assert len(funder_a.get(f"/api/v1/funders/{world.funder_a}/grants").json()) == 1
