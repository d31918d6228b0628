"""The database tables (SQLModel over SQLAlchemy 2). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, Integer, LargeBinary, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from impactkit.store.types import JsonType, UTCDateTime, utcnow


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    legal_form: str = Field(max_length=40)
    tax_code: str = Field(max_length=16, unique=True)
    municipality: str = Field(max_length=120)
    zone: str | None = Field(default=None, max_length=60)
    territory_type: str = Field(max_length=10)
    runts_number: str | None = Field(default=None, max_length=40)
    """The registration number in RUNTS, the national register of third-sector bodies."""
    size_class: str = Field(max_length=10)
    created_at: datetime = _created()


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    framework_id: str | None = Field(default=None, max_length=80)
    framework_version: str | None = Field(default=None, max_length=40)
    population: int | None = Field(default=None)
    created_at: datetime = _created()


class ReportingPeriod(SQLModel, table=True):
    __tablename__ = "reporting_period"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    label: str = Field(max_length=80)
    starts_on: date
    ends_on: date
    created_at: datetime = _created()


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    is_admin: bool = Field(default=False)
    is_curator: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """Granted by an administrator: features published reports as best practice in the observatory."""
    created_at: datetime = _created()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = Field(max_length=10)
    created_at: datetime = _created()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = _created()
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class EvaluatorAccreditation(SQLModel, table=True):
    __tablename__ = "evaluator_accreditation"
    __table_args__ = (UniqueConstraint("body", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    number: str = Field(max_length=60)
    body: str = Field(max_length=200)
    valid_from: date
    valid_until: date
    created_at: datetime = _created()


class Funder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)
    created_at: datetime = _created()


class FunderMembership(SQLModel, table=True):
    __tablename__ = "funder_membership"
    __table_args__ = (UniqueConstraint("user_id", "funder_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    funder_id: int = Field(foreign_key="funder.id", index=True)
    created_at: datetime = _created()


class Grant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    funder_id: int = Field(foreign_key="funder.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    title: str = Field(max_length=200)
    amount: float = Field(default=0.0)
    currency: str = Field(default="EUR", max_length=3)
    outcome_based: bool = Field(default=False)
    starts_on: date | None = None
    ends_on: date | None = None
    targets: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    created_at: datetime = _created()


class FormVersion(SQLModel, table=True):
    """One published version of an XLSForm: never changed once stored."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("owner_key", "form_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    owner_key: str = Field(max_length=20)
    """``shared`` for forms every organisation may use, else ``org:<id>`` (NULL-free unique key)."""
    form_id: str = Field(max_length=120)
    version: str = Field(max_length=60)
    title: str = Field(max_length=300)
    definition: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    content_hash: str = Field(max_length=64)
    source_filename: str = Field(default="", max_length=300)
    created_at: datetime = _created()


class FormSource(SQLModel, table=True):
    """The XLSForm of a published version as uploaded, and the XForm pyxform wrote from it.

    Kept apart from :class:`FormVersion` so that listing versions does not read the files.
    """

    __tablename__ = "form_source"
    form_version_id: int = Field(foreign_key="form_version.id", primary_key=True)
    xlsform: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    xform: str = Field(sa_column=Column(Text, nullable=False))
    xform_md5: str = Field(max_length=32)
    media: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    """Files the form reads besides the XForm (``itemsets.csv``), by name, as text."""
    created_at: datetime = _created()


