"""Messages of the framework designer: frameworks, indicators, targets, theory of change, grants."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "frameworks": {"it": "Quadri di misurazione", "en": "Frameworks"},
    "frameworks_intro": {
        "it": "Progetta in anticipo come misurerai il tuo impatto, anche per una domanda di "
        "finanziamento: parti da un quadro condiviso, scegli e adatta gli indicatori, aggiungi i "
        "tuoi, fissa gli obiettivi, descrivi la teoria del cambiamento e pubblica.",
        "en": "Design ex ante how you will measure your impact, also for a funding application: "
        "start from a shared framework, pick and adapt indicators, add your own, set targets, "
        "describe the theory of change and publish.",
    },
    "your_designs": {"it": "I tuoi quadri", "en": "Your frameworks"},
    "published_designs": {"it": "Quadri pubblicati da altri", "en": "Frameworks published by others"},
    "shipped_frameworks": {"it": "Quadri condivisi di impactkit", "en": "impactkit's shared frameworks"},
    "new_design": {"it": "Progetta un nuovo quadro", "en": "Design a new framework"},
    "design_owner": {"it": "Per conto di", "en": "On behalf of"},
    "design_base": {"it": "Parti da", "en": "Start from"},
    "design_id": {"it": "Identificativo del nuovo quadro", "en": "Id of the new framework"},
    "design_id_hint": {
        "it": "Lettere minuscole, cifre e trattini, per esempio giovani-torino.",
        "en": "Lower-case letters, digits and hyphens, for example youth-turin.",
    },
    "title_it": {"it": "Titolo in italiano", "en": "Title in Italian"},
    "title_en": {"it": "Titolo in inglese", "en": "Title in English"},
    "start_design": {"it": "Inizia", "en": "Start"},
    "design_started": {"it": "Bozza creata.", "en": "Draft created."},
    "state_published": {"it": "pubblicato", "en": "published"},
    "indicators_count": {
        "it": {"one": "{count} indicatore", "other": "{count} indicatori"},
        "en": {"one": "{count} indicator", "other": "{count} indicators"},
    },
    "based_on": {"it": "Costruito a partire da", "en": "Designed from"},
    "indicators": {"it": "Indicatori", "en": "Indicators"},
    "keep": {"it": "Tieni", "en": "Keep"},
    "unit": {"it": "Unità", "en": "Unit"},
    "direction": {"it": "Direzione", "en": "Direction"},
    "at_least": {"it": "almeno", "en": "at least"},
    "at_most": {"it": "al massimo", "en": "at most"},
    "save_indicators": {"it": "Salva scelta e obiettivi", "en": "Save choice and targets"},
    "indicators_saved": {"it": "Indicatori e obiettivi salvati.", "en": "Indicators and targets saved."},
    "comparable_note": {
        "it": "Un indicatore conserva la sua definizione: per misurare qualcosa di diverso aggiungilo "
        "con un nuovo identificativo, così i valori restano confrontabili con quelli degli altri.",
        "en": "An indicator keeps its definition: to measure something else add it under a new id, "
        "so that values stay comparable with everyone else's.",
    },
    "add_indicator": {"it": "Aggiungi un indicatore", "en": "Add an indicator"},
    "indicator_added": {"it": "Indicatore aggiunto.", "en": "Indicator added."},
    "indicator_id": {"it": "Identificativo", "en": "Id"},
    "indicator_id_hint": {
        "it": "Lettere minuscole, cifre e trattini bassi, per esempio corsi_iniziati.",
        "en": "Lower-case letters, digits and underscores, for example courses_started.",
    },
    "label_it": {"it": "Nome in italiano", "en": "Name in Italian"},
    "label_en": {"it": "Nome in inglese", "en": "Name in English"},
    "definition_it": {"it": "Definizione in italiano", "en": "Definition in Italian"},
    "definition_en": {"it": "Definizione in inglese", "en": "Definition in English"},
    "kind": {"it": "Calcolo", "en": "Computation"},
    "kind_count": {"it": "conteggio di risposte", "en": "count of responses"},
    "kind_sum": {"it": "somma", "en": "sum"},
    "kind_mean": {"it": "media", "en": "mean"},
    "kind_median": {"it": "mediana", "en": "median"},
    "kind_proportion": {"it": "quota (vero/falso)", "en": "share (true/false)"},
    "kind_derived": {"it": "da altri indicatori", "en": "from other indicators"},
    "source_form": {"it": "Questionario", "en": "Form"},
    "expression": {"it": "Espressione (XLSForm)", "en": "Expression (XLSForm)"},
    "expression_hint": {
        "it": "Per esempio ${course_started} = 'yes' per una quota, ${age} per una media; per un "
        "indicatore da altri indicatori: ${left_neet} * 100.",
        "en": "For example ${course_started} = 'yes' for a share, ${age} for a mean; for one from "
        "other indicators: ${left_neet} * 100.",
    },
    "filter": {"it": "Filtro (facoltativo)", "en": "Filter (optional)"},
    "exclude_baseline": {
        "it": "Escludi le risposte di inizio percorso",
        "en": "Leave out baseline responses",
    },
    "add": {"it": "Aggiungi", "en": "Add"},
    "problems_title": {"it": "Da correggere prima di pubblicare", "en": "To fix before publishing"},
    "ready_to_publish": {"it": "Pronto per la pubblicazione.", "en": "Ready to be published."},
    "publish": {"it": "Pubblica", "en": "Publish"},
    "publish_question": {
        "it": "Pubblicare {name} versione {version}? Una versione pubblicata non cambia più.",
        "en": "Publish {name} version {version}? A published version never changes again.",
    },
    "published_done": {"it": "Quadro pubblicato.", "en": "Framework published."},
    "published_frozen": {
        "it": "Questa versione è pubblicata e non cambia più: i progetti possono adottarla.",
        "en": "This version is published and never changes: projects can adopt it.",
    },
    "next_version": {"it": "Prepara la versione successiva", "en": "Prepare the next version"},
    "next_version_done": {
        "it": "Bozza della versione successiva creata.",
        "en": "Draft of the next version created.",
    },
    "theory_of_change": {"it": "Teoria del cambiamento", "en": "Theory of change"},
    "toc_intro": {
        "it": "Una riga per riquadro: identificativo | testo in italiano | testo in inglese | "
        "identificativi collegati (separati da virgole). Le attività portano alle realizzazioni, le "
        "realizzazioni agli esiti, gli esiti sono misurati dagli indicatori.",
        "en": "One line per box: id | Italian text | English text | linked ids (comma-separated). "
        "Activities lead to outputs, outputs to outcomes, and indicators measure the outcomes.",
    },
    "activities": {"it": "Attività", "en": "Activities"},
    "outputs": {"it": "Realizzazioni (output)", "en": "Outputs"},
    "outcomes": {"it": "Esiti (outcome)", "en": "Outcomes"},
    "save_toc": {"it": "Salva la teoria del cambiamento", "en": "Save the theory of change"},
    "toc_saved": {"it": "Teoria del cambiamento salvata.", "en": "Theory of change saved."},
    "toc_line_error": {
        "it": "{level}, riga {line}: atteso identificativo | testo italiano | testo inglese | collegamenti",
        "en": "{level}, line {line}: expected id | Italian text | English text | links",
    },
    "show_toc": {"it": "Teoria del cambiamento da stampare", "en": "Printable theory of change"},
    "download_pdf": {"it": "Scarica il PDF", "en": "Download the PDF"},
    "print": {"it": "Stampa", "en": "Print"},
    "leads_to": {"it": "porta a", "en": "leads to"},
    "measured_by": {"it": "misurato da", "en": "measured by"},
    "no_toc": {
        "it": "La teoria del cambiamento non è ancora stata descritta.",
        "en": "The theory of change has not been described yet.",
    },
    "use_in_project": {"it": "Usalo in un nuovo progetto", "en": "Use it in a new project"},
    "project_name": {"it": "Nome del progetto", "en": "Project name"},
    "create_project": {"it": "Crea il progetto", "en": "Create the project"},
    "adopt_in_project": {
        "it": "Oppure adottalo in un progetto esistente",
        "en": "Or adopt it in an existing project",
    },
    "adopt": {"it": "Adotta", "en": "Adopt"},
    "project_adopted": {
        "it": "Il progetto ora rendiconta con questo quadro.",
        "en": "The project now reports with this framework.",
    },
    "project_created": {
        "it": "Progetto creato con questo quadro.",
        "en": "Project created with this framework.",
    },
    "grant_framework": {"it": "Quadro richiesto dal finanziamento", "en": "Framework the grant requires"},
    "grant_requires": {
        "it": "Questo finanziamento richiede di rendicontare con {name} (versione {version}):",
        "en": "This grant requires reporting with {name} (version {version}):",
    },
    "grant_requires_none": {"it": "Nessun quadro richiesto.", "en": "No framework required."},
    "require_framework": {"it": "Richiedi questo quadro", "en": "Require this framework"},
    "required_done": {
        "it": "Quadro richiesto per il finanziamento.",
        "en": "Framework required for the grant.",
    },
    "grants": {"it": "Finanziamenti", "en": "Grants"},
    "grant": {"it": "Finanziamento", "en": "Grant"},
    "no_designs": {"it": "Nessun quadro ancora.", "en": "No frameworks yet."},
    "money_value": {"it": "Valore monetario", "en": "Money value"},
    "form_has_errors": {"it": "Il modulo contiene errori:", "en": "The form has errors:"},
    "problem_definition_changed": {
        "it": "Definizione cambiata senza un nuovo identificativo",
        "en": "Definition changed without a new id",
    },
    "problem_unknown_field": {"it": "Domanda sconosciuta", "en": "Unknown question"},
    "problem_circular_definition": {"it": "Definizione circolare", "en": "Circular definition"},
    "problem_unknown_proxy": {
        "it": "Proxy senza fonte verificabile",
        "en": "Proxy without a checkable source",
    },
    "problem_unknown_indicator": {"it": "Indicatore sconosciuto", "en": "Unknown indicator"},
    "problem_unknown_reference": {"it": "Collegamento sconosciuto", "en": "Unknown link"},
    "problem_bad_expression": {"it": "Espressione non valida", "en": "Invalid expression"},
    "problem_other": {"it": "Da correggere", "en": "To fix"},
}
