"""Demo data: a small, realistic instance to explore (running it twice changes nothing)."""

from __future__ import annotations

import hashlib
import hmac
import random
import uuid
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


DEMO_PEOPLE = [
    ("owner@coop-aurora.demo", "owner of Cooperativa Aurora: projects, surveys, KPIs, reports"),
    ("evaluator@demo.impactkit.org", "accredited evaluator: SROI, checklist, validation"),
    ("funder@fondazione.demo", "funder: validated reports and the portfolio in Excel"),
    ("admin@demo.impactkit.org", "administrator: organisations, users, roles"),
    ("gare@comune-pinerolo.demo", "contracting authority: tenders, bids scored, delivery monitored"),
]
"""Who to sign in as, first the one to start with: (e-mail, what they see)."""


def welcome(base_url: str, survey_link: str) -> str:
    """What to open and with which user, printed once the demo instance answers."""
    first, what = DEMO_PEOPLE[0]
    others = "\n".join(f"    {email:30} {role}" for email, role in DEMO_PEOPLE[1:])
    return (
        f"impactkit is ready. Open {base_url}/signin in a browser and sign in as\n"
        f"    {first}  with password  {DEMO_PASSWORD}\n"
        f"  ({what}). The other demo users have the same password:\n"
        f"{others}\n"
        f"A survey to answer as a beneficiary would: {survey_link}\n"
        f"The public observatory (no sign-in): {base_url}/osservatorio\n"
        f"The API and its documentation: {base_url}/schema/swagger   (stop the server with Ctrl-C)"
    )


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
                            indicator_id="work_placements_disadvantaged",
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
        from impactkit.store.procurement import load_demo_procurement

        result.tokens.update(load_demo_procurement(session, secret_key, [aurora, valli], evaluator))
    return result


DEMO_ENROLLED = 72
"""Participants who answered at the start of the programme (baseline)."""
DEMO_LATE_JOINERS = 2
"""Participants who joined after the baseline and answered only at the end."""
DEMO_DECLINED = 1
"""Endline answers that declined consent (the form ends there; no KPI counts them)."""


@dataclass(frozen=True)
class DemoAnswer:
    """One demo beneficiary response: who, which wave, what was answered."""

    key: str
    wave: str
    answers: dict[str, object]


@dataclass(frozen=True)
class _DemoPerson:
    code: str
    gender: str
    age: int
    territory: str
    conditions: list[str]
    education: str
    employment: str
    months_unemployed: int
    base: list[int]
    """Baseline answers to well-being, autonomy and social connections (1–5)."""
    steps: list[int]
    """Changes one item may take by the endline (drawn per item)."""
    satisfaction: list[int]
    course: str
    stays: bool


def _demo_person(index: int) -> _DemoPerson:
    """Who demo participant ``index`` is, how the year went for them, and whether they stayed.

    A real year of a work-integration cooperative: about half feel better at the end, a quarter
    about the same, some worse; about one in six leave before the end; a few people are in
    small groups (non-binary, mountain villages) so that the pages show what disclosure
    control hides.
    """
    rng = random.Random(f"aurora-2026/{index}")
    gender = rng.choices(["female", "male", "nonbinary", "prefer_not"], weights=[45, 49, 2, 2])[0]
    territory = rng.choices(["urban", "rural", "mountain"], weights=[62, 28, 10])[0]
    age = rng.choices([rng.randint(18, 35), rng.randint(36, 64), rng.randint(65, 70)], weights=[50, 45, 5])[0]
    course = rng.choices(["better", "same", "worse"], weights=[52, 30, 18])[0]
    stays = rng.random() >= (0.35 if course == "worse" else 0.15)
    return _DemoPerson(
        code=f"AUR-{index:03d}",
        gender=gender,
        age=age,
        territory=territory,
        conditions=rng.sample(
            ["unemployment", "low_income", "migrant_background", "disability"], rng.randint(1, 2)
        ),
        education=rng.choices(
            ["primary", "lower_secondary", "upper_secondary", "tertiary"], weights=[10, 45, 38, 7]
        )[0],
        employment=rng.choices(["unemployed", "training", "student", "employed"], weights=[55, 25, 8, 12])[0],
        months_unemployed=rng.randint(2, 30),
        base=[rng.choices([1, 2, 3, 4], weights=[15, 40, 35, 10])[0] for _ in range(3)],
        steps={"better": [0, 1, 1, 1, 2], "same": [-1, 0, 0, 0, 1], "worse": [-2, -1, -1, 0]}[course],
        satisfaction={"better": [3, 4, 4, 4, 5, 5], "same": [2, 3, 3, 4, 4, 5], "worse": [1, 2, 2, 3, 3, 4]}[
            course
        ],
        course=course,
        stays=stays,
    )