class SurveyResponse(SQLModel, table=True):
    """One submitted response, validated against the exact form version it answered."""

    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_response_scope", "organisation_id", "project_id", "period_id", "form_id"),)
    id: int | None = Field(default=None, primary_key=True)
    instance_id: str = Field(max_length=36, unique=True)
    form_version_id: int = Field(foreign_key="form_version.id", index=True)
    form_id: str = Field(max_length=120)
    form_version: str = Field(max_length=60)
    organisation_id: int = Field(foreign_key="organisation.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    period_id: int | None = Field(default=None, foreign_key="reporting_period.id")
    wave: str | None = Field(default=None, max_length=20)
    respondent_code: str | None = Field(default=None, max_length=120, index=True)
    weight: float | None = None
    answers: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    content_hash: str = Field(max_length=64)
    source: str = Field(default="api", max_length=20)
    submitted_at: datetime = _created()
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    """1 for a response as first submitted; an edit (ODK's ``meta/deprecatedID``) is the next."""
    previous_instance_id: str | None = Field(default=None, max_length=36)
    """The instance id of the version this one replaces (an edit), else None."""
    replaced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    """When an edit replaced this version: it is kept, but no longer read or counted."""
    answers_digest: str | None = Field(default=None, max_length=64, index=True)
    """SHA-256 of the answers without the respondent code (only with five answers or more), to
    catch identical answers entered twice under different codes."""


class ResponseFlag(SQLModel, table=True):
    """A response flagged: a duplicate caught when it arrived, or set aside by a person.

    ``kind``: ``duplicate_code`` (the same respondent code answered the same form and wave twice)
    and ``double_entry`` (identical answers under different codes within minutes) are set when a
    response arrives, ``status`` ``open`` until the organisation chooses which answer counts
    (``counts`` / ``excluded``); ``test_answer`` and ``suspected_duplicate`` are set by a person
    and leave the response out of KPIs (``excluded``) until withdrawn (``withdrawn``).
    """

    __tablename__ = "response_flag"
    __table_args__ = (Index("ix_response_flag_scope", "organisation_id", "project_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="survey_response.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    kind: str = Field(max_length=30)
    set_key: str | None = Field(default=None, max_length=80, index=True)
    """Responses flagged together as one duplicate set share it."""
    status: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)
    created_at: datetime = _created()
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=60, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    target: str = Field(default="", max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))


class SurveyLink(SQLModel, table=True):
    """A public link that lets respondents answer one form version for a project (no account).

    The token is derived from the instance secret and ``nonce`` (so staff can copy it again);
    only its SHA-256 hash is stored and looked up.
    """

    __tablename__ = "survey_link"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    period_id: int | None = Field(default=None, foreign_key="reporting_period.id")
    form_version_id: int = Field(foreign_key="form_version.id")
    wave: str | None = Field(default=None, max_length=20)
    label: str = Field(default="", max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=64)
    closes_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    max_responses: int | None = None
    responses: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Responses (not erased) taken through the link: counted in the transaction that stores
    them, under the link row's lock, which is what keeps ``max_responses`` exact under races."""
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()


class Report(SQLModel, table=True):
    """A social report of an organisation for a project and period; its content lives in versions."""

    __table_args__ = (UniqueConstraint("project_id", "period_id"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    project_id: int = Field(foreign_key="project.id")
    period_id: int = Field(foreign_key="reporting_period.id")
    evaluator_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    state: str = Field(default="draft", max_length=12)
    """State of the newest version: draft | submitted | validated | returned."""
    current_version: int = Field(default=1)
    created_at: datetime = _created()


class ReportVersion(SQLModel, table=True):
    """One version of a report. A validated version is frozen: its content and hash never change."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    number: int
    state: str = Field(default="draft", max_length=12)
    content: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    content_hash: str | None = Field(default=None, max_length=64)
    evaluator_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    accreditation_id: int | None = Field(default=None, foreign_key="evaluator_accreditation.id")
    stamp: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    comments: str = Field(default="", max_length=8000)
    section_comments: dict[str, str] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    """The evaluator's comments per report section when the version was returned."""
    created_at: datetime = _created()
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    validated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


# --- State shared by every server process (rate limits, the authentication cache) ----------------


class RateLimitHit(SQLModel, table=True):
    """One counted request at a rate-limited door (sign-in, survey links), for limits that hold
    across server processes on PostgreSQL. Rows leave once they are older than the window; on
    PostgreSQL the table is UNLOGGED (not worth a write-ahead log; emptied by a crash)."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_at", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    """``door|client address``."""
    at: float = Field(index=True)
    """Seconds since the epoch, by the database's clock."""


class AuthEpoch(SQLModel, table=True):
    """A counter raised in the same transaction as any change of who may do what (a token
    revoked, a membership or accreditation added or removed): every server process compares it
    with the one its cached principals were read at, and drops them when it moved."""

    __tablename__ = "auth_epoch"
    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0)


# --- frameworks designed in the browser ------------------------------------------------------


class DesignedFramework(SQLModel, table=True):
    """One version of a framework designed by an organisation or a funder.

    A draft can be edited; a published version is frozen (content and hash never change) and
    can be adopted by projects and required by grants. Editing a published framework makes the
    next version, a new draft.
    """

    __tablename__ = "designed_framework"
    __table_args__ = (UniqueConstraint("framework_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    framework_id: str = Field(max_length=80, index=True)
    version: str = Field(max_length=40)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    funder_id: int | None = Field(default=None, foreign_key="funder.id", index=True)
    state: str = Field(default="draft", max_length=12)
    """draft | published"""
    content: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    """The framework as data (the same model as the shipped YAML files)."""
    content_hash: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class GrantFramework(SQLModel, table=True):
    """The framework a funder requires a grant's project to report with."""

    __tablename__ = "grant_framework"
    grant_id: int = Field(foreign_key="grant.id", primary_key=True)
    framework_id: str = Field(max_length=80)
    framework_version: str = Field(max_length=40)
    created_at: datetime = _created()


class CollectorAccess(SQLModel, table=True):
    """Access for field workers' apps (ODK Collect, KoBoCollect, Enketo) to one project's forms.

    The secret is part of the server address the app is given (``/collect/<secret>``), derived
    from the instance secret and ``nonce`` so that staff can show it again; only its SHA-256 hash
    is stored and looked up.
    """

    __tablename__ = "collector_access"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    period_id: int | None = Field(default=None, foreign_key="reporting_period.id")
    """The period its responses belong to; None: the project's period that holds the day of
    collection."""
    wave: str | None = Field(default=None, max_length=20)
    label: str = Field(default="", max_length=200)
    form_ids: list[str] = Field(default_factory=list, sa_column=Column(JsonType, nullable=False))
    """The forms it offers (form ids); empty: every form the organisation may use."""
    token_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=64)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ResponseAttachment(SQLModel, table=True):
    """A media file an answer names (photo, audio, video, file, signature, audit log).

    A row exists as soon as a stored response names the file; ``received_at`` stays None until
    the file itself arrives (ODK Collect may send a submission's files over several requests).
    The bytes live under the data folder, by their SHA-256, never under the web root.
    """

    __tablename__ = "response_attachment"
    __table_args__ = (UniqueConstraint("instance_id", "filename"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    instance_id: str = Field(max_length=36, index=True)
    field: str = Field(max_length=300)
    """Where the answer is: ``photo``, ``household[0].photo`` (index from 0)."""
    filename: str = Field(max_length=255)
    content_type: str | None = Field(default=None, max_length=100)
    size: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    received_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = _created()


# --- the evaluator's workbench -------------------------------------------------------------


class ValueMapVersion(SQLModel, table=True):
    """One saved version of a report's SROI value map, as its author wrote it (KPI links kept).

    Every save adds a version; none is ever changed, so two versions can always be compared.
    """

    __tablename__ = "value_map_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    number: int
    value_map: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    sroi_ratio: float | None = None
    """The ratio the map computed to when saved (None when it could not be computed yet)."""
    author_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    source: str = Field(default="editor", max_length=20)
    """editor | upload | template | api | organisation"""
    note: str = Field(default="", max_length=500)
    created_at: datetime = _created()


# --- the organisation's workbench: change counters, invitations --------------------------------


class ProjectChange(SQLModel, table=True):
    """How many times a project's responses (or their flags) changed: what its KPIs are read from.

    Every write that changes what a project's KPIs read bumps ``revision`` in its own transaction
    (:func:`impactkit.store.changes.touch_projects`), so a result computed at one revision can be
    reused by any server process until the revision moves. ``stamp`` is drawn when the row is made,
    so a counter that starts again (a restored or emptied database) is never mistaken for the old one.
    """

    __tablename__ = "project_change"
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    revision: int = Field(default=0)
    stamp: str = Field(max_length=32)


class Invitation(SQLModel, table=True):
    """An invitation to join an organisation with a role: a single-use link that sets a password.

    Only the SHA-256 of the link's token is stored. It lapses at ``expires_at`` and once used.
    """

    __tablename__ = "invitation"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    used_by: int | None = Field(default=None, foreign_key="app_user.id")
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class ObservatoryPublication(SQLModel, table=True):
    """A validated report version an organisation published to the public observatory.

    What the public pages show is read from the frozen version; the columns here are what the
    observatory filters on, copied from that frozen content when it is published. ``slug`` is
    random, so nothing about unpublished reports can be guessed from a public address. A
    withdrawn publication keeps its row (and the audit log its story) but is shown nowhere.
    """

    __tablename__ = "observatory_publication"
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=32, unique=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    version_number: int
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    organisation_name: str = Field(max_length=200)
    legal_form: str = Field(max_length=40)
    zone: str = Field(default="", max_length=60)
    territory_type: str = Field(default="", max_length=10)
    project_name: str = Field(max_length=200)
    period_label: str = Field(max_length=80)
    framework_id: str = Field(max_length=80)
    framework_version: str = Field(max_length=40)
    plan_objectives: str = Field(default="", max_length=400)
    """``|1.1|2.3|``: the Plan objectives its KPIs are tagged with (searched with LIKE)."""
    sdg_targets: str = Field(default="", max_length=400)
    imp_dimensions: str = Field(default="", max_length=100)
    content_hash: str = Field(max_length=64)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    """The published KPI headline values, for the territory aggregates."""
    published_at: datetime = _created()
    published_by: int | None = Field(default=None, foreign_key="app_user.id")
    withdrawn_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True)
    )
    withdrawn_by: int | None = Field(default=None, foreign_key="app_user.id")
    featured_text: str = Field(default="", max_length=1000)
    featured_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    featured_by: int | None = Field(default=None, foreign_key="app_user.id")


class ObservatoryCache(SQLModel, table=True):
    """The territory aggregates as last computed, with the publications' state they were computed at."""

    __tablename__ = "observatory_cache"
    name: str = Field(primary_key=True, max_length=40)
    stamp: str = Field(max_length=80)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonType, nullable=False))
    computed_at: datetime = _created()


# --- social procurement (impactkit.procurement; store/procurement.py) ------------------------


class ContractingAuthority(SQLModel, table=True):
    """A public body or a private buyer that runs tenders with social-value measures."""

    __tablename__ = "contracting_authority"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)
    """``public_body`` or ``private_buyer``."""
    created_at: datetime = _created()


