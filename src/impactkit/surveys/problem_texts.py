"""The problems of an XLSForm and of its expressions, by key, in Italian and English.

The importer (:mod:`impactkit.surveys.xlsform`) and the expression parser
(:mod:`impactkit.surveys.expressions`) make their problems with :func:`form_problem`: the message
is the English text (the API and the CLI show it), and ``details`` carry the key and the values,
so that the pages write the same problem in Italian (see :mod:`impactkit.keyed_texts`). The
pages read this catalogue with theirs; a test checks that every key has both languages.

>>> problem = form_problem("xlsform_problem_missing_calculation", "survey!F4 calculation",
...                        code="missing_calculation", name="total")
>>> problem.message
"calculate 'total' has no calculation"
>>> problem_in(problem, "it", FORM_PROBLEM_TEXTS)
'Il campo calcolato «total» non ha una formula nella colonna calculation.'
"""

from __future__ import annotations

from typing import Any, Final

from impactkit.errors import Problem
from impactkit.keyed_texts import Catalogue, keyed_problem, problem_in

FORM_PROBLEM_TEXTS: Final[dict[str, dict[str, str]]] = {
    # --- the file ------------------------------------------------------------------------------
    "xlsform_problem_file_too_large": {
        "it": "Il file supera {max_bytes} byte.",
        "en": "larger than {max_bytes} bytes",
    },
    "xlsform_problem_not_a_workbook": {
        "it": "{file} non è un file Excel (.xlsx o .xls).",
        "en": "{file} is neither .xlsx nor .xls",
    },
    "xlsform_problem_unreadable_workbook": {
        "it": "Il file {file} non si riesce a leggere come cartella Excel (dettaglio tecnico: {error}).",
        "en": "cannot read {file}: {error}",
    },
    "xlsform_problem_sheet_too_large": {
        "it": "Il foglio ha più di {max_rows} righe.",
        "en": "the sheet has more than {max_rows} rows",
    },
    "xlsform_problem_unstorable_sheet_name": {
        "it": "Il nome del foglio contiene un carattere che non si può salvare (in inglese: {reason}).",
        "en": "the sheet name {reason}",
    },
    "xlsform_problem_unstorable_cell": {
        "it": "La cella contiene un carattere che non si può salvare (in inglese: {reason}).",
        "en": "{reason}",
    },
    "xlsform_problem_formula_without_value": {
        "it": "La cella contiene la formula {formula} senza un valore: le formule non vengono mai "
        "calcolate; scrivi il testo che la cella deve contenere.",
        "en": "the cell holds the formula {formula} and no value: formulas are never computed; "
        "type the text the cell should hold",
    },
    "xlsform_problem_duplicate_header": {
        "it": "L'intestazione «{header}» compare due volte (anche nella colonna {other_column}): "
        "tienine una.",
        "en": "duplicate column header '{header}' (also in column {other_column}); keep one",
    },
    "xlsform_problem_header_alias": {
        "it": "«{first}» (colonna {other_column}) e «{header}» sono due nomi della stessa colonna: "
        "tienine una.",
        "en": "'{first}' (column {other_column}) and '{header}' are two names for the same column; keep one",
    },
    # --- sheets and columns ---------------------------------------------------------------------
    "xlsform_problem_missing_survey_sheet": {
        "it": "La cartella non ha un foglio «survey».",
        "en": "the workbook has no 'survey' sheet",
    },
    "xlsform_problem_survey_column_missing": {
        "it": "Il foglio survey deve avere una colonna «{column}».",
        "en": "the survey sheet needs a '{column}' column",
    },
    "xlsform_problem_choices_columns_missing": {
        "it": "Il foglio {sheet} deve avere le colonne {columns}.",
        "en": "the {sheet} sheet needs the column(s) {columns}",
    },
    "xlsform_problem_missing_form_id": {
        "it": "Il questionario non ha un identificativo: aggiungi form_id al foglio settings.",
        "en": "the form has no id: add form_id to the settings sheet",
    },
    # --- choices --------------------------------------------------------------------------------
    "xlsform_problem_missing_list_name": {
        "it": "La scelta «{name}» non ha il nome dell'elenco (list_name).",
        "en": "choice '{name}' has no list name",
    },
    "xlsform_problem_missing_choice_name": {
        "it": "Una scelta dell'elenco «{list_name}» non ha un nome.",
        "en": "a choice of list '{list_name}' has no name",
    },
    "xlsform_problem_duplicate_choice": {
        "it": "La scelta «{name}» compare due volte nell'elenco «{list_name}» (anche alla riga {row}); "
        "se è voluto, imposta allow_choice_duplicates nel foglio settings.",
        "en": "choice '{name}' appears twice in list '{list_name}' (also row {row}); set "
        "allow_choice_duplicates in settings if intended",
    },
    "xlsform_problem_missing_choice_list": {
        "it": "L'elenco di scelte «{list_name}» non è nel foglio {sheet}.",
        "en": "choice list '{list_name}' is not on the {sheet} sheet",
    },
    "xlsform_problem_loop_list_missing": {
        "it": "Il ciclo usa l'elenco di scelte «{list_name}», che non è nel foglio choices.",
        "en": "loop over choice list '{list_name}', which is not on the choices sheet",
    },
    # --- question types -------------------------------------------------------------------------
    "xlsform_problem_unknown_type": {
        "it": "Tipo di domanda sconosciuto: «{type}».",
        "en": "unknown question type '{type}'",
    },
    "xlsform_problem_type_case": {
        "it": "Tipo di domanda sconosciuto: «{type}» (i tipi di domanda si scrivono in minuscolo).",
        "en": "unknown question type '{type}' (question types are written in lower case)",
    },
    "xlsform_problem_select_needs_list": {
        "it": "«{type}» richiede il nome di un elenco di scelte, per esempio «select_one si_no».",
        "en": "'{type}' needs a choice list name, e.g. 'select_one yes_no'",
    },
    "xlsform_problem_type_not_supported": {
        "it": "Il tipo «{type}» non è supportato: {reason}.",
        "en": "type '{type}' is not supported: {reason}",
    },
    "xlsform_reason_xml_external": {
        "it": "impactkit non conserva istanze XML esterne",
        "en": "external XML instances are not stored by impactkit",
    },
    "xlsform_reason_csv_external": {
        "it": "impactkit non conserva istanze CSV esterne",
        "en": "external CSV instances are not stored by impactkit",
    },
    "xlsform_reason_osm": {
        "it": "le domande OpenStreetMap non sono supportate",
        "en": "OpenStreetMap questions are not supported",
    },
    "xlsform_reason_background_audio": {
        "it": "la registrazione audio in sottofondo non è supportata",
        "en": "background audio recording is not supported",
    },
    "xlsform_reason_background_geopoint": {
        "it": "la posizione in sottofondo non è supportata",
        "en": "background location is not supported",
    },
    "xlsform_reason_start_geopoint": {
        "it": "start-geopoint non è supportato",
        "en": "start-geopoint is not supported",
    },
    "xlsform_reason_entity": {
        "it": "le entità ODK non sono supportate",
        "en": "ODK entities are not supported",
    },
    "xlsform_problem_file_select": {
        "it": "{type} non è supportato: le sue scelte vengono dal file «{file}», che impactkit non "
        "conserva (le app ODK non potrebbero aprire il questionario); copia le scelte nel foglio "
        "choices e usa select_one / select_multiple.",
        "en": "{type} is not supported: its choices come from the file '{file}', which impactkit does "
        "not store (ODK clients could not open the form); copy the choices to the choices sheet and "
        "use select_one / select_multiple",
    },
    "xlsform_problem_bad_range_parameter": {
        "it": "Il parametro dell'intervallo {parameter}=«{value}» non è un numero.",
        "en": "range parameter {parameter}='{value}' is not a number",
    },
    "xlsform_problem_missing_calculation": {
        "it": "Il campo calcolato «{name}» non ha una formula nella colonna calculation.",
        "en": "calculate '{name}' has no calculation",
    },
    # --- rows, names, groups and repeats --------------------------------------------------------
    "xlsform_problem_row_without_type": {
        "it": "La riga non ha un tipo.",
        "en": "row has no type",
    },
    "xlsform_problem_named_row_without_type": {
        "it": "La riga non ha un tipo (nome «{name}»).",
        "en": "row has no type (name '{name}')",
    },
    "xlsform_problem_missing_name": {
        "it": "Una domanda o un gruppo deve avere un nome.",
        "en": "a question or group needs a name",
    },
    "xlsform_problem_bad_name": {
        "it": "«{name}» non è un nome valido: comincia con una lettera o «_», poi usa lettere, cifre, "
        "«_», «-» o «.» (senza spazi).",
        "en": "'{name}' is not a valid name: start with a letter or '_', then use letters, digits, "
        "'_', '-' or '.' (no spaces)",
    },
    "xlsform_problem_duplicate_name": {
        "it": "Il nome «{name}» è già usato alla riga {row}; i nomi devono essere unici fuori dalle "
        "ripetizioni (i gruppi non separano i nomi).",
        "en": "the name '{name}' is already used on row {row}; names must be unique outside repeats "
        "(groups do not separate names)",
    },
    "xlsform_problem_duplicate_name_in_repeat": {
        "it": "Il nome «{name}» è già usato alla riga {row}; i nomi devono essere unici nella "
        "ripetizione «{repeat}» (i gruppi non separano i nomi).",
        "en": "the name '{name}' is already used on row {row}; names must be unique in repeat "
        "'{repeat}' (groups do not separate names)",
    },
    "xlsform_problem_end_without_begin": {
        "it": "«end {kind}» senza un «begin {kind}» corrispondente.",
        "en": "'end {kind}' without a matching 'begin {kind}'",
    },
    "xlsform_problem_end_closes_other": {
        "it": "«end {kind}» chiude {open_kind} «{name}», che inizia alla riga {row}.",
        "en": "'end {kind}' closes the {open_kind} '{name}' opened on row {row}",
    },
    "xlsform_kind_group": {"it": "il gruppo", "en": "group"},
    "xlsform_kind_repeat": {"it": "la ripetizione", "en": "repeat"},
    "xlsform_problem_unclosed_group": {
        "it": "Il gruppo «{name}» non è mai chiuso: aggiungi «end group».",
        "en": "group '{name}' is never closed: add 'end group'",
    },
    "xlsform_problem_unclosed_repeat": {
        "it": "La ripetizione «{name}» non è mai chiusa: aggiungi «end repeat».",
        "en": "repeat '{name}' is never closed: add 'end repeat'",
    },
    "xlsform_problem_repeat_named_root": {
        "it": "Una ripetizione non può chiamarsi «{name}», il nome della radice del questionario: "
        "rinomina la ripetizione.",
        "en": "a repeat may not be named '{name}', the name of the form's root; rename the repeat",
    },
    "xlsform_problem_or_other_with_choice_filter": {
        "it": "or_other non si può usare insieme a un choice_filter.",
        "en": "or_other cannot be combined with a choice_filter",
    },
    # --- references and expressions -------------------------------------------------------------
    "xlsform_problem_unknown_field": {
        "it": "Campo sconosciuto {field}.",
        "en": "unknown field {field}",
    },
    "xlsform_problem_ambiguous_field": {
        "it": "${{{name}}} è ambiguo: i campi alle righe {rows} hanno questo nome.",
        "en": "${{{name}}} is ambiguous: fields on rows {rows} have that name",
    },
    "xlsform_problem_choices_not_in_repeat": {
        "it": "Le scelte di questa domanda sono le risposte a ${{{name}}}, una per ogni ripetizione, "
        "ma «{name}» non è dentro una ripetizione.",
        "en": "the choices of this select are the answers to ${{{name}}}, one per repeat instance, "
        "but '{name}' is not inside a repeat",
    },
    "xlsform_problem_instance_not_supported": {
        "it": "instance('{list_name}') non è supportato: impactkit legge solo gli elenchi di scelte del "
        "questionario, e «{list_name}» non è uno di questi (i file esterni non vengono conservati).",
        "en": "instance('{list_name}') is not supported: impactkit reads only the form's own choice "
        "lists, and '{list_name}' is not one (external files are not stored)",
    },
    "xlsform_problem_bad_expression_at": {
        "it": "{reason} (al carattere {position} di «{expression}»)",
        "en": "{reason} (at character {position} of '{expression}')",
    },
    "xlsform_problem_bad_expression": {
        "it": "{reason} in «{expression}»",
        "en": "{reason} in '{expression}'",
    },
    # --- what pyxform accepts but impactkit cannot hold -----------------------------------------
    "xlsform_problem_entities_sheet": {
        "it": "Le entità ODK non sono supportate: impactkit non conserva elenchi di entità; togli il "
        "foglio entities.",
        "en": "ODK entities are not supported: impactkit does not keep entity lists; remove the "
        "entities sheet",
    },
    "xlsform_problem_save_to": {
        "it": "save_to (salvare le risposte in un'entità ODK) non è supportato: impactkit non conserva "
        "elenchi di entità.",
        "en": "save_to (saving answers to an ODK entity) is not supported: impactkit does not keep "
        "entity lists",
    },
    "xlsform_problem_external_needs_filter": {
        "it": "select_one_external richiede un choice_filter: le app ODK leggono le sue scelte dalle "
        "scelte esterne solo attraverso un filtro.",
        "en": "select_one_external needs a choice_filter: ODK clients read its choices from the "
        "external choices only through a filter",
    },
    "xlsform_problem_search_appearance": {
        "it": "L'aspetto search() non è supportato: legge le scelte da un file CSV esterno, che "
        "impactkit non conserva.",
        "en": "the search() appearance is not supported: it reads choices from an external CSV file, "
        "which impactkit does not store",
    },
    "xlsform_problem_public_key": {
        "it": "I questionari cifrati non sono supportati: impactkit controlla ogni risposta, quindi deve "
        "poterla leggere; togli public_key dal foglio settings.",
        "en": "encrypted forms are not supported: impactkit validates every submission, so it must be "
        "able to read it; remove public_key from the settings sheet",
    },
    "xlsform_problem_submission_url": {
        "it": "Inviare le risposte a un altro server non è supportato: impactkit è il server che riceve "
        "le risposte di questo questionario; togli submission_url dal foglio settings.",
        "en": "sending submissions to another server is not supported: impactkit is the server that "
        "receives this form's submissions; remove submission_url from the settings sheet",
    },
    # --- pyxform, whose messages we do not write --------------------------------------------------
    "xlsform_problem_pyxform_row": {
        "it": "Il convertitore XLSForm di riferimento (pyxform) rifiuta il questionario per il foglio "
        "«{sheet}», riga {row}; il suo messaggio, in inglese: {detail}",
        "en": "pyxform, the reference XLSForm converter, refuses the form at sheet '{sheet}', row {row}: "
        "{detail}",
    },
    "xlsform_problem_pyxform_sheet": {
        "it": "Il convertitore XLSForm di riferimento (pyxform) rifiuta il questionario per il foglio "
        "«{sheet}»; il suo messaggio, in inglese: {detail}",
        "en": "pyxform, the reference XLSForm converter, refuses the form at sheet '{sheet}': {detail}",
    },
    "xlsform_problem_pyxform": {
        "it": "Il convertitore XLSForm di riferimento (pyxform) rifiuta il questionario; il suo "
        "messaggio, in inglese: {detail}",
        "en": "{detail} (pyxform, the reference XLSForm converter, refuses the form)",
    },
    "xlsform_problem_pyxform_too_deep": {
        "it": "Il questionario è annidato troppo in profondità perché pyxform, il convertitore XLSForm "
        "di riferimento, lo possa convertire.",
        "en": "the form is nested too deeply for pyxform to convert",
    },
    "xlsform_problem_pyxform_failed": {
        "it": "pyxform, il convertitore XLSForm di riferimento, si è interrotto convertendo il "
        "questionario; il suo messaggio, in inglese: {detail}",
        "en": "pyxform failed while converting the form ({detail})",
    },
    # --- expressions (relevant, constraint, calculation, choice_filter …) -----------------------
    "expression_problem_dollar": {
        "it": "«$» deve aprire un riferimento come ${{nome}}",
        "en": "'$' must start a reference like ${{name}}",
    },
    "expression_problem_unclosed_reference": {
        "it": "il riferimento «${{» non è chiuso da «}}»",
        "en": "reference '${{' is not closed with '}}'",
    },
    "expression_problem_bad_field_name": {
        "it": "«{name}» non è un nome di campo valido",
        "en": "'{name}' is not a valid field name",
    },
    "expression_problem_unclosed_quote": {
        "it": "il testo tra virgolette non è chiuso",
        "en": "text in quotes is not closed",
    },
    "expression_problem_not_a_number": {
        "it": "«{number}» non è un numero",
        "en": "'{number}' is not a number",
    },
    "expression_problem_wildcard": {
        "it": "i caratteri jolly «*» non sono supportati",
        "en": "'*' wildcards are not supported",
    },
    "expression_problem_unexpected_character": {
        "it": "carattere inatteso «{char}»",
        "en": "unexpected character '{char}'",
    },
    "expression_problem_expected": {
        "it": "atteso «{wanted}», trovato «{found}»",
        "en": "expected '{wanted}', found '{found}'",
    },
    "expression_problem_expected_at_end": {
        "it": "atteso «{wanted}», ma l'espressione finisce",
        "en": "expected '{wanted}', found the end",
    },
    "expression_problem_unexpected": {
        "it": "«{found}» inatteso",
        "en": "unexpected '{found}'",
    },
    "expression_problem_too_deep": {
        "it": "espressione annidata oltre {depth} livelli",
        "en": "expression nested deeper than {depth} levels",
    },
    "expression_problem_union": {
        "it": "l'unione di insiemi di nodi «|» non è supportata (ODK Collect non la calcola)",
        "en": "the node-set union '|' is not supported (ODK Collect does not evaluate it)",
    },
    "expression_problem_double_slash": {
        "it": "«//» non è supportato: scrivi il percorso completo",
        "en": "'//' is not supported; write the whole path",
    },
    "expression_problem_attributes": {
        "it": "gli attributi (@) non sono supportati",
        "en": "attributes (@) are not supported",
    },
    "expression_problem_expected_value": {
        "it": "atteso un valore, trovato «{found}»",
        "en": "expected a value, found '{found}'",
    },
    "expression_problem_expected_value_at_end": {
        "it": "atteso un valore, ma l'espressione finisce",
        "en": "expected a value, found the end of the expression",
    },
    "expression_problem_predicate_after": {
        "it": "un predicato [...] non può seguire «{after}»",
        "en": "a predicate [...] cannot follow '{after}'",
    },
    "expression_problem_field_after_slash": {
        "it": "dopo «/» serve il nome di un campo",
        "en": "expected a field name after '/'",
    },
    "expression_problem_refused_function": {
        "it": "{name}() non è supportata: {reason}",
        "en": "{name}() is not supported: {reason}",
    },
    "expression_reason_pulldata": {
        "it": "legge un file CSV allegato al questionario, e impactkit non conserva gli allegati dei "
        "questionari",
        "en": "it reads a CSV file attached to the form, and impactkit does not store form attachments",
    },
    "expression_reason_extract_signed": {
        "it": "impactkit non verifica valori firmati Ed25519",
        "en": "impactkit does not verify Ed25519-signed values",
    },
    "expression_reason_last": {
        "it": "ODK Collect non ha last(); usa count() o position()",
        "en": "ODK Collect has no last(); use count() or position()",
    },
    "expression_reason_not_odk": {
        "it": "non è una funzione ODK",
        "en": "not an ODK function",
    },
    "expression_problem_instance_argument": {
        "it": "instance() vuole il nome di un elenco di scelte tra virgolette, per esempio "
        "instance('villages')",
        "en": "instance() takes the name of a choice list in quotes, e.g. instance('villages')",
    },
    "expression_problem_unknown_function": {
        "it": "funzione sconosciuta {name}()",
        "en": "unknown function {name}()",
    },
    "expression_problem_argument_count": {
        "it": "{name}() vuole {wanted} argomenti, ne ha {count}",
        "en": "{name}() takes {wanted} argument(s), got {count}",
    },
    "expression_problem_argument_count_at_least": {
        "it": "{name}() vuole almeno {wanted} argomenti, ne ha {count}",
        "en": "{name}() takes at least {wanted} argument(s), got {count}",
    },
    "expression_problem_argument_count_between": {
        "it": "{name}() vuole da {low} a {high} argomenti, ne ha {count}",
        "en": "{name}() takes {low} to {high} argument(s), got {count}",
    },
    "expression_problem_regex": {
        "it": "espressione regolare non valida (dettaglio in inglese: {detail})",
        "en": "{detail}",
    },
    "expression_problem_indexed_repeat_arguments": {
        "it": "indexed-repeat() vuole un campo, poi una ripetizione e un indice per ogni livello "
        "(3, 5 o 7 argomenti)",
        "en": "indexed-repeat() takes a field, then a repeat and an index for each level (3, 5 or 7 "
        "arguments)",
    },
    "expression_problem_indexed_repeat_field": {
        "it": "l'argomento {number} di indexed-repeat() deve indicare un campo, come ${{nome}}",
        "en": "indexed-repeat() argument {number} must name a field, like ${{name}}",
    },
    "expression_problem_indexed_repeat_repeat": {
        "it": "l'argomento {number} di indexed-repeat() deve indicare una ripetizione, come ${{nome}}",
        "en": "indexed-repeat() argument {number} must name a repeat, like ${{name}}",
    },
    "expression_problem_too_long": {
        "it": "espressione più lunga di {max_length} caratteri",
        "en": "expression longer than {max_length} characters",
    },
    "expression_problem_empty": {
        "it": "l'espressione è vuota",
        "en": "expression is empty",
    },
}
"""Every text of an XLSForm or expression problem: ``key → {"it": …, "en": …}``."""


def form_problem(key: str, location: str = "", *, code: str, **values: Any) -> Problem:
    """A problem of a form, its message the English text ``key`` of :data:`FORM_PROBLEM_TEXTS`."""
    return keyed_problem(FORM_PROBLEM_TEXTS, key, location, code=code, **values)


def form_problem_in(problem: Problem, language: str, texts: Catalogue = FORM_PROBLEM_TEXTS) -> str:
    """A form problem written in ``language``; its message as it is when it has no key."""
    return problem_in(problem, language, texts) or problem.message


__all__ = ["FORM_PROBLEM_TEXTS", "form_problem", "form_problem_in"]
