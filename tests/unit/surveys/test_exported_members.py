"""What impactkit.surveys offers a notebook user: pinned, so changes are deliberate."""

from __future__ import annotations

import impactkit.surveys


def test_the_public_names_of_the_survey_engine() -> None:
    assert sorted(impactkit.surveys.__all__) == [
        "Choice",
        "EvaluationContext",
        "Expression",
        "Field",
        "FieldState",
        "Form",
        "FormState",
        "Group",
        "MAIN_TABLE",
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
    for name in impactkit.surveys.__all__:
        assert getattr(impactkit.surveys, name) is not None
