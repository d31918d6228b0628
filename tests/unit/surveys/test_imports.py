"""Exports of KoBoToolbox, ODK Central and impactkit, written here as those tools write them, read
back onto the form version they came from: the same answers, whatever the tool."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import openpyxl
import pytest

from impactkit.errors import FileError
from impactkit.surveys import Form, load_xlsform, responses_to_tables, validate_response
from impactkit.surveys.imports import read_responses
from tests.unit.surveys.conftest import build_xlsform

SURVEY = [
    ["type", "name", "label", "calculation"],
    ["begin group", "profile", "Profile"],
    ["integer", "age", "Age"],
    ["select_multiple services", "services", "Services"],
    ["end group", "", ""],
    ["geopoint", "home", "Home"],
    ["begin repeat", "member", "Member"],
    ["text", "member_name", "Name"],
    ["integer", "member_age", "Age"],
    ["begin repeat", "visit", "Visit"],
    ["decimal", "cost", "Cost"],
    ["end repeat", "", ""],
    ["end repeat", "", ""],
    ["calculate", "members", "", "count(${member})"],
]
CHOICES = [
    ["list_name", "name", "label"],
    ["services", "food", "Food"],
    ["services", "housing", "Housing"],
    ["services", "work", "Work"],
]
FORM: Form = load_xlsform(
    build_xlsform(SURVEY, CHOICES, [["form_id", "version"], ["household", "3"]]), "household.xlsx"
)
IDS = ["0b7f6f9e-6a55-4a36-9c8f-2b1d58c0a001", "0b7f6f9e-6a55-4a36-9c8f-2b1d58c0a002"]
EXPECTED = [
    {
        "age": 41,
        "services": ["food", "work"],
        "home": "45.0703 7.6869 240 5",
        "member": [
            {"member_name": "Ana", "member_age": 41, "visit": [{"cost": 12.5}, {"cost": 3.0}]},
            {"member_name": "Bia", "member_age": 9},
        ],
        "members": 2,
    },
    {"age": 67, "member": [{"member_name": "Dario", "member_age": 67}], "members": 1},
]


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = openpyxl.Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet(title)
        assert sheet is not None
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], separator: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def kobo_export() -> bytes:
    """KoBoToolbox's XLSX export (XML values and headers, groups in headers with '/', select
    multiples as one column and split 0/1 columns, geopoints with their split columns)."""
    main = [
        [
            "profile/age",
            "profile/services",
            "profile/services/food",
            "profile/services/housing",
            "profile/services/work",
            "home",
            "_home_latitude",
            "_home_longitude",
            "_home_altitude",
            "_home_precision",
            "members",
            "meta/instanceID",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ],
        [
            41,
            "food work",
            1,
            0,
            1,
            "45.0703 7.6869 240 5",
            45.0703,
            7.6869,
            240,
            5,
            2,
            f"uuid:{IDS[0]}",
            101,
            IDS[0],
            "2026-03-02T10:11:12",
            "",
            "",
            "submitted_via_web",
            "",
            "vXyZ",
            "",
            1,
        ],
        [
            67,
            None,
            0,
            0,
            0,
            None,
            None,
            None,
            None,
            None,
            1,
            f"uuid:{IDS[1]}",
            102,
            IDS[1],
            "2026-03-03T09:00:00",
            "",
            "",
            "submitted_via_web",
            "",
            "vXyZ",
            "",
            2,
        ],
    ]
    member = [
        [
            "member/member_name",
            "member/member_age",
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__id",
            "_submission__uuid",
            "_submission__submission_time",
        ],
        ["Ana", 41, 1, "Household survey", 1, 101, IDS[0], "2026-03-02T10:11:12"],
        ["Bia", 9, 2, "Household survey", 1, 101, IDS[0], "2026-03-02T10:11:12"],
        ["Dario", 67, 3, "Household survey", 2, 102, IDS[1], "2026-03-03T09:00:00"],
    ]
    visit = [
        ["member/visit/cost", "_index", "_parent_table_name", "_parent_index", "_submission__id"],
        [12.5, 1, "member", 1, 101],
        [3, 2, "member", 1, 101],
    ]
    return xlsx({"Household survey": main, "member": member, "visit": visit})


def central_export(separator: str = ",") -> bytes:
    """ODK Central's ZIP of CSV files (group paths joined by '-', geopoints split, KEY and
    PARENT_KEY linking repeats)."""
    decimal = (lambda text: text.replace(".", ",")) if separator == ";" else (lambda text: text)
    main = [
        [
            "SubmissionDate",
            "profile-age",
            "profile-services",
            "home-Latitude",
            "home-Longitude",
            "home-Altitude",
            "home-Accuracy",
            "members",
            "meta-instanceID",
            "KEY",
            "SubmitterID",
            "SubmitterName",
            "AttachmentsPresent",
            "AttachmentsExpected",
            "Status",
            "ReviewState",
            "DeviceID",
            "Edits",
            "FormVersion",
            "SET-OF-member",
        ],
        [
            "2026-03-02T10:11:12.000Z",
            "41",
            "food work",
            decimal("45.0703"),
            decimal("7.6869"),
            "240",
            "5",
            "2",
            f"uuid:{IDS[0]}",
            f"uuid:{IDS[0]}",
            "5",
            "Tablet 1",
            "0",
            "0",
            "",
            "",
            "collect:abc",
            "0",
            "3",
            f"uuid:{IDS[0]}/member",
        ],
        [
            "2026-03-03T09:00:00.000Z",
            "67",
            "",
            "",
            "",
            "",
            "",
            "1",
            f"uuid:{IDS[1]}",
            f"uuid:{IDS[1]}",
            "5",
            "Tablet 1",
            "0",
            "0",
            "",
            "approved",
            "collect:abc",
            "0",
            "3",
            f"uuid:{IDS[1]}/member",
        ],
    ]
    member = [
        ["member_name", "member_age", "PARENT_KEY", "KEY", "SET-OF-member", "SET-OF-visit"],
        [
            "Ana",
            "41",
            f"uuid:{IDS[0]}",
            f"uuid:{IDS[0]}/member[1]",
            f"uuid:{IDS[0]}/member",
            f"uuid:{IDS[0]}/member[1]/visit",
        ],
        [
            "Bia",
            "9",
            f"uuid:{IDS[0]}",
            f"uuid:{IDS[0]}/member[2]",
            f"uuid:{IDS[0]}/member",
            f"uuid:{IDS[0]}/member[2]/visit",
        ],
        [
            "Dario",
            "67",
            f"uuid:{IDS[1]}",
            f"uuid:{IDS[1]}/member[1]",
            f"uuid:{IDS[1]}/member",
            f"uuid:{IDS[1]}/member[1]/visit",
        ],
    ]
    visit = [
        ["cost", "PARENT_KEY", "KEY", "SET-OF-visit"],
        [
            decimal("12.5"),
            f"uuid:{IDS[0]}/member[1]",
            f"uuid:{IDS[0]}/member[1]/visit[1]",
            f"uuid:{IDS[0]}/member[1]/visit",
        ],
        [
            "3",
            f"uuid:{IDS[0]}/member[1]",
            f"uuid:{IDS[0]}/member[1]/visit[2]",
            f"uuid:{IDS[0]}/member[1]/visit",
        ],
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("household.csv", csv_bytes(main, separator))
        archive.writestr("household-member.csv", csv_bytes(member, separator))
        archive.writestr("household-visit.csv", csv_bytes(visit, separator))
    return buffer.getvalue()


def clean(files: list[tuple[str, bytes]]) -> tuple[list[str | None], list[dict[str, Any]]]:
    imported = read_responses(FORM, files)
    assert all(not response.problems for response in imported.responses)
    return (
        [response.instance_id for response in imported.responses],
        [validate_response(FORM, response.answers) for response in imported.responses],
    )


def test_a_kobotoolbox_workbook_reads_back_with_its_repeat_sheets() -> None:
    imported = read_responses(FORM, [("household_2026.xlsx", kobo_export())])
    assert imported.source == "KoBoToolbox"
    assert [table.scope for table in imported.tables] == ["main", "member", "visit"]
    assert imported.tables[0].columns["profile/services/food"] == "services/food"
    assert imported.tables[0].columns["_home_latitude"] == "home (latitude)"
    assert clean([("household_2026.xlsx", kobo_export())]) == (IDS, EXPECTED)


@pytest.mark.parametrize("separator", [",", ";"])
def test_an_odk_central_zip_reads_back_with_its_repeat_files(separator: str) -> None:
    imported = read_responses(FORM, [("household.csv.zip", central_export(separator))])
    assert imported.source == "ODK Central"
    assert imported.tables[0].columns["home-Latitude"] == "home (latitude)"
    ids, answers = clean([("household.csv.zip", central_export(separator))])
    assert ids == IDS
    expected = [dict(EXPECTED[0], home="45.0703 7.6869 240 5"), EXPECTED[1]]
    assert answers == expected


def test_impactkits_own_export_reads_back_unchanged() -> None:
    stored = [
        {
            "instance_id": IDS[0],
            "form_version": "3",
            "submitted_at": "2026-03-02T10:11:12+00:00",
            "project_id": 4,
            "wave": "baseline",
            "answers": EXPECTED[0],
        },
        {
            "instance_id": IDS[1],
            "form_version": "3",
            "submitted_at": "2026-03-03T09:00:00+00:00",
            "project_id": 4,
            "wave": "baseline",
            "answers": EXPECTED[1],
        },
    ]
    for split in (False, True):
        tables = responses_to_tables([FORM], stored, split_multiple=split)
        files = [(f"household-{name}.csv", tables[name].to_csv(index=False).encode()) for name in tables]
        assert clean(files) == (IDS, EXPECTED)


def test_a_file_that_is_not_the_forms_is_refused_with_its_columns() -> None:
    other = csv_bytes([["instance_id", "age", "shoe_size"], [IDS[0], "3", "42"]])
    with pytest.raises(FileError) as caught:
        read_responses(FORM, [("shoes.csv", other)])
    [problem] = caught.value.problems
    assert problem.code == "unknown_columns"
    assert "'shoe_size'" in problem.message and "its questions are: age, home" in problem.message
    assert problem.location == "shoes.csv: columns"


def test_a_file_without_instance_ids_is_refused() -> None:
    with pytest.raises(FileError) as caught:
        read_responses(FORM, [("answers.csv", csv_bytes([["age"], ["3"]]))])
    assert [p.code for p in caught.value.problems] == ["no_instance_ids"]
    assert "meta/instanceID" in caught.value.problems[0].message


def test_a_file_whose_separator_was_not_found_is_refused_not_read_as_no_data() -> None:
    colons = b"instance_id:age\n" + f"{IDS[0]}:3\n".encode()
    with pytest.raises(FileError) as caught:
        read_responses(FORM, [("answers.csv", colons)])
    codes = {p.code for p in caught.value.problems}
    assert {"unknown_columns", "no_instance_ids"} <= codes


def test_repeat_rows_without_their_parent_and_odd_split_columns_are_reported() -> None:
    main = csv_bytes([["KEY", "profile-age", "profile-services/food"], [f"uuid:{IDS[0]}", "3", "maybe"]])
    member = csv_bytes([["member_name", "PARENT_KEY", "KEY"], ["Zoe", "uuid:lost", "uuid:lost/member[1]"]])
    with pytest.raises(FileError) as caught:
        read_responses(FORM, [("household.csv", main), ("household-member.csv", member)])
    [orphan] = caught.value.problems
    assert orphan.code == "orphan_row" and orphan.location == "household-member.csv row 1"
    imported = read_responses(FORM, [("household.csv", main)])
    [response] = imported.responses
    assert [p.code for p in response.problems] == ["not_a_flag"]
    assert response.problems[0].location == "household.csv row 1, column 'profile-services/food'"


def test_a_table_for_no_repeat_of_the_form_is_refused() -> None:
    main = csv_bytes([["KEY", "profile-age"], [f"uuid:{IDS[0]}", "3"]])
    with pytest.raises(FileError) as caught:
        read_responses(FORM, [("household.csv", main), ("household-children.csv", main)])
    assert [p.code for p in caught.value.problems] == ["unknown_table"]
    assert "member, visit" in caught.value.problems[0].message