class AuthorityMembership(SQLModel, table=True):
    """A user acting for a contracting authority (granted by administrators)."""

    __tablename__ = "authority_membership"
    __table_args__ = (UniqueConstraint("user_id", "authority_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    authority_id: int = Field(foreign_key="contracting_authority.id", index=True)
    created_at: datetime = _created()


class Tender(SQLModel, table=True):
    """A tender (or an art. 55 co-design agreement): its social-value terms, frozen at creation."""

    id: int | None = Field(default=None, primary_key=True)
    authority_id: int = Field(foreign_key="contracting_authority.id", index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=4000)
    kind: str = Field(max_length=20)
    state: str = Field(max_length=20)
    """``open`` (taking bids) or ``awarded``."""
    terms: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    created_at: datetime = _created()
    awarded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    awarded_by: int | None = Field(default=None, foreign_key="app_user.id")
    award_reason: str = Field(default="", max_length=4000)
    """Why the authority awarded the bid(s) it chose (the RUP's motivation, in the award report)."""


class Bid(SQLModel, table=True):
    """One organisation's commitments to a tender (replaced while the tender is open)."""

    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    commitments: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    source: str = Field(max_length=20)
    """``browser``, ``workbook`` or ``api``."""
    submitted_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()


class ProcurementContract(SQLModel, table=True):
    """An awarded bid: the supplier's commitments, against which delivery is reported."""

    __tablename__ = "procurement_contract"
    __table_args__ = (UniqueConstraint("bid_id"),)
    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="tender.id", index=True)
    bid_id: int = Field(foreign_key="bid.id")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    committed: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    starts_on: date | None = None
    """The contract's first day (None only for a contract awarded before terms were recorded)."""
    ends_on: date | None = None
    """The contract's last day; delivery is reported within ``starts_on``–``ends_on``."""
    reporting_months: int | None = None
    """How often delivery is reported (months: 1, 3, 6 or 12)."""
    created_at: datetime = _created()


class DeliveryReport(SQLModel, table=True):
    """What a supplier delivered in one period, verified and frozen by an accredited evaluator."""

    __tablename__ = "delivery_report"
    __table_args__ = (UniqueConstraint("contract_id", "period_label"),)
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="procurement_contract.id", index=True)
    period_label: str = Field(max_length=80)
    starts_on: date
    ends_on: date
    delivered: dict[str, Any] = Field(sa_column=Column(JsonType, nullable=False))
    state: str = Field(max_length=20)
    """``draft``, ``submitted``, ``verified`` or ``returned``."""
    evaluator_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    comments: str = Field(default="", max_length=8000)
    content_hash: str | None = Field(default=None, max_length=64)
    stamp: dict[str, Any] | None = Field(default=None, sa_column=Column(JsonType, nullable=True))
    created_at: datetime = _created()
    verified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class DeliveryEvidence(SQLModel, table=True):
    """A file a supplier attached to a delivery report as evidence for one measure."""

    __tablename__ = "delivery_evidence"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="delivery_report.id", index=True)
    measure_id: str = Field(max_length=80)
    file_name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _created()


class OrganisationLogo(SQLModel, table=True):
    """An organisation's logo as re-encoded by :func:`impactkit.logos.clean_logo` (pixels only).

    At most one row of an organisation is ``current``; older rows stay only while a submitted or
    validated report version names them (their documents must keep printing the same image)."""

    __tablename__ = "organisation_logo"
    __table_args__ = (UniqueConstraint("organisation_id", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    sha256: str = Field(max_length=64)
    media_type: str = Field(max_length=20)
    width: int
    height: int
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    current: bool = Field(default=False)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()
