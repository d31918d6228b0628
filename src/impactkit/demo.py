"""Demo data: a small, realistic instance to explore (running it twice changes nothing)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from impactkit.domain import FunderKind, LegalForm, MemberRole, SizeClass, TerritoryType
from impactkit.store import admin as svc
from impactkit.store import schemas as s
from impactkit.store.db import session_scope
from impactkit.store.security import TOKEN_PREFIX, hash_password, hash_token
from impactkit.store.tables import (
    ApiToken,
    EvaluatorAccreditation,
    FunderMembership,
    Grant,
    Membership,
    Organisation,
    Project,
    ReportingPeriod,
    User,
)

DEMO_PASSWORD = "demo-password-2030"  # noqa: S105 - printed for the demo users on purpose


@dataclass
class DemoResult:
    tokens: dict[str, str] = field(default_factory=dict)
    """Demo user e-mail → API token."""
    organisation_ids: list[int] = field(default_factory=list)


def demo_token(secret_key: str, email: str) -> str:
    """A stable token for a demo user, derived from the instance secret (so it is never stored)."""
    digest = hmac.new(secret_key.encode(), f"demo-token:{email}".encode(), hashlib.sha256).hexdigest()
    return f"{TOKEN_PREFIX}demo_{digest[:40]}"


def _user(session: Session, email: str, name: str, *, admin: bool = False) -> User:
    user = svc.find_user_by_email(session, email)
    if user is None:
        user = User(email=email, name=name, is_admin=admin, password_hash=hash_password(DEMO_PASSWORD))
        session.add(user)
        session.flush()
    return user


def _token(session: Session, user: User, token: str) -> None:
    digest = hash_token(token)
    if session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first() is None:
        assert user.id is not None
        session.add(ApiToken(user_id=user.id, name="demo", token_hash=digest, prefix=token[:10]))


def _organisation(session: Session, data: s.OrganisationIn) -> Organisation:
    found = svc.find_organisation_by_tax_code(session, data.tax_code)
    return found or svc.create_organisation(session, data)


def _project(
    session: Session, org: Organisation, name: str, population: int
) -> tuple[Project, ReportingPeriod]:
    project = session.exec(
        select(Project).where(Project.organisation_id == org.id, Project.name == name)
    ).first()
    if project is None:
        assert org.id is not None
        project = svc.create_project(
            session,
            org.id,
            s.ProjectIn(
                name=name,
                framework_id="simplified-kpis",
                framework_version="2026.1",
                population=population,
                description="Demo project",
            ),
        )
    period = session.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project.id)).first()
    if period is None:
        assert project.id is not None
        period = svc.create_period(
            session,
            project.id,
            s.PeriodIn(label="2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)),
        )
    return project, period


def _member(session: Session, user: User, org: Organisation, role: MemberRole) -> None:
    exists = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == org.id)
    ).first()
    if exists is None:
        session.add(Membership(user_id=user.id, organisation_id=org.id, role=role.value))  # type: ignore[arg-type]


def load_demo(engine: Engine, secret_key: str) -> DemoResult:
    """Create (or find) the demo organisations, users, funder, grant and evaluator."""
    result = DemoResult()
    with session_scope(engine) as session:
        admin = _user(session, "admin@demo.impactkit.org", "Demo administrator", admin=True)
        owner = _user(session, "owner@coop-aurora.demo", "Giulia Bianchi (Cooperativa Aurora)")
        volunteer_lead = _user(session, "owner@aps-valli.demo", "Marco Rossi (APS Valli Insieme)")
        evaluator = _user(session, "evaluator@demo.impactkit.org", "Elena Conti (accredited evaluator)")
        funder_user = _user(session, "funder@fondazione.demo", "Luca Ferri (Fondazione Territorio)")

        aurora = _organisation(
            session,
            s.OrganisationIn(
                name="Cooperativa Sociale Aurora",
                legal_form=LegalForm.social_cooperative_b,
                tax_code="97000010013",
                municipality="Pinerolo",
                zone="Pinerolese",
                territory_type=TerritoryType.urban,
                size_class=SizeClass.small,
            ),
        )
        valli = _organisation(
            session,
            s.OrganisationIn(
                name="APS Valli Insieme",
                legal_form=LegalForm.aps,
                tax_code="00772450011",
                municipality="Usseaux",
                zone="Pinerolese",
                territory_type=TerritoryType.mountain,
                size_class=SizeClass.micro,
            ),
        )
        _member(session, owner, aurora, MemberRole.owner)
        _member(session, volunteer_lead, valli, MemberRole.owner)
        aurora_project, _ = _project(session, aurora, "Lavoro e autonomia 2026", population=80)
        _project(session, valli, "Montagna solidale 2026", population=40)

        if (
            session.exec(
                select(EvaluatorAccreditation).where(EvaluatorAccreditation.user_id == evaluator.id)
            ).first()
            is None
        ):
            assert evaluator.id is not None
            session.add(
                EvaluatorAccreditation(
                    user_id=evaluator.id,
                    number="VIS-TO-0001",
                    body="Camera di commercio di Torino (demo register)",
                    valid_from=date(2026, 1, 1),
                    valid_until=date(2028, 12, 31),
                )
            )
        funder = svc.find_funder_by_name(session, "Fondazione Territorio (demo)")
        if funder is None:
            funder = svc.create_funder(
                session, s.FunderIn(name="Fondazione Territorio (demo)", kind=FunderKind.foundation)
            )
        if (
            session.exec(select(FunderMembership).where(FunderMembership.user_id == funder_user.id)).first()
            is None
        ):
            session.add(FunderMembership(user_id=funder_user.id, funder_id=funder.id))  # type: ignore[arg-type]
        if (
            session.exec(
                select(Grant).where(Grant.funder_id == funder.id, Grant.organisation_id == aurora.id)
            ).first()
            is None
        ):
            assert funder.id is not None and aurora.id is not None
            svc.create_grant(
                session,
                funder.id,
                s.GrantIn(
                    organisation_id=aurora.id,
                    project_id=aurora_project.id,
                    title="Lavoro e autonomia",
                    amount=60000,
                    outcome_based=True,
                    targets=[
                        s.GrantTarget(
                            indicator_id="work_placements",
                            target=10,
                            price_per_unit=1500,
                            cap=20000,
                        ),
                    ],
                ),
            )
        for user in (admin, owner, volunteer_lead, evaluator, funder_user):
            token = demo_token(secret_key, user.email)
            _token(session, user, token)
            result.tokens[user.email] = token
        result.organisation_ids = [o.id for o in (aurora, valli) if o.id is not None]
    return result