def _demo_answers(person: _DemoPerson, wave: str) -> dict[str, object]:
    """What a demo participant answered at baseline or endline (deterministic)."""
    rng = random.Random(f"{person.code}/{wave}")
    scores = (
        person.base
        if wave == "baseline"
        else [min(5, max(1, b + rng.choice(person.steps))) for b in person.base]
    )
    employment = person.employment
    if wave == "endline" and employment != "employed" and rng.random() < 0.3:
        employment = "employed"
    answers: dict[str, object] = {
        "consent": "yes",
        "respondent_code": person.code,
        "gender": person.gender,
        "age": person.age,
        "territory_type": person.territory,
        "vulnerable_conditions": person.conditions,
        "education_level": person.education,
        "employment_status": employment,
        "months_in_programme": 0 if wave == "baseline" else rng.randint(8, 11),
        "wellbeing": str(scores[0]),
        "autonomy": str(scores[1]),
        "social_connections": str(scores[2]),
        "satisfaction": str(rng.choice(person.satisfaction)),
        "would_recommend": rng.choices(["yes", "unsure", "no"], weights=[70, 22, 8])[0],
    }
    if employment == "unemployed":
        answers["months_unemployed"] = person.months_unemployed + (10 if wave == "endline" else 0)
    return answers


def demo_answers() -> list[DemoAnswer]:
    """Every beneficiary response of the demo year: baselines, endlines of those who stayed,
    late joiners' endlines and a declined consent (the same list every time)."""
    found: list[DemoAnswer] = []
    for index in range(DEMO_ENROLLED + DEMO_LATE_JOINERS):
        person = _demo_person(index)
        if index < DEMO_ENROLLED:
            found.append(DemoAnswer(f"{index}/baseline", "baseline", _demo_answers(person, "baseline")))
        if person.stays or index >= DEMO_ENROLLED:
            found.append(DemoAnswer(f"{index}/endline", "endline", _demo_answers(person, "endline")))
    for index in range(DEMO_DECLINED):
        found.append(DemoAnswer(f"declined-{index}/endline", "endline", {"consent": "no"}))
    return found


DEMO_SELF_REPORT: dict[str, object] = {
    "people_reached": 80,
    "people_reached_youth_15_35": 49,
    "people_reached_vulnerable": 52,
    "people_reached_mountain_rural": 30,
    "population_served": 80,
    "volunteers": 14,
    "volunteer_hours": 1200,
    "workers_total": 22,
    "workers_disadvantaged": 9,
    "work_placements_disadvantaged": 12,
    "surplus": 18000,
    "surplus_reinvested": 16500,
    "members": 41,
    "members_in_governance": 27,
    "board_members": 7,
    "board_women": 4,
    "partnerships_public": 3,
    "partnerships_private": 2,
    "partnerships_third_sector": 5,
}


