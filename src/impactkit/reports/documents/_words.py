"""The documents' own words, Italian and English (figures come from impactkit.formats)."""

from __future__ import annotations

from typing import Final

WORDS: Final[dict[str, dict[str, str]]] = {
    "title": {"it": "Bilancio sociale", "en": "Social report"},
    "decree": {
        "it": "Redatto secondo le Linee guida del D.M. 4 luglio 2019",
        "en": "Prepared under the guidelines of the Ministerial Decree of 4 July 2019",
    },
    "contents": {"it": "Indice", "en": "Contents"},
    "organisation": {"it": "Ente", "en": "Organisation"},
    "project": {"it": "Progetto", "en": "Project"},
    "period": {"it": "Periodo", "en": "Period"},
    "framework": {"it": "Quadro di indicatori", "en": "Indicator framework"},
    "kpi_count": {"it": "Indicatori", "en": "Indicators"},
    "legal_form": {"it": "Forma giuridica", "en": "Legal form"},
    "tax_code": {"it": "Codice fiscale", "en": "Tax code"},
    "runts_number": {"it": "Numero di iscrizione al RUNTS", "en": "RUNTS registration number"},
    "municipality": {"it": "Comune", "en": "Municipality"},
    "zone": {"it": "Zona omogenea", "en": "Homogeneous zone"},
    "territory_type": {"it": "Tipo di territorio", "en": "Territory type"},
    "indicator": {"it": "Indicatore", "en": "Indicator"},
    "value": {"it": "Valore", "en": "Value"},
    "interval": {"it": "Intervallo al 95 %", "en": "95 % interval"},
    "n": {"it": "n", "en": "n"},
    "target": {"it": "Obiettivo", "en": "Target"},
    "met": {"it": "Raggiunto", "en": "Met"},
    "achieved": {"it": "Risultato", "en": "Achieved"},
    "payable": {"it": "Importo dovuto", "en": "Amount payable"},
    "unit": {"it": "Unità", "en": "Unit"},
    "method": {"it": "Metodo", "en": "Method"},
    "dimension": {"it": "Dimensione", "en": "Dimension"},
    "category": {"it": "Categoria", "en": "Category"},
    "yes": {"it": "sì", "en": "yes"},
    "no": {"it": "no", "en": "no"},
    "direction_at_least": {"it": "almeno", "en": "at least"},
    "direction_at_most": {"it": "al più", "en": "at most"},
    "not_shown": {"it": "non mostrato", "en": "not shown"},
    "kpi_table": {"it": "Indicatori del periodo", "en": "Indicators of the period"},
    "methods_table": {"it": "Come è calcolato ciascun indicatore", "en": "How each indicator is computed"},
    "breakdown_of": {"it": "Disaggregazione per", "en": "Breakdown by"},
    "breakdown_note": {
        "it": "Valore e, tra parentesi, intervallo al 95 %; il numero di risposte per cella è nel foglio "
        "Disaggregazioni della cartella Excel.",
        "en": "Value and, in brackets, its 95 % interval; the number of answers per cell is in the "
        "Disaggregations sheet of the Excel workbook.",
    },
    "targets_table": {"it": "Obiettivi e pagamento per risultati", "en": "Targets and payment by results"},
    "share_chart": {
        "it": "Quote con intervallo al 95 %",
        "en": "Shares with their 95 % interval",
    },
    "sroi_heading": {
        "it": "Ritorno sociale dell'investimento (SROI)",
        "en": "Social return on investment (SROI)",
    },
    "sroi_ratio": {"it": "Rapporto SROI", "en": "SROI ratio"},
    "present_value": {"it": "Valore attuale dei benefici", "en": "Present value of the benefits"},
    "inputs_value": {"it": "Valore delle risorse impiegate", "en": "Value of the inputs"},
    "net_present_value": {"it": "Valore attuale netto", "en": "Net present value"},
    "discount_rate": {"it": "Tasso di sconto", "en": "Discount rate"},
    "payback": {"it": "Periodo di recupero", "en": "Payback period"},
    "ratio_interval_mc": {
        "it": "Rapporto SROI, intervallo al 90 % (Monte Carlo)",
        "en": "SROI ratio, 90 % interval (Monte Carlo)",
    },
    "ratio_below_one": {
        "it": "Probabilità che il rapporto sia sotto 1 : 1",
        "en": "Probability that the ratio is below 1 : 1",
    },
    "ratio_range": {
        "it": "Rapporto SROI se una stima varia di ±{change}",
        "en": "SROI ratio when one estimate moves by ±{change}",
    },
    "sensitivity_table": {"it": "Analisi di sensibilità", "en": "Sensitivity analysis"},
    "sensitivity_chart": {
        "it": "Rapporto SROI al variare di ciascuna stima",
        "en": "SROI ratio as each estimate moves",
    },
    "estimate": {"it": "Stima", "en": "Estimate"},
    "ratio_low": {"it": "Rapporto (stima ridotta)", "en": "Ratio (estimate lowered)"},
    "ratio_high": {"it": "Rapporto (stima aumentata)", "en": "Ratio (estimate raised)"},
    "break_even": {"it": "Valore per 1 : 1", "en": "Value for 1 : 1"},
    "not_reachable": {"it": "non raggiungibile", "en": "not reachable"},
    "all_outcomes": {"it": "tutti i risultati", "en": "all outcomes"},
    "estimate_quantity": {"it": "quantità", "en": "quantity"},
    "estimate_proxy": {"it": "valore monetario (proxy)", "en": "financial proxy"},
    "estimate_deadweight": {"it": "deadweight", "en": "deadweight"},
    "estimate_displacement": {"it": "spiazzamento", "en": "displacement"},
    "estimate_attribution": {"it": "attribuzione", "en": "attribution"},
    "estimate_drop_off": {"it": "decadimento (drop-off)", "en": "drop-off"},
    "estimate_duration": {"it": "durata", "en": "duration"},
    "estimate_discount_rate": {"it": "tasso di sconto", "en": "discount rate"},
    "status": {"it": "Stato", "en": "Status"},
    "draft": {
        "it": "Bozza non validata: nessun timbro di validazione",
        "en": "Unvalidated draft: no validation stamp",
    },
    "draft_mark": {"it": "BOZZA", "en": "DRAFT"},
    "validated": {"it": "Validato", "en": "Validated"},
    "evaluator": {"it": "Valutatore", "en": "Evaluator"},
    "accreditation": {"it": "Accreditamento", "en": "Accreditation"},
    "validated_on": {"it": "Data di validazione", "en": "Validated on"},
    "stamp_heading": {"it": "Validazione e sigillo", "en": "Validation and seal"},
    "content_hash": {"it": "Impronta SHA-256 del contenuto", "en": "SHA-256 of the content"},
    "seal": {"it": "Sigillo SHA-256 del documento", "en": "SHA-256 seal of the document"},
    "verify_how": {
        "it": "Per verificare questo file: impactkit report verify FILE.pdf. Il contenuto in formato "
        "JSON è allegato al PDF (impactkit-report.json); una modifica anche di un solo byte del file "
        "fa fallire la verifica.",
        "en": "To verify this file: impactkit report verify FILE.pdf. The content as JSON is attached "
        "to the PDF (impactkit-report.json); changing even one byte of the file makes verification fail.",
    },
    "docx_note": {
        "it": "Documento modificabile: solo il PDF è sigillato e verificabile con impactkit report verify.",
        "en": "An editable document: only the PDF is sealed and can be checked with impactkit report verify.",
    },
    "empty_section": {
        "it": "Sezione non ancora compilata dall'ente.",
        "en": "The organisation has not filled in this section yet.",
    },
    "empty_sections": {"it": "Sezioni ancora vuote", "en": "Sections still empty"},
    "page": {"it": "Pagina", "en": "Page"},
    "attachment_description": {
        "it": "Contenuto del bilancio sociale, timbro di validazione e sigillo (JSON canonico)",
        "en": "The social report's content, validation stamp and seal (canonical JSON)",
    },
}


def word(key: str, language: str) -> str:
    """The word for ``key`` in ``language`` (Italian when the language has none)."""
    texts = WORDS[key]
    return texts.get(language) or texts["it"]


__all__ = ["WORDS", "word"]
