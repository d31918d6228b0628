"""Messages of the evaluator's pages: reports to evaluate, validation and return."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "evaluator_area": {"it": "Area valutatore", "en": "Evaluator area"},
    "submitted_reports": {"it": "Rendiconti da valutare", "en": "Reports to evaluate"},
    "validate": {"it": "Valida", "en": "Validate"},
    "return_with_comments": {"it": "Restituisci con commenti", "en": "Return with comments"},
    "report_validated": {"it": "Rendiconto validato.", "en": "Report validated."},
    "report_returned": {"it": "Rendiconto restituito con commenti.", "en": "Report returned with comments."},
    "comments_for_return": {
        "it": "Commenti: che cosa deve cambiare l'organizzazione",
        "en": "Comments: what the organisation should change",
    },
    "return_needs_comments": {
        "it": "Per restituire un rendiconto scrivi che cosa va cambiato.",
        "en": "To return a report, say what should change.",
    },
    # --- the validation gate ---
    "justification": {"it": "Motivazione del valutatore", "en": "Evaluator's justification"},
    "justification_for": {"it": "Motivazione (controllo non superato)", "en": "Justification (failed check)"},
}
