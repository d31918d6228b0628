"""Survey engine: the XLSForm expression language, form model, import, validation and export."""

from __future__ import annotations

from impactkit.surveys.expressions import EvaluationContext, Expression, parse_expression
from impactkit.surveys.model import (
    Choice,
    Field,
    Form,
    Group,
    Repeat,
    check_new_version,
    language_code,
    pick_translation,
)
from impactkit.surveys.tabular import MAIN_TABLE, data_dictionary, responses_to_tables
from impactkit.surveys.validation import FieldState, FormState, evaluate_form, validate_response
from impactkit.surveys.xlsform import load_xlsform

__all__ = [
    "MAIN_TABLE",
    "Choice",
    "EvaluationContext",
    "Expression",
    "Field",
    "FieldState",
    "Form",
    "FormState",
    "Group",
    "Repeat",
    "check_new_version",
    "data_dictionary",
    "evaluate_form",
    "language_code",
    "load_xlsform",
    "parse_expression",
    "pick_translation",
    "responses_to_tables",
    "validate_response",
]
