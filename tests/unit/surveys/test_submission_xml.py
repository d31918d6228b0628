"""Reading ODK submissions (the XML of a filled-in XForm) onto impactkit's answers, safely."""

from __future__ import annotations

import doctest
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from impactkit.errors import ResponseError
from impactkit.surveys import Form, load_xlsform, submission_xml, validate_response, xform
from impactkit.surveys.submission_xml import answers_of, read_submission
from impactkit.surveys.xform import build_xform
from tests.odk import household_form_xlsx, household_submission_xml

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "data" / "xlsform"
INSTANCE = "7d7e4f8e-24c1-4e5c-9d7a-4f5e7a1b2c3d"
XF = "{http://www.w3.org/2002/xforms}"
JR_TEMPLATE = "{http://openrosa.org/javarosa}template"


@pytest.mark.parametrize("module", [submission_xml, xform])
def test_the_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def blank_instance(form: Form, source: bytes) -> bytes:
    """The primary instance of the form's XForm as a client starts it: every element empty, one
    instance of each repeat (the jr:template ones dropped), with an instance id."""
    document = ET.fromstring(build_xform(source, form_id=form.form_id, version=form.version).xml)
    root = next(iter(document.iter(f"{XF}instance")))[0]
    for parent in root.iter():
        for child in list(parent):
            if child.get(JR_TEMPLATE) is not None:
                parent.remove(child)
    for element in root.iter():
        if element.tag.endswith("instanceID"):
            element.text = f"uuid:{INSTANCE}"
    return ET.tostring(root)


CORPUS_FORMS = [
    "nested_repeats.xlsx",
    "table-list.xls",
    "widgets.xls",
    "select_one_choices_test.xlsx",
    "repeat_date_test.xls",
    "all_types_survey.xlsx",
    "childrens_survey_sw.xlsx",
    "pyxform/loop.xls",
    "transportation.xlsx",
]


@pytest.mark.parametrize("name", CORPUS_FORMS)
def test_every_element_of_a_real_forms_xform_is_read(name: str) -> None:
    source = (CORPUS / name).read_bytes()
    form = load_xlsform(source, Path(name).name)
    submission = read_submission(blank_instance(form, source))
    assert (submission.form_id, submission.instance_id) == (form.form_id, INSTANCE)
    answers_of(form, submission)  # no element the form does not know, none read twice


def test_a_household_submission_reads_like_the_json_answers_it_stands_for() -> None:
    form = load_xlsform(household_form_xlsx(), "household_visit.xlsx")
    read = answers_of(form, read_submission(household_submission_xml(INSTANCE)))
    clean = validate_response(form, read.answers)
    assert clean["member"] == [
        {"name": "Ada", "age": 34},
        {"name": "Bruno", "age": 9, "attends_school": "yes"},
    ]
    assert clean["services"] == ["housing", "food"]
    assert [(m.location, m.filename, m.question_type) for m in read.media] == [("photo", "casa.jpg", "image")]


def test_an_edit_names_the_version_it_replaces() -> None:
    edited = read_submission(
        household_submission_xml(INSTANCE, deprecated_id="11111111-2222-4333-8444-555555555555")
    )
    assert edited.deprecated_id == "11111111-2222-4333-8444-555555555555"
    with pytest.raises(ResponseError, match="itself"):
        read_submission(household_submission_xml(INSTANCE, deprecated_id=INSTANCE))


@pytest.mark.parametrize(
    ("xml", "says"),
    [
        (b"not xml", "not well-formed"),
        (b'<!DOCTYPE data [<!ENTITY a "b">]><data id="f"/>', "DTD"),
        (b'<!DOCTYPE data SYSTEM "http://example.org/x.dtd"><data id="f"/>', "DTD"),
        (
            b"<data><meta><instanceID>uuid:" + INSTANCE.encode() + b"</instanceID></meta></data>",
            "id attribute",
        ),
        (b'<data id="f"><meta/></data>', "instanceID is missing"),
        (b'<data id="f"><meta><instanceID>uuid:nope</instanceID></meta></data>', "not a UUID"),
        (b'<data id="f">' + b"<g>" * 100 + b"</g>" * 100 + b"</data>", "nested more than"),
        (b'<data id="f">' + b"<q/>" * 200_001 + b"</data>", "more than 200000 elements"),
    ],
)
def test_unsafe_or_unusable_xml_is_refused_saying_why(xml: bytes, says: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ResponseError) as caught:
        read_submission(xml)
    assert says in str(caught.value)
    assert time.perf_counter() - started < 5


def test_the_billion_laughs_are_never_expanded() -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    laughs = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><data id="f">&lol9;</data>'.encode()
    with pytest.raises(ResponseError, match="DTD"):
        read_submission(laughs)


def test_what_does_not_fit_the_form_is_named_by_its_path() -> None:
    form = load_xlsform(household_form_xlsx(), "household_visit.xlsx")
    xml = household_submission_xml(INSTANCE).replace(b"<services>", b"<member>text</member><services>")
    xml = xml.replace(b"<consent>yes</consent>", b"<consent>yes</consent><consent>no</consent><extra/>")
    with pytest.raises(ResponseError) as caught:
        answers_of(form, read_submission(xml))
    assert {(p.location, p.code) for p in caught.value.problems} == {
        ("data/consent", "duplicate"),
        ("data/extra", "unknown_field"),
        ("data/household/member[3]", "wrong_type"),
    }
