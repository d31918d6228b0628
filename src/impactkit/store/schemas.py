"""Validated inputs and outputs of the administrative records, shared by the API and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from impactkit.domain import (
    HOMOGENEOUS_ZONES,
    FunderKind,
    LegalForm,
    MemberRole,
    SizeClass,
    TerritoryType,
    tax_code_problem,
)
from impactkit.store.surveys import Submission, normalise_instance_id
from impactkit.text import storable_str

Name = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    """Inputs refuse unknown fields, so a typo is an error rather than silently ignored, and
    text no database can store (a NUL character, a lone surrogate) in any field of their own,
    whichever door they came through (the API, the command line, the demo)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable_str(value) if isinstance(value, str) else value


class OrganisationIn(Strict):
    name: Name
    legal_form: LegalForm
    tax_code: str = Field(description="Italian tax code (codice fiscale): 11 digits, or 16 characters")
    municipality: Annotated[str, Field(min_length=1, max_length=120)]
    zone: str | None = Field(default=None, description="Homogeneous zone of the Metropolitan City of Turin")
    territory_type: TerritoryType
    size_class: SizeClass

    @field_validator("tax_code")
    @classmethod
    def _valid_tax_code(cls, value: str) -> str:
        problem = tax_code_problem(value)
        if problem:
            raise ValueError(f"invalid Italian tax code: {problem}")
        return value.strip().upper()

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and value not in HOMOGENEOUS_ZONES:
            raise ValueError(f"unknown homogeneous zone; expected one of: {', '.join(HOMOGENEOUS_ZONES)}")
        return value


class OrganisationOut(BaseModel):
    id: int
    name: str
    legal_form: str
    tax_code: str
    municipality: str
    zone: str | None
    territory_type: str
    size_class: str
    created_at: datetime


class ProjectIn(Strict):
    name: Name
    description: str = Field(default="", max_length=4000)
    framework_id: str | None = Field(default=None, max_length=80)
    framework_version: str | None = Field(default=None, max_length=40)
    population: int | None = Field(default=None, ge=0, description="People the project serves (for sampling)")


class ProjectOut(BaseModel):
    id: int
    organisation_id: int
    name: str
    description: str
    framework_id: str | None
    framework_version: str | None
    population: int | None
    created_at: datetime


class PeriodIn(Strict):
    label: Annotated[str, Field(min_length=1, max_length=80)]
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> PeriodIn:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class PeriodOut(BaseModel):
    id: int
    project_id: int
    label: str
    starts_on: date
    ends_on: date


class UserIn(Strict):
    email: EmailStr
    name: Name
    password: str | None = Field(default=None, min_length=10, max_length=200)
    is_admin: bool = False


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool
    created_at: datetime


class MembershipIn(Strict):
    user_id: int
    role: MemberRole


class MembershipOut(BaseModel):
    id: int
    user_id: int
    organisation_id: int
    role: str


class TokenIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=80)] = "api"
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself. Shown once: only its hash is stored.")


class AccreditationIn(Strict):
    user_id: int
    number: Annotated[str, Field(min_length=1, max_length=60)]
    body: Annotated[str, Field(min_length=1, max_length=200)]
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _ordered(self) -> AccreditationIn:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


class AccreditationOut(BaseModel):
    id: int
    user_id: int
    number: str
    body: str
    valid_from: date
    valid_until: date


class FunderIn(Strict):
    name: Name
    kind: FunderKind


class FunderOut(BaseModel):
    id: int
    name: str
    kind: str


class FunderMemberIn(Strict):
    user_id: int


class GrantTarget(Strict):
    indicator_id: Annotated[str, Field(min_length=1, max_length=80)] = Field(
        description="The outcome metric: an indicator id of the framework"
    )
    target: float = Field(allow_inf_nan=False)
    direction: str = Field(default="at_least", pattern="^(at_least|at_most)$")
    price_per_unit: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Outcome payment per unit"
    )
    cap: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Most that is paid for this indicator"
    )
    basis: str = Field(
        default="all_units_when_met",
        pattern="^(all_units_when_met|units_beyond_target)$",
        description="Pay every unit once the target is met, or only the units beyond it",
    )
    stage: str = Field(
        default="final",
        pattern="^(interim|final)$",
        description="Interim: reports whose period ends before the grant does; final: the last one",
    )
    validation_method: str = Field(
        default="", max_length=500, description="How achievement is validated (INDIGO: validation method)"
    )


class GrantIn(Strict):
    organisation_id: int
    project_id: int | None = None
    title: Name
    amount: float = Field(default=0.0, ge=0)
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")
    outcome_based: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    targets: list[GrantTarget] = Field(default_factory=list)


class GrantOut(BaseModel):
    id: int
    funder_id: int
    organisation_id: int
    project_id: int | None
    title: str
    amount: float
    currency: str
    outcome_based: bool
    starts_on: date | None
    ends_on: date | None
    targets: list[dict[str, Any]]


# --- survey responses ---------------------------------------------------------------------------


class ResponseIn(BaseModel):
    """One response: a client-generated instance id, the exact form version, where it belongs, the answers."""

    model_config = ConfigDict(extra="forbid")

    instance_id: str = Field(description="Client-generated UUID; resending the same response is harmless")
    form_id: Annotated[str, AfterValidator(storable_str)] = Field(min_length=1, max_length=120)
    form_version: Annotated[str, AfterValidator(storable_str)] = Field(min_length=1, max_length=60)
    project_id: int
    period_id: int | None = None
    wave: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_]{0,19}$", description="e.g. baseline, endline"
    )
    respondent_code: Annotated[str, AfterValidator(storable_str)] | None = Field(
        default=None, max_length=120, description="Code the organisation assigns; never a name"
    )
    weight: float | None = Field(default=None, gt=0, description="Sampling weight")
    answers: dict[str, Any]

    @field_validator("instance_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        try:
            return normalise_instance_id(value)
        except ValueError:
            raise ValueError("instance_id must be a UUID generated by the client (e.g. 2b0d…-…)") from None

    def submission(self, source: str = "api") -> Submission:
        return Submission(
            instance_id=self.instance_id,
            form_id=self.form_id,
            form_version=self.form_version,
            project_id=self.project_id,
            period_id=self.period_id,
            wave=self.wave,
            respondent_code=self.respondent_code,
            weight=self.weight,
            answers=self.answers,
            source=source,
        )
