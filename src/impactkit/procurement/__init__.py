"""Social procurement on shared measures: the measure set, tenders, bids, scoring, delivery.

Pure, like :mod:`impactkit.sroi`: plain data in, plain data out, usable from a notebook.

    from impactkit.procurement import shipped_measure_set, make_terms, check_commitments, score_bids
    terms = make_terms("Servizio mensa", [{"measure_id": "volunteering_hours", "weight": 10}])
    bid = check_commitments(terms, [("volunteering_hours", 120, "commitments.volunteering_hours")])
    score_bids(terms, {"Cooperativa A": bid})
"""

from __future__ import annotations

from impactkit.procurement._award import (
    REPORTING_MONTHS,
    AwardBid,
    AwardContract,
    AwardMeasure,
    AwardPeriod,
    AwardReportContent,
    ContractTerm,
    ReportingPeriod,
    make_term,
    outside_term,
    reporting_periods,
)
from impactkit.procurement._measures import (
    Measure,
    MeasureSet,
    UnitValue,
    load_measure_set,
    measure_set_problems,
    shipped_measure_set,
    unit_value,
)
from impactkit.procurement._tender import (
    BidScore,
    Check,
    DeliveryLine,
    MeasureScore,
    MeasureTerms,
    TenderKind,
    TenderTerms,
    check_commitments,
    delivery_checklist,
    delivery_lines,
    make_terms,
    score_bids,
)
from impactkit.procurement._workbook import (
    BID_LAYOUT,
    BID_MARKER,
    BID_SHEETS,
    BidWorkbook,
    ContractView,
    across_contracts,
    authority_workbook_xlsx,
    bid_template_xlsx,
    read_bid_workbook,
)

__all__ = [
    "BID_LAYOUT",
    "BID_MARKER",
    "BID_SHEETS",
    "REPORTING_MONTHS",
    "AwardBid",
    "AwardContract",
    "AwardMeasure",
    "AwardPeriod",
    "AwardReportContent",
    "BidScore",
    "BidWorkbook",
    "Check",
    "ContractTerm",
    "ContractView",
    "DeliveryLine",
    "Measure",
    "MeasureScore",
    "MeasureSet",
    "MeasureTerms",
    "ReportingPeriod",
    "TenderKind",
    "TenderTerms",
    "UnitValue",
    "across_contracts",
    "authority_workbook_xlsx",
    "bid_template_xlsx",
    "check_commitments",
    "delivery_checklist",
    "delivery_lines",
    "load_measure_set",
    "make_term",
    "make_terms",
    "measure_set_problems",
    "outside_term",
    "read_bid_workbook",
    "reporting_periods",
    "score_bids",
    "shipped_measure_set",
    "unit_value",
]
