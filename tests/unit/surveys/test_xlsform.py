"""Importing XLSForm workbooks an organisation writes in Excel."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

import pytest

from impactkit.errors import FormError
from impactkit.surveys import Field, Form, Group, Repeat, check_new_version, load_xlsform

SURVEY_HEADER = [
    "type",
    "name",
    "label::Italiano (it)",
    "label::English (en)",
    "hint::English (en)",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "required",
    "calculation",
    "choice_filter",
    "appearance",
]


def row(type_: str, name: str, **cells: str) -> list[Any]:
    keys = {header.split("::")[0] + ("_en" if "English" in header else "") for header in SURVEY_HEADER}
    assert set(cells) <= keys | {"label_it"}, cells
    values = {
        "type": type_,
        "name": name,
        "label::Italiano (it)": cells.get("label_it", name),
        "label::English (en)": cells.get("label_en", name),
        "hint::English (en)": cells.get("hint_en"),
        "relevant": cells.get("relevant"),
        "constraint": cells.get("constraint"),
        "constraint_message::English (en)": cells.get("constraint_message_en"),
        "required": cells.get("required"),
        "calculation": cells.get("calculation"),
        "choice_filter": cells.get("choice_filter"),
        "appearance": cells.get("appearance"),
    }
    return [values[h] for h in SURVEY_HEADER]


CHOICES = [
    ["list_name", "name", "label::Italiano (it)", "label::English (en)", "district"],
    ["yes_no", "yes", "Sì", "Yes", None],
    ["yes_no", "no", "No", "No", None],
    ["services", "housing", "Casa", "Housing", None],
    ["services", "food", "Cibo", "Food", None],
    ["services", "work", "Lavoro", "Work", None],
    ["district", "north", "Nord", "North", None],
    ["district", "south", "Sud", "South", None],
    ["village", "a", "A", "A", "north"],
    ["village", "b", "B", "B", "south"],
]
SETTINGS = [
    ["form_id", "version", "form_title", "default_language"],
    ["outcomes", "3", "Outcomes", "Italiano (it)"],
]


def beneficiary_form() -> list[list[Any]]:
    return [
        SURVEY_HEADER,
        row("text", "respondent_code", required="yes"),
        row("integer", "age", constraint=". >= 15 and . <= 120", constraint_message_en="Age 15-120"),
        row("select_one yes_no", "consent", required="yes"),
        row("begin group", "profile", relevant="${consent} = 'yes'"),
        row("select_multiple services", "services", appearance="minimal"),
        row("calculate", "service_count", calculation="count-selected(${services})"),
        row("select_one district", "district"),
        row("select_one village", "village", choice_filter="district = ${district}"),
        row("end group", ""),
        row("begin repeat", "household"),
        row("text", "member_name"),
        row("integer", "member_age"),
        row("end repeat", ""),
        row("date", "visit_date"),
    ]


def test_a_form_imports_with_groups_repeats_and_two_languages(xlsform: Any) -> None:
    form = load_xlsform(xlsform(beneficiary_form(), CHOICES, SETTINGS), filename="outcomes.xlsx")
    assert (form.form_id, form.version, form.title) == ("outcomes", "3", "Outcomes")
    assert form.default_language == "Italiano (it)"
    assert form.languages == ["Italiano (it)", "English (en)"]
    profile = form.element("profile")
    assert isinstance(profile, Group)
    assert [child.name for child in profile.children] == [
        "services",
        "service_count",
        "district",
        "village",
    ]
    household = form.element("household")
    assert isinstance(household, Repeat)
    assert [child.name for child in household.children] == ["member_name", "member_age"]
    age = form.element("age")
    assert isinstance(age, Field)
    assert age.constraint_message == {"English (en)": "Age 15-120"}
    services = form.element("services")
    assert isinstance(services, Field) and services.appearance == "minimal"
    assert form.field_types()["household/member_age"] == "integer"
    assert form.field_types()["services"] == "select_multiple"
    assert form.choice_label("services", "food", "en") == "Food"
    assert form.choice_label("services", "food", "it") == "Cibo"
    assert Form.model_validate_json(form.model_dump_json()) == form


def test_an_unknown_field_names_sheet_cell_and_column(xlsform: Any) -> None:
    survey = beneficiary_form()
    survey.append(row("text", "school", relevant="${agee} < 18"))
    with pytest.raises(FormError) as caught:
        load_xlsform(xlsform(survey, CHOICES, SETTINGS))
    assert [str(p) for p in caught.value.problems] == [
        f"survey!F{len(survey)} relevant: unknown field ${{agee}}"
    ]


def test_every_problem_is_reported_at_once(xlsform: Any) -> None:
    survey = [
        SURVEY_HEADER,
        row("integer", "age", constraint=". >"),
        row("select_one missing_list", "colour"),
        row("calculate", "total"),
        row("favourite colour", "hue"),
        row("text", "2nd name"),
        row("text", "age"),
        row("begin repeat", "data"),
        row("text", "x", relevant="concat(${age}"),
    ]
    with pytest.raises(FormError) as caught:
        load_xlsform(xlsform(survey, CHOICES, SETTINGS))
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("survey!G2 constraint: expected a value") for m in messages)
    assert "survey!A3 type: choice list 'missing_list' is not on the choices sheet" in messages
    assert "survey!J4 calculation: calculate 'total' has no calculation" in messages
    assert "survey!A5 type: unknown question type 'favourite colour'" in messages
    assert any(m.startswith("survey!B6 name: '2nd name' is not a valid name") for m in messages)
    assert any(m.startswith("survey!B7 name: the name 'age' is already used on row 2") for m in messages)
    assert any(m.startswith("survey!B8 name: a repeat may not be named 'data'") for m in messages)
    assert any(m.startswith("survey!A8 type: repeat 'data' is never closed") for m in messages)
    assert any(m.startswith("survey!F9 relevant: expected ')'") for m in messages)
    assert len(messages) == 9


def test_curly_quotes_from_excel_are_straightened(xlsform: Any) -> None:
    survey = [
        SURVEY_HEADER,
        row("select_one yes_no", "consent"),
        row("text", "why", relevant="${consent} = ‘no’"),
    ]
    form = load_xlsform(xlsform(survey, CHOICES, SETTINGS))
    why = form.element("why")
    assert isinstance(why, Field)
    assert why.relevant == "${consent} = ‘no’"


def test_header_aliases_and_legacy_types_are_understood(xlsform: Any) -> None:
    survey = [
        ["type", "name", "caption:English", "relevance", "bind:jr:constraintMsg", "constraint", "read only"],
        ["int", "age", "Age", None, "Too old", ". < 120", None],
        ["string", "nickname", "Nickname", "${age} > 3", None, None, "yes"],
        ["trigger", "ok", "OK?", None, None, None, None],
        ["select one yes_no", "consent", "Consent", None, None, None, None],
        ["select all that apply services", "services", "Services", None, None, None, None],
        ["begin_group", "grp", "Group", None, None, None, None],
        ["dateTime", "when", "When", None, None, None, None],
        ["end_group", None, None, None, None, None, None],
        ["begin loop over services", "per_service", "For %(label)s", None, None, None, None],
        ["integer", "hours", "Hours", None, None, None, None],
        ["end loop", None, None, None, None, None, None],
    ]
    form = load_xlsform(xlsform(survey, CHOICES, SETTINGS))
    assert form.field_types() == {
        "age": "integer",
        "nickname": "text",
        "ok": "acknowledge",
        "consent": "select_one",
        "services": "select_multiple",
        "when": "datetime",
        "per_service": "repeat",
        "per_service/hours": "integer",
    }
    age = form.element("age")
    assert isinstance(age, Field) and age.constraint_message == {"default": "Too old"}
    nickname = form.element("nickname")
    assert isinstance(nickname, Field) and nickname.read_only == "true()"
    assert nickname.relevant == "${age} > 3"
    loop = form.element("per_service")
    assert isinstance(loop, Repeat) and loop.loop_over == "services"


def test_two_names_for_one_column_are_refused(xlsform: Any) -> None:
    survey = [["type", "name", "label", "relevant", "bind:relevant"], ["text", "a", "A", None, None]]
    with pytest.raises(FormError) as caught:
        load_xlsform(xlsform(survey, None, SETTINGS))
    assert [str(p) for p in caught.value.problems] == [
        "survey!E1: 'relevant' (column D) and 'bind:relevant' are two names for the same column; keep one"
    ]


def test_a_version_written_as_a_formula_is_derived_from_the_content(xlsform: Any) -> None:
    survey = [SURVEY_HEADER, row("text", "a")]
    settings = [["form_id", "version"], ["demo", "=NOW()"]]
    first = load_xlsform(xlsform(survey, None, settings))
    second = load_xlsform(xlsform(survey, None, settings))
    assert first.version == second.version
    assert first.version.startswith("content-")
    assert "settings!B2 version: the formula =NOW()" in first.warnings[0]
    changed = load_xlsform(xlsform([*survey, row("text", "b")], None, settings))
    assert changed.version != first.version


def test_a_sheet_declaring_a_million_rows_reads_only_its_content(xlsform: Any) -> None:
    survey = [SURVEY_HEADER, row("text", "a"), row("integer", "b")]
    data = xlsform(survey, None, SETTINGS)
    # Declare the whole sheet and leave a stray styled cell a million rows down.
    buffer = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = text.replace('<dimension ref="A1:L3"/>', '<dimension ref="A1:XFD1048576"/>')
                text = text.replace(
                    "</sheetData>",
                    '<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>stray</t></is></c></row>'
                    "</sheetData>",
                )
                content = text.encode()
            target.writestr(item, content)
    form = load_xlsform(buffer.getvalue())
    assert [f.name for f in form.fields()] == ["a", "b"]


def test_select_from_file_is_not_supported_and_external_choices_are_read(xlsform: Any) -> None:
    survey = [
        SURVEY_HEADER,
        row("select_one yes_no", "has_district"),
        row("select_one_external district", "district", choice_filter="${has_district} = 'yes'"),
    ]
    external = [["list_name", "name", "label"], ["district", "north", "North"]]
    form = load_xlsform(xlsform(survey, CHOICES[:3], SETTINGS, extra_sheets={"external_choices": external}))
    assert form.field_types()["district"] == "select_one"
    assert [c.name for c in form.choices["district"]] == ["north"]
    with pytest.raises(FormError) as caught:
        load_xlsform(xlsform([*survey[:2], row("select_one_from_file villages.csv", "f")], CHOICES[:3], SETTINGS))
    [problem] = caught.value.problems
    assert (problem.location, problem.code) == ("survey!A3 type", "not_supported")
    assert "villages.csv" in problem.message


def test_a_choice_filter_naming_no_choice_column_is_accepted_with_a_warning(xlsform: Any) -> None:
    # ODK reads a column the choices do not have as empty (pyxform and ODK Collect accept it).
    survey = [
        SURVEY_HEADER,
        row("select_one district", "district"),
        row("select_one village", "village", choice_filter="region = ${district}"),
    ]
    form = load_xlsform(xlsform(survey, CHOICES, SETTINGS))
    assert any(
        "survey!K3 choice_filter: 'region' is not a column of the choices sheet" in warning
        for warning in form.warnings
    )


def test_a_file_that_is_not_a_workbook_is_refused_clearly() -> None:
    with pytest.raises(FormError) as caught:
        load_xlsform(b"type,name\ntext,a\n", filename="form.csv")
    assert "neither .xlsx nor .xls" in str(caught.value)
    with pytest.raises(FormError, match="cannot be read"):
        load_xlsform(b"PK\x03\x04 broken zip", filename="form.xlsx")


def test_a_form_without_an_id_takes_the_file_name(xlsform: Any) -> None:
    form = load_xlsform(xlsform([SURVEY_HEADER, row("text", "a")]), filename="volunteers.xlsx")
    assert form.form_id == "volunteers"
    with pytest.raises(FormError, match="no id"):
        load_xlsform(xlsform([SURVEY_HEADER, row("text", "a")]))


def test_a_new_version_may_not_change_a_fields_type(xlsform: Any) -> None:
    old = load_xlsform(xlsform(beneficiary_form(), CHOICES, SETTINGS))
    survey = beneficiary_form()
    survey[2] = row("decimal", "age")
    settings = [SETTINGS[0], ["outcomes", "4", "Outcomes", "Italiano (it)"]]
    new = load_xlsform(xlsform(survey, CHOICES, settings))
    problems = check_new_version(old, new)
    assert [p.code for p in problems] == ["field_type_changed"]
    assert "'age' changes type from integer to decimal" in problems[0].message
    same_version = load_xlsform(xlsform(beneficiary_form(), CHOICES, SETTINGS))
    assert [p.code for p in check_new_version(old, same_version)] == ["version_exists"]


def test_or_other_adds_the_other_choice_and_its_text_field(xlsform: Any) -> None:
    survey = [SURVEY_HEADER, row("select_one services or_other", "main_service")]
    form = load_xlsform(xlsform(survey, CHOICES, SETTINGS))
    main = form.element("main_service")
    assert isinstance(main, Field) and main.or_other
    assert [c.name for c in form.choices_of(main)] == ["housing", "food", "work", "other"]
    other = form.element("main_service_other")
    assert isinstance(other, Field) and other.relevant == "selected(${main_service}, 'other')"


def test_cells_typed_as_dates_in_excel_read_as_iso_dates(xlsform: Any) -> None:
    from datetime import date as calendar_date
    from datetime import datetime as moment

    survey = [["type", "name", "label", "default"], ["date", "visit", "Visit", calendar_date(2024, 3, 9)]]
    settings = [["form_id", "version"], ["dated", moment(2024, 1, 15, 0, 0)]]
    form = load_xlsform(xlsform(survey, None, settings))
    assert form.version == "2024-01-15"
    visit = form.element("visit")
    assert isinstance(visit, Field) and visit.default == "2024-03-09"


def _with_cached_header(data: bytes, cell: str, value: str) -> bytes:
    """The workbook with ``value`` cached as the result of the formula in ``cell`` (as Excel saves it)."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                start = text.index(f'<c r="{cell}">')
                end = text.index("</c>", start)
                formula = text[text.index("<f>", start) : text.index("</f>", start) + 4]
                text = text[:start] + f'<c r="{cell}" t="str">{formula}<v>{value}</v>' + text[end:]
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_a_formula_in_the_header_row_is_read_by_its_value_and_refused_without_one() -> None:
    """A header cell computed by a formula (pyxform's excel_with_macros.xlsm has one) reads as the
    value Excel saved, as pyxform reads it; without a saved value it is named by its cell."""
    survey = [["type", "name", '="la"&"bel"'], ["text", "q", "Q"]]
    from tests.unit.surveys.conftest import build_xlsform

    data = build_xlsform(survey)
    with pytest.raises(FormError) as refused:
        load_xlsform(data, "f.xlsx", check_with_pyxform=False)
    assert [p.location for p in refused.value.problems] == ["survey!C1"]
    form = load_xlsform(_with_cached_header(data, "C1", "label"), "f.xlsx", check_with_pyxform=False)
    [field] = form.fields()
    assert "Q" in str(field.label)
