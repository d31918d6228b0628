"""The problems of a table file (CSV, XLSX) and of an export of answers, by key, in Italian and English.

The table reader (:mod:`impactkit.surveys.files`) and the answers import
(:mod:`impactkit.surveys.imports`) make their problems with :func:`table_problem` and their errors
with :func:`table_error`: the message is the English text (the API and the CLI show it), and the
key and values travel with it, so that a page writes the same problem, and the error's headline,
in its reader's language (see :mod:`impactkit.keyed_texts`). The pages read this catalogue with
theirs; a test checks that every key has both languages and that every key used is here.

>>> problem = table_problem("table_problem_header_and_rows", "a.csv")
>>> error = table_error("table_error_empty", [problem], file="a.csv")
>>> error.message, error.problems[0].message
('a.csv is empty', 'expected a header line and rows under it')
>>> text_in(TABLE_TEXTS, "table_error_empty", "it", error.keyed)
'Il file a.csv è vuoto.'
"""

from __future__ import annotations

from typing import Any, Final

from impactkit.errors import FileError, Problem
from impactkit.keyed_texts import keyed, text_in

TABLE_TEXTS: Final[dict[str, Any]] = {
    # --- the headline of an error ----------------------------------------------------------------
    "table_error_empty": {"it": "Il file {file} è vuoto.", "en": "{file} is empty"},
    "table_error_xls": {
        "it": "{file} è una cartella Excel .xls, un formato vecchio.",
        "en": "{file} is an old Excel .xls workbook",
    },
    "table_error_text_not_workbook": {
        "it": "{file} è un file di testo, non una cartella Excel.",
        "en": "{file} is a text file, not a workbook",
    },
    "table_error_cannot_open": {"it": "Il file {file} non si apre.", "en": "cannot open {file}"},
    "table_error_too_large": {"it": "Il file {file} è troppo grande.", "en": "{file} is too large"},
    "table_error_not_utf16": {
        "it": "{file} non è testo UTF-16 leggibile.",
        "en": "{file} is not readable UTF-16 text",
    },
    "table_error_not_text": {"it": "{file} non è un file di testo.", "en": "{file} is not a text file"},
    "table_error_unreadable": {
        "it": "Il file {file} non si riesce a leggere.",
        "en": "{file} cannot be read",
    },
    "table_error_no_rows": {
        "it": "Il file {file} ha l'intestazione ma nessuna riga.",
        "en": "{file} has a header but no rows",
    },
    "table_error_unreadable_xlsx": {
        "it": "{file} non si riesce a leggere come cartella Excel (.xlsx).",
        "en": "{file} is not a readable .xlsx workbook",
    },
    "table_error_not_xlsx": {
        "it": "{file} non è una cartella Excel (.xlsx).",
        "en": "{file} is not an .xlsx workbook",
    },
    "table_error_too_large_unzipped": {
        "it": "Il file {file} è troppo grande una volta decompresso.",
        "en": "{file} is too large once unzipped",
    },
    "table_error_zip_bomb": {
        "it": "Il file {file} sembra una «zip bomb»: decompresso diventerebbe enorme.",
        "en": "{file} looks like a zip bomb",
    },
    "table_error_damaged": {"it": "Il file {file} è danneggiato.", "en": "{file} is damaged"},
    "table_error_no_sheet": {
        "it": "Il file {file} non ha un foglio «{sheet}».",
        "en": "{file} has no sheet '{sheet}'",
    },
    "table_error_sheet_empty": {
        "it": "Il foglio «{sheet}» di {file} è vuoto.",
        "en": "{file}: sheet '{sheet}' is empty",
    },
    "table_error_sheet_no_rows": {
        "it": "Il foglio «{sheet}» di {file} ha l'intestazione ma nessuna riga.",
        "en": "{file}: sheet '{sheet}' has a header but no rows",
    },
    "table_error_no_data": {"it": "Il file {file} non contiene dati.", "en": "{file} has no data"},
    # --- what was expected ------------------------------------------------------------------------
    "table_problem_header_and_rows": {
        "it": "serve una riga di intestazione e, sotto, le righe dei dati",
        "en": "expected a header line and rows under it",
    },
    "table_problem_header_row_and_rows": {
        "it": "serve una riga di intestazione e, sotto, le righe dei dati",
        "en": "expected a header row and rows under it",
    },
    "table_problem_xls": {
        "it": "servono un CSV o un .xlsx: in Excel, «Salva con nome» come .xlsx o CSV",
        "en": "expected CSV or .xlsx: save it from Excel as .xlsx or CSV",
    },
    "table_problem_sheet_of_text": {
        "it": "è stato chiesto il foglio «{sheet}», ma solo un file .xlsx ha fogli",
        "en": "sheet '{sheet}' was asked for, but only an .xlsx file has sheets",
    },
    "table_problem_bytes": {
        "it": "{size} byte; al massimo {max_bytes}",
        "en": "{size} bytes; expected at most {max_bytes}",
    },
    "table_problem_nul": {
        "it": "un byte NUL: servono testo CSV o una cartella .xlsx",
        "en": "a NUL byte: expected CSV text or an .xlsx workbook",
    },
    "table_problem_too_many_columns": {
        "it": "{count} colonne; al massimo {max_columns}",
        "en": "{count} columns; expected at most {max_columns}",
    },
    "table_problem_row_width": {
        "it": "{values} valori, ma l'intestazione ha {columns} colonne: controlla il separatore "
        "({separator}) e le virgolette",
        "en": "{values} values but the header has {columns} columns; check the separator ({separator}) "
        "and the quotes",
    },
    "table_separator_comma": {"it": "virgola", "en": "comma"},
    "table_separator_semicolon": {"it": "punto e virgola", "en": "semicolon"},
    "table_separator_tab": {"it": "tabulazione", "en": "tab"},
    "table_separator_pipe": {"it": "barra verticale", "en": "pipe"},
    "table_problem_too_long": {
        "it": "{length} caratteri; al massimo {max_chars}",
        "en": "{length} characters; expected at most {max_chars}",
    },
    "table_problem_too_many_rows": {
        "it": "più di {max_rows} righe; al massimo {max_rows}",
        "en": "more than {max_rows} rows; expected at most that many",
    },
    "table_problem_csv": {"it": "CSV illeggibile: {error}", "en": "unreadable CSV: {error}"},
    "table_problem_one_row": {
        "it": "serve almeno una riga sotto l'intestazione",
        "en": "expected at least one row under the header",
    },
    "table_problem_unnamed_column": {
        "it": "una colonna senza nome nell'intestazione",
        "en": "a column without a name in the header",
    },
    "table_problem_column_twice": {
        "it": "la colonna «{name}» compare due volte (anche come colonna {other})",
        "en": "column '{name}' appears twice (also column {other})",
    },
    "table_problem_damaged_zip": {"it": "file zip danneggiato: {error}", "en": "damaged zip: {error}"},
    "table_problem_ods": {
        "it": "un foglio OpenDocument (.ods): servono un CSV o un .xlsx (salvalo come .xlsx)",
        "en": "an OpenDocument spreadsheet (.ods): expected CSV or .xlsx (save it as .xlsx)",
    },
    "table_problem_zip_without_workbook": {
        "it": "uno zip senza cartella di lavoro: servono un CSV o un .xlsx (salvalo come .xlsx)",
        "en": "a zip without a workbook: expected CSV or .xlsx (save it as .xlsx)",
    },
    "table_problem_inflated": {
        "it": "{size} byte una volta decompresso; al massimo {max_bytes}",
        "en": "{size} bytes inflated; expected at most {max_bytes}",
    },
    "table_problem_inflates": {
        "it": "{member} si espande {ratio} volte; al massimo {max_ratio}",
        "en": "{member} inflates {ratio}-fold; expected at most {max_ratio}-fold",
    },
    "table_problem_sheet_choices": {"it": "i fogli sono: {names}", "en": "expected one of: {names}"},
    "table_problem_value_without_header": {
        "it": "un valore in una colonna senza intestazione",
        "en": "a value in a column without a header",
    },
    "table_problem_every_sheet_empty": {
        "it": "tutti i fogli sono vuoti ({names}); serve una riga di intestazione e, sotto, i dati",
        "en": "every sheet is empty ({names}); expected a header row and rows",
    },
    # --- an export of answers (KoBoToolbox, ODK Central, impactkit) -------------------------------
    "import_error_not_zip": {
        "it": "{file} non è un file ZIP leggibile.",
        "en": "{file} is not a readable ZIP file",
    },
    "import_error_too_many_files": {
        "it": "{file} contiene troppi file.",
        "en": "{file} holds too many files",
    },
    "import_error_too_large_unpacked": {
        "it": "{file} è troppo grande una volta estratto.",
        "en": "{file} is too large once unpacked",
    },
    "import_error_no_tables": {
        "it": "{file} non contiene file CSV o XLSX.",
        "en": "{file} holds no CSV or XLSX file",
    },
    "import_error_no_file": {"it": "Nessun file ricevuto.", "en": "no file was given"},
    "import_error_does_not_fit": {
        "it": "L'esportazione non corrisponde al modulo «{form}» versione {version}.",
        "en": "the export does not fit form '{form}' version '{version}'",
    },
    "import_error_orphans": {
        "it": {
            "one": "{count} riga di una tabella di ripetizioni non appartiene a nessuna riga della "
            "tabella madre.",
            "other": "{count} righe di tabelle di ripetizioni non appartengono a nessuna riga della "
            "tabella madre.",
        },
        "en": "{count} row(s) of repeat tables belong to no row of their parent table",
    },
    "import_problem_zip": {"it": "serve uno ZIP di file CSV", "en": "expected a ZIP of CSV files"},
    "import_problem_files": {
        "it": "{count} file; al massimo {max_files}",
        "en": "{count} files; expected at most {max_files}",
    },
    "import_problem_export_files": {
        "it": "servono i file CSV di un'esportazione",
        "en": "expected the CSV files of an export",
    },
    "import_problem_inflates": {
        "it": "{member} si espande {ratio} volte",
        "en": "{member} inflates {ratio} times",
    },
    "import_problem_longer": {
        "it": "{member} è più lungo di quanto dichiara",
        "en": "{member} is longer than it says",
    },
    "import_problem_ambiguous_column": {
        "it": "la colonna «{column}» potrebbe essere una qualsiasi di queste domande: {fields}",
        "en": "column '{column}' could be any of {fields}",
    },
    "import_problem_unknown_columns": {
        "it": {
            "one": "{count} colonna non è una domanda {scope}: {names}; le sue domande sono: {questions}",
            "other": "{count} colonne non sono domande {scope}: {names}; le sue domande sono: {questions}",
        },
        "en": "{count} column(s) are not questions of {scope}: {names}; its questions are: {questions}",
    },
    "import_scope_form": {"it": "del modulo", "en": "the form"},
    "import_scope_repeat": {"it": "della ripetizione «{name}»", "en": "the repeat '{name}'"},
    "import_problem_not_a_flag": {
        "it": "serve 1 o 0 (scelto o no), non «{text}»",
        "en": "expected 1 or 0 (chosen or not), got '{text}'",
    },
    "import_problem_main_file": {
        "it": "serve il file principale dell'esportazione",
        "en": "expected the export's main file",
    },
    "import_problem_no_instance_ids": {
        "it": "nessuna colonna contiene gli identificativi delle risposte; ne serve una tra {columns} "
        "(ogni risposta ha il suo identificativo, così importare due volte la registra una volta sola)",
        "en": "no column holds the instance ids; expected one of {columns} (every response needs its "
        "id, so that importing twice stores it once)",
    },
    "import_problem_separator": {
        "it": "l'intestazione è stata letta come una sola colonna «{header}»: il separatore del file non "
        "è virgola, punto e virgola, tabulazione o barra verticale, o le virgolette non sono chiuse",
        "en": "the header was read as one column '{header}': the file's separator is none of comma, "
        "semicolon, tab or pipe, or its quotes are unbalanced",
    },
    "import_problem_table_of_repeat": {
        "it": "questa tabella non è di nessuna ripetizione del modulo; dalle il nome della sua "
        "ripetizione ({repeats})",
        "en": "this table belongs to no repeat of the form; name it after its repeat ({repeats})",
    },
    "import_problem_no_repeats": {
        "it": "questa tabella non è di nessuna ripetizione del modulo; il modulo non ha ripetizioni: "
        "carica solo la tabella principale",
        "en": "this table belongs to no repeat of the form; the form has no repeat: give only the main table",
    },
    "import_problem_no_parent_column": {
        "it": "la tabella di una ripetizione ha bisogno della colonna che lega ogni riga alla sua riga "
        "madre: PARENT_KEY (ODK Central), _parent_index (KoBoToolbox) o _parent_key (impactkit)",
        "en": "a repeat's table needs the column linking each row to its parent: PARENT_KEY (ODK "
        "Central), _parent_index (KoBoToolbox) or _parent_key (impactkit)",
    },
    "import_problem_no_instance_id": {
        "it": "nessun identificativo nella colonna «{column}»",
        "en": "no instance id in column '{column}'",
    },
    "import_problem_orphan_row": {
        "it": "la sua riga madre «{parent}» non è una riga della tabella sopra",
        "en": "its parent '{parent}' is not a row of the table above it",
    },
}
"""Every text of a table file or answers import problem: ``key → {"it": …, "en": …}``."""


class _Grouped(int):
    """A whole number that an English message writes with thousands separators (100,000), as
    the messages did before they were keyed; the pages write numbers in their own language."""

    def __format__(self, spec: str) -> str:
        return format(int(self), spec or ",")


def _english(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: _Grouped(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in values.items()
    }


def table_problem(key: str, location: str = "", *, code: str = "invalid", **values: Any) -> Problem:
    """A problem of a table file or an import, its message the English text ``key``."""
    message = text_in(TABLE_TEXTS, key, "en", _english(values), plain=True)
    return Problem(message, location, code, keyed(key, **values))


def table_error(key: str, problems: list[Problem], **values: Any) -> FileError:
    """A :class:`FileError` whose message is the English text ``key``, keyed for the pages."""
    error = FileError(text_in(TABLE_TEXTS, key, "en", _english(values), plain=True), problems)
    error.keyed = keyed(key, **values)
    return error


__all__ = ["TABLE_TEXTS", "table_error", "table_problem"]
