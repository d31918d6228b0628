"""Messages of the field-collection part of a project's page: ODK Collect / KoBoCollect accesses."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "collect_title": {
        "it": "Raccolta sul campo con ODK Collect o KoBoCollect",
        "en": "Field collection with ODK Collect or KoBoCollect",
    },
    "collect_tab": {"it": "ODK Collect", "en": "ODK Collect"},
    "collect_intro": {
        "it": "Gli operatori raccolgono le risposte sul tablet o sul telefono, anche senza rete per giorni, "
        "e le inviano quando tornano in copertura. Ogni accesso ha il suo indirizzo e il suo codice QR: "
        "chi li ha può scaricare i questionari del progetto e inviare risposte, senza un account.",
        "en": "Field workers collect answers on a tablet or phone, even without signal for days, and send "
        "them once back in coverage. Each access has its own address and QR code: whoever has them can "
        "download the project's forms and send answers, without an account.",
    },
    "collect_steps": {
        "it": "Sul dispositivo: installa ODK Collect (o KoBoCollect), scegli «Configura con codice QR» "
        "(in Collect: Impostazioni › Gestione progetto › Riconfigura con QR) e inquadra il codice. "
        "I questionari si scaricano da soli; i moduli completati partono appena c'è rete.",
        "en": "On the device: install ODK Collect (or KoBoCollect), choose “Configure with QR code” "
        "(in Collect: Settings › Project management › Reconfigure with QR) and scan the code. The forms "
        "download by themselves; finished forms are sent as soon as there is a connection.",
    },
    "collect_none": {"it": "Nessun accesso per la raccolta ancora.", "en": "No collector access yet."},
    "collect_new": {"it": "Nuovo accesso per la raccolta", "en": "New collector access"},
    "collect_label_hint": {
        "it": "Per chi è, ad esempio «Tablet educatori Val Susa»",
        "en": "Who it is for, e.g. “Educators' tablets, Susa Valley”",
    },
    "collect_period_auto": {
        "it": "(secondo la data di raccolta)",
        "en": "(by the day of collection)",
    },
    "collect_created": {
        "it": "Accesso creato: inquadra il codice QR con ODK Collect.",
        "en": "Access created: scan its QR code with ODK Collect.",
    },
    "collect_revoked": {
        "it": "Accesso revocato: i dispositivi che lo usano non possono più inviare.",
        "en": "Access revoked: the devices using it can no longer send.",
    },
    "collect_revoke": {"it": "Revoca", "en": "Revoke"},
    "collect_revoke_question": {
        "it": "Revocare l'accesso «{label}»? I dispositivi che lo usano non potranno più scaricare "
        "questionari né inviare risposte (quelle già ricevute restano).",
        "en": "Revoke the access “{label}”? The devices using it will no longer download forms or send "
        "answers (answers already received stay).",
    },
    "collect_address": {"it": "Indirizzo del server", "en": "Server address"},
    "collect_qr_alt": {
        "it": "Codice QR con le impostazioni di ODK Collect per l'accesso «{label}»",
        "en": "QR code with ODK Collect's settings for the access “{label}”",
    },
    "collect_received": {"it": "Risposte ricevute", "en": "Answers received"},
    "collect_created_on": {"it": "Creato il {date}", "en": "Created on {date}"},
    "collect_revoked_on": {"it": "Revocato il {date}", "en": "Revoked on {date}"},
    "collect_all_forms": {"it": "tutti i questionari", "en": "all forms"},
}
