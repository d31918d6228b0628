"""Messages of the possible-duplicates page: duplicate sets side by side and the choice of which counts."""

from __future__ import annotations

MESSAGES = {
    "duplicates_title": {"it": "Possibili duplicati", "en": "Possible duplicates"},
    "duplicates_link": {
        "it": {
            "one": "Possibili duplicati: {count} da scegliere",
            "other": "Possibili duplicati: {count} da scegliere",
        },
        "en": {
            "one": "Possible duplicates: {count} to choose in",
            "other": "Possible duplicates: {count} to choose in",
        },
    },
    "duplicates_intro": {
        "it": "impactkit raggruppa le risposte che sembrano la stessa: lo stesso codice partecipante "
        "due volte nella stessa rilevazione, o risposte identiche sotto codici diversi inviate a pochi "
        "minuti di distanza. Finché non si sceglie conta la più recente. Le risposte che differiscono "
        "sono evidenziate, quelle uguali in grigio: scegli quale conta negli indicatori. Nessuna "
        "risposta viene cancellata e ogni scelta è registrata.",
        "en": "impactkit groups the answers that look like one: the same participant code twice in one "
        "wave, or identical answers under different codes sent minutes apart. Until a choice is made "
        "the latest counts. The answers that differ are highlighted, the equal ones greyed: choose "
        "which one counts in the indicators. No answer is deleted and every choice is logged.",
    },
    "duplicates_read_only": {
        "it": "Puoi vedere i duplicati; sceglie chi modifica i progetti dell'organizzazione.",
        "en": "You can see the duplicates; the organisation's editors choose.",
    },
    "duplicates_waiting": {
        "it": {"one": "Da scegliere ({count})", "other": "Da scegliere ({count})"},
        "en": {"one": "To choose in ({count})", "other": "To choose in ({count})"},
    },
    "duplicates_decided": {
        "it": {"one": "Già scelti ({count})", "other": "Già scelti ({count})"},
        "en": {"one": "Decided ({count})", "other": "Decided ({count})"},
    },
    "duplicates_first_shown": {
        "it": "Qui i primi {shown} di {count}: scegli in questi e gli altri seguiranno.",
        "en": "The first {shown} of {count} here: choose in these and the others follow.",
    },
    "duplicates_none_waiting": {
        "it": "Nessun possibile duplicato aspetta una scelta.",
        "en": "No possible duplicate is waiting for a choice.",
    },
    "duplicates_see_all": {"it": "Vedi tutti i possibili duplicati", "en": "See every possible duplicate"},
    "duplicates_none_decided": {"it": "Nessuna scelta fatta finora.", "en": "No choice made so far."},
    "duplicates_back_to_responses": {"it": "Torna alle risposte", "en": "Back to the responses"},
    "duplicate_open_duplicate_code": {
        "it": "In attesa di una scelta: per ora conta la risposta più recente. Conta una sola "
        "risposta per codice.",
        "en": "Waiting for a choice: for now the latest answer counts. One answer counts per code.",
    },
    "duplicate_open_double_entry": {
        "it": "In attesa di una scelta: per ora conta la risposta più recente. Se sono persone "
        "diverse, tienile tutte.",
        "en": "Waiting for a choice: for now the latest answer counts. If they are different people, "
        "keep them all.",
    },
    "duplicate_decided_by": {"it": "Scelto da {who} il {when}.", "en": "Chosen by {who} on {when}."},
    "duplicate_decided_at": {"it": "Scelto il {when}.", "en": "Chosen on {when}."},
    "duplicate_decided": {"it": "Scelto.", "en": "Chosen."},
    "duplicate_differing": {
        "it": {
            "one": "{count} risposta diversa su {total} domande (evidenziata); le uguali sono in grigio.",
            "other": "{count} risposte diverse su {total} domande (evidenziate); le uguali sono in grigio.",
        },
        "en": {
            "one": "{count} answer differs out of {total} questions (highlighted); the equal ones are greyed.",
            "other": "{count} answers differ out of {total} questions (highlighted); the equal ones are greyed.",
        },
    },
    "duplicate_answer_n": {"it": "Risposta {n}", "en": "Answer {n}"},
    "duplicate_counts_for_now": {"it": "conta, per ora", "en": "counts, for now"},
    "duplicate_left_out_for_now": {"it": "lasciata fuori, per ora", "en": "left out, for now"},
    "duplicate_differs": {"it": "diversa", "en": "differs"},
    "duplicate_same": {"it": "uguale", "en": "same"},
    "duplicate_change": {"it": "Cambia la scelta", "en": "Change the choice"},
    "duplicate_which_counts": {"it": "Quale risposta conta?", "en": "Which answer counts?"},
    "duplicate_keep_this": {"it": "Conta la risposta {n}", "en": "Answer {n} counts"},
    "duplicate_keep_all": {
        "it": "Sono persone diverse: contano tutte",
        "en": "They are different people: all count",
    },
    "duplicate_choose": {"it": "Scegli…", "en": "Choose…"},
    "duplicate_choose_one": {
        "it": "Scegli quale risposta conta.",
        "en": "Choose which answer counts.",
    },
    "duplicate_choose_again": {"it": "Torna alla scelta", "en": "Back to the choice"},
    "duplicate_member": {
        "it": "risposta del {when}, codice {code}, {source}",
        "en": "the answer of {when}, code {code}, {source}",
    },
    "duplicate_will_count": {"it": "Conta: {what}", "en": "Counts: {what}"},
    "duplicate_will_leave": {"it": "Lasciata fuori dai KPI: {what}", "en": "Left out of the KPIs: {what}"},
    "duplicate_keep_one_question": {
        "it": {
            "one": "Contare questa risposta e lasciare fuori dagli indicatori l'altra? La risposta "
            "lasciata fuori resta conservata e la scelta si può cambiare.",
            "other": "Contare questa risposta e lasciare fuori dagli indicatori le altre {count}? Le "
            "risposte lasciate fuori restano conservate e la scelta si può cambiare.",
        },
        "en": {
            "one": "Count this answer and leave the other out of the indicators? The answer left out "
            "is kept and the choice can be changed.",
            "other": "Count this answer and leave the other {count} out of the indicators? The answers "
            "left out are kept and the choice can be changed.",
        },
    },
    "duplicate_keep_all_question": {
        "it": "Sono persone diverse: contare tutte le {count} risposte negli indicatori?",
        "en": "They are different people: count all {count} answers in the indicators?",
    },
    "duplicate_confirm": {"it": "Sì, conferma la scelta", "en": "Yes, confirm the choice"},
    "duplicates_chosen": {
        "it": "Scelta registrata: gli indicatori sono ricalcolati.",
        "en": "Choice recorded: the indicators are recomputed.",
    },
    "duplicate_compare": {"it": "Confronta e scegli", "en": "Compare and choose"},
    "source_link": {"it": "link «{label}»", "en": "link “{label}”"},
    "source_odk": {"it": "ODK «{label}»", "en": "ODK “{label}”"},
    "source_import": {"it": "importata da file", "en": "imported from a file"},
    "source_api": {"it": "API", "en": "API"},
    "audit_responses_duplicates_chosen": {
        "it": "Scelta tra possibili duplicati",
        "en": "Choice among possible duplicates",
    },
}
