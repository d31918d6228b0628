"""Messages of the respondent page (``/s/{token}``): questions, mistakes, thanks, closed links."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
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
    "text_error": {
        "it": "Questo testo contiene un carattere che non si può salvare (un carattere di controllo "
        "invisibile) o è troppo lungo: correggilo.",
        "en": "This text holds a character that cannot be saved (an invisible control character) "
        "or is too long: please correct it.",
    },
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
    # repeats, locations, what the page cannot take
    "add_entry": {"it": "Aggiungi: {what}", "en": "Add: {what}"},
    "remove_entry": {"it": "Togli {what}", "en": "Remove {what}"},
    "remove_entry_question": {
        "it": "Vuoi togliere «{what}»? Le risposte scritte lì andranno perse.",
        "en": "Remove “{what}”? The answers written there will be lost.",
    },
    "remove_entry_yes": {"it": "Sì, togli", "en": "Yes, remove"},
    "remove_entry_no": {"it": "No, tienilo", "en": "No, keep it"},
    "entry_removed": {"it": "Fatto: tolto.", "en": "Done: removed."},
    "no_choices_yet": {
        "it": "Le risposte possibili vengono dalle risposte date sopra: rispondi prima a quelle.",
        "en": "The possible answers come from the answers given above: answer those first.",
    },
    "geopoint_hint": {
        "it": "Latitudine e longitudine separate da uno spazio, per esempio 45.0703 7.6869.",
        "en": "Latitude and longitude separated by a space, for example 45.0703 7.6869.",
    },
    "geopoint_use_mine": {"it": "Usa la mia posizione", "en": "Use my location"},
    "geopoint_asking": {"it": "Cerco la posizione…", "en": "Finding the location…"},
    "geopoint_failed": {
        "it": "La posizione non è disponibile: scrivila qui sopra.",
        "en": "The location is not available: write it above.",
    },
    "geopoint_error": {
        "it": "Scrivi latitudine e longitudine, per esempio 45.0703 7.6869.",
        "en": "Write latitude and longitude, for example 45.0703 7.6869.",
    },
    "answer_file_hint": {
        "it": "Al massimo {limit} MB.",
        "en": "At most {limit} MB.",
    },
    "answer_file_choose_again": {
        "it": "Il file «{name}» non è ancora stato inviato: sceglilo di nuovo prima di inviare le risposte.",
        "en": "The file «{name}» has not been sent yet: choose it again before sending the answers.",
    },
    "answer_file_too_large": {
        "it": "Il file «{name}» è troppo grande: al massimo {limit} MB. Scegline uno più piccolo.",
        "en": "The file «{name}» is too large: at most {limit} MB. Choose a smaller one.",
    },
    "answer_file_empty": {
        "it": "Il file «{name}» è vuoto: scegline un altro.",
        "en": "The file «{name}» is empty: choose another one.",
    },
    "answer_file_type_image": {
        "it": "Il file «{name}» non è una foto (JPEG, PNG, GIF, WebP o HEIC): scegline un altro.",
        "en": "The file «{name}» is not a photo (JPEG, PNG, GIF, WebP or HEIC): choose another one.",
    },
    "answer_file_type_audio": {
        "it": "Il file «{name}» non è una registrazione audio: scegline un altro.",
        "en": "The file «{name}» is not an audio recording: choose another one.",
    },
    "answer_file_type_video": {
        "it": "Il file «{name}» non è un video (MP4, 3GP, WebM o QuickTime): scegline un altro.",
        "en": "The file «{name}» is not a video (MP4, 3GP, WebM or QuickTime): choose another one.",
    },
    "answer_file_type_file": {
        "it": "Il file «{name}» è di un tipo che non si può inviare: scegli una foto, una registrazione, "
        "un video, un PDF o un testo.",
        "en": "The file «{name}» is of a kind that cannot be sent: choose a photo, a recording, a video, "
        "a PDF or a text.",
    },
    "answer_too_many_files": {
        "it": "Troppi file in una risposta: al massimo {limit}. Nessuna risposta è stata ancora salvata.",
        "en": "Too many files in one response: at most {limit}. Nothing has been saved yet.",
    },
    "needs_other_app": {
        "it": "Questo questionario non si può compilare da questa pagina: la domanda {question} richiede "
        "un'app di raccolta dati (per esempio ODK Collect).",
        "en": "This survey cannot be answered on this page: the question {question} needs a data "
        "collection app (for example ODK Collect).",
    },
}
