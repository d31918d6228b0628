"""Survey engine: the XLSForm expression language, form model, import, validation and export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from impactkit.surveys.validation import FieldState, FormState, evaluate_form, validate_response
from impactkit.surveys.xlsform import load_xlsform

if TYPE_CHECKING:
    from impactkit.surveys.tabular import MAIN_TABLE, data_dictionary, responses_to_tables

_TABULAR = ("MAIN_TABLE", "data_dictionary", "responses_to_tables")


def __getattr__(name: str) -> Any:
    # The tables need pandas, which checking and storing responses never do: imported on first use.
    if name in _TABULAR:
        from impactkit.surveys import tabular

        return getattr(tabular, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
