"""pyxform, the reference XLSForm converter, is the arbiter: every test form gets its verdict.

The forms: the corpus of real forms (tests/data/xlsform/), pyxform's own test forms
(tests/data/xlsform/pyxform/, spreadsheets and markdown tables) and the shipped forms (surveys/).
For each one:

- pyxform's verdict today is the one recorded in the SOURCES.md next to it (an upgrade of pyxform
  that changes a verdict shows up here);
- a form pyxform refuses, impactkit refuses, every problem naming its cell;
- a form pyxform accepts, impactkit imports, unless it is refused on purpose (a feature impactkit
  cannot hold, documented in docs/xlsform-corpus.md), or JavaRosa (ODK Validate) refuses the XForm
  pyxform writes for it, or it is one of the dialect differences listed below;
- every form impactkit imports has an XForm written by pyxform with impactkit's form id and
  version, and ODK Validate accepts every one of them (one Java run for the whole batch).
"""

from __future__ import annotations

import re
import warnings
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit.errors import FormError
from impactkit.surveys import Form, load_xlsform
from impactkit.surveys.xform import build_xform, instance_attributes, pyxform_problems
from tests.odk import odk_validate

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "data" / "xlsform"
PYXFORM_FORMS = CORPUS / "pyxform"
SHIPPED = ROOT / "surveys"

REFUSED_ON_PURPOSE = {
    # pyxform accepts these; impactkit cannot hold what they use (docs/xlsform-corpus.md says why)
    "xlsform/grains.xlsx": "duplicate_name",  # one name in two groups: answers are one flat object
    "xlsform/UCL_Biomass_Plot_Form.xlsx": "not_supported",  # select_one_from_file (external CSV)
    "xlsform/xlsform_spec_test.xlsx": "not_supported",  # encrypted (public_key), submission_url
    "pyxform/attribute_columns_test.xlsx": "not_supported",  # encrypted (public_key)
    "pyxform/flat_xlsform_test.xlsx": "not_supported",  # encrypted (public_key)
    "pyxform/spaces_in_choices_header.xls": "not_supported",  # submission_url
    "pyxform/case_insensitivity.xls": "not_supported",  # osm question, entities sheet
    "pyxform/case_insensitivity.xlsx": "not_supported",
    "pyxform/case_insensitivity.md": "not_supported",
    "pyxform/pull_data.xlsx": "not_supported",  # pulldata(): an external CSV
}

JAVAROSA_REFUSES = {
    # pyxform converts these without looking inside expressions; JavaRosa refuses the XForm, and
    # impactkit refuses the form at import, naming the cell
    "pyxform/bad_calc.xlsx",  # a calculation written as prose
    "pyxform/xl_date_ambiguous.xlsx",  # choice_filter label::English != '' (not XPath)
}

# pyxform and JavaRosa accept these; impactkit's expression dialect does not yet. Add a line per
# form; remove it when the form imports (this test then says so).
DIALECT_GAPS: set[str] = set()

CELL = re.compile(r"^[\w ]+![A-Z]{1,3}\d+( [\w:-]+)?$|^[\w ]+ row \d+$")


def recorded_verdicts(sources: Path, prefix: str) -> dict[str, str]:
    """file -> pyxform's verdict as SOURCES.md records it ("valid …" or "rejected: …")."""
    verdicts: dict[str, str] = {}
    for line in sources.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 3 and re.fullmatch(r"[\w.-]+\.(xlsx?|xlsm|md)", cells[1]):
            verdict = next(c for c in cells if c.startswith(("valid", "rejected")))
            verdicts[f"{prefix}/{cells[1]}"] = verdict
    return verdicts


def markdown_workbook(text: str) -> bytes:
    """A markdown XLSForm (pyxform's test format: ``| sheet |`` then ``| | cell | cell |`` rows) as
    an .xlsx workbook, so that impactkit's importer reads the same form."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    sheet = None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|") or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells and set("".join(cells)) <= set("-: "):
            continue
        if cells[0]:
            sheet = workbook.create_sheet(cells[0])
            continue
        if sheet is not None and any(cells[1:]):
            sheet.append([cell or None for cell in cells[1:]])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def form_sources() -> dict[str, bytes]:
    sources: dict[str, bytes] = {}
    for path in sorted(CORPUS.glob("*.xls*")):
        sources[f"xlsform/{path.name}"] = path.read_bytes()
    for path in sorted(PYXFORM_FORMS.iterdir()):
        if path.suffix in (".xls", ".xlsx", ".xlsm"):
            sources[f"pyxform/{path.name}"] = path.read_bytes()
        elif path.suffix == ".md" and path.name != "SOURCES.md":
            sources[f"pyxform/{path.name}"] = markdown_workbook(path.read_text(encoding="utf-8"))
    for path in sorted(SHIPPED.glob("*.xlsx")):
        sources[f"surveys/{path.name}"] = path.read_bytes()
    return sources


SOURCES = form_sources()
RECORDED = recorded_verdicts(CORPUS / "SOURCES.md", "xlsform") | recorded_verdicts(
    PYXFORM_FORMS / "SOURCES.md", "pyxform"
)


def pyxform_verdict(name: str) -> str:
    """pyxform's verdict now: "valid", or "rejected: <its message>" (on the file as written)."""
    if name.endswith(".md"):
        from pyxform.xls2xform import convert

        try:
            convert(str(PYXFORM_FORMS / Path(name).name))
        except Exception as error:
            return f"rejected: {error}"
        return "valid"
    problems = pyxform_problems(SOURCES[name])
    return f"rejected: {problems[0].details['pyxform']}" if problems else "valid"


