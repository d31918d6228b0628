"""The message catalogue of the web pages, in Italian (the default) and English."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import Cookie

from impactkit.settings import Settings

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"

FORM_LANGUAGE = {"it": "Italiano (it)", "en": "English (en)"}
"""Page language code → the language header the shipped forms use."""

_MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"it": "impactkit", "en": "impactkit"},
    "language": {"it": "Lingua", "en": "Language"},
    "sign_in": {"it": "Accedi", "en": "Sign in"},
    "sign_out": {"it": "Esci", "en": "Sign out"},
    "email": {"it": "Email", "en": "Email"},
    "password": {"it": "Password", "en": "Password"},
    "wrong_credentials": {
        "it": "Email o password non corrette. Riprova.",
        "en": "The email or password is not correct. Please try again.",
    },
    "signed_in_as": {"it": "Accesso come", "en": "Signed in as"},
    "home": {"it": "Inizio", "en": "Home"},
    "your_organisations": {"it": "Le tue organizzazioni", "en": "Your organisations"},
    "evaluator_area": {"it": "Area valutatore", "en": "Evaluator area"},
    "funder_area": {"it": "Area finanziatore", "en": "Funder area"},
    "nothing_here": {"it": "Niente da mostrare per ora.", "en": "Nothing to show yet."},
    "projects": {"it": "Progetti", "en": "Projects"},
    "project": {"it": "Progetto", "en": "Project"},
    "responses": {"it": "Risposte", "en": "Responses"},
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
    "period": {"it": "Periodo", "en": "Period"},
    "label": {"it": "Etichetta", "en": "Label"},
    "closes_on": {"it": "Chiude il (facoltativo)", "en": "Closes on (optional)"},
    "max_answers": {"it": "Numero massimo di risposte (facoltativo)", "en": "Most answers (optional)"},
    "create": {"it": "Crea", "en": "Create"},
    "copy": {"it": "Copia", "en": "Copy"},
    "copied": {"it": "Copiato", "en": "Copied"},
    "close": {"it": "Chiudi", "en": "Close"},
    "status": {"it": "Stato", "en": "Status"},
    "status_open": {"it": "aperto", "en": "open"},
    "status_closed": {"it": "chiuso", "en": "closed"},
    "status_expired": {"it": "scaduto", "en": "expired"},
    "status_full": {"it": "completo", "en": "full"},
    "link_created": {"it": "Link creato.", "en": "Link created."},
    "link_closed": {"it": "Link chiuso.", "en": "Link closed."},
    "no_links": {"it": "Nessun link ancora.", "en": "No links yet."},
    "kpis": {"it": "Indicatori (KPI)", "en": "Indicators (KPIs)"},
    "kpi_not_ready": {
        "it": "Gli indicatori compariranno qui quando il calcolo sarà disponibile.",
        "en": "Indicators will appear here once their computation is available.",
    },
    "indicator": {"it": "Indicatore", "en": "Indicator"},
    "value": {"it": "Valore", "en": "Value"},
    "interval": {"it": "Intervallo al 95%", "en": "95% interval"},
    "target": {"it": "Obiettivo", "en": "Target"},
    "reports": {"it": "Rendiconti", "en": "Reports"},
    "download_excel": {"it": "Scarica Excel", "en": "Download Excel"},
    "error_title": {"it": "Qualcosa non va", "en": "Something is wrong"},
    "not_found": {"it": "Pagina non trovata.", "en": "Page not found."},
    "forbidden": {
        "it": "Non hai i permessi per questa azione.",
        "en": "You do not have permission for this.",
    },
    # respondent page
    "send": {"it": "Invia", "en": "Send"},
    "continue": {"it": "Continua", "en": "Continue"},
    "required_mark": {"it": "obbligatoria", "en": "required"},
    "fix_errors": {
        "it": "Alcune risposte vanno corrette: le trovi segnate qui sotto.",
        "en": "Some answers need a fix: they are marked below.",
    },
    "more_questions": {
        "it": "Grazie. Ci sono altre domande qui sotto.",
        "en": "Thank you. There are more questions below.",
    },
    "required_error": {"it": "Questa risposta è obbligatoria.", "en": "This answer is required."},
    "integer_error": {
        "it": "Scrivi un numero intero, per esempio 42.",
        "en": "Write a whole number, for example 42.",
    },
    "decimal_error": {"it": "Scrivi un numero, per esempio 3,5.", "en": "Write a number, for example 3.5."},
    "date_error": {
        "it": "Scrivi una data, per esempio 2026-03-31.",
        "en": "Write a date, for example 2026-03-31.",
    },
    "constraint_error": {"it": "Questa risposta non è accettata.", "en": "This answer is not accepted."},
    "choice_error": {"it": "Scegli una delle risposte proposte.", "en": "Choose one of the answers offered."},
    "thank_you": {"it": "Grazie!", "en": "Thank you!"},
    "stored": {"it": "Le tue risposte sono state registrate.", "en": "Your answers have been recorded."},
    "already_stored": {
        "it": "Le tue risposte erano già state registrate: non serve inviarle di nuovo.",
        "en": "Your answers had already been recorded: no need to send them again.",
    },
    "not_stored": {
        "it": "Non è stato possibile registrare le risposte. Riprova più tardi.",
        "en": "Your answers could not be recorded. Please try again later.",
    },
    "link_unavailable": {"it": "Questionario non disponibile", "en": "Survey not available"},
    "link_closed_text": {
        "it": "Questo questionario è chiuso e non accetta più risposte. Grazie comunque!",
        "en": "This survey is closed and no longer takes answers. Thank you anyway!",
    },
    "link_expired_text": {
        "it": "Il tempo per rispondere a questo questionario è finito. Grazie comunque!",
        "en": "The time to answer this survey is over. Thank you anyway!",
    },
    "link_full_text": {
        "it": "Questo questionario ha raccolto tutte le risposte previste. Grazie comunque!",
        "en": "This survey has collected all the answers it needed. Thank you anyway!",
    },
    "link_unknown_text": {
        "it": "Questo link non è valido. Controlla di averlo copiato per intero.",
        "en": "This link is not valid. Check that you copied all of it.",
    },
    "offline": {
        "it": "Sei senza connessione. Le risposte sono salvate su questo dispositivo e saranno inviate "
        "appena la connessione torna.",
        "en": "You are offline. Your answers are saved on this device and will be sent as soon as the "
        "connection is back.",
    },
    "restored": {
        "it": "Abbiamo ripreso le risposte che avevi già scritto.",
        "en": "We restored the answers you had already written.",
    },
    "page_expired": {
        "it": "La pagina è scaduta. Ricaricala: le risposte già scritte sono salvate su questo dispositivo.",
        "en": "The page has expired. Reload it: the answers you wrote are kept on this device.",
    },
    "privacy_note": {
        "it": "Non scrivere il tuo nome: le risposte sono anonime.",
        "en": "Do not write your name: answers are anonymous.",
    },
    "skip_to_questions": {"it": "Vai alle domande", "en": "Skip to the questions"},
    # evaluator / funder
    "submitted_reports": {"it": "Rendiconti da valutare", "en": "Reports to evaluate"},
    "validated_reports": {"it": "Rendiconti validati", "en": "Validated reports"},
    "checklist": {"it": "Lista di controllo", "en": "Checklist"},
    "validate": {"it": "Valida", "en": "Validate"},
    "return_with_comments": {"it": "Restituisci con commenti", "en": "Return with comments"},
    "comments": {"it": "Commenti", "en": "Comments"},
    "portfolio": {"it": "Portafoglio", "en": "Portfolio"},
    "sroi_summary": {"it": "Sintesi SROI", "en": "SROI summary"},
    "sensitivity": {"it": "Sensibilità", "en": "Sensitivity"},
    "report": {"it": "Rendiconto", "en": "Report"},
    "report_submitted": {
        "it": "Rendiconto inviato al valutatore.",
        "en": "Report submitted to the evaluator.",
    },
    "report_validated": {"it": "Rendiconto validato.", "en": "Report validated."},
    "report_returned": {"it": "Rendiconto restituito con commenti.", "en": "Report returned with comments."},
    "state": {"it": "Stato", "en": "State"},
    "state_draft": {"it": "bozza", "en": "draft"},
    "state_submitted": {"it": "inviato", "en": "submitted"},
    "state_validated": {"it": "validato", "en": "validated"},
    "state_returned": {"it": "restituito", "en": "returned"},
    "version": {"it": "Versione", "en": "Version"},
    "create_report": {"it": "Crea il rendiconto", "en": "Create the report"},
    "submit_to_evaluator": {"it": "Invia al valutatore", "en": "Submit to the evaluator"},
    "evaluator_email": {"it": "Email del valutatore accreditato", "en": "E-mail of the accredited evaluator"},
    "organisation": {"it": "Organizzazione", "en": "Organisation"},
    "open": {"it": "Apri", "en": "Open"},
    "validation_stamp": {"it": "Timbro di validazione", "en": "Validation stamp"},
    "validated_by": {"it": "Validato da", "en": "Validated by"},
    "accreditation": {"it": "Accreditamento", "en": "Accreditation"},
    "content_hash": {"it": "Impronta SHA-256 del contenuto", "en": "SHA-256 hash of the content"},
    "sroi_ratio": {"it": "Rapporto SROI", "en": "SROI ratio"},
    "net_sroi_ratio": {"it": "SROI netto", "en": "Net SROI"},
    "present_value": {"it": "Valore attuale totale", "en": "Total present value"},
    "net_present_value": {"it": "Valore attuale netto", "en": "Net present value"},
    "inputs_value": {"it": "Valore degli input", "en": "Value of inputs"},
    "payback": {"it": "Periodo di recupero (mesi)", "en": "Payback period (months)"},
    "sensitivity_note": {
        "it": "Ogni barra mostra il rapporto SROI quando una stima va al suo valore basso e alto; "
        "la linea tratteggiata è 1:1.",
        "en": "Each bar shows the SROI ratio when one estimate moves to its low and high value; "
        "the dashed line is 1:1.",
    },
    "check_pass": {"it": "ok", "en": "pass"},
    "check_warn": {"it": "attenzione", "en": "warning"},
    "check_fail": {"it": "non superato", "en": "fail"},
    "download_portfolio": {"it": "Scarica il portafoglio (Excel)", "en": "Download the portfolio (Excel)"},
    "grantee": {"it": "Beneficiario del contributo", "en": "Grantee"},
    "reports_not_ready": {
        "it": "I rendiconti compariranno qui quando il flusso dei rendiconti sarà disponibile.",
        "en": "Reports will appear here once the reports workflow is available.",
    },
}


def translate(key: str, language: str, **values: Any) -> str:
    """The message ``key`` in ``language`` (Italian when missing), with ``{name}`` values filled."""
    texts = _MESSAGES.get(key)
    if texts is None:
        return key
    text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def pick_language(query_value: str | None, cookie_value: str | None) -> str:
    """The page language: the ``lang`` query first, then the ``lang`` cookie, then Italian."""
    for candidate in (query_value, cookie_value):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return DEFAULT_LANGUAGE


def language_cookie(language: str, settings: Settings) -> Cookie:
    """The ``lang`` cookie that keeps a chosen language for a year."""
    return Cookie(
        key="lang",
        value=language,
        max_age=365 * 86400,
        path="/",
        samesite="lax",
        secure=settings.cookie_secure,
    )
