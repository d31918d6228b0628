"""The 30 real XLSForms of the corpus: what pyxform accepts imports, what it rejects we reject.

The verdicts are pyxform 4.5.0's, recorded in tests/data/xlsform/SOURCES.md. A form pyxform
accepts may only be refused for a feature listed in docs/xlsform-corpus.md (REFUSED below).
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactkit.errors import FormError, ResponseError
from impactkit.surveys import Field, Form, evaluate_form, load_xlsform, validate_response

CORPUS = Path(__file__).resolve().parents[2] / "data" / "xlsform"


def pyxform_verdicts() -> dict[str, str]:
    verdicts: dict[str, str] = {}
    for line in (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 8 and re.fullmatch(r"[\w.-]+\.xlsx?", cells[1]):
            verdicts[cells[1]] = cells[7]
    return verdicts


VERDICTS = pyxform_verdicts()

REFUSED = {
    # pyxform accepts these; impactkit refuses them for a named, documented reason.
    "grains.xlsx": "duplicate_name",  # the same field name in two groups: answers are flat
    "UCL_Biomass_Plot_Form.xlsx": "not_supported",  # select_one_from_file: an external CSV
    "xlsform_spec_test.xlsx": "not_supported",  # encrypted (public_key), another submission_url
}

# What each form pyxform rejects must be rejected for (our problem code), same cause.
REJECTED_BECAUSE = {
    "unknown_question_type.xls": "duplicate_column",
    "calculate_without_calculation.xls": "missing_calculation",
    "duplicate_columns.xlsx": "duplicate_column",
    "xlsx_output.xlsx": "bad_type",
    "MCH_v1.xlsx": "bad_type",
    "group_names_must_be_unique.xlsx": "repeat_named_root",
}

CELL = re.compile(r"^[\w ]+![A-Z]{1,3}\d+( [\w-]+)?$")


def test_the_corpus_has_thirty_forms_with_a_verdict_each() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.xls*"))
    assert len(files) == 30
    assert sorted(VERDICTS) == files


@pytest.mark.parametrize(
    "name", sorted(n for n, v in VERDICTS.items() if v.startswith("valid") and n not in REFUSED)
)
def test_a_form_pyxform_accepts_imports_and_survives_a_json_round_trip(name: str) -> None:
    form = load_xlsform(CORPUS / name)
    assert form.form_id
    assert form.version
    assert list(form.fields())
    assert Form.model_validate_json(form.model_dump_json()) == form


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_form_refused_for_a_documented_feature_says_which(name: str) -> None:
    assert VERDICTS[name].startswith("valid")
    with pytest.raises(FormError) as caught:
        load_xlsform(CORPUS / name)
    assert {p.code for p in caught.value.problems} == {REFUSED[name]}
    documented = (Path(__file__).resolve().parents[3] / "docs" / "xlsform-corpus.md").read_text(
        encoding="utf-8"
    )
    assert name in documented


@pytest.mark.parametrize("name", sorted(n for n, v in VERDICTS.items() if v.startswith("rejected")))
def test_a_form_pyxform_rejects_is_rejected_naming_the_cell(name: str) -> None:
    with pytest.raises(FormError) as caught:
        load_xlsform(CORPUS / name)
    problems = caught.value.problems
    assert problems
    for problem in problems:
        assert CELL.match(problem.location), problem
    assert REJECTED_BECAUSE[name] in {p.code for p in problems}


def test_the_calculate_without_calculation_points_at_row_34() -> None:
    with pytest.raises(FormError) as caught:
        load_xlsform(CORPUS / "calculate_without_calculation.xls")
    assert [str(p) for p in caught.value.problems] == [
        "survey!A34 calculation: calculate 'calculate_test' has no calculation"
    ]


def test_a_sheet_declared_a_million_rows_deep_is_read_with_its_real_rows() -> None:
    started = time.perf_counter()
    with pytest.raises(FormError) as caught:
        load_xlsform(CORPUS / "UCL_Biomass_Plot_Form.xlsx")
    assert time.perf_counter() - started < 10
    # every row was read: the only problems are its select_one_from_file questions, down to row 81
    rows = [int(re.sub(r"\D", "", p.location.split()[0].split("!")[1])) for p in caught.value.problems]
    assert {p.code for p in caught.value.problems} == {"not_supported"}
    assert rows[0] == 16 and rows[-1] == 81


def test_the_versioning_pair_shares_a_form_id_and_differs_in_version() -> None:
    first = load_xlsform(CORPUS / "transportation.xlsx")
    second = load_xlsform(CORPUS / "transportation_version.xlsx")
    assert first.form_id == second.form_id == "transportation_2011_07_25"
    assert (first.version, second.version) == ("2014111", "212121211")


def test_languages_come_from_the_label_headers() -> None:
    form = load_xlsform(CORPUS / "testB.xlsx")
    assert form.languages == ["Deutsch (de)", "English (en)"]
    assert form.default_language == "Deutsch (de)"


# --- responses to the real forms ---------------------------------------------------------

SHIPPED = Path(__file__).resolve().parents[3] / "surveys"
IMPORTABLE = sorted(n for n, v in VERDICTS.items() if v.startswith("valid") and n not in REFUSED)


def answer_strategy(form: Form, field: Field) -> st.SearchStrategy[Any] | None:
    kind = field.type
    if field.calculation or kind in ("note", "calculate"):
        return None
    names = [c.name for c in form.choices_of(field)] if field.list_name else []
    if kind == "integer":
        return st.integers(0, 100)
    if kind == "decimal":
        return st.floats(0, 100)
    if kind in ("select_one", "select_one_from_file"):
        return st.sampled_from(names) if names else st.just("x")
    if kind in ("select_multiple", "rank", "select_multiple_from_file"):
        return st.lists(st.sampled_from(names), unique=True) if names else st.just(["x"])
    if kind in ("date", "today"):
        return st.dates(date(2000, 1, 1), date(2025, 12, 31)).map(date.isoformat)
    if kind in ("datetime", "start", "end"):
        return st.just("2025-05-01T10:00:00+02:00")
    if kind == "time":
        return st.just("10:30")
    if kind == "geopoint":
        return st.just("45.07 7.69 250 5")
    if kind == "acknowledge":
        return st.just("OK")
    if kind == "range":
        return st.just(float(field.parameters.get("start", "0")))
    return st.text("abcdefghij ", min_size=1, max_size=8).filter(lambda s: s.strip() != "")


@st.composite
def responses(draw: st.DrawFn, form: Form) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for element, repeats in form.walk():
        if repeats or not isinstance(element, Field):
            continue
        strategy = answer_strategy(form, element)
        if strategy is not None and draw(st.booleans()):
            answers[element.name] = draw(strategy)
    return answers


FORMS = {name: load_xlsform(CORPUS / name) for name in IMPORTABLE}
FORMS |= {f"shipped/{p.name}": load_xlsform(p) for p in sorted(SHIPPED.glob("*.xlsx"))}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_an_empty_response_to_a_real_form_only_misses_required_answers(name: str) -> None:
    state = evaluate_form(FORMS[name], {}, today=date(2026, 1, 1))
    assert {p.code for p in state.problems} <= {"required"}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_well_typed_answers_to_a_real_form_never_fail_on_type_or_choice(name: str) -> None:
    form = FORMS[name]

    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(answers=responses(form))
    def check(answers: dict[str, Any]) -> None:
        try:
            validate_response(form, answers, today=date(2026, 1, 1))
        except ResponseError as error:
            codes = {p.code for p in error.problems}
            assert codes <= {"required", "constraint", "choice_filtered", "repeat_count"}, [
                str(p) for p in error.problems if p.code not in ("required", "constraint")
            ]

    check()