def impactkit_import(name: str) -> Form | FormError:
    try:
        return load_xlsform(SOURCES[name], filename=Path(name).with_suffix(".xlsx").name)
    except FormError as error:
        return error


IMPORTED = {name: impactkit_import(name) for name in SOURCES}


def test_every_test_form_has_a_recorded_pyxform_verdict() -> None:
    corpus_and_pyxform = {name for name in SOURCES if not name.startswith("surveys/")}
    assert sorted(corpus_and_pyxform) == sorted(RECORDED)
    assert len(corpus_and_pyxform) == 85


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_impactkit_gives_pyxforms_verdict(name: str) -> None:
    verdict = pyxform_verdict(name)
    if name in RECORDED:
        assert verdict.split(":")[0] == RECORDED[name].split(" ")[0].rstrip(":"), "pyxform's verdict moved"
        if verdict.startswith("rejected"):
            assert RECORDED[name].startswith(f"rejected: {verdict[10:60]}".strip()), RECORDED[name]
    result = IMPORTED[name]
    if verdict.startswith("rejected"):
        assert isinstance(result, FormError), "pyxform refuses this form; impactkit must too"
        assert result.problems
        for problem in result.problems:
            assert CELL.match(problem.location), problem
        return
    if name in REFUSED_ON_PURPOSE:
        assert isinstance(result, FormError)
        assert {p.code for p in result.problems} <= {REFUSED_ON_PURPOSE[name], "bad_expression"}
        if REFUSED_ON_PURPOSE[name] == "not_supported":
            assert all("not supported" in p.message for p in result.problems), result.problems
        for problem in result.problems:
            assert CELL.match(problem.location), problem
        documented = (ROOT / "docs" / "xlsform-corpus.md").read_text(encoding="utf-8")
        assert Path(name).name in documented
        return
    if name in JAVAROSA_REFUSES or name in DIALECT_GAPS:
        assert isinstance(result, FormError), f"{name} imports now: remove it from its list"
        for problem in result.problems:
            assert CELL.match(problem.location), problem
        return
    assert isinstance(result, Form), f"pyxform accepts {name}; impactkit refuses it:\n{result}"
    xform = build_xform(SOURCES[name], form_id=result.form_id, version=result.version)
    attributes = instance_attributes(xform.xml)
    assert (attributes["id"], attributes["version"]) == (result.form_id, result.version)


@pytest.fixture(scope="module")
def javarosa_verdicts(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], dict[str, str]]:
    """ODK Validate over the XForm of every imported form, and over the XForm pyxform writes for
    each form listed as refused by JavaRosa: one Java run. -> (names checked, refusals)."""
    from pyxform.xls2xform import convert

    xforms: dict[str, str] = {}
    for name, result in IMPORTED.items():
        if isinstance(result, Form):
            xforms[name] = build_xform(SOURCES[name], form_id=result.form_id, version=result.version).xml
    for name in JAVAROSA_REFUSES | DIALECT_GAPS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl on workbook features it does not read
            xforms[name] = convert(SOURCES[name]).xform
    return set(xforms), odk_validate(xforms, tmp_path_factory.mktemp("xforms"))


@pytest.mark.slow
def test_javarosa_accepts_the_xform_of_every_imported_form(
    javarosa_verdicts: tuple[set[str], dict[str, str]],
) -> None:
    checked, refused = javarosa_verdicts
    imported = {name for name, result in IMPORTED.items() if isinstance(result, Form)}
    assert imported <= checked
    assert len(imported) >= 60
    wrong = {name: refused[name] for name in imported if name in refused}
    assert not wrong, wrong


@pytest.mark.slow
def test_javarosa_refuses_what_impactkit_refuses_beyond_pyxform(
    javarosa_verdicts: tuple[set[str], dict[str, str]],
) -> None:
    _, refused = javarosa_verdicts
    assert set(refused) & JAVAROSA_REFUSES == JAVAROSA_REFUSES
    assert not set(refused) & DIALECT_GAPS, "a dialect gap JavaRosa refuses is not a gap"


def test_a_refusal_only_pyxform_sees_is_shown_located_and_readable(xlsform: Any) -> None:
    survey = [
        ["type", "name", "label"],
        ["begin group", "meta", "Metadata"],
        ["text", "note_to_self", "Note"],
        ["end group", "", ""],
    ]
    with pytest.raises(FormError) as caught:
        load_xlsform(xlsform(survey, None, [["form_id", "version"], ["f", "1"]]))
    [problem] = caught.value.problems
    assert problem.code == "pyxform"
    assert problem.location == "survey!B2 name"
    assert problem.message.startswith(
        "pyxform, the reference XLSForm converter, refuses the form at sheet 'survey', row 2: "
        "The 'name' value 'meta' is invalid."
    )
    assert "[row" not in problem.message
