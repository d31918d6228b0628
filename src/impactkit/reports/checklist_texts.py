"""What each line of the validation checklist says, by key, in Italian and English.

:func:`impactkit.reports.checklist.run_checklist` gives every item its details as keyed texts
(``item.texts``); ``item.detail`` is their English (the API's field, as before), and
:func:`impactkit.reports.checklist.detail_in` writes them in the reader's language for the pages,
the workbook and the documents. A test checks that every key has both languages.
"""

from __future__ import annotations

from typing import Final

Text = str | dict[str, str]
"""A template, or plural forms (``one``, ``other``) picked by the value ``count``."""

CHECKLIST_TEXTS: Final[dict[str, dict[str, Text]]] = {
    # --- completeness ---------------------------------------------------------------------------
    "check_no_kpi_results": {"it": "nessun risultato degli indicatori", "en": "no KPI results"},
    "check_kpis_without_value": {
        "it": {
            "one": "{count} indicatore su {total} non ha un valore: {indicators}",
            "other": "{count} indicatori su {total} non hanno un valore: {indicators}",
        },
        "en": "{count} of {total} KPIs have no value: {indicators}",
    },
    "check_every_kpi_has_value": {
        "it": {
            "one": "l'unico indicatore ha un valore",
            "other": "tutti i {count} indicatori hanno un valore",
        },
        "en": "all {count} KPIs have a value",
    },
    "check_sections_missing": {
        "it": "sezioni mancanti o vuote: {sections}",
        "en": "missing or empty: {sections}",
    },
    "check_sections_written": {
        "it": "tutte le otto sezioni sono scritte",
        "en": "all eight sections are written",
    },
    # --- response rates -------------------------------------------------------------------------
    "check_no_response_counts": {
        "it": "nessun conteggio delle risposte",
        "en": "no response counts given",
    },
    "check_responses_no_population": {
        "it": "{where}: {responses} risposte, popolazione non dichiarata",
        "en": "{where}: {responses} responses, no stated population",
    },
    "check_response_rate": {
        "it": "{where}: {responses}/{population} = {rate}%",
        "en": "{where}: {responses}/{population} = {rate}%",
    },
    "check_response_rate_over": {
        "it": "{where}: {responses}/{population} = {rate}% (più risposte della popolazione dichiarata)",
        "en": "{where}: {responses}/{population} = {rate}% (more responses than the stated population)",
    },
    "check_response_rate_below": {
        "it": "{where}: {responses}/{population} = {rate}% (sotto il {minimum}%)",
        "en": "{where}: {responses}/{population} = {rate}% (below {minimum}%)",
    },
    # --- samples, flags, suppression, outliers --------------------------------------------------
    "check_small_samples": {
        "it": "meno di {small_n} risposte: {indicators}",
        "en": "fewer than {small_n} answers: {indicators}",
    },
    "check_samples_large_enough": {
        "it": "ogni indicatore poggia su almeno {small_n} risposte o è un dato dichiarato",
        "en": "every KPI rests on at least {small_n} answers or is a reported figure",
    },
    "check_kpi_flags": {"it": "indicatori con avvertenze: {flags}", "en": "{flags}"},
    "check_no_kpi_flags": {"it": "nessun indicatore ha avvertenze", "en": "no KPI carries a flag"},
    "check_suppressed": {
        "it": "dati nascosti per la riservatezza: {count} ({primary} con meno persone della soglia di "
        "riservatezza, {secondary} perché quelli non si possano ricavare dagli altri); non si possono "
        "fare confronti su di essi: {cells}",
        "en": "{count} figure(s) hidden for privacy ({primary} with fewer people than the disclosure "
        "threshold, {secondary} so that those cannot be worked out from the others); comparisons across "
        "them are not possible: {cells}",
    },
    "check_nothing_suppressed": {"it": "nessun dato è nascosto", "en": "no figure is hidden"},
    "check_outliers": {
        "it": "z-score robusto sopra 3,5 o oltre 3 scarti interquartili: {first}",
        "en": "robust z-score above 3.5 or beyond 3 IQR: {first}",
    },
    "check_outlier_cell": {"it": "{cell}", "en": "{cell}"},
    "check_answer_outliers": {
        "it": {
            "one": "risposte a {field}: {count} valore anomalo ({values})",
            "other": "risposte a {field}: {count} valori anomali ({values})",
        },
        "en": "answers to {field}: {count} outlier(s) ({values})",
    },
    "check_no_outliers": {
        "it": "nessun valore anomalo tra le disaggregazioni degli indicatori e le risposte numeriche date",
        "en": "no outlier among KPI disaggregations and the numeric answers given",
    },
    # --- SROI -----------------------------------------------------------------------------------
    "check_proxies_without_source": {
        "it": "proxy senza fonte: {outcomes}",
        "en": "proxies without a source: {outcomes}",
    },
    "check_proxies_sourced": {
        "it": {
            "one": "l'unica proxy indica una fonte",
            "other": "tutte le {count} proxy indicano una fonte",
        },
        "en": "all {count} proxies name a source",
    },
    "check_no_outcomes": {"it": "nessun esito trovato", "en": "no outcomes found"},
    "check_estimates_without_evidence": {
        "it": "stime senza evidenze: {outcomes}",
        "en": "estimates without evidence: {outcomes}",
    },
    "check_estimates_evidenced": {
        "it": "ogni quantità e ogni stima diversa da zero cita un'evidenza",
        "en": "every quantity and non-zero estimate cites evidence",
    },
    # --- the eight principles -------------------------------------------------------------------
    "check_stakeholders_consulted": {
        "it": "{responses} risposte da {groups}",
        "en": "{responses} responses from {groups}",
    },
    "check_stakeholders_to_confirm": {
        "it": "da confermare da parte del valutatore: quali gruppi di stakeholder sono stati consultati "
        "e come ({responses} risposte ai questionari; {groups} gruppi di stakeholder nella mappa del "
        "valore); vedi la sezione sulla metodologia",
        "en": "evaluator to confirm: which stakeholder groups were consulted and how ({responses} survey "
        "responses; {groups} stakeholder groups in the value map); look at the methodology section",
    },
    "check_change_measured": {
        "it": "cambiamento misurato: {measures}",
        "en": "change measured: {measures}",
    },
    "check_change_waves": {"it": "rilevazioni {waves}", "en": "waves {waves}"},
    "check_change_to_confirm": {
        "it": "da confermare da parte del valutatore: nessun indicatore di cambiamento e nessuna "
        "rilevazione iniziale/finale; vedi la teoria del cambiamento in «obiettivi e attività» e se "
        "si misurano gli esiti (non i prodotti)",
        "en": "evaluator to confirm: no change KPI and no baseline/endline waves; look at the theory of "
        "change in 'objectives and activities' and whether outcomes (not outputs) are measured",
    },
    "check_proxies_valued": {
        "it": "{sourced} esiti su {total} hanno una proxy finanziaria con fonte; da confermare da parte "
        "del valutatore: le proxy riflettono il valore che gli stakeholder danno agli esiti",
        "en": "{sourced} of {total} outcomes have a sourced financial proxy; evaluator to confirm that "
        "proxies reflect the value stakeholders place on the outcomes",
    },
    "check_value_to_confirm": {
        "it": "da confermare da parte del valutatore: nessuna analisi SROI; vedi se gli indicatori "
        "coprono gli esiti che per gli stakeholder contano di più",
        "en": "evaluator to confirm: no SROI analysis; look at whether the KPIs cover the outcomes "
        "stakeholders say matter most",
    },
    "check_materiality_stated": {
        "it": "{material} esiti su {total} dichiarano un giudizio di rilevanza",
        "en": "{material} of {total} outcomes state a materiality judgement",
    },
    "check_materiality_to_confirm": {
        "it": "da confermare da parte del valutatore: le ragioni per includere ed escludere esiti "
        "(sezione sulla metodologia) e che nessun esito rilevante, anche negativo, sia stato tralasciato",
        "en": "evaluator to confirm: the reasons for including and excluding outcomes (methodology "
        "section) and that no material outcome, including negative ones, is left out",
    },
    "check_unadjusted_outcomes": {
        "it": "esiti senza deadweight, spiazzamento né attribuzione: {outcomes}",
        "en": "outcomes with no deadweight, displacement or attribution: {outcomes}",
    },
    "check_no_interval": {
        "it": "stime campionarie (medie, quote, cambiamenti dai questionari) senza intervallo di "
        "confidenza: {indicators}",
        "en": "sample estimates (survey means, shares, changes) without a confidence interval: {indicators}",
    },
    "check_not_over_claimed": {
        "it": "ogni esito è corretto per ciò che sarebbe accaduto comunque e per il contributo di altri; "
        "ogni stima campionaria ha un intervallo di confidenza (i dati dichiarati dall'ente sono "
        "conteggi, non campioni, e non ne hanno bisogno)",
        "en": "every outcome is adjusted for what would have happened anyway and for others' "
        "contribution; every sample estimate carries a confidence interval (organisation-reported "
        "figures are counts, not samples, and need none)",
    },
    "check_methodology_written": {
        "it": "sezione sulla metodologia scritta",
        "en": "methodology section written",
    },
    "check_methodology_missing": {
        "it": "sezione sulla metodologia mancante",
        "en": "methodology section missing",
    },
    "check_kpis_without_method": {
        "it": "indicatori senza metodo: {indicators}",
        "en": "KPIs without a method: {indicators}",
    },
    "check_choices_to_confirm": {
        "it": "da confermare da parte del valutatore: le scelte fatte e le loro ragioni sono riportate",
        "en": "evaluator to confirm that choices and their reasons are reported",
    },
    "check_sensitivity_present": {
        "it": "analisi di sensibilità presente",
        "en": "sensitivity analysis present",
    },
    "check_no_sensitivity": {"it": "nessuna analisi di sensibilità", "en": "no sensitivity analysis"},
    "check_verification_to_confirm": {
        "it": "da confermare da parte del valutatore: la verifica indipendente dei dati è questa "
        "validazione; vedi la lista di controllo qui sopra e i dati dietro gli indicatori anomali",
        "en": "evaluator to confirm: the independent check of the figures is this validation; look at "
        "the checklist above and the data behind outlying KPIs",
    },
    "check_responsiveness_to_confirm": {
        "it": "da confermare da parte del valutatore: come i risultati orientano le decisioni; vedi "
        "«altre informazioni» e «obiettivi e attività» per le azioni prese sui risultati precedenti",
        "en": "evaluator to confirm: how results feed decisions; look at 'other information' and "
        "'objectives and activities' for actions taken on previous findings",
    },
    "check_other_information_empty": {
        "it": "le altre informazioni sono vuote",
        "en": "other information is empty",
    },
    # --- what stops a validation ----------------------------------------------------------------
    "check_blocker_no_kpi_values": {
        "it": "nessun indicatore di questo bilancio ha un valore: non c'è nulla da validare; l'ente deve "
        "raccogliere i dati (o aggiornare gli indicatori) e inviarlo di nuovo",
        "en": "no KPI of this report has a value: there is nothing to validate; the organisation must "
        "collect data (or refresh the KPIs) and submit again",
    },
    "check_blocker_justify": {
        "it": "il controllo «{title}» non è superato ({detail}); scrivi perché il bilancio si può "
        "validare comunque (almeno {minimum} caratteri)",
        "en": "the check '{title}' failed ({detail}); write why the report may be validated all the "
        "same (at least {minimum} characters)",
    },
    "check_blocker_too_short": {
        "it": "la giustificazione di «{title}» è troppo breve: {length} caratteri, almeno {minimum}",
        "en": "the justification of '{title}' is too short: {length} characters, at least {minimum}",
    },
    "check_blocker_unknown_check": {
        "it": "nessun controllo «{check}»; sono possibili: {expected}",
        "en": "no check '{check}'; expected one of {expected}",
    },
    "check_blocker_passed": {
        "it": "il controllo «{check}» è superato: non c'è nulla da giustificare",
        "en": "the check '{check}' passed: nothing to justify",
    },
    "check_blocker_too_long": {
        "it": "{length} caratteri; al massimo {maximum}",
        "en": "{length} characters; at most {maximum}",
    },
}
"""Every text of the checklist: ``key → {"it": …, "en": …}``."""

KPI_FLAGS_IN_ITALIAN: Final[dict[str, str]] = {
    "small_n": "poche risposte ({detail})",
    "no_data": "nessuna risposta utile",
    "suppressed": "nascosto dal controllo di riservatezza",
    "undefined": "valore non calcolabile con questi dati",
}
"""A KPI's flag (``code: detail``, written in English by the KPI code) by its code, in Italian;
the English is the flag as written."""

__all__ = ["CHECKLIST_TEXTS", "KPI_FLAGS_IN_ITALIAN"]
