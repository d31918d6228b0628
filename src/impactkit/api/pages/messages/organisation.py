"""Messages of the organisation's pages: projects, forms, links, responses, KPIs, reports, privacy."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "your_organisations": {"it": "Le tue organizzazioni", "en": "Your organisations"},
    "projects": {"it": "Progetti", "en": "Projects"},
    "responses_total": {"it": "Risposte raccolte", "en": "Responses collected"},
    "responses_per_day": {
        "it": "Risposte al giorno (ultimi 30 giorni)",
        "en": "Responses per day (last 30 days)",
    },
    "survey_links": {"it": "Link ai questionari", "en": "Survey links"},
    "new_link": {"it": "Nuovo link", "en": "New link"},
    "form": {"it": "Questionario", "en": "Form"},
    "wave": {"it": "Rilevazione", "en": "Wave"},
    "wave_none": {"it": "(nessuna)", "en": "(none)"},
    "label": {"it": "Etichetta", "en": "Label"},
    "closes_on": {"it": "Chiude il (facoltativo)", "en": "Closes on (optional)"},
    "max_answers": {"it": "Numero massimo di risposte (facoltativo)", "en": "Most answers (optional)"},
    "link_created": {"it": "Link creato.", "en": "Link created."},
    "link_closed": {"it": "Link chiuso.", "en": "Link closed."},
    "no_links": {"it": "Nessun link ancora.", "en": "No links yet."},
    "kpi_not_ready": {
        "it": "Gli indicatori compariranno qui quando il calcolo sarà disponibile.",
        "en": "Indicators will appear here once their computation is available.",
    },
    "create_report": {"it": "Crea il rendiconto", "en": "Create the report"},
    "submit_to_evaluator": {"it": "Invia al valutatore", "en": "Submit to the evaluator"},
    "evaluator_email": {"it": "Email del valutatore accreditato", "en": "E-mail of the accredited evaluator"},
    "report_submitted": {
        "it": "Rendiconto inviato al valutatore.",
        "en": "Report submitted to the evaluator.",
    },
    "reports_not_ready": {
        "it": "I rendiconti compariranno qui quando il flusso dei rendiconti sarà disponibile.",
        "en": "Reports will appear here once the reports workflow is available.",
    },
    "wave_baseline": {"it": "iniziale (baseline)", "en": "baseline"},
    "wave_endline": {"it": "finale (endline)", "en": "endline"},
    "report_language": {"it": "Lingua del rendiconto", "en": "Language of the report"},
    "close_link_question": {
        "it": "Chiudere il link «{label}»? Non accetterà più risposte (potrai riaprirlo).",
        "en": "Close the link “{label}”? It will stop taking answers (you can reopen it).",
    },
    "choose_period": {"it": "Scegli il periodo del rendiconto.", "en": "Choose the period of the report."},
    "no_such_evaluator": {
        "it": "Nessun valutatore accreditato con questa email.",
        "en": "No accredited evaluator with this e-mail.",
    },
    "evaluator_comments": {"it": "Commenti del valutatore", "en": "The evaluator's comments"},
}
