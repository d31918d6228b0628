"""Messages of the funder's pages: validated reports of grantees, the portfolio."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "funder_area": {"it": "Area finanziatore", "en": "Funder area"},
    "validated_reports": {"it": "Rendiconti validati", "en": "Validated reports"},
    "portfolio": {"it": "Portafoglio", "en": "Portfolio"},
    "download_portfolio": {"it": "Scarica il portafoglio (Excel)", "en": "Download the portfolio (Excel)"},
    "grantee": {"it": "Beneficiario del contributo", "en": "Grantee"},
    "sroi_uncertainty": {
        "it": "Incertezza (Monte Carlo, {draws} estrazioni): 90 % dei rapporti tra {interval}; probabilità che il rapporto sia sotto 1:1: {below}.",
        "en": "Uncertainty (Monte Carlo, {draws} draws): 90 % of ratios between {interval}; probability that the ratio is below 1:1: {below}.",
    },
    "payments_title": {"it": "Obiettivi e pagamenti per risultato", "en": "Targets and payment by results"},
    "payments_total": {"it": "Totale del portafoglio", "en": "Portfolio total"},
    "targets_met_of": {"it": "Obiettivi raggiunti", "en": "Targets met"},
    "amount_payable": {"it": "Importo pagabile", "en": "Amount payable"},
    "amount_capped": {"it": "Trattenuto dal tetto", "en": "Held back by the cap"},
    "achieved": {"it": "Raggiunto", "en": "Achieved"},
    "target_value": {"it": "Obiettivo", "en": "Target"},
    "target_source": {"it": "Da", "en": "From"},
    "source_grant": {"it": "contributo", "en": "grant"},
    "source_framework": {"it": "quadro di riferimento", "en": "framework"},
    "price_per_unit": {"it": "Prezzo per unità", "en": "Price per unit"},
    "met": {"it": "Raggiunto?", "en": "Met?"},
    "reports_apart": {
        "it": "Rendiconti tenuti a parte (non confrontabili)",
        "en": "Reports kept apart (not comparable)",
    },
    "no_grantee_reports": {
        "it": "Nessun rendiconto validato dei beneficiari.",
        "en": "No validated report of a grantee yet.",
    },
}
