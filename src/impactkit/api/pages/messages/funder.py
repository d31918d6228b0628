"""Messages of the funder's pages: validated reports of grantees, the portfolio."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "funder_area": {"it": "Area finanziatore", "en": "Funder area"},
    "validated_reports": {"it": "Rendiconti validati", "en": "Validated reports"},
    "portfolio": {"it": "Portafoglio", "en": "Portfolio"},
    "download_portfolio": {"it": "Scarica il portafoglio (Excel)", "en": "Download the portfolio (Excel)"},
    "grantee": {"it": "Beneficiario del contributo", "en": "Grantee"},
}