def load_demo_responses(engine: Engine) -> int:
    """Cooperativa Aurora's 2026: 72 participants at the start, 61 of them again at the end (the
    others left), 2 who joined late, one person who declined, and the organisation's self-report.

    Instance ids are derived from the participant, so loading again stores nothing new.
    """
    from impactkit.store.surveys import Submission, store_responses

    with session_scope(engine) as session:
        org = svc.find_organisation_by_tax_code(session, "97000010013")
        assert org is not None and org.id is not None
        project = session.exec(select(Project).where(Project.organisation_id == org.id)).first()
        assert project is not None and project.id is not None
        period = session.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project.id)).first()
        assert period is not None
        submissions = [
            Submission(
                instance_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"impactkit-demo-2026/{answer.key}")),
                form_id="beneficiary_outcomes",
                form_version="2026.1",
                project_id=project.id,
                period_id=period.id,
                wave=answer.wave,
                answers=answer.answers,
                source="demo",
            )
            for answer in demo_answers()
        ]
        submissions.append(
            Submission(
                instance_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "impactkit-demo/self-report")),
                form_id="organisation_self_report",
                form_version="2026.1",
                project_id=project.id,
                period_id=period.id,
                answers=DEMO_SELF_REPORT,
                source="demo",
            )
        )
        results = store_responses(session, submissions, allowed_organisations=None)
        problems = [r for r in results if r.status not in ("stored", "already_stored")]
        if problems:
            raise RuntimeError(f"demo responses refused: {problems[0].errors}")
        return sum(r.status == "stored" for r in results)


DEMO_VALUE_MAP: dict[str, object] = {
    "name": "Lavoro e autonomia 2026",
    "currency": "EUR",
    "discount_rate": "3.5%",
    "stakeholders": [
        {"name": "Partecipanti", "description": "Persone nel percorso di inserimento lavorativo"}
    ],
    "inputs": [
        {
            "description": "Contributo della fondazione",
            "amount": 60000,
            "source": "Convenzione di contributo",
        },
        {
            "description": "Tempo dei volontari",
            "hours": 1200,
            "rate": 15,
            "source": "Registro dei volontari × costo orario ISTAT",
        },
    ],
    "outcomes": [
        {
            "name": "Inserimento lavorativo",
            "stakeholder": "Partecipanti",
            "indicator": "Inserimenti lavorativi di persone svantaggiate",
            "quantity": 12,
            "proxy": {
                "value": 9000,
                "currency": "EUR",
                "year": 2026,
                "source": "Costo pubblico del sostegno alla disoccupazione per persona e anno (illustrativo)",
            },
            "deadweight": "25%",
            "attribution": "20%",
            "drop_off": "30%",
            "duration": 3,
            "evidence": {
                "quantity": "Autodichiarazione 2026",
                "deadweight": "Tasso regionale di rioccupazione (illustrativo)",
            },
        },
        {
            "name": "Maggiore benessere",
            "stakeholder": "Partecipanti",
            "indicator": "Partecipanti con un benessere più alto a fine percorso",
            "quantity": 40,  # the demo's beneficiaries_improved: 40 of the 61 linked
            "proxy": {
                "value": 1200,
                "currency": "EUR",
                "year": 2026,
                "source": "Valutazione del benessere (illustrativa)",
            },
            "deadweight": "30%",
            "attribution": "30%",
            "drop_off": "50%",
            "duration": 2,
            "evidence": {"quantity": "Questionario ai beneficiari, inizio e fine percorso"},
        },
    ],
}


def load_demo_report(engine: Engine) -> str:
    """A validated 2026 social report of Cooperativa Aurora, so funders have something to see."""
    from impactkit.reports.structured import demo_figures
    from impactkit.store import reports as workflow
    from impactkit.store.principals import load_principal
    from impactkit.store.sroi import prepare_value_map
    from impactkit.store.tables import Report

    with session_scope(engine) as session:
        org = svc.find_organisation_by_tax_code(session, "97000010013")
        assert org is not None
        project = session.exec(select(Project).where(Project.organisation_id == org.id)).first()
        assert project is not None and project.id is not None
        period = session.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project.id)).first()
        assert period is not None and period.id is not None
        existing = session.exec(select(Report).where(Report.project_id == project.id)).first()
        if existing is not None:
            return f"demo report {existing.id}: already there ({existing.state})"
        owner = svc.find_user_by_email(session, "owner@coop-aurora.demo")
        evaluator = svc.find_user_by_email(session, "evaluator@demo.impactkit.org")
        assert owner is not None and evaluator is not None and evaluator.id is not None
        as_owner, as_evaluator = load_principal(session, owner), load_principal(session, evaluator)
        value_map = prepare_value_map(session, as_owner, DEMO_VALUE_MAP).model_dump(mode="json")
        sections, justifications = demo_review()
        report = workflow.create_report(
            session,
            as_owner,
            project.id,
            period.id,
            language="it",
            sections=sections,
            sroi_value_map=value_map,
            figures=demo_figures(),
        )
        workflow.submit_report(session, as_owner, report, evaluator.id)
        workflow.validate_report(
            session, as_evaluator, report, "Dati verificati a campione (demo).", justifications
        )
        from impactkit.store.observatory import publish_demo

        address = publish_demo(session, as_owner, report)
        return f"demo report {report.id}: validated, published at {address}"


