"""An organisation's logo in the database: set, replaced, removed (audited), and read back by hash.

The image is stored as :func:`impactkit.logos.clean_logo` re-encoded it, in the database (no file
under any web root), at most :data:`impactkit.logos.MAX_BYTES` per image. A report names its logo
by SHA-256 in its content (:class:`impactkit.reports.LogoRef`):

* the organisation's **drafts** follow the current logo (set, replaced or removed, they say so at once);
* a **submitted, returned or validated** version keeps the logo it had: its content hash — and so a
  validated report's seal — covers that image's hash, and the image stays stored as long as some
  such version names it. A replaced or removed logo that no such version names is deleted.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from impactkit.errors import NotFoundError
from impactkit.logos import Logo
from impactkit.store.admin import audit
from impactkit.store.tables import OrganisationLogo, Report, ReportVersion


def current_logo(session: Session, organisation_id: int) -> OrganisationLogo | None:
    """The organisation's logo now, or None."""
    return session.exec(
        select(OrganisationLogo).where(
            OrganisationLogo.organisation_id == organisation_id,
            OrganisationLogo.current == True,  # noqa: E712 (SQL, not Python truth)
        )
    ).first()


def reference(row: OrganisationLogo | None) -> dict[str, Any] | None:
    """What a report's content says about this logo (None: no logo)."""
    if row is None:
        return None
    return {"sha256": row.sha256, "media_type": row.media_type, "width": row.width, "height": row.height}


def with_current_logo(session: Session, organisation_id: int, content: dict[str, Any]) -> dict[str, Any]:
    """``content`` (a report's, as stored) naming the organisation's current logo, or none."""
    organisation = dict(content.get("organisation") or {})
    ref = reference(current_logo(session, organisation_id))
    if ref is None:
        organisation.pop("logo", None)
    else:
        organisation["logo"] = ref
    return {**content, "organisation": organisation}


def logo_of_content(session: Session, organisation_id: int, content: dict[str, Any]) -> bytes | None:
    """The image bytes a report's content names (None when it names no logo).

    Raises:
        NotFoundError: the content names an image this organisation no longer has (never expected:
            images named by kept versions are not deleted).
    """
    ref = (content.get("organisation") or {}).get("logo")
    if not ref:
        return None
    row = session.exec(
        select(OrganisationLogo).where(
            OrganisationLogo.organisation_id == organisation_id, OrganisationLogo.sha256 == ref["sha256"]
        )
    ).first()
    if row is None:
        raise NotFoundError(f"the logo sha256:{ref['sha256']} this report names is not stored")
    return row.data


def set_logo(
    session: Session, organisation_id: int, logo: Logo, *, actor_user_id: int | None
) -> OrganisationLogo:
    """Make ``logo`` the organisation's logo (replacing any); its drafts follow; audited."""
    before = current_logo(session, organisation_id)
    if before is not None:
        before.current = False
        session.add(before)
        session.flush()
    row = session.exec(
        select(OrganisationLogo).where(
            OrganisationLogo.organisation_id == organisation_id, OrganisationLogo.sha256 == logo.sha256
        )
    ).first()
    if row is None:
        row = OrganisationLogo(
            organisation_id=organisation_id,
            sha256=logo.sha256,
            media_type=logo.media_type,
            width=logo.width,
            height=logo.height,
            size=len(logo.data),
            data=logo.data,
            created_by=actor_user_id,
        )
    row.current = True
    session.add(row)
    session.flush()
    _follow_in_drafts(session, organisation_id)
    _forget_unnamed(session, organisation_id)
    audit(
        session,
        "organisation.logo_changed" if before is not None else "organisation.logo_set",
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        target=f"organisation:{organisation_id}",
        details={
            "sha256": logo.sha256,
            "media_type": logo.media_type,
            "width": logo.width,
            "height": logo.height,
            "bytes": len(logo.data),
            "replaced": before.sha256 if before is not None else None,
        },
    )
    return row


def remove_logo(session: Session, organisation_id: int, *, actor_user_id: int | None) -> bool:
    """The organisation has no logo any more (its drafts neither); False when it had none; audited."""
    before = current_logo(session, organisation_id)
    if before is None:
        return False
    before.current = False
    session.add(before)
    session.flush()
    _follow_in_drafts(session, organisation_id)
    _forget_unnamed(session, organisation_id)
    audit(
        session,
        "organisation.logo_removed",
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        target=f"organisation:{organisation_id}",
        details={"sha256": before.sha256},
    )
    return True


def _latest_versions(session: Session, organisation_id: int) -> list[tuple[Report, ReportVersion]]:
    return list(
        session.exec(
            select(Report, ReportVersion)
            .join(ReportVersion, ReportVersion.report_id == Report.id)  # type: ignore[arg-type]
            .where(Report.organisation_id == organisation_id)
        ).all()
    )


def _follow_in_drafts(session: Session, organisation_id: int) -> None:
    for report, row in _latest_versions(session, organisation_id):
        if row.number == report.current_version and row.state == "draft":
            row.content = with_current_logo(session, organisation_id, row.content)
            session.add(row)
    session.flush()


def _forget_unnamed(session: Session, organisation_id: int) -> None:
    """Delete the organisation's former logos that no report version names any more."""
    named = {
        ((row.content.get("organisation") or {}).get("logo") or {}).get("sha256")
        for _, row in _latest_versions(session, organisation_id)
    }
    former = session.exec(
        select(OrganisationLogo).where(
            OrganisationLogo.organisation_id == organisation_id,
            OrganisationLogo.current == False,  # noqa: E712 (SQL, not Python truth)
        )
    ).all()
    for row in former:
        if row.sha256 not in named:
            session.delete(row)
    session.flush()


__all__ = [
    "current_logo",
    "logo_of_content",
    "reference",
    "remove_logo",
    "set_logo",
    "with_current_logo",
]
