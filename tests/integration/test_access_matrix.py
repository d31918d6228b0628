"""Every API route × every role, from one table: allowed exactly where the design says.

Roles: anonymous; owner, editor, viewer of organisation A; the owner of B; the evaluator A's
report was submitted to and one it was not; the funder of A and the funder of B; an administrator.
A denied call answers 401 (anonymous) or 403/404 and changes nothing in the database; an
allowed call passes the gate (any answer but 401/403/404). The table must name every API route.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from impactkit.store import admin as svc
from impactkit.store import schemas as s
from impactkit.store.db import session_scope
from impactkit.store.tables import FormVersion
from tests.conftest import LiveServer
from tests.factories import World
from tests.integration.reports.test_reports_api import SELF_REPORT, collect
from tests.integration.surveys.test_responses_api import beneficiary_answers, setup

ROLES = [
    "anonymous",
    "owner_a",
    "editor_a",
    "viewer_a",
    "owner_b",
    "evaluator",
    "evaluator_other",
    "funder_a",
    "funder_b",
    "admin",
]
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
ADMIN = frozenset({"admin"})
A_OWNER = frozenset({"owner_a", "admin"})
A_EDITORS = A_OWNER | {"editor_a"}
A_MEMBERS = A_EDITORS | {"viewer_a"}
A_READERS = A_MEMBERS | {"funder_a"}
FUNDER_A = frozenset({"funder_a", "admin"})
AUTHORITY = frozenset({"authority", "admin"})
"""The contracting authority's officer (social procurement): its cells are checked by
tests/integration/procurement/test_procurement_access.py, which adds that role to these cases."""
SELF = frozenset({"owner_a", "admin"})  # routes about owner_a's own user record
ROOT = Path(__file__).resolve().parents[2]
VALUE_MAP = yaml.safe_load((ROOT / "docs" / "examples" / "value-map-case-a.yaml").read_text())


@dataclass
class Case:
    method: str
    route: str
    """The route template as the app registers it."""
    allowed: frozenset[str]
    path: Callable[[Ctx, str], str]
    body: Callable[[Ctx, str], Any] | None = None
    files: Callable[[Ctx, str], Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    passed: Callable[[httpx.Response], bool] | None = None
    """How to tell an allowed call when the status alone cannot (a batch answers 200 to all)."""


@dataclass
class Ctx:
    world: World
    engine: Engine
    ids: dict[str, int] = field(default_factory=dict)

    def new_response(self) -> str:
        """A fresh stored response of A, for routes that erase one."""
        from impactkit.store.surveys import Submission, store_responses

        instance_id = str(uuid.uuid4())
        with session_scope(self.engine) as session:
            [result] = store_responses(
                session,
                [
                    Submission(
                        instance_id=instance_id,
                        form_id="beneficiary_outcomes",
                        form_version="2026.1",
                        project_id=self.world.project_a,
                        period_id=self.world.period_a,
                        answers=beneficiary_answers(respondent_code=f"DEL-{int(instance_id[:4], 16)}"),
                    )
                ],
                allowed_organisations=None,
            )
        assert result.status == "stored", result.errors
        return instance_id

    def new_flag(self) -> tuple[str, int]:
        """A response of A flagged as a test answer: (instance id, flag id)."""
        from impactkit.store.flags import flag_response, response_by_instance

        instance_id = self.new_response()
        with session_scope(self.engine) as session:
            response = response_by_instance(session, None, instance_id)
            flag = flag_response(session, response, "test_answer", "", actor_user_id=None)
            return instance_id, flag.id or 0

    def new_duplicate_set(self) -> str:
        """Two answers of one new respondent code of A in one wave: their duplicate set."""
        from impactkit.store.flags import flag_sets
        from impactkit.store.surveys import Submission, store_responses

        code = f"DUP-{uuid.uuid4().int % 1_000_000}"
        with session_scope(self.engine) as session:
            results = store_responses(
                session,
                [
                    Submission(
                        instance_id=str(uuid.uuid4()),
                        form_id="beneficiary_outcomes",
                        form_version="2026.1",
                        project_id=self.world.project_a,
                        period_id=self.world.period_a,
                        wave="endline",
                        answers=beneficiary_answers(respondent_code=code),
                    )
                    for _ in range(2)
                ],
                allowed_organisations=None,
            )
            assert all(r.status == "stored" for r in results)
            sets = flag_sets(session, None, project_id=self.world.project_a)
            found = next(
                s
                for s in sets
                if s.kind == "duplicate_code" and s.set_key and s.responses[0].respondent_code == code
            )
            self.ids["last_duplicate"] = found.responses[0].instance_id  # type: ignore[assignment]
            assert found.set_key is not None
            return found.set_key

    def new_token(self) -> int:
        with session_scope(self.engine) as session:
            row, _ = svc.create_token(session, self.world.users["owner_a"], s.TokenIn(name="spare"))
            return row.id or 0

    def new_membership(self) -> int:
        with session_scope(self.engine) as session:
            user = svc.create_user(
                session, s.UserIn(email=f"spare-{uuid.uuid4().hex[:8]}@example.org", name="Spare")
            )
            return (
                svc.add_member(
                    session, self.world.org_a, s.MembershipIn(user_id=user.id or 0, role="viewer")
                ).id
                or 0
            )


def _org(ctx: Ctx, role: str) -> dict[str, Any]:
    return {
        "name": "Cooperativa A",
        "legal_form": "aps",
        "tax_code": "97000010013",
        "municipality": "Torino",
        "zone": "Torino",
        "territory_type": "urban",
        "size_class": "micro",
    }


def _new_org(ctx: Ctx, role: str) -> dict[str, Any]:
    return {**_org(ctx, role), "name": "Nuova", "tax_code": "80012345676"}


def _submission(ctx: Ctx, role: str) -> dict[str, Any]:
    return {
        "instance_id": str(uuid.uuid4()),
        "form_id": "beneficiary_outcomes",
        "form_version": "2026.1",
        "project_id": ctx.world.project_a,
        "period_id": ctx.world.period_a,
        "answers": beneficiary_answers(),
    }


def _xlsx(ctx: Ctx, role: str) -> Any:
    return {"file": ("tutorial.xlsx", (ROOT / "tests" / "data" / "xlsform" / "tutorial.xlsx").read_bytes())}


def _import_files(ctx: Ctx, role: str) -> Any:
    """A one-row export of a beneficiary response, as impactkit writes it, to import into A."""
    answers = beneficiary_answers()
    header = ["instance_id", *answers]
    row = [str(uuid.uuid4())] + [" ".join(v) if isinstance(v, list) else str(v) for v in answers.values()]
    table = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
    return [
        ("form_version_id", (None, str(ctx.ids["form_shared"]))),
        ("project_id", (None, str(ctx.world.project_a))),
        ("files", ("export.csv", table, "text/csv")),
    ]


def _imported(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json()["counts"] == {"stored": 1}


def _value_map_xlsx(ctx: Ctx, role: str) -> Any:
    return {"file": ("value-map.xlsx", VALUE_MAP_BYTES[0])}


VALUE_MAP_BYTES: list[bytes] = []
DESIGN_CONTENT: list[dict[str, Any]] = []


def w(template: str) -> Callable[[Ctx, str], str]:
    """A path from a template over the world's ids (``{org_a}``, ``{report}`` …)."""

    def build(ctx: Ctx, role: str) -> str:
        values = {**ctx.world.__dict__, **ctx.ids, "owner_a_id": ctx.world.users["owner_a"]}
        if "{token_id}" in template:
            values["token_id"] = ctx.new_token()
        if "{membership_id}" in template:
            values["membership_id"] = ctx.new_membership()
        if "{flag_id}" in template:
            values["instance_id"], values["flag_id"] = ctx.new_flag()
        elif "{instance_id}" in template:
            values["instance_id"] = ctx.new_response()
        if "{set_key}" in template:
            values["set_key"] = ctx.new_duplicate_set()
        if "{code}" in template:
            values["code"] = f"AUR-{ROLES.index(role)}"
        return template.format(**values)

    return build


