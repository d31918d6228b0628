"""The standard report workbook, read back cell by cell."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from impactkit.errors import ImpactkitError
from impactkit.reports import (
    ReportContent,
    ValidationStamp,
    content_hash,
    load_content,
    neutralise,
    run_checklist,
    verify_bytes,
    verify_file,
    write_report_xlsx,
)
from impactkit.reports.hashing import CONTENT_SHEET
from tests.unit.reports.helpers import COLUMNS, chart_parts, report_data, responses, sheet_xml

EVENTS = [
    {
        "at": "2026-01-20T09:00:00Z",
        "actor": "org@coop.it",
        "action": "submit",
        "from_state": "draft",
        "to_state": "submitted",
    },
    {
        "at": "2026-02-03T10:30:00Z",
        "actor": "Anna Bianchi",
        "action": "validate",
        "from_state": "submitted",
        "to_state": "validated",
        "comment": '=HYPERLINK("x")',
    },
]


@pytest.fixture
def workbook_path(content: ReportContent, stamp: ValidationStamp, tmp_path: Path) -> Path:
    path = tmp_path / "report.xlsx"
    write_report_xlsx(
        content,
        path,
        responses=responses(3),
        columns=COLUMNS,
        stamp=stamp,
        checklist=run_checklist(content, {}),
        events=EVENTS,
    )
    return path


def rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(path)
    return [r for r in workbook[sheet].iter_rows(values_only=True) if any(v is not None for v in r)]


def test_the_sheets_follow_the_standard_layout_in_italian(workbook_path: Path) -> None:
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames == [
        "Copertina",
        "Indicatori",
        "Disaggregazioni",
        "Obiettivi e pagamento",
        "Relazione",
        "Risposte",
        "Ripetizione Famiglia",
        "Dizionario dei dati",
        "Registro di validazione",
        CONTENT_SHEET,
    ]
    assert workbook[CONTENT_SHEET].sheet_state == "hidden"


def test_the_cover_carries_the_validation_stamp_and_the_hash(
    workbook_path: Path, content: ReportContent
) -> None:
    cover = dict(rows(workbook_path, "Copertina"))
    assert cover["Ente"] == "Cooperativa Il Sole"
    assert cover["Valutatore"] == "Anna Bianchi"
    assert cover["Accreditamento (ente, numero)"] == "Città metropolitana di Torino, VAL-042"
    assert cover["Validato il (UTC)"] == "2026-02-03 10:30:00"
    assert cover["Impronta SHA-256 del contenuto"] == content_hash(content)
    assert cover["Stato"] == "Validato"


def test_kpis_have_values_intervals_targets_and_error_bar_formulas(workbook_path: Path) -> None:
    header, first, second, note = rows(workbook_path, "Indicatori")
    assert note[0].startswith("Riservatezza: le celle con meno di 5 persone sono nascoste")
    assert header[:6] == ("Codice", "Indicatore", "Unità", "Valore", "Intervallo: min", "Intervallo: max")
    record = dict(zip(header, first, strict=True))
    assert record["Indicatore"] == "Persone inserite al lavoro"
    assert (record["Valore"], record["Intervallo: min"], record["Intervallo: max"]) == (12, 9, 15)
    assert record["Obiettivo"] == 10 and record["Obiettivo raggiunto"] == "raggiunto"
    assert record["Barra d'errore +"] == "=IF(AND(ISNUMBER(F2),ISNUMBER(D2)),MAX(0,F2-D2),0)"
    assert record["Escluse (perché)"] is None
    assert record["Dimensioni IMP"] == "what; who"
    assert dict(zip(header, second, strict=True))["Valore"] == 0.6


def test_each_kpi_has_a_native_chart_with_error_bars_from_its_interval_columns(
    workbook_path: Path,
) -> None:
    charts = chart_parts(workbook_path)
    assert len(charts) == 2  # one per KPI: their units differ
    for row, chart in zip((2, 3), charts, strict=True):
        assert "<c:barChart>" in chart and '<c:barDir val="col"/>' in chart
        assert "<c:errBars>" in chart
        references = re.findall(r"<c:f>([^<]*)</c:f>", chart)
        assert f"Indicatori!$R${row}" in references  # error bar +, from the interval
        assert f"Indicatori!$S${row}" in references  # error bar −
        assert f"Indicatori!$D${row}" in references  # the value
        assert f"Indicatori!$I${row}" in references  # the target
    assert "Persone inserite al lavoro (persone)" in charts[0]


def test_targets_sheet_pays_by_results_with_live_formulas(workbook_path: Path) -> None:
    header, jobs, _wellbeing, total = rows(workbook_path, "Obiettivi e pagamento")
    record = dict(zip(header, jobs, strict=True))
    assert record["Importo prima del tetto"] == "=ROUND(G2*H2,2)"
    assert record["Importo pagabile"] == "=IF(ISNUMBER(J2),MIN(I2,J2),I2)"
    assert record["Unità pagate"] == 12 and record["Prezzo per unità"] == 1500
    assert "=SUM(K2:K3)" in total
    xml = sheet_xml(workbook_path, "Obiettivi e pagamento")
    # The engine's figure is cached, so a viewer that does not recalculate shows 15,000.
    assert re.search(r"<f>SUM\(K2:K3\)</f><v>15000(\.0)?</v>", xml)


def test_the_narrative_follows_the_eight_sections(workbook_path: Path) -> None:
    table = rows(workbook_path, "Relazione")
    assert [r[0] for r in table[1:]] == list(range(1, 9))
    assert table[1][1] == "Metodologia adottata per la redazione del bilancio sociale"


def test_responses_show_labels_split_multiple_choices_and_neutralise_formulas(
    workbook_path: Path,
) -> None:
    header, *data = rows(workbook_path, "Risposte")
    assert header == (
        "Id istanza",
        "Inviata il",
        "Versione modulo",
        "Rilevazione",
        "Età",
        "Genere",
        "Servizi usati: Casa",
        "Servizi usati: Lavoro",
        "Servizi usati: Formazione",
        "Commento",
    )
    assert data[0] == (
        "uuid:0000",
        "2025-03-01T09:00:00+00:00",
        "2025-01",
        "baseline",
        20,
        "Donna",
        1,
        1,
        0,
        "'=1+1",
    )
    assert data[1][5:] == ("Uomo", 0, 0, 1, "tutto bene")
    assert data[2][-1] == "'@SUM(A1)"
    assert "<f>" not in sheet_xml(workbook_path, "Risposte")


def test_repeats_go_to_their_own_sheet_linked_by_instance_id(workbook_path: Path) -> None:
    table = rows(workbook_path, "Ripetizione Famiglia")
    assert table[0] == (
        "Chiave del genitore (id istanza o ripetizione)",
        "N. ripetizione",
        "Chiave (per ripetizioni annidate)",
        "Età del familiare",
    )
    assert table[1:] == [
        ("uuid:0000", 1, "uuid:0000/household[1]", 50),
        ("uuid:0000", 2, "uuid:0000/household[2]", 10),
        ("uuid:0002", 1, "uuid:0002/household[1]", 52),
        ("uuid:0002", 2, "uuid:0002/household[2]", 12),
    ]


def test_nested_repeats_point_at_their_parent_instance(content: ReportContent, tmp_path: Path) -> None:
    columns = [
        {"name": "household", "type": "repeat", "label": {"en": "Household"}},
        {"name": "member", "type": "text", "repeat": "household"},
        {"name": "jobs", "type": "repeat", "label": {"en": "Jobs"}},
        {"name": "employer", "type": "text", "repeat": "jobs"},
    ]
    answers = {
        "household": [
            {"member": "Ada", "jobs": [{"employer": "Coop A"}, {"employer": "Coop B"}]},
            {"member": "Bruno", "jobs": []},
        ]
    }
    path = tmp_path / "nested.xlsx"
    write_report_xlsx(
        content, path, responses=iter([{"instance_id": "u1", "answers": answers}]), columns=columns
    )
    assert rows(path, "Ripetizione Household")[1:] == [
        ("u1", 1, "u1/household[1]", "Ada"),
        ("u1", 2, "u1/household[2]", "Bruno"),
    ]
    assert rows(path, "Ripetizione Jobs")[1:] == [
        ("u1/household[1]", 1, "u1/household[1]/jobs[1]", "Coop A"),
        ("u1/household[1]", 2, "u1/household[1]/jobs[2]", "Coop B"),
    ]


def test_the_data_dictionary_explains_every_column(workbook_path: Path) -> None:
    table = rows(workbook_path, "Dizionario dei dati")
    by_column = {r[0]: r for r in table[1:]}
    assert by_column["Genere"][2:] == ("gender", "Genere", "select_one gender", "f = Donna; m = Uomo")
    assert by_column["Servizi usati: Lavoro"][1] == "Risposte"
    assert by_column["Età del familiare"][1] == "Ripetizione Famiglia"


def test_the_validation_log_has_the_checklist_and_the_workflow_events(
    workbook_path: Path,
) -> None:
    table = rows(workbook_path, "Registro di validazione")
    assert table[0][0] == "Lista di controllo"
    # an Italian workbook says what each check found in Italian too
    assert table[2][:4] == ("kpi_values", "Valori degli indicatori", "ok", "tutti i 2 indicatori hanno un valore")
    events = table[table.index(next(r for r in table if r[0] == "Quando (UTC)")) + 1 :]
    assert [e[2] for e in events] == ["submit", "validate"]
    assert events[1][5] == '\'=HYPERLINK("x")'


def test_a_validated_report_shows_its_frozen_checklist_and_the_justifications(
    content: ReportContent, stamp: ValidationStamp, tmp_path: Path
) -> None:
    data = report_data()
    data["sections"] = {"methodology": "Survey of every participant."}
    content = load_content(data)
    frozen = run_checklist(content, {})
    reason = "=The other sections are in the annual accounts filed with RUNTS."
    stamped = ValidationStamp.model_validate(
        {
            **stamp.model_dump(),
            "content_hash": content_hash(content),
            "checklist": [c.model_dump() for c in frozen],
            "justifications": {"sections": reason},
        }
    )
    path = tmp_path / "justified.xlsx"
    # a checklist passed in later (here: every check passing) does not replace the frozen one
    later = [c.model_copy(update={"status": "pass"}) for c in frozen]
    write_report_xlsx(content, path, stamp=stamped, checklist=later)
    table = rows(path, "Registro di validazione")
    assert table[1][4] == "Motivazione del valutatore"
    sections = next(r for r in table if r[0] == "sections")
    assert sections[2] == "non superato" and sections[4] == "'" + reason
    assert verify_file(path).ok


def test_an_english_report_has_english_sheets_and_labels(tmp_path: Path) -> None:
    content = load_content(report_data(language="en"))
    path = tmp_path / "en.xlsx"
    write_report_xlsx(content, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Cover", "KPIs", "Disaggregations"]
    cover = dict(rows(path, "Cover"))
    assert cover["Status"] == "Unvalidated draft" and cover["Evaluator"] is None
    assert rows(path, "KPIs")[1][1] == "People placed in work"


def test_the_exported_workbook_verifies_and_a_one_byte_change_does_not(
    workbook_path: Path, content: ReportContent
) -> None:
    result = verify_file(workbook_path)
    assert result.ok and result.content_hash == content_hash(content)
    data = workbook_path.read_bytes()
    step = max(1, len(data) // 400)
    for position in [*range(0, len(data), step), len(data) - 1, len(data) - 40]:
        tampered = bytearray(data)
        tampered[position] ^= 0x20
        outcome = verify_bytes(bytes(tampered))
        assert not outcome.ok, f"change at byte {position} still verifies"


def test_a_workbook_whose_content_was_rewritten_and_resealed_fails_against_the_stamp(
    workbook_path: Path,
) -> None:
    # Someone edits the embedded content and recomputes the zip seal: the stamp still differs.
    from impactkit.reports.hashing import seal_zip_file

    tampered = workbook_path.parent / "tampered.xlsx"
    replaced = 0
    with zipfile.ZipFile(workbook_path) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            replaced += data.count(b'"value":12}')
            target.writestr(info, data.replace(b'"value":12}', b'"value":13}'))
    assert replaced == 1
    seal_zip_file(tampered)
    result = verify_file(tampered)
    assert not result.ok and "does not match the content" in result.message


def test_a_corrupted_or_truncated_workbook_is_not_a_valid_report_file(
    workbook_path: Path,
) -> None:
    data = workbook_path.read_bytes()
    truncated = verify_bytes(data[: len(data) // 2])
    assert not truncated.ok and truncated.message.startswith("not a valid report file")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert not verify_bytes(plain.getvalue()).ok


def test_the_writer_streams_to_a_binary_stream_too(content: ReportContent) -> None:
    buffer = io.BytesIO()
    digest = write_report_xlsx(content, buffer)
    assert verify_bytes(buffer.getvalue()).content_hash == digest


def test_the_hash_and_layout_are_in_the_document_properties(
    workbook_path: Path, content: ReportContent
) -> None:
    with zipfile.ZipFile(workbook_path) as archive:
        custom = archive.read("docProps/custom.xml").decode()
    assert content_hash(content) in custom and "impactkit-standard v2" in custom


def test_a_stamp_for_other_content_is_refused(
    content: ReportContent, stamp: ValidationStamp, tmp_path: Path
) -> None:
    with pytest.raises(ImpactkitError) as caught:
        write_report_xlsx(
            content, tmp_path / "x.xlsx", stamp=stamp.model_copy(update={"content_hash": "f" * 64})
        )
    assert caught.value.problems[0].location == "stamp.content_hash"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+39 011 123", "'+39 011 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("<r><t>x</t></r>", "'<r><t>x</t></r>"),
        ("a = b", "a = b"),
        ("", ""),
    ],
)
def test_user_text_that_could_run_as_a_formula_is_neutralised(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_organisation_names_that_look_like_formulas_stay_text_everywhere(tmp_path: Path) -> None:
    data = report_data()
    data["organisation"]["name"] = "=cmd|' /C calc'!A0"
    data["kpis"][0]["labels"]["it"] = "+SUM(1)"
    path = tmp_path / "evil.xlsx"
    write_report_xlsx(load_content(data), path)
    assert dict(rows(path, "Copertina"))["Ente"] == "'=cmd|' /C calc'!A0"
    assert rows(path, "Indicatori")[1][1] == "'+SUM(1)"
    for sheet in ("Copertina", "Indicatori"):
        formulas = re.findall(r"<f>([^<]*)</f>", sheet_xml(path, sheet))
        assert all("cmd" not in f and "SUM(1)" not in f for f in formulas)


def test_responses_without_column_specs_get_one_column_per_answer(
    content: ReportContent, tmp_path: Path
) -> None:
    path = tmp_path / "plain.xlsx"
    answers = iter(
        [
            {"instance_id": "a", "answers": {"age": 31, "town": "Susa"}},
            {"instance_id": "b", "answers": {"age": 42, "town": "-Pinerolo"}},
        ]
    )
    write_report_xlsx(content, path, responses=answers)
    table = rows(path, "Risposte")
    assert table[0][-2:] == ("age", "town")
    assert table[1][0] == "a" and table[1][-2:] == (31, "Susa")
    assert table[2][-2:] == (42, "'-Pinerolo")


def test_a_report_with_no_responses_still_has_every_other_sheet(tmp_path: Path) -> None:
    content = load_content(report_data(kpis=[], targets=[], sections={}))
    path = tmp_path / "empty.xlsx"
    write_report_xlsx(content, path, responses=iter([]), columns=COLUMNS)
    workbook = openpyxl.load_workbook(path)
    assert "Risposte" in workbook.sheetnames and "Indicatori" in workbook.sheetnames
    assert verify_file(path).ok
    assert chart_parts(path) == []  # no KPI, no chart
