"""The 30 real XLSForms of the corpus: what pyxform accepts imports, what it rejects we reject.

The verdicts are pyxform 4.5.0's, recorded in tests/data/xlsform/SOURCES.md. A form pyxform
accepts may only be refused for a feature listed in docs/xlsform-corpus.md (REFUSED below).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from impactkit.errors import FormError
from impactkit.surveys import Form, load_xlsform

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


def test_a_sheet_declared_a_million_rows_deep_imports_with_its_real_rows() -> None:
    form = load_xlsform(CORPUS / "UCL_Biomass_Plot_Form.xlsx")
    assert 50 < len(list(form.fields())) < 100
    assert any("=NOW()" in warning for warning in form.warnings)
    again = load_xlsform(CORPUS / "UCL_Biomass_Plot_Form.xlsx")
    assert again.version == form.version
    assert form.version.startswith("content-")


def test_the_versioning_pair_shares_a_form_id_and_differs_in_version() -> None:
    first = load_xlsform(CORPUS / "transportation.xlsx")
    second = load_xlsform(CORPUS / "transportation_version.xlsx")
    assert first.form_id == second.form_id == "transportation_2011_07_25"
    assert (first.version, second.version) == ("2014111", "212121211")


def test_languages_come_from_the_label_headers() -> None:
    form = load_xlsform(CORPUS / "testB.xlsx")
    assert form.languages == ["Deutsch (de)", "English (en)"]
    assert form.default_language == "Deutsch (de)"
