"""Messages of the import page: answers collected with KoBoToolbox, ODK Central or another impactkit."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "import_title": {"it": "Importa risposte", "en": "Import responses"},
    "import_link": {
        "it": "Importa risposte da KoBoToolbox, ODK Central o da un export di impactkit",
        "en": "Import responses from KoBoToolbox, ODK Central or an impactkit export",
    },
    "import_intro": {
        "it": "Porta qui le risposte raccolte altrove: l'export di KoBoToolbox (XLSX o CSV), di ODK Central "
        "(CSV o il suo ZIP) o di impactkit. Ogni riga è controllata come una risposta inviata qui e salvata "
        "una volta sola: importare di nuovo lo stesso file non aggiunge nulla.",
        "en": "Bring in answers collected elsewhere: the export of KoBoToolbox (XLSX or CSV), of ODK Central "
        "(CSV or its ZIP) or of impactkit. Every row is checked as an answer sent here and stored once: "
        "importing the same file again adds nothing.",
    },
    "import_choose": {"it": "File da importare", "en": "Files to import"},
    "import_files": {"it": "File dell'export", "en": "The export's files"},
    "import_files_hint": {
        "it": "Prima la tabella principale (o lo ZIP di ODK Central), poi una tabella per ogni gruppo "
        "ripetuto; un XLSX di KoBoToolbox porta i gruppi ripetuti nei suoi fogli. CSV con virgola o punto "
        "e virgola. Esporta i valori XML (i nomi delle scelte), non le etichette.",
        "en": "The main table first (or ODK Central's ZIP), then one table per repeat; a KoBoToolbox XLSX "
        "holds its repeats in its sheets. CSV with commas or semicolons. Export XML values (the choices' "
        "names), not labels.",
    },
    "import_check": {"it": "Controlla senza salvare", "en": "Check without storing"},
    "import_run": {"it": "Importa", "en": "Import"},
    "import_no_file": {"it": "Scegli i file dell'export.", "en": "Choose the export's files."},
    "import_checked": {
        "it": "Controllo: nulla è stato salvato",
        "en": "Check: nothing was stored",
    },
    "import_done": {"it": "Importazione eseguita", "en": "Import done"},
    "import_what": {
        "it": "{files}: export di {source}, questionario {form}, {rows} righe.",
        "en": "{files}: {source} export, form {form}, {rows} rows.",
    },
    "import_status_valid": {"it": "righe valide", "en": "valid rows"},
    "import_status_stored": {"it": "righe salvate", "en": "rows stored"},
    "import_status_already_stored": {
        "it": "righe già presenti (nulla di nuovo)",
        "en": "rows already stored (nothing new)",
    },
    "import_status_conflict": {
        "it": "righe in conflitto (stesso identificativo, altre risposte)",
        "en": "rows in conflict (same identifier, other answers)",
    },
    "import_status_erased": {
        "it": "righe di risposte cancellate su richiesta",
        "en": "rows of answers erased on request",
    },
    "import_status_refused": {"it": "righe rifiutate", "en": "rows refused"},
    "import_not_stored": {"it": "Righe da correggere", "en": "Rows to correct"},
    "import_where": {"it": "Dove", "en": "Where"},
    "import_more_lines": {
        "it": "E altri {count} problemi: l'API li elenca tutti.",
        "en": "And {count} more problems: the API lists them all.",
    },
    "import_tables": {"it": "Come sono state lette le colonne", "en": "How the columns were read"},
    "import_rows": {"it": "righe", "en": "rows"},
    "import_reads_as": {"it": "Diventa", "en": "Becomes"},
    "import_then": {
        "it": "Se va bene, scegli di nuovo i file e premi «Importa».",
        "en": "If it looks right, choose the files again and press “Import”.",
    },
    "import_conventions": {
        "it": "Le colonne riconosciute (percorsi dei gruppi con / o -, meta/instanceID, KEY o _uuid, scelte "
        "multiple in una colonna o divise in colonne 0/1, tabelle dei gruppi ripetuti) sono descritte "
        "nella guida ai questionari (docs/surveys.md).",
        "en": "The columns understood (group paths joined by / or -, meta/instanceID, KEY or _uuid, select "
        "multiple as one column or split 0/1 columns, repeat tables) are described in the surveys guide "
        "(docs/surveys.md).",
    },
    "import_back": {"it": "Torna al progetto", "en": "Back to the project"},
}
