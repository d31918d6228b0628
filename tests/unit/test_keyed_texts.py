"""Every problem of a form and every line of the checklist can be written in Italian and in English:
each key the code uses is in its catalogue with both languages and the same placeholders, each
key of the catalogues is used, and every problem the test forms raise carries its key."""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter
from typing import Any

import pytest

from impactkit.api.pages._i18n import catalogue
from impactkit.errors import FormError
from impactkit.keyed_texts import MESSAGE_KEY, text_in
from impactkit.reports import load_content, run_checklist
from impactkit.reports.checklist import detail_in
from impactkit.reports.checklist_texts import CHECKLIST_TEXTS
from impactkit.surveys.problem_texts import FORM_PROBLEM_TEXTS, form_problem_in
from impactkit.surveys.table_texts import TABLE_TEXTS
from impactkit.surveys.xlsform import load_xlsform
from tests.unit.reports.helpers import report_data

SRC = Path(__file__).resolve().parents[2] / "src" / "impactkit"
CORPUS = Path(__file__).resolve().parents[1] / "data" / "xlsform"

FORM_KEY = re.compile(r'"((?:xlsform|expression)_(?:problem|reason|kind)_[a-z_]+)"')
CHECK_KEY = re.compile(r'"(check_[a-z_]+)"')
TABLE_KEY = re.compile(r'"((?:table|import)_(?:error|problem|separator|scope)_[a-z0-9_]+)"')
CHECK_CODES = {"check_passed"}  # a problem code of the validation gate, not a text
DYNAMIC_PREFIXES = (
    "xlsform_problem_unclosed_",  # f"xlsform_problem_unclosed_{kind}": group, repeat
    "xlsform_kind_",  # f"xlsform_kind_{kind}"
    "expression_problem_indexed_repeat_",  # f"…_indexed_repeat_{what}": field, repeat
    "xlsform_problem_pyxform",  # "xlsform_problem_pyxform" + "_row" / "_sheet" / ""
)


def _fields(text: object) -> set[str]:
    texts = text.values() if isinstance(text, dict) else [text]
    return {
        name.split(".")[0].split("[")[0] for t in texts for _, name, _, _ in Formatter().parse(str(t)) if name
    }


def _source(*parts: str) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for part in parts for path in sorted((SRC / part).rglob("*.py"))
    )


@pytest.mark.parametrize(
    "texts", [FORM_PROBLEM_TEXTS, CHECKLIST_TEXTS, TABLE_TEXTS], ids=["form problems", "checklist", "tables"]
)
def test_every_text_has_italian_and_english_with_the_same_placeholders(texts: dict[str, Any]) -> None:
    for key, entry in texts.items():
        assert set(entry) == {"it", "en"}, key
        assert all(entry[language] for language in ("it", "en")), key
        assert _fields(entry["it"]) == _fields(entry["en"]), key
        assert catalogue()[key] == entry, f"{key} is read by the pages with their own messages"


def test_every_key_the_code_uses_is_in_the_catalogue_and_every_key_is_used() -> None:
    surveys = _source("surveys")
    used = set(FORM_KEY.findall(surveys)) - set(FORM_PROBLEM_TEXTS)
    assert not {key for key in used if not key.endswith("_")}, "form problem keys without a text"
    checklist = (SRC / "reports" / "checklist.py").read_text(encoding="utf-8")
    missing = set(CHECK_KEY.findall(checklist)) - set(CHECKLIST_TEXTS) - CHECK_CODES
    assert not missing, f"checklist keys without a text: {sorted(missing)}"

    for key in FORM_PROBLEM_TEXTS:
        assert f'"{key}"' in surveys or key.startswith(DYNAMIC_PREFIXES), f"{key} is never used"
    for key in CHECKLIST_TEXTS:
        assert f'"{key}"' in checklist, f"{key} is never used"


def test_every_table_key_the_code_uses_is_in_the_catalogue_and_every_key_is_used() -> None:
    code = "\n".join(
        (SRC / "surveys" / name).read_text(encoding="utf-8") for name in ("files.py", "imports.py")
    )
    used = set(TABLE_KEY.findall(code))
    assert not used - set(TABLE_TEXTS), f"table keys without a text: {sorted(used - set(TABLE_TEXTS))}"
    for key in TABLE_TEXTS:
        # the separators are named by f"table_separator_{name}"
        assert key in used or key.startswith("table_separator_"), f"{key} is never used"


def test_every_problem_of_the_test_forms_carries_its_key_and_reads_in_italian() -> None:
    problems = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in (".xlsx", ".xls"):
            continue
        try:
            load_xlsform(path)
        except FormError as error:
            problems.extend(error.problems)
    assert len(problems) > 20, "the corpus has forms with problems of many kinds"
    for problem in problems:
        key = problem.details.get(MESSAGE_KEY)
        assert key in FORM_PROBLEM_TEXTS, (problem.code, problem.message)
        italian = form_problem_in(problem, "it")
        assert (italian and italian != problem.message) or key.startswith("expression_problem_regex"), problem
        assert form_problem_in(problem, "en") == problem.message, "the English is the API's message"


def _varied_contents() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    complete = report_data()
    lacking = report_data()
    lacking["kpis"][1]["value"] = None
    lacking["sections"]["people"] = " "
    stats = {
        "responses": [
            {"form_id": "f", "responses": 60, "population": 80},
            {"form_id": "g", "wave": "endline", "responses": 30, "population": 80},
            {"form_id": "h", "responses": 100, "population": 80},
            {"form_id": "z", "responses": 3},
        ],
        "response_values": {"age": [20, 21, 22, 23, 24, 95]},
        "stakeholder_groups_consulted": ["beneficiaries"],
    }
    empty = report_data()
    empty["kpis"] = []
    return [(complete, {}), (lacking, stats), (empty, {})]


def test_every_checklist_line_reads_in_both_languages_and_its_english_is_the_api_detail() -> None:
    for content, stats in _varied_contents():
        for item in run_checklist(load_content(content), stats):
            assert item.texts, item.id
            assert set(item.title) == {"it", "en"} and all(item.title.values()), item.id
            for text in item.texts:
                assert text[MESSAGE_KEY] in CHECKLIST_TEXTS, (item.id, text)
            assert detail_in(item, "en") == item.detail
            assert detail_in(item, "it") != item.detail, item.id
            assert text_in(CHECKLIST_TEXTS, item.texts[0][MESSAGE_KEY], "it", item.texts[0])
