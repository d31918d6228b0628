"""What the procurement pages share: measure labels in the page's language, the caller's
organisations that may bid, the authority's view of its contracts."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from impactkit.domain import MemberRole
from impactkit.procurement import across_contracts, shipped_measure_set
from impactkit.procurement._workbook import ContractView
from impactkit.store import procurement as svc
from impactkit.store.principals import ROLE_RANK, Principal
from impactkit.store.tables import Organisation, ProcurementContract, Tender


def measure_rows(language: str) -> list[dict[str, Any]]:
    """Every measure of the shared set, with its texts in ``language`` and its valuation."""
    from impactkit.procurement import unit_value

    measure_set = shipped_measure_set()
    rows = []
    for measure in measure_set.measures:
        value = unit_value(measure_set, measure.id)
        rows.append(
            {
                "id": measure.id,
                "label": getattr(measure.labels, language),
                "definition": getattr(measure.definition, language),
                "unit": getattr(measure.unit, language),
                "evidence": getattr(measure.evidence, language),
                "why": getattr(measure.why, language) if measure.why else "",
                "value": value,
                "plan_objectives": measure.plan_objectives,
                "sdg_targets": measure.sdg_targets,
            }
        )
    return rows


def labels(language: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in measure_rows(language)}


def bidding_organisations(db: Session, me: Principal) -> list[Organisation]:
    """Organisations the caller may bid for (owner or editor; administrators: none of their own)."""
    ids = [org for org, role in me.roles.items() if ROLE_RANK[role] >= ROLE_RANK[MemberRole.editor]]
    if not ids:
        return []
    return list(
        db.exec(
            select(Organisation).where(col(Organisation.id).in_(ids)).order_by(col(Organisation.name))
        ).all()
    )


def authority_contracts(db: Session, authority_id: int) -> list[ContractView]:
    views: list[ContractView] = []
    for row in svc.tenders(db, authority_id=authority_id):
        terms = svc.terms_of(row)
        for contract in db.exec(
            select(ProcurementContract).where(ProcurementContract.tender_id == row.id)
        ).all():
            organisation = db.get(Organisation, contract.organisation_id)
            assert organisation is not None and contract.id is not None
            views.append(
                ContractView(
                    label=f"{contract.id}",
                    supplier=organisation.name,
                    terms=terms,
                    committed=contract.committed,
                    periods=[(r.period_label, r.delivered) for r in svc.counted_reports(db, contract.id)],
                )
            )
    return views


def across(db: Session, authority_id: int) -> dict[str, dict[str, Any]]:
    return across_contracts(authority_contracts(db, authority_id))


def tender_title(db: Session, tender_id: int) -> str:
    row = db.get(Tender, tender_id)
    return row.title if row else ""
