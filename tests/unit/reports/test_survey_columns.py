"""A shipped survey form's data dictionary drives the responses sheet, labels as the survey part."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from impactkit._paths import data_dir
from impactkit.reports import ReportContent, column_specs_from_dictionary, write_report_xlsx
from impactkit.surveys import data_dictionary, load_xlsform, responses_to_tables

ANSWERS: list[dict[str, Any]] = [
    {
        "instance_id": "uuid:1",
        "form_version": "2026.1",
        "submitted_at": "2026-03-01T10:00:00+00:00",
        "answers": {
            "consent": "yes",
            "gender": "female",
            "age": 24,
            "vulnerable_conditions": "neet low_income",
            "wellbeing": "4",
            "comments": "=grazie",
        },
    },
    {
        "instance_id": "uuid:2",
        "form_version": "2026.1",
        "submitted_at": "2026-03-02T10:00:00+00:00",
        "answers": {
            "consent": "yes",
            "gender": "male",
            "age": 51,
            "vulnerable_conditions": "none",
            "wellbeing": "2",
        },
    },
]


def test_the_responses_sheet_shows_the_same_labels_as_the_survey_part(
    content: ReportContent, tmp_path: Path
) -> None:
    form = load_xlsform(data_dir("surveys") / "beneficiary_outcomes.xlsx")
    records = data_dictionary([form], "it").to_dict("records")
    specs = column_specs_from_dictionary(records, "it")
    path = tmp_path / "report.xlsx"
    write_report_xlsx(content, path, responses=iter(ANSWERS), columns=specs)

    sheet = list(openpyxl.load_workbook(path)["Risposte"].iter_rows(values_only=True))
    ours = [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]
    theirs = responses_to_tables([form], ANSWERS, language="it", labels=True)["main"]
    labels = {r["name"]: r["label"] for r in records}
    for field in ("consent", "gender", "wellbeing"):
        assert [o[labels[field]] for o in ours] == list(theirs[labels[field]])
    assert [o[labels["age"]] for o in ours] == [24, 51]
    split = f"{labels['vulnerable_conditions']}: Né a scuola né al lavoro (NEET)"
    assert [o[split] for o in ours] == [1, 0]
    assert ours[0][labels["comments"]] == "'=grazie"
