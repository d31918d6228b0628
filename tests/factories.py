"""Test data factories: a world with two organisations, every role, and their tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from impactkit.domain import FunderKind, LegalForm, MemberRole, SizeClass, TerritoryType
from impactkit.store import admin as svc
from impactkit.store import schemas as s
from impactkit.store.db import session_scope

VALID_TAX_CODES = ["97000010013", "00772450011", "01234567897", "80012345676"]


def organisation_in(index: int = 0, **overrides: object) -> s.OrganisationIn:
    values: dict[str, object] = {
        "name": f"Organisation {index}",
        "legal_form": LegalForm.aps,
        "tax_code": VALID_TAX_CODES[index],
        "municipality": "Torino",
        "zone": "Torino",
        "territory_type": TerritoryType.urban,
        "size_class": SizeClass.micro,
    }
    values.update(overrides)
    return s.OrganisationIn.model_validate(values)


@dataclass
class World:
    """Organisation A (owner, editor, viewer), organisation B (its owner), an evaluator
    (assigned or not is up to the test), funder F of A, funder G of B, an administrator."""

    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    org_a: int = 0
    org_b: int = 0
    project_a: int = 0
    period_a: int = 0
    project_b: int = 0
    period_b: int = 0
    funder_a: int = 0
    funder_b: int = 0


def build_world(engine: Engine) -> World:
    world = World()
    today = date.today()
    with session_scope(engine) as session:

        def user(key: str, admin: bool = False) -> int:
            row = svc.create_user(
                session,
                s.UserIn(
                    email=f"{key}@example.org",
                    name=key,
                    is_admin=admin,
                    password="correct horse battery",
                ),
            )
            assert row.id is not None
            world.users[key] = row.id
            _, token = svc.create_token(session, row.id, s.TokenIn(name="test"))
            world.tokens[key] = token
            return row.id

        org_a = svc.create_organisation(session, organisation_in(0, name="Cooperativa A"))
        org_b = svc.create_organisation(
            session,
            organisation_in(1, name="Associazione B", territory_type=TerritoryType.mountain),
        )
        assert org_a.id and org_b.id
        world.org_a, world.org_b = org_a.id, org_b.id
        for key, org, role in [
            ("owner_a", org_a.id, MemberRole.owner),
            ("editor_a", org_a.id, MemberRole.editor),
            ("viewer_a", org_a.id, MemberRole.viewer),
            ("owner_b", org_b.id, MemberRole.owner),
        ]:
            svc.add_member(session, org, s.MembershipIn(user_id=user(key), role=role))
        user("admin", admin=True)
        for key in ("evaluator", "evaluator_other"):
            svc.create_accreditation(
                session,
                s.AccreditationIn(
                    user_id=user(key),
                    number=f"ACC-{key}",
                    body="Test body",
                    valid_from=today - timedelta(days=30),
                    valid_until=today + timedelta(days=365),
                ),
            )
        for key, org in (("funder_a", org_a.id), ("funder_b", org_b.id)):
            funder = svc.create_funder(
                session, s.FunderIn(name=f"Funder of {key}", kind=FunderKind.foundation)
            )
            assert funder.id
            svc.add_funder_member(session, funder.id, user(key))
            svc.create_grant(
                session,
                funder.id,
                s.GrantIn(organisation_id=org, title=f"Grant {key}", amount=1000),
            )
            setattr(world, key, funder.id)
        for name, org in (("a", org_a.id), ("b", org_b.id)):
            project = svc.create_project(
                session,
                org,
                s.ProjectIn(name=f"Project {name}", framework_id="simplified-kpis", population=80),
            )
            assert project.id
            period = svc.create_period(
                session,
                project.id,
                s.PeriodIn(label="2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)),
            )
            assert period.id
            setattr(world, f"project_{name}", project.id)
            setattr(world, f"period_{name}", period.id)
    return world
