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
        "it": "{files}: {source}, questionario {form}, {rows} righe.",
        "en": "{files}: {source}, form {form}, {rows} rows.",
    },
    "import_source_known": {"it": "export di {source}", "en": "{source} export"},
    "import_source_table": {
        "it": "una tabella (di quale strumento non si capisce dalle colonne)",
        "en": "a table (which tool wrote it is not told by its columns)",
    },
    "import_why_conflict": {
        "it": "Questo identificativo è già salvato con altre risposte: le prime restano.",
        "en": "This identifier is already stored with other answers: the first ones stay.",
    },
    "import_why_erased": {
        "it": "Le risposte con questo identificativo sono state cancellate su richiesta dell'interessato.",
        "en": "The answers with this identifier were erased at the person's request.",
    },
    "import_why_refused": {"it": "Riga rifiutata.", "en": "Row refused."},
    "import_state_valid": {"it": "valida", "en": "valid"},
    "import_state_stored": {"it": "salvata", "en": "stored"},
    "import_state_already_stored": {"it": "già presente", "en": "already stored"},
    "import_state_conflict": {"it": "in conflitto", "en": "in conflict"},
    "import_state_erased": {"it": "cancellata", "en": "erased"},
    "import_state_refused": {"it": "rifiutata", "en": "refused"},
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
    "import_into": {
        "it": "Importa risposte già raccolte (KoBoToolbox, ODK Central) in:",
        "en": "Import answers already collected (KoBoToolbox, ODK Central) into:",
    },
    "import_back": {"it": "Torna al progetto", "en": "Back to the project"},
    "import_code_wrong_type": {"it": "Valore del tipo sbagliato", "en": "Value of the wrong type"},
    "import_code_required": {"it": "Risposta obbligatoria mancante", "en": "A required answer is missing"},
    "import_code_constraint": {
        "it": "La risposta non rispetta la regola del questionario",
        "en": "The answer breaks the form's rule",
    },
    "import_code_not_a_choice": {
        "it": "Non è una delle scelte (esporta i nomi XML, non le etichette)",
        "en": "Not one of the choices (export XML names, not labels)",
    },
    "import_code_choice_filtered": {
        "it": "Scelta esclusa dal filtro delle scelte",
        "en": "A choice the choice filter leaves out",
    },
    "import_code_duplicate_choice": {"it": "Scelta ripetuta", "en": "A choice given twice"},
    "import_code_repeat_count": {
        "it": "Numero di ripetizioni diverso da quello previsto",
        "en": "Not the number of entries the form sets",
    },
    "import_code_too_many_instances": {"it": "Troppe ripetizioni", "en": "Too many entries"},
    "import_code_expression_failed": {
        "it": "Un calcolo del questionario non si può eseguire",
        "en": "A calculation of the form cannot be run",
    },
    "import_code_unknown_field": {
        "it": "Domanda che il questionario non ha",
        "en": "A question the form does not have",
    },
    "import_code_bad_instance_id": {
        "it": "L'identificativo non è un UUID",
        "en": "The identifier is not a UUID",
    },
    "import_code_no_instance_id": {
        "it": "Manca l'identificativo della riga",
        "en": "The row has no identifier",
    },
    "import_code_not_a_flag": {
        "it": "Una colonna di scelta multipla divisa vale solo 0 o 1",
        "en": "A split select-multiple column holds only 0 or 1",
    },
    "import_code_orphan_row": {
        "it": "Riga di un gruppo ripetuto senza la sua riga principale",
        "en": "A repeat row without its parent row",
    },
}