def demo_review() -> tuple[dict[str, str], dict[str, str]]:
    """The demo report's eight sections, and the evaluator's justification of the check that still
    fails (no volunteer survey in 2026, so the median of volunteer hours has no value)."""
    sections = {
        "methodology": "Questionario ai partecipanti all'inizio e alla fine del percorso; "
        "dati annuali dell'organizzazione; analisi SROI secondo la Guida di Social Value "
        "International.",
        "general_information": "Cooperativa sociale di tipo B con sede a Pinerolo (Pinerolese).",
        "structure_governance_administration": "Assemblea dei soci (41 soci, 27 partecipano alla "
        "governance) e consiglio di amministrazione di 7 membri, di cui 4 donne.",
        "people": "22 lavoratori, di cui 9 svantaggiati; 14 volontari per 1.200 ore nell'anno.",
        "objectives_and_activities": "Percorsi di inserimento lavorativo per persone svantaggiate.",
        "economic_financial_situation": "Avanzo di 18.000 euro, di cui 16.500 reinvestiti nelle attività.",
        "other_information": "Nessun contenzioso; i risultati del 2026 orientano i percorsi del 2027.",
        "control_body_monitoring": "L'organo di controllo ha monitorato il rispetto delle finalità sociali.",
    }
    justifications = {
        "kpi_values": "Il questionario ai volontari non è stato somministrato nel 2026: la mediana "
        "delle ore di volontariato manca; le ore totali risultano dai registri dell'organizzazione.",
    }
    return sections, justifications


def load_demo_link(engine: Engine, secret_key: str) -> str:
    """A survey link for the beneficiary survey (endline) of Cooperativa Aurora: its token."""
    from impactkit.store.links import create_link, link_token
    from impactkit.store.surveys import find_form_version
    from impactkit.store.tables import SurveyLink

    with session_scope(engine) as session:
        org = svc.find_organisation_by_tax_code(session, "97000010013")
        assert org is not None and org.id is not None
        project = session.exec(select(Project).where(Project.organisation_id == org.id)).first()
        assert project is not None and project.id is not None
        existing = session.exec(select(SurveyLink).where(SurveyLink.project_id == project.id)).first()
        if existing is not None:
            return link_token(secret_key, existing.nonce)
        period = session.exec(select(ReportingPeriod).where(ReportingPeriod.project_id == project.id)).first()
        form = find_form_version(session, org.id, "beneficiary_outcomes", "2026.1")
        owner = svc.find_user_by_email(session, "owner@coop-aurora.demo")
        _, token = create_link(
            session,
            secret_key=secret_key,
            project_id=project.id,
            form_version_id=form.id or 0,
            created_by=owner.id if owner else None,
            period_id=period.id if period else None,
            wave="endline",
            label="Questionario finale (demo)",
        )
        return token


# --- ODK Collect: a collector access for the demo project ----------------------------------------


def load_demo_collector(engine: Engine, secret_key: str) -> str:
    """A collector access (ODK Collect / KoBoCollect) for Cooperativa Aurora's project: its secret."""
    from impactkit.store import collectors

    with session_scope(engine) as session:
        org = svc.find_organisation_by_tax_code(session, "97000010013")
        assert org is not None and org.id is not None
        project = session.exec(select(Project).where(Project.organisation_id == org.id)).first()
        assert project is not None and project.id is not None
        for access in collectors.project_accesses(session, project.id):
            if access.revoked_at is None:
                return collectors.view(access, secret_key).secret
        owner = svc.find_user_by_email(session, "owner@coop-aurora.demo")
        _, secret = collectors.create_access(
            session,
            secret_key=secret_key,
            project_id=project.id,
            created_by=owner.id if owner else None,
            label="Tablet degli educatori (demo)",
        )
        return secret