def _batch_stored(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json()["results"][0]["status"] == "stored"


def _csv_has_a(response: httpx.Response) -> bool:
    return response.status_code == 200 and "AUR-" in response.text


def _lists_a(key: str) -> Callable[[httpx.Response], bool]:
    def check(response: httpx.Response) -> bool:
        return response.status_code == 200 and any(
            "AUR-" in json.dumps(item) for item in response.json()[key]
        )

    return check


def _logo_png() -> bytes:
    from tests.logo_files import png

    return png(60, 30)


CASES = [
    Case("GET", "/health", SIGNED_IN | {"anonymous"}, w("/health")),
    Case("GET", "/api/v1/me", SIGNED_IN, w("/api/v1/me")),
    Case("GET", "/api/v1/organisations", SIGNED_IN, w("/api/v1/organisations")),
    Case("POST", "/api/v1/organisations", ADMIN, w("/api/v1/organisations"), _new_org),
    Case("GET", "/api/v1/organisations/{organisation_id:int}", A_READERS, w("/api/v1/organisations/{org_a}")),
    Case(
        "PATCH",
        "/api/v1/organisations/{organisation_id:int}",
        A_OWNER,
        w("/api/v1/organisations/{org_a}"),
        _org,
    ),
    # the logo: set first (so that reading it finds one), read, then removed
    Case(
        "PUT",
        "/api/v1/organisations/{organisation_id:int}/logo",
        A_OWNER,
        w("/api/v1/organisations/{org_a}/logo"),
        files=lambda ctx, role: {"logo": ("logo.png", _logo_png(), "image/png")},
    ),
    Case(
        "GET",
        "/api/v1/organisations/{organisation_id:int}/logo",
        A_READERS,
        w("/api/v1/organisations/{org_a}/logo"),
    ),
    Case(
        "DELETE",
        "/api/v1/organisations/{organisation_id:int}/logo",
        A_OWNER,
        w("/api/v1/organisations/{org_a}/logo"),
    ),
    Case(
        "GET",
        "/api/v1/organisations/{organisation_id:int}/projects",
        A_READERS,
        w("/api/v1/organisations/{org_a}/projects"),
    ),
    Case(
        "POST",
        "/api/v1/organisations/{organisation_id:int}/projects",
        A_EDITORS,
        w("/api/v1/organisations/{org_a}/projects"),
        lambda c, r: {"name": f"P {r}"},
    ),
    Case(
        "GET",
        "/api/v1/organisations/{organisation_id:int}/members",
        A_MEMBERS,
        w("/api/v1/organisations/{org_a}/members"),
    ),
    Case(
        "POST",
        "/api/v1/organisations/{organisation_id:int}/members",
        A_OWNER,
        w("/api/v1/organisations/{org_a}/members"),
        lambda c, r: {"user_id": c.ids["spare_user"], "role": "viewer"},
    ),
    Case(
        "DELETE",
        "/api/v1/organisations/{organisation_id:int}/members/{membership_id:int}",
        A_OWNER,
        w("/api/v1/organisations/{org_a}/members/{membership_id}"),
    ),
    Case("GET", "/api/v1/projects/{project_id:int}", A_READERS, w("/api/v1/projects/{project_a}")),
    Case(
        "PATCH",
        "/api/v1/projects/{project_id:int}",
        A_EDITORS,
        w("/api/v1/projects/{project_a}"),
        lambda c, r: {"name": "Project a", "framework_id": "simplified-kpis", "population": 80},
    ),
    Case(
        "GET",
        "/api/v1/projects/{project_id:int}/periods",
        A_READERS,
        w("/api/v1/projects/{project_a}/periods"),
    ),
    Case(
        "POST",
        "/api/v1/projects/{project_id:int}/periods",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/periods"),
        lambda c, r: {"label": f"extra {r}", "starts_on": "2027-01-01", "ends_on": "2027-12-31"},
    ),
    Case("GET", "/api/v1/users", ADMIN, w("/api/v1/users")),
    Case(
        "POST",
        "/api/v1/users",
        ADMIN,
        w("/api/v1/users"),
        lambda c, r: {"email": f"new-{uuid.uuid4().hex[:6]}@example.org", "name": "New"},
    ),
    Case("GET", "/api/v1/users/{user_id:int}", SELF, w("/api/v1/users/{owner_a_id}")),
    Case("GET", "/api/v1/users/{user_id:int}/tokens", SELF, w("/api/v1/users/{owner_a_id}/tokens")),
    Case(
        "POST",
        "/api/v1/users/{user_id:int}/tokens",
        SELF,
        w("/api/v1/users/{owner_a_id}/tokens"),
        lambda c, r: {"name": "x"},
    ),
    Case(
        "DELETE",
        "/api/v1/users/{user_id:int}/tokens/{token_id:int}",
        SELF,
        w("/api/v1/users/{owner_a_id}/tokens/{token_id}"),
    ),
    Case("GET", "/api/v1/accreditations", SIGNED_IN, w("/api/v1/accreditations")),
    Case(
        "POST",
        "/api/v1/accreditations",
        ADMIN,
        w("/api/v1/accreditations"),
        lambda c, r: {
            "user_id": c.ids["spare_user"],
            "number": uuid.uuid4().hex[:8],
            "body": "B",
            "valid_from": "2026-01-01",
            "valid_until": "2027-01-01",
        },
    ),
    Case("GET", "/api/v1/funders", SIGNED_IN, w("/api/v1/funders")),
    Case(
        "POST",
        "/api/v1/funders",
        ADMIN,
        w("/api/v1/funders"),
        lambda c, r: {"name": f"F {uuid.uuid4().hex[:6]}", "kind": "bank"},
    ),
    Case(
        "POST",
        "/api/v1/funders/{funder_id:int}/members",
        ADMIN,
        w("/api/v1/funders/{funder_a}/members"),
        lambda c, r: {"user_id": c.ids["spare_user"]},
    ),
    Case("GET", "/api/v1/funders/{funder_id:int}/grants", FUNDER_A, w("/api/v1/funders/{funder_a}/grants")),
    Case(
        "POST",
        "/api/v1/funders/{funder_id:int}/grants",
        FUNDER_A,
        w("/api/v1/funders/{funder_a}/grants"),
        lambda c, r: {"organisation_id": c.world.org_a, "title": "More", "amount": 10},
    ),
    Case(
        "GET",
        "/api/v1/funders/{funder_id:int}/grants/{grant_id:int}",
        FUNDER_A,
        w("/api/v1/funders/{funder_a}/grants/{grant}"),
    ),
    Case(
        "GET",
        "/api/v1/funders/{funder_id:int}/portfolio",
        FUNDER_A,
        w("/api/v1/funders/{funder_a}/portfolio"),
    ),
    Case(
        "GET",
        "/api/v1/funders/{funder_id:int}/portfolio.json",
        FUNDER_A,
        w("/api/v1/funders/{funder_a}/portfolio.json"),
    ),
    Case(
        "GET", "/api/v1/funders/{funder_id:int}/payments", FUNDER_A, w("/api/v1/funders/{funder_a}/payments")
    ),
    Case(
        "GET",
        "/api/v1/funders/{funder_id:int}/indigo.json",
        FUNDER_A,
        w("/api/v1/funders/{funder_a}/indigo.json"),
    ),
    Case("GET", "/api/v1/forms", SIGNED_IN, w("/api/v1/forms")),
    Case("POST", "/api/v1/forms", ADMIN, w("/api/v1/forms"), files=_xlsx),
    Case("GET", "/api/v1/forms/{form_version_id:int}", A_MEMBERS, w("/api/v1/forms/{form_a}")),
    Case(
        "POST",
        "/api/v1/organisations/{organisation_id:int}/forms",
        A_EDITORS,
        w("/api/v1/organisations/{org_a}/forms"),
        files=_xlsx,
    ),
    Case("GET", "/api/v1/responses", A_MEMBERS, w("/api/v1/responses"), passed=_lists_a("items")),
    Case("POST", "/api/v1/responses", A_EDITORS, w("/api/v1/responses"), _submission),
    Case(
        "POST",
        "/api/v1/responses/batch",
        A_EDITORS,
        w("/api/v1/responses/batch"),
        lambda c, r: {"responses": [_submission(c, r)]},
        passed=_batch_stored,
    ),
    Case(
        "POST",
        "/api/v1/responses/import",
        A_EDITORS,
        w("/api/v1/responses/import"),
        files=_import_files,
        passed=_imported,
    ),
    Case(
        "GET",
        "/api/v1/responses/export.csv",
        A_MEMBERS,
        w("/api/v1/responses/export.csv"),
        params={"form_id": "beneficiary_outcomes"},
        passed=_csv_has_a,
    ),
    Case("GET", "/api/v1/frameworks", SIGNED_IN, w("/api/v1/frameworks")),
    Case("GET", "/api/v1/frameworks/{framework_id:str}", SIGNED_IN, w("/api/v1/frameworks/simplified-kpis")),
    Case("GET", "/api/v1/projects/{project_id:int}/kpis", A_MEMBERS, w("/api/v1/projects/{project_a}/kpis")),
    Case(
        "POST",
        "/api/v1/sroi/compute",
        SIGNED_IN,
        w("/api/v1/sroi/compute"),
        lambda c, r: {"value_map": VALUE_MAP},
    ),
    Case(
        "POST",
        "/api/v1/sroi/sensitivity",
        SIGNED_IN,
        w("/api/v1/sroi/sensitivity"),
        lambda c, r: {"value_map": VALUE_MAP},
    ),
    Case(
        "POST",
        "/api/v1/sroi/simulate",
        SIGNED_IN,
        w("/api/v1/sroi/simulate"),
        lambda c, r: {"value_map": VALUE_MAP, "draws": 200, "seed": 1},
    ),
    Case(
        "POST",
        "/api/v1/sroi/export",
        SIGNED_IN,
        w("/api/v1/sroi/export"),
        lambda c, r: {"value_map": VALUE_MAP},
    ),
    Case("POST", "/api/v1/sroi/import", SIGNED_IN, w("/api/v1/sroi/import"), files=_value_map_xlsx),
    Case("GET", "/api/v1/evaluators", SIGNED_IN, w("/api/v1/evaluators")),
    Case("GET", "/api/v1/reports", SIGNED_IN, w("/api/v1/reports")),
    Case(
        "POST",
        "/api/v1/projects/{project_id:int}/reports",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/reports"),
        lambda c, r: {"period_id": c.ids["period_extra"]},
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}",
        A_MEMBERS | {"evaluator"},
        w("/api/v1/reports/{report_submitted}"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/checklist",
        A_MEMBERS | {"evaluator"},
        w("/api/v1/reports/{report_submitted}/checklist"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/export.xlsx",
        A_READERS | {"evaluator"},
        w("/api/v1/reports/{report_validated}/export.xlsx"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/export.pdf",
        A_READERS | {"evaluator"},
        w("/api/v1/reports/{report_validated}/export.pdf"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/export.docx",
        A_READERS | {"evaluator"},
        w("/api/v1/reports/{report_validated}/export.docx"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/export.json",
        A_READERS | {"evaluator"},
        w("/api/v1/reports/{report_validated}/export.json"),
    ),
    Case(
        "PATCH",
        "/api/v1/reports/{report_id:int}",
        A_EDITORS,
        w("/api/v1/reports/{report_validated}"),
        lambda c, r: {"sections": {"methodology": "Revised"}},
    ),
    Case(
        "POST",
        "/api/v1/reports/{report_id:int}/submit",
        A_EDITORS,
        w("/api/v1/reports/{report_submitted}/submit"),
        lambda c, r: {"evaluator_user_id": c.world.users["evaluator"]},
    ),
    # --- the report's value map (organisation's editors; its evaluator while submitted) ---
    Case(
        "PUT",
        "/api/v1/reports/{report_id:int}/sroi",
        A_EDITORS | {"evaluator"},
        w("/api/v1/reports/{report_submitted}/sroi"),
        lambda c, r: {"value_map": VALUE_MAP, "note": r},
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/sroi/versions",
        A_MEMBERS | {"evaluator"},
        w("/api/v1/reports/{report_submitted}/sroi/versions"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/sroi/versions/{number:int}",
        A_MEMBERS | {"evaluator"},
        w("/api/v1/reports/{report_submitted}/sroi/versions/1"),
    ),
    Case(
        "GET",
        "/api/v1/reports/{report_id:int}/sroi/diff",
        A_MEMBERS | {"evaluator"},
        w("/api/v1/reports/{report_submitted}/sroi/diff"),
        params={"first": 1, "second": 1},
    ),
    Case(
        "POST",
        "/api/v1/reports/{report_id:int}/publication",
        A_OWNER,
        w("/api/v1/reports/{report_validated}/publication"),
    ),
    Case(
        "DELETE",
        "/api/v1/reports/{report_id:int}/publication",
        A_OWNER,
        w("/api/v1/reports/{report_validated}/publication"),
    ),
    Case(
        "POST",
        "/api/v1/reports/{report_id:int}/validate",
        frozenset({"evaluator"}),
        w("/api/v1/reports/{report_submitted}/validate"),
        lambda c, r: {"comments": "ok"},
    ),
    Case(
        "POST",
        "/api/v1/reports/{report_id:int}/return",
        frozenset({"evaluator"}),
        w("/api/v1/reports/{report_submitted}/return"),
        lambda c, r: {"comments": "late"},
    ),
    Case(
        "GET",
        "/api/v1/organisations/{organisation_id:int}/respondents/{code:str}",
        A_EDITORS,
        w("/api/v1/organisations/{org_a}/respondents/AUR-30"),
    ),
    Case(
        "DELETE",
        "/api/v1/organisations/{organisation_id:int}/respondents/{code:str}",
        A_OWNER,
        w("/api/v1/organisations/{org_a}/respondents/{code}"),
    ),
    Case("DELETE", "/api/v1/responses/{instance_id:str}", A_OWNER, w("/api/v1/responses/{instance_id}")),
    Case(
        "GET", "/api/v1/projects/{project_id:int}/flags", A_MEMBERS, w("/api/v1/projects/{project_a}/flags")
    ),
    Case(
        "GET",
        "/api/v1/responses/{instance_id:str}/flags",
        A_MEMBERS,
        w("/api/v1/responses/{instance_id}/flags"),
    ),
    Case(
        "POST",
        "/api/v1/responses/{instance_id:str}/flags",
        A_EDITORS,
        w("/api/v1/responses/{instance_id}/flags"),
        lambda c, r: {"kind": "suspected_duplicate", "note": f"by {r}"},
    ),
    Case(
        "POST",
        "/api/v1/responses/{instance_id:str}/flags/{flag_id:int}/withdraw",
        A_EDITORS,
        w("/api/v1/responses/{instance_id}/flags/{flag_id}/withdraw"),
    ),
    Case(
        "POST",
        "/api/v1/projects/{project_id:int}/duplicates/{set_key:str}/choose",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/duplicates/{set_key}/choose"),
        lambda c, r: {"keep": [str(c.ids.get("last_duplicate", ""))]},
    ),
    Case(
        "GET",
        "/api/v1/organisations/{organisation_id:int}/audit",
        A_OWNER,
        w("/api/v1/organisations/{org_a}/audit"),
    ),
    Case("GET", "/api/v1/audit", ADMIN, w("/api/v1/audit")),
    Case(
        "GET", "/api/v1/projects/{project_id:int}/links", A_EDITORS, w("/api/v1/projects/{project_a}/links")
    ),
    Case(
        "POST",
        "/api/v1/projects/{project_id:int}/links",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/links"),
        lambda c, r: {
            "form_version_id": c.ids["form_shared"],
            "period_id": c.world.period_a,
            "wave": "baseline",
        },
    ),
    Case("POST", "/api/v1/links/{link_id:int}/close", A_EDITORS, w("/api/v1/links/{link}/close")),
    # ODK: XForms, OpenRosa and collector access
    Case("GET", "/api/v1/forms/{form_version_id:int}/xform", A_MEMBERS, w("/api/v1/forms/{form_a}/xform")),
    Case(
        "GET", "/api/v1/forms/{form_version_id:int}/xlsform", A_MEMBERS, w("/api/v1/forms/{form_a}/xlsform")
    ),
    Case(
        "GET",
        "/api/v1/projects/{project_id:int}/collectors",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/collectors"),
    ),
    Case(
        "POST",
        "/api/v1/projects/{project_id:int}/collectors",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/collectors"),
        lambda c, r: {"label": f"tablet of {r}"},
    ),
    Case(
        "POST",
        "/api/v1/collectors/{access_id:int}/revoke",
        A_EDITORS,
        w("/api/v1/collectors/{access_spare}/revoke"),
    ),
    Case(
        "GET",
        "/api/v1/collectors/{access_id:int}/qr.svg",
        A_EDITORS,
        w("/api/v1/collectors/{access_a}/qr.svg"),
    ),
    Case(
        "GET",
        "/api/v1/collectors/{access_id:int}/qr.png",
        A_EDITORS,
        w("/api/v1/collectors/{access_a}/qr.png"),
    ),
    Case(
        "GET",
        "/api/v1/responses/{instance_id:str}/attachments",
        A_MEMBERS,
        w("/api/v1/responses/{photo_response}/attachments"),
    ),
    Case(
        "GET",
        "/api/v1/responses/{instance_id:str}/attachments/{filename:str}",
        A_MEMBERS,
        w("/api/v1/responses/{photo_response}/attachments/casa.jpg"),
    ),
    # --- frameworks designed in the browser, the proxy bank ---------------------------------
    Case("GET", "/api/v1/proxies", SIGNED_IN, w("/api/v1/proxies"), params={"analysis_year": 2024}),
    Case("GET", "/api/v1/designs", SIGNED_IN, w("/api/v1/designs")),
    Case(
        "POST",
        "/api/v1/designs",
        A_EDITORS,
        w("/api/v1/designs"),
        lambda ctx, role: {
            "base": "youth-neet",
            "framework_id": f"matrix-{role.replace('_', '-')}",
            "organisation_id": ctx.world.org_a,
        },
    ),
    Case("GET", "/api/v1/designs/{design_id:int}", A_MEMBERS, w("/api/v1/designs/{design_draft}")),
    Case(
        "PUT",
        "/api/v1/designs/{design_id:int}",
        A_EDITORS,
        w("/api/v1/designs/{design_draft}"),
        lambda ctx, role: {"framework": DESIGN_CONTENT[0]},
    ),
    Case(
        "GET",
        "/api/v1/designs/{design_id:int}/theory-of-change.pdf",
        A_MEMBERS,
        w("/api/v1/designs/{design_draft}/theory-of-change.pdf"),
    ),
    Case(
        "POST",
        "/api/v1/designs/{design_id:int}/publish",
        A_EDITORS,
        w("/api/v1/designs/{design_draft}/publish"),
    ),
    Case("POST", "/api/v1/designs/{design_id:int}/next", A_EDITORS, w("/api/v1/designs/{design_draft}/next")),
    Case(
        "PUT",
        "/api/v1/projects/{project_id:int}/framework",
        A_EDITORS,
        w("/api/v1/projects/{project_a}/framework"),
        lambda ctx, role: {"framework_id": "simplified-kpis"},
    ),
    Case(
        "PUT",
        "/api/v1/grants/{grant_id:int}/framework",
        FUNDER_A,
        w("/api/v1/grants/{grant}/framework"),
        lambda ctx, role: {"framework_id": "youth-neet"},
    ),
    Case(
        "GET",
        "/api/v1/grants/{grant_id:int}/framework",
        FUNDER_A | A_MEMBERS,
        w("/api/v1/grants/{grant}/framework"),
    ),
    # social procurement (tests/integration/procurement)
    Case("GET", "/api/v1/authorities", SIGNED_IN, w("/api/v1/authorities")),
    Case(
        "POST",
        "/api/v1/authorities",
        ADMIN,
        w("/api/v1/authorities"),
        lambda ctx, role: {"name": f"Comune {role}", "kind": "public_body"},
    ),
    Case(
        "GET",
        "/api/v1/authorities/{authority_id:int}/members",
        AUTHORITY,
        w("/api/v1/authorities/{authority}/members"),
    ),
    Case(
        "POST",
        "/api/v1/authorities/{authority_id:int}/members",
        ADMIN,
        w("/api/v1/authorities/{authority}/members"),
        lambda ctx, role: {"user_id": ctx.ids["authority_candidate"]},
    ),
    Case(
        "DELETE",
        "/api/v1/authorities/{authority_id:int}/members/{user_id:int}",
        ADMIN,
        w("/api/v1/authorities/{authority}/members/{authority_spare}"),
    ),
    Case(
        "POST",
        "/api/v1/authorities/{authority_id:int}/tenders",
        AUTHORITY,
        w("/api/v1/authorities/{authority}/tenders"),
        lambda ctx, role: {"title": "Matrice", "measures": [{"measure_id": "work_placements", "weight": 5}]},
    ),
    Case(
        "GET",
        "/api/v1/authorities/{authority_id:int}/procurement.xlsx",
        AUTHORITY,
        w("/api/v1/authorities/{authority}/procurement.xlsx"),
    ),
    Case("GET", "/api/v1/procurement/measures", SIGNED_IN, w("/api/v1/procurement/measures")),
    Case("GET", "/api/v1/tenders", SIGNED_IN, w("/api/v1/tenders")),
    Case("GET", "/api/v1/tenders/{tender_id:int}", SIGNED_IN, w("/api/v1/tenders/{tender_open}")),
    Case(
        "GET",
        "/api/v1/tenders/{tender_id:int}/bid-template.xlsx",
        SIGNED_IN,
        w("/api/v1/tenders/{tender_open}/bid-template.xlsx"),
    ),
    Case(
        "POST",
        "/api/v1/tenders/{tender_id:int}/bids",
        A_EDITORS,
        w("/api/v1/tenders/{tender_open}/bids"),
        lambda ctx, role: {
            "organisation_id": ctx.world.org_a,
            "commitments": {
                "local_employment_disadvantaged": 3,
                "training_hours_youth": 10,
                "volunteering_hours": 5,
            },
        },
    ),
    Case(
        "POST",
        "/api/v1/tenders/{tender_id:int}/bids/workbook",
        A_EDITORS,
        w("/api/v1/tenders/{tender_open}/bids/workbook"),
        files=lambda ctx, role: [
            ("organisation_id", (None, str(ctx.world.org_a))),
            ("file", ("offerta.xlsx", BID_WORKBOOK[0])),
        ],
    ),
    Case(
        "GET", "/api/v1/tenders/{tender_id:int}/scores", AUTHORITY, w("/api/v1/tenders/{tender_open}/scores")
    ),
    Case(
        "POST",
        "/api/v1/tenders/{tender_id:int}/award",
        AUTHORITY,
        w("/api/v1/tenders/{tender_award}/award"),
        lambda ctx, role: {
            "bid_ids": [ctx.ids["bid_tender_award"]],
            "starts_on": "2026-01-01",
            "ends_on": "2027-12-31",
            "reason": "Matrix: highest social-value score.",
        },
    ),
    Case(
        "GET",
        "/api/v1/tenders/{tender_id:int}/award-report.pdf",
        AUTHORITY,
        w("/api/v1/tenders/{tender_contract}/award-report.pdf"),
    ),
    Case("GET", "/api/v1/bids/{bid_id:int}", A_MEMBERS | AUTHORITY, w("/api/v1/bids/{bid_a}")),
    Case("GET", "/api/v1/contracts", SIGNED_IN, w("/api/v1/contracts")),
    Case(
        "GET",
        "/api/v1/contracts/{contract_id:int}",
        A_MEMBERS | AUTHORITY | {"evaluator"},
        w("/api/v1/contracts/{contract_a}"),
    ),
    Case(
        "POST",
        "/api/v1/contracts/{contract_id:int}/deliveries",
        A_EDITORS,
        w("/api/v1/contracts/{contract_a}/deliveries"),
        lambda ctx, role: {
            "period_label": f"matrix {role}",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "delivered": {"volunteering_hours": 1},
        },
    ),
    Case(
        "GET",
        "/api/v1/deliveries/{report_id:int}",
        A_MEMBERS | AUTHORITY | {"evaluator"},
        w("/api/v1/deliveries/{delivery_submitted}"),
    ),
    Case(
        "POST",
        "/api/v1/deliveries/{report_id:int}/evidence",
        A_EDITORS,
        w("/api/v1/deliveries/{delivery_draft}/evidence"),
        files=lambda ctx, role: [
            ("measure_id", (None, "volunteering_hours")),
            ("file", ("ore.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")),
        ],
    ),
    Case(
        "GET",
        "/api/v1/deliveries/{report_id:int}/evidence/{evidence_id:int}",
        A_MEMBERS | AUTHORITY | {"evaluator"},
        w("/api/v1/deliveries/{delivery_submitted}/evidence/{evidence}"),
    ),
    Case(
        "GET",
        "/api/v1/deliveries/{report_id:int}/checklist",
        A_MEMBERS | AUTHORITY | {"evaluator"},
        w("/api/v1/deliveries/{delivery_submitted}/checklist"),
    ),
    Case(
        "POST",
        "/api/v1/deliveries/{report_id:int}/submit",
        A_EDITORS,
        w("/api/v1/deliveries/{delivery_to_submit}/submit"),
        lambda ctx, role: {"evaluator_user_id": ctx.world.users["evaluator_other"]},
    ),
    Case(
        "POST",
        "/api/v1/deliveries/{report_id:int}/verify",
        frozenset({"evaluator"}),
        w("/api/v1/deliveries/{delivery_submitted}/verify"),
        lambda ctx, role: {
            "justifications": {"commitments_delivered": "Partial delivery, matrix test only."}
        },
    ),
    Case(
        "POST",
        "/api/v1/deliveries/{report_id:int}/return",
        frozenset({"evaluator"}),
        w("/api/v1/deliveries/{delivery_submitted}/return"),
        lambda ctx, role: {"comments": "Please attach the signed log."},
    ),
]


# --- ODK collector routes: their own kind of row --------------------------------------------------
# The OpenRosa doors (/collect/<secret>/…) authenticate by the secret in the address, not by a
# token: the "roles" are the secrets a device may hold. A's access, B's access, A's revoked access,
# and a made-up secret. A denied call answers 401 (no usable secret) or 403/404 (a usable secret,
# but not for that form) and changes nothing.

COLLECTOR_ROLES = ["collector_a", "collector_b", "collector_a_revoked", "no_secret"]
COLLECTORS_AB = frozenset({"collector_a", "collector_b"})
COLLECTOR_A = frozenset({"collector_a"})


@dataclass
class CollectorCase:
    method: str
    route: str
    allowed: frozenset[str]
    path: str
    """The path after /collect/<secret>, over the context's ids (``{form_a}`` …)."""
    files: Callable[[Ctx], Any] | None = None
    passed: Callable[[httpx.Response, str], bool] | None = None


def _lists_own_forms_only(response: httpx.Response, role: str) -> bool:
    return response.status_code == 200 and (("household_visit" in response.text) == (role == "collector_a"))


def _household_submission(ctx: Ctx) -> Any:
    from tests.odk import household_submission_xml

    return {"xml_submission_file": ("s.xml", household_submission_xml(str(uuid.uuid4())), "text/xml")}


COLLECTOR_CASES = [
    CollectorCase("GET", "/formList", COLLECTORS_AB, "/formList", passed=_lists_own_forms_only),
    CollectorCase("GET", "/forms/{form_version_id:int}/form.xml", COLLECTOR_A, "/forms/{form_a}/form.xml"),
    CollectorCase(
        "GET", "/forms/{form_version_id:int}/manifest", COLLECTOR_A, "/forms/{form_a_media}/manifest"
    ),
    CollectorCase(
        "GET",
        "/forms/{form_version_id:int}/media/{filename:str}",
        COLLECTOR_A,
        "/forms/{form_a_media}/media/itemsets.csv",
    ),
    CollectorCase("HEAD", "/submission", COLLECTORS_AB, "/submission"),
    CollectorCase("GET", "/submission", COLLECTORS_AB, "/submission"),
    CollectorCase("POST", "/submission", COLLECTOR_A, "/submission", files=_household_submission),
]


def _prepare_collectors(live_server: LiveServer, ctx: Ctx) -> None:
    """A's household form and a form with media, collector accesses of A (one revoked, one spare)
    and of B, and a response of A with a photo (sent through A's access)."""
    from tests.odk import TINY_JPEG, household_form_xlsx, household_submission_xml

    world = ctx.world
    editor = live_server.client(world.tokens["editor_a"])
    owner_b = live_server.client(world.tokens["owner_b"])
    editor.post(
        f"/api/v1/organisations/{world.org_a}/forms", files={"file": ("h.xlsx", household_form_xlsx())}
    ).raise_for_status()
    media_form = ROOT / "tests" / "data" / "xlsform" / "external_choice_form_v1.xlsx"
    ctx.ids["form_a_media"] = editor.post(
        f"/api/v1/organisations/{world.org_a}/forms",
        files={"file": (media_form.name, media_form.read_bytes())},
    ).json()["id"]
    secrets: dict[str, str] = {"no_secret": "made-up-secret"}
    for role, client, project, label in (
        ("collector_a", editor, world.project_a, "a"),
        ("collector_a_revoked", editor, world.project_a, "revoked"),
        ("access_spare", editor, world.project_a, "spare"),
        ("collector_b", owner_b, world.project_b, "b"),
    ):
        created = client.post(f"/api/v1/projects/{project}/collectors", json={"label": label}).json()
        secrets[role] = created["url"].rsplit("/collect/", 1)[1]
        ctx.ids[role if role == "access_spare" else f"access_{role}"] = created["id"]
    ctx.ids["access_a"] = ctx.ids["access_collector_a"]
    editor.post(f"/api/v1/collectors/{ctx.ids['access_collector_a_revoked']}/revoke").raise_for_status()
    photo = str(uuid.uuid4())
    sent = live_server.client().post(
        f"/collect/{secrets['collector_a']}/submission",
        files=[
            ("xml_submission_file", ("s.xml", household_submission_xml(photo), "text/xml")),
            ("casa.jpg", ("casa.jpg", TINY_JPEG, "image/jpeg")),
        ],
    )
    assert sent.status_code == 201, sent.text
    ctx.ids["photo_response"] = photo  # type: ignore[assignment]
    COLLECTOR_SECRETS.clear()
    COLLECTOR_SECRETS.update(secrets)


COLLECTOR_SECRETS: dict[str, str] = {}


def _check_collector_routes(live_server: LiveServer, ctx: Ctx, wrong: list[str]) -> int:
    device = live_server.client()
    cells = 0
    for case in COLLECTOR_CASES:
        for role in sorted(COLLECTOR_ROLES, key=lambda r: r in case.allowed):
            path = f"/collect/{COLLECTOR_SECRETS[role]}" + case.path.format(**ctx.ids)
            before = _snapshot(ctx.engine) if case.method == "POST" and role not in case.allowed else None
            response = device.request(case.method, path, files=case.files(ctx) if case.files else None)
            cells += 1
            passed = response.status_code not in (401, 403, 404)
            if case.passed is not None and role in COLLECTORS_AB:
                passed = case.passed(response, role)
            if role in ("collector_a_revoked", "no_secret") and response.status_code != 401:
                wrong.append(
                    f"{case.method} /collect/<secret>{case.route} {role}: {response.status_code}, expected 401"
                )
            elif passed != (role in case.allowed):
                expected = "allowed" if role in case.allowed else "denied"
                wrong.append(
                    f"{case.method} /collect/<secret>{case.route} {role}: {response.status_code}, expected {expected}"
                )
            if response.status_code >= 500:
                wrong.append(f"{case.method} /collect/<secret>{case.route} {role}: server error")
            if before is not None and _snapshot(ctx.engine) != before:
                wrong.append(
                    f"{case.method} /collect/<secret>{case.route} {role}: a denied call changed stored data"
                )
    return cells


BID_WORKBOOK: list[bytes] = []
"""The bid template of the open tender, filled in (made in _prepare)."""


def _snapshot(engine: Engine) -> str:
    """A digest of every table but the audit log (which records reads too)."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "audit_event":
                continue
            rows = connection.execute(text(f'SELECT * FROM "{table.name}" ORDER BY 1')).all()
            digest.update(repr(rows).encode())
    return digest.hexdigest()


def _prepare(live_server: LiveServer) -> Ctx:
    world = setup(live_server)
    collect(live_server, world)
    ctx = Ctx(world, live_server.engine)
    editor = live_server.client(world.tokens["editor_a"])
    with session_scope(live_server.engine) as session:
        ctx.ids["spare_user"] = (
            svc.create_user(session, s.UserIn(email="spare@example.org", name="Spare")).id or 0
        )
        for label in ("2025", "2027"):
            period = svc.create_period(
                session,
                world.project_a,
                s.PeriodIn(label=label, starts_on=date(int(label), 1, 1), ends_on=date(int(label), 12, 31)),
            )
            ctx.ids["period_2025" if label == "2025" else "period_extra"] = period.id or 0
        shared = session.exec(
            FormVersion.__table__.select().where(FormVersion.__table__.c.form_id == "beneficiary_outcomes")
        ).first()  # type: ignore[attr-defined]
        ctx.ids["form_shared"] = shared.id
    ctx.ids["grant"] = (
        live_server.client(world.tokens["admin"])
        .get(f"/api/v1/funders/{world.funder_a}/grants")
        .json()[0]["id"]
    )
    uploaded = editor.post(f"/api/v1/organisations/{world.org_a}/forms", files=_xlsx(ctx, "editor_a"))
    ctx.ids["form_a"] = uploaded.json()["id"]
    ctx.ids["link"] = editor.post(
        f"/api/v1/projects/{world.project_a}/links",
        json={"form_version_id": ctx.ids["form_shared"], "wave": "endline"},
    ).json()["id"]
    evaluator = world.users["evaluator"]
    submitted = editor.post(
        f"/api/v1/projects/{world.project_a}/reports", json={"period_id": world.period_a}
    ).json()
    editor.post(f"/api/v1/reports/{submitted['id']}/submit", json={"evaluator_user_id": evaluator})
    self_report = editor.post(
        "/api/v1/responses",
        json={
            "instance_id": str(uuid.uuid4()),
            "form_id": "organisation_self_report",
            "form_version": "2026.1",
            "project_id": world.project_a,
            "period_id": ctx.ids["period_2025"],
            "answers": SELF_REPORT,
        },
    )
    assert self_report.status_code == 201, self_report.text  # a report is validated only with KPI values
    validated = editor.post(
        f"/api/v1/projects/{world.project_a}/reports", json={"period_id": ctx.ids["period_2025"]}
    ).json()
    editor.post(f"/api/v1/reports/{validated['id']}/submit", json={"evaluator_user_id": evaluator})
    as_evaluator = live_server.client(world.tokens["evaluator"])
    failing = [
        c["id"]
        for c in as_evaluator.get(f"/api/v1/reports/{validated['id']}/checklist").json()
        if c["status"] == "fail"
    ]
    result = as_evaluator.post(
        f"/api/v1/reports/{validated['id']}/validate",
        json={"justifications": {check: "Justified for the access matrix test." for check in failing}},
    )
    assert result.status_code == 200, result.text
    saved = as_evaluator.put(f"/api/v1/reports/{submitted['id']}/sroi", json={"value_map": VALUE_MAP})
    assert saved.status_code == 200, saved.text
    ctx.ids["report_submitted"], ctx.ids["report_validated"] = submitted["id"], validated["id"]
    design = editor.post(
        "/api/v1/designs",
        json={"base": "youth-neet", "framework_id": "matrix-design", "organisation_id": world.org_a},
    )
    assert design.status_code == 201, design.text
    ctx.ids["design_draft"] = design.json()["id"]
    DESIGN_CONTENT[:] = [design.json()["framework"]]
    VALUE_MAP_BYTES[:] = [
        live_server.client(world.tokens["admin"])
        .post("/api/v1/sroi/export", json={"value_map": VALUE_MAP})
        .content
    ]
    from tests.integration.procurement.helpers import BID_A, filled_template, prepare_matrix

    ctx.ids.update(prepare_matrix(live_server, world))
    template = live_server.client(world.tokens["owner_a"]).get(
        f"/api/v1/tenders/{ctx.ids['tender_open']}/bid-template.xlsx"
    )
    BID_WORKBOOK[:] = [filled_template(template.content, BID_A)]
    return ctx


def test_the_table_names_every_api_route(live_server: LiveServer) -> None:
    from impactkit.api.app import create_app

    app = create_app(live_server.settings, engine=live_server.engine)
    routes = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if route.path.startswith("/api/") and method not in ("HEAD", "OPTIONS")
    }
    named = {(case.method, case.route) for case in CASES}
    assert routes - named == set(), "add these routes to the access table"
    assert named - routes - {("GET", "/health")} == set(), "the table names routes that do not exist"
    collector_routes = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if route.path.startswith("/collect/") and method != "OPTIONS"
    }
    prefix = "/collect/{collector_secret:str}"
    assert collector_routes == {(case.method, prefix + case.route) for case in COLLECTOR_CASES}


@pytest.mark.slow
def test_every_route_allows_exactly_the_roles_the_design_names(live_server: LiveServer) -> None:
    ctx = _prepare(live_server)
    _prepare_collectors(live_server, ctx)
    clients = {role: live_server.client(ctx.world.tokens.get(role)) for role in ROLES}
    wrong: list[str] = []
    cells = 0
    for case in CASES:
        # denied roles first, so that an allowed call's change cannot mask a leak
        for role in sorted(ROLES, key=lambda r: r in case.allowed):
            path = case.path(ctx, role)
            before = _snapshot(ctx.engine) if case.method != "GET" and role not in case.allowed else None
            response = clients[role].request(
                case.method,
                path,
                params=case.params,
                json=case.body(ctx, role) if case.body else None,
                files=case.files(ctx, role) if case.files else None,
            )
            cells += 1
            gate_passed = response.status_code not in (401, 403, 404)
            if case.passed is not None:
                gate_passed = case.passed(response)
            if role == "anonymous" and role not in case.allowed and response.status_code != 401:
                wrong.append(f"{case.method} {case.route} anonymous: {response.status_code}, expected 401")
            elif gate_passed != (role in case.allowed):
                expected = "allowed" if role in case.allowed else "denied"
                wrong.append(
                    f"{case.method} {case.route} {role}: {response.status_code}, expected {expected}: {response.text[:160]}"
                )
            if response.status_code >= 500:
                wrong.append(f"{case.method} {case.route} {role}: server error {response.status_code}")
            if before is not None and _snapshot(ctx.engine) != before:
                wrong.append(f"{case.method} {case.route} {role}: a denied call changed stored data")
    cells += _check_collector_routes(live_server, ctx, wrong)
    print(
        f"access matrix: {cells} cells checked over {len(CASES)} API routes × {len(ROLES)} roles and "
        f"{len(COLLECTOR_CASES)} collector routes × {len(COLLECTOR_ROLES)} secrets"
    )
    assert not wrong, "\n".join(wrong)


PAGE_CASES = [
    ("GET", "/app/projects/{project_id:int}/imports", A_EDITORS),
    ("POST", "/app/projects/{project_id:int}/imports", A_EDITORS),
]
"""Page routes checked here role by role (signed in through the sign-in page, CSRF token sent)."""


def test_the_import_page_is_for_the_projects_editors_and_owners(live_server: LiveServer) -> None:
    from tests.integration.pages.web import csrf_of, sign_in
    from tests.integration.surveys.test_imports_api import _publish
    from tests.unit.surveys.test_imports import kobo_export

    world = build_world_for_pages(live_server.engine)
    version_id = _publish(live_server, world.org_a)
    wrong: list[str] = []
    for role in ROLES:
        client = live_server.client()
        if role != "anonymous":
            assert sign_in(client, f"{role}@example.org").status_code == 303, role
        token = csrf_of(client.get("/signin").text)
        for method, route, allowed in PAGE_CASES:
            path = route.replace("{project_id:int}", str(world.project_a))
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(
                    path,
                    data={"_csrf_token": token, "form_version_id": str(version_id), "action": "check"},
                    files=[("files", ("household.xlsx", kobo_export()))],
                )
            passed = response.status_code == 200 and 'id="import-form"' in response.text
            if method == "POST":
                passed = passed and 'data-dry-run="true"' in response.text
            if role == "anonymous" and not (
                response.status_code == 303 and response.headers["location"].startswith("/signin")
            ):
                wrong.append(f"{method} {route} anonymous: {response.status_code}, expected the sign-in page")
            elif role != "anonymous" and passed != (role in allowed):
                wrong.append(f"{method} {route} {role}: {response.status_code}")
            if response.status_code >= 500:
                wrong.append(f"{method} {route} {role}: server error {response.status_code}")
    assert not wrong, "\n".join(wrong)


def build_world_for_pages(engine: Engine) -> World:
    from tests.factories import build_world

    return build_world(engine)


# --- pages: the evaluator's SROI editor ---------------------------------------------------------

SROI_EDITOR_PAGES = [
    ("GET", "/app/evaluator/reports/{report_id}/sroi", None),
    ("POST", "/app/evaluator/reports/{report_id}/sroi", {"action": "compute", "n_o": "0"}),
    ("POST", "/app/evaluator/reports/{report_id}/sroi/compute", {"n_o": "0"}),
    ("POST", "/app/evaluator/reports/{report_id}/sroi/upload", "file"),
    ("GET", "/app/evaluator/reports/{report_id}/sroi/value-map.xlsx", None),
]
"""Every route of the SROI editor; only the evaluator the report is submitted to is let in."""


def test_the_sroi_editor_pages_let_in_only_the_reports_evaluator(live_server: LiveServer) -> None:
    from tests.integration.pages.test_sroi_editor_pages import CASE_A
    from tests.integration.pages.web import build_web_world, csrf_of, sign_in, submitted_report

    web = build_web_world(live_server.engine, live_server.settings)
    report_id = submitted_report(live_server.engine, web)
    evaluator = live_server.client()
    sign_in(evaluator, "evaluator@example.org")
    page = evaluator.get(f"/app/evaluator/reports/{report_id}/sroi?template=case-a")
    saved = evaluator.post(
        f"/app/evaluator/reports/{report_id}/sroi",
        data={"_csrf_token": csrf_of(page.text), "action": "save", **CASE_A},
    )
    assert saved.status_code == 303, saved.text[:300]
    wrong: list[str] = []
    for role in ROLES:
        client = live_server.client()
        if role != "anonymous":
            sign_in(client, f"{role}@example.org")
        token = csrf_of(client.get("/signin").text)
        for method, route, body in SROI_EDITOR_PAGES:
            path = route.format(report_id=report_id)
            if body == "file":
                response = client.post(
                    path, data={"_csrf_token": token}, files={"file": ("m.yaml", VALUE_MAP_YAML)}
                )
            elif body is not None:
                response = client.post(path, data={"_csrf_token": token, **body})
            else:
                response = client.get(path)
            allowed = role == "evaluator"
            passed = response.status_code not in (303, 401, 403, 404)
            if passed != allowed or response.status_code >= 500:
                wrong.append(f"{method} {route} {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


VALUE_MAP_YAML = (ROOT / "docs" / "examples" / "value-map-case-a.yaml").read_bytes()


# --- pages: possible duplicates -----------------------------------------------------------------

DUPLICATES_PAGES = [
    ("GET", "/app/projects/{project_id:int}/duplicates", A_MEMBERS),
    ("POST", "/app/projects/{project_id:int}/duplicates/{set_key:str}/choose", A_EDITORS),
]
"""The possible-duplicates page is for the organisation's members; choosing is for its editors
(as the API: viewers 403, anyone else 404, nobody signed in the sign-in page)."""


def test_the_duplicates_pages_let_members_read_and_editors_choose(live_server: LiveServer) -> None:
    from impactkit.store.surveys import publish_shipped_forms
    from tests.integration.pages.web import csrf_of, sign_in

    world = build_world_for_pages(live_server.engine)
    with session_scope(live_server.engine) as session:
        publish_shipped_forms(session)
    ctx = Ctx(world, live_server.engine)
    set_key = ctx.new_duplicate_set()
    keep = str(ctx.ids["last_duplicate"])
    wrong: list[str] = []
    for role in ROLES:
        client = live_server.client()
        if role != "anonymous":
            assert sign_in(client, f"{role}@example.org").status_code == 303, role
        token = csrf_of(client.get("/signin").text)
        for method, route, allowed in DUPLICATES_PAGES:
            path = route.replace("{project_id:int}", str(world.project_a)).replace("{set_key:str}", set_key)
            if method == "GET":
                response = client.get(path)
                passed = response.status_code == 200 and f'data-set-key="{set_key}"' in response.text
            else:
                before = _snapshot(live_server.engine)
                # not confirmed: an allowed caller is asked, nothing changes for anyone
                response = client.post(path, data={"_csrf_token": token, "keep": keep})
                passed = response.status_code == 200 and 'id="confirm-question"' in response.text
                if _snapshot(live_server.engine) != before:
                    wrong.append(f"{method} {route} {role}: an unconfirmed choice changed stored data")
            if role == "anonymous":
                if not (response.status_code == 303 and response.headers["location"].startswith("/signin")):
                    wrong.append(f"{method} {route} anonymous: {response.status_code}, expected the sign-in page")
            elif passed != (role in allowed):
                wrong.append(f"{method} {route} {role}: {response.status_code}")
            elif role not in allowed and response.status_code != (403 if role == "viewer_a" else 404):
                wrong.append(f"{method} {route} {role}: {response.status_code}, expected 403 or 404")
            if response.status_code >= 500:
                wrong.append(f"{method} {route} {role}: server error {response.status_code}")


# --- pages: the award report of a tender (social procurement) -------------------------------------

AWARD_REPORT_PAGES = [
    ("GET", "/app/procurement/tenders/{tender_id}/award-report.pdf"),
    ("GET", "/app/procurement/tenders/{tender_id}"),
]
"""The verbale di aggiudicazione's page download (and the tender page that links it): only the
people of the authority that owns the tender, and administrators, get the PDF; the evaluator the
delivery was submitted to, the bidders and another authority's officer get 404 for it."""


@pytest.fixture
def many_sign_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve people sign in from one address within a minute: above the sign-in door's limit."""
    monkeypatch.setenv("IMPACTKIT_RATE_SIGNIN_PER_MINUTE", "100")


def test_the_award_report_page_is_for_the_owning_authority_only(
    many_sign_ins: None, live_server: LiveServer
) -> None:
    from tests.integration.pages.web import sign_in
    from tests.integration.procurement.helpers import authority_user, prepare_matrix

    world = build_world_for_pages(live_server.engine)
    ids = prepare_matrix(live_server, world)
    admin = live_server.client(world.tokens["admin"])
    other = admin.post("/api/v1/authorities", json={"name": "Comune di Saluzzo", "kind": "public_body"})
    assert other.status_code == 201, other.text
    other_officer, _ = authority_user(live_server, "other-officer")
    granted = admin.post(f"/api/v1/authorities/{other.json()['id']}/members", json={"user_id": other_officer})
    assert granted.status_code == 201, granted.text
    emails = {role: f"{role}@example.org" for role in ROLES if role != "anonymous"}
    emails |= {
        "authority": "officer@comune.example.org",
        "other_authority": "other-officer@comune.example.org",
    }
    allowed = {"authority", "admin"}
    wrong: list[str] = []
    for role in [*ROLES, "authority", "other_authority"]:
        client = live_server.client()
        if role != "anonymous":
            assert sign_in(client, emails[role]).status_code == 303, role
        for tender in ("tender_contract", "tender_open"):
            pdf = AWARD_REPORT_PAGES[0][1].format(tender_id=ids[tender])
            response = client.get(pdf)
            if role == "anonymous":
                if not (response.status_code == 303 and response.headers["location"].startswith("/signin")):
                    wrong.append(f"{pdf} anonymous: {response.status_code}, expected the sign-in page")
                continue
            passed = response.status_code == 200 and response.content.startswith(b"%PDF-")
            if passed != (role in allowed) or (not passed and response.status_code != 404):
                wrong.append(f"{pdf} {role}: {response.status_code}")
            page = client.get(AWARD_REPORT_PAGES[1][1].format(tender_id=ids[tender]))
            if page.status_code == 200 and ("award-report.pdf" in page.text) != (role in allowed):
                wrong.append(f"the tender page shows the award report link to {role}")
    assert not wrong, "\n".join(wrong)


# --- pages: the organisation's logo --------------------------------------------------------------

LOGO_PAGES = [
    ("GET", "/app/organisations/{organisation_id:int}/logo", A_READERS),
    ("POST", "/app/organisations/{organisation_id:int}/logo", A_OWNER),
    ("POST", "/app/organisations/{organisation_id:int}/logo/remove", A_OWNER),
]
"""The logo's page routes: its readers see it, its owners (and administrators) change it."""


def test_the_logo_pages_show_it_to_readers_and_let_only_owners_change_it(live_server: LiveServer) -> None:
    from tests.integration.pages.web import csrf_of, sign_in
    from tests.logo_files import png

    world = build_world_for_pages(live_server.engine)
    org = world.org_a
    owner = live_server.client()
    sign_in(owner, "owner_a@example.org")
    first = owner.post(
        f"/app/organisations/{org}/logo",
        data={"_csrf_token": csrf_of(owner.get(f"/app/organisations/{org}/details").text)},
        files={"logo": ("logo.png", png(40, 20), "image/png")},
    )
    assert first.status_code == 303
    clients = {}
    for role in ROLES:
        clients[role] = live_server.client()
        if role != "anonymous":
            assert sign_in(clients[role], f"{role}@example.org").status_code == 303, role
    wrong: list[str] = []
    details = f"/app/organisations/{org}/details"
    for method, route, allowed in LOGO_PAGES:
        path = route.replace("{organisation_id:int}", str(org))
        for role in sorted(ROLES, key=lambda r: r in allowed):  # denied first, as above
            client = clients[role]
            before = owner.get(f"/app/organisations/{org}/logo").content
            if method == "GET":
                response = client.get(path)
                passed = response.status_code == 200 and response.headers["content-type"].startswith("image/")
            else:
                token = csrf_of(client.get("/signin").text)
                files = {"logo": ("logo.png", png(50, 25, "red"), "image/png")} if path.endswith("/logo") else None
                response = client.post(path, data={"_csrf_token": token}, files=files)
                passed = response.status_code == 303 and response.headers["location"].startswith(details)
                if role not in allowed and owner.get(f"/app/organisations/{org}/logo").content != before:
                    wrong.append(f"{method} {route} {role}: a denied call changed the logo")
            if role == "anonymous":
                if not (response.status_code == 303 and response.headers["location"].startswith("/signin")):
                    wrong.append(f"{method} {route} anonymous: {response.status_code}, expected the sign-in page")
            elif passed != (role in allowed):
                wrong.append(f"{method} {route} {role}: {response.status_code}")
            if response.status_code >= 500:
                wrong.append(f"{method} {route} {role}: server error {response.status_code}")
    assert not wrong, "\n".join(wrong)
