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
    "logo_alt": {"it": "Logo di {organisation}", "en": "Logo of {organisation}"},
    "logo_description": {
        "it": "Il logo stampato in copertina, come sigillato (SHA-256 nel contenuto del bilancio)",
        "en": "The logo printed on the cover, as sealed (its SHA-256 is in the report's content)",
    },
    "attachment_description": {
        "it": "Contenuto del bilancio sociale, timbro di validazione e sigillo (JSON canonico)",
        "en": "The social report's content, validation stamp and seal (canonical JSON)",
    },
    # --- the award report of a tender (verbale di aggiudicazione) ---------------------------------
    "award_title": {
        "it": "Verbale di aggiudicazione — valutazione del valore sociale",
        "en": "Award report — social-value assessment",
    },
    "award_authority": {"it": "Stazione appaltante", "en": "Contracting authority"},
    "award_tender": {"it": "Gara", "en": "Tender"},
    "award_kind": {"it": "Procedura", "en": "Procedure"},
    "award_kind_tender": {"it": "Gara (un aggiudicatario)", "en": "Tender (one winner)"},
    "award_kind_co_design": {
        "it": "Co-progettazione (art. 55 d.lgs. 117/2017)",
        "en": "Co-design (art. 55 d.lgs. 117/2017)",
    },
    "award_state": {"it": "Stato", "en": "State"},
    "award_state_open": {"it": "aperta, non ancora aggiudicata", "en": "open, not yet awarded"},
    "award_state_awarded": {"it": "aggiudicata", "en": "awarded"},
    "award_created": {"it": "Gara creata il", "en": "Tender created on"},
    "award_measure_set": {"it": "Insieme di misure", "en": "Measure set"},
    "award_price_year": {"it": "Anno dei prezzi dei proxy", "en": "Price year of the proxies"},
    "award_price_year_own": {"it": "anno della fonte di ciascun proxy", "en": "each proxy's own source year"},
    "award_max_points": {"it": "Punteggio massimo", "en": "Highest possible score"},
    "award_generated": {"it": "Documento prodotto il", "en": "Document produced on"},
    "award_measures_heading": {"it": "Misure e pesi", "en": "Measures and weights"},
    "award_measure": {"it": "Misura", "en": "Measure"},
    "award_unit": {"it": "Unità", "en": "Unit"},
    "award_weight": {"it": "Peso (punti)", "en": "Weight (points)"},
    "award_minimum": {"it": "Impegno minimo", "en": "Least commitment"},
    "award_value_per_unit": {"it": "Valore per unità", "en": "Value per unit"},
    "award_deadweight": {"it": "Deadweight", "en": "Deadweight"},
    "award_attribution": {"it": "Attribuzione", "en": "Attribution"},
    "award_counted": {"it": "contata, non monetizzata", "en": "counted, not monetised"},
    "award_evidence": {"it": "Evidenze richieste in aggiunta", "en": "Evidence asked for in addition"},
    "award_sources": {"it": "Fonti dei valori per unità", "en": "Sources of the values per unit"},
    "award_rule_heading": {"it": "Come è calcolato il punteggio", "en": "How the score is computed"},
    "award_rule": {
        "it": "Per ciascuna misura un'offerta ottiene peso × quantità offerta / migliore quantità offerta "
        "tra tutte le offerte: la migliore offerta prende l'intero peso, le altre in proporzione; una "
        "misura che nessuno offre vale 0 per tutti. Il punteggio è la somma sulle misure.",
        "en": "Per measure a bid scores weight × quantity offered / best quantity offered among all "
        "bids: the best offer takes the full weight, the others in proportion; a measure nobody offers "
        "scores 0 for all. The score is the sum over the measures.",
    },
    "award_net_rule": {
        "it": "Valore sociale netto di una misura monetizzata = quantità × valore per unità × "
        "(1 − deadweight) × (1 − attribuzione); è mostrato accanto ai punti, mai al loro posto.",
        "en": "Net social value of a monetised measure = quantity × value per unit × (1 − deadweight) × "
        "(1 − attribution); it is shown beside the points, never instead of them.",
    },
    "award_bids_heading": {"it": "Offerte e punteggi", "en": "Bids and scores"},
    "award_no_bids": {"it": "Nessuna offerta ricevuta.", "en": "No bids received."},
    "award_rank": {"it": "Posizione", "en": "Rank"},
    "award_bidder": {"it": "Offerente", "en": "Bidder"},
    "award_score": {"it": "Punteggio", "en": "Score"},
    "award_net_value": {"it": "Valore sociale netto", "en": "Net social value"},
    "award_placed": {"it": "Offerta del", "en": "Bid of"},
    "award_source": {"it": "Canale", "en": "Channel"},
    "award_source_browser": {"it": "pagina web", "en": "web page"},
    "award_source_workbook": {"it": "cartella Excel", "en": "Excel workbook"},
    "award_source_api": {"it": "API", "en": "API"},
    "award_bid_of": {"it": "Offerta di", "en": "Bid of"},
    "award_committed": {"it": "Quantità impegnata", "en": "Quantity committed"},
    "award_best": {"it": "Migliore offerta", "en": "Best offer"},
    "award_computation": {"it": "Calcolo", "en": "Computation"},
    "award_points": {"it": "Punti", "en": "Points"},
    "award_awarded_mark": {"it": "aggiudicataria", "en": "awarded"},
    "award_heading": {"it": "Aggiudicazione", "en": "Award"},
    "award_not_yet": {
        "it": "La gara non è ancora aggiudicata: questo verbale riporta le offerte e i punteggi a oggi.",
        "en": "The tender is not awarded yet: this report gives the bids and scores as of today.",
    },
    "award_awarded_on": {"it": "Aggiudicata il", "en": "Awarded on"},
    "award_awarded_by": {"it": "Aggiudicata da (RUP)", "en": "Awarded by (procurement officer)"},
    "award_awarded_to": {"it": "Aggiudicataria", "en": "Awarded to"},
    "award_reason": {"it": "Motivazione dell'aggiudicazione", "en": "Reason for the award"},
    "award_contract": {"it": "Contratto", "en": "Contract"},
    "award_term": {"it": "Durata del contratto", "en": "Contract term"},
    "award_term_text": {"it": "dal {start} al {end}", "en": "from {start} to {end}"},
    "award_no_term": {
        "it": "non registrata (contratto aggiudicato prima che la durata fosse richiesta)",
        "en": "not recorded (a contract awarded before the term was asked for)",
    },
    "award_reporting": {"it": "Rendicontazione", "en": "Reporting"},
    "award_reporting_every": {"it": "ogni {months} mesi", "en": "every {months} months"},
    "award_reporting_every_one": {"it": "ogni mese", "en": "every month"},
    "award_periods_due": {"it": "Periodi di rendicontazione", "en": "Reporting periods"},
    "award_period": {"it": "Periodo", "en": "Period"},
    "award_from": {"it": "Dal", "en": "From"},
    "award_to": {"it": "Al", "en": "To"},
    "award_delivery_heading": {
        "it": "Realizzazione rispetto agli impegni",
        "en": "Delivery against commitments",
    },
    "award_no_contracts": {"it": "Nessun contratto.", "en": "No contract."},
    "award_delivered": {"it": "Realizzato", "en": "Delivered"},
    "award_share": {"it": "Quota", "en": "Share"},
    "award_net_delivered": {"it": "Valore netto realizzato", "en": "Net value delivered"},
    "award_delivery_note": {
        "it": "Contano i periodi presentati al valutatore o verificati; le bozze del fornitore no.",
        "en": "Periods submitted to the evaluator or verified count; the supplier's drafts do not.",
    },
    "award_reports_heading": {
        "it": "Periodi rendicontati e verifica",
        "en": "Periods reported and verification",
    },
    "award_no_reports": {"it": "Nessun periodo rendicontato finora.", "en": "No period reported so far."},
    "award_delivery_state": {"it": "Stato", "en": "State"},
    "award_delivery_submitted": {"it": "presentato al valutatore", "en": "submitted to the evaluator"},
    "award_delivery_verified": {"it": "verificato", "en": "verified"},
    "award_delivery_returned": {"it": "restituito al fornitore", "en": "returned to the supplier"},
    "award_evaluator": {"it": "Valutatore accreditato", "en": "Accredited evaluator"},
    "award_verified_on": {"it": "Verificato il", "en": "Verified on"},
    "award_period_hash": {"it": "Impronta SHA-256 del periodo", "en": "SHA-256 of the period"},
    "award_checks": {"it": "Controlli", "en": "Checks"},
    "award_check_pass": {"it": "superato", "en": "passed"},
    "award_check_fail": {"it": "non superato", "en": "failed"},
    "award_check_evidence_for_every_delivery": {
        "it": "Evidenze per ogni quantità realizzata",
        "en": "Evidence for every quantity delivered",
    },
    "award_check_commitments_delivered": {
        "it": "Impegni realizzati per intero",
        "en": "Commitments delivered in full",
    },
    "award_check_periods_reported": {"it": "Periodi rendicontati", "en": "Periods reported"},
    "award_justification": {"it": "Giustificazione del valutatore", "en": "The evaluator's justification"},
    "award_comments": {"it": "Note del valutatore", "en": "The evaluator's comments"},
    "award_seal_heading": {"it": "Sigillo", "en": "Seal"},
    "award_verify_how": {
        "it": "Per verificare questo file: impactkit report verify FILE.pdf. Il contenuto del verbale in "
        "formato JSON è allegato al PDF (impactkit-report.json); una modifica anche di un solo byte del "
        "file fa fallire la verifica. Ogni periodo verificato riporta l'impronta sigillata dal valutatore.",
        "en": "To verify this file: impactkit report verify FILE.pdf. The report's content as JSON is "
        "attached to the PDF (impactkit-report.json); changing even one byte of the file makes "
        "verification fail. Each verified period carries the hash its evaluator sealed.",
    },
    "award_attachment_description": {
        "it": "Contenuto del verbale di aggiudicazione e sigillo (JSON canonico)",
        "en": "The award report's content and seal (canonical JSON)",
    },
}


def word(key: str, language: str) -> str:
    """The word for ``key`` in ``language`` (Italian when the language has none)."""
    texts = WORDS[key]
    return texts.get(language) or texts["it"]


__all__ = ["WORDS", "word"]
