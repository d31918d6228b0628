"""Reading the CSV and XLSX files people have: separators, encodings, decimal commas, bounds, errors."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactkit.errors import FileError
from impactkit.surveys.files import Limits, read_table


def italian_excel_csv() -> bytes:
    """What Excel in Italian writes for "CSV (delimitato dal separatore di elenco)"."""
    text = (
        "codice;genere;età;benessere;ore;note\r\n"
        "007;donna;34;3,5;1.234,5;Vive a Usseaux\r\n"
        '012;uomo;41;4;12;"contiene; un punto e virgola"\r\n'
        "021;donna;19;2,25;0,5;\r\n"
    )
    return text.encode("cp1252")


def test_italian_excel_csv_semicolons_cp1252_and_decimal_commas() -> None:
    table = read_table(italian_excel_csv(), name="beneficiari.csv")
    assert (table.dialect.separator, table.dialect.encoding, table.dialect.decimal) == (";", "cp1252", ",")
    assert table.dialect.describe() == "CSV, semicolon-separated, cp1252, decimal comma"
    frame = table.frame
    assert list(frame.columns) == ["codice", "genere", "età", "benessere", "ore", "note"]
    assert frame["codice"].tolist() == ["007", "012", "021"]  # codes keep their zeros
    assert frame["età"].tolist() == [34, 41, 19]
    assert frame["benessere"].tolist() == [3.5, 4.0, 2.25]
    assert frame["ore"].tolist() == [1234.5, 12.0, 0.5]
    assert frame["note"].tolist() == ["Vive a Usseaux", "contiene; un punto e virgola", None]
    assert set(table.dialect.numeric_columns) == {"età", "benessere", "ore"}


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("cp1252", b"", "cp1252"),
    ],
)
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_every_usual_separator_and_encoding_is_detected(
    encoding: str, bom: bytes, expected: str, separator: str
) -> None:
    text = separator.join(["città", "punteggio", "nota"]) + "\n"
    text += separator.join(["Pinerolo", "4", "perché sì"]) + "\n"
    text += separator.join(["Susa", "5", "più tardi"]) + "\n"
    table = read_table(bom + text.encode(encoding))
    assert table.dialect.separator == separator
    assert table.dialect.encoding == expected
    assert table.frame.to_dict("list") == {
        "città": ["Pinerolo", "Susa"],
        "punteggio": [4, 5],
        "nota": ["perché sì", "più tardi"],
    }


def test_a_comma_separated_file_keeps_quoted_commas_as_text() -> None:
    table = read_table(b'name,score\n"Rossi, Maria","3,5"\nBianchi,4\n')
    assert table.dialect.separator == ","
    assert table.frame["name"].tolist() == ["Rossi, Maria", "Bianchi"]
    assert table.frame["score"].tolist() == ["3,5", "4"]  # not a number in a comma-separated file


@pytest.mark.parametrize(
    ("content", "message", "where"),
    [
        (b"", "is empty", "data.csv"),
        (b"\n\n  \n", "is empty", "data.csv"),
        (b"a;b;c\n", "has a header but no rows", "line 1"),
        (b"a;b;a\n1;2;3\n", "cannot be read", "line 1, column 3"),
        (b"a;;c\n1;2;3\n", "cannot be read", "line 1, column 2"),
        (b"a;b\n1;2\n3;4;5\n", "cannot be read", "line 3"),
        (b"a,b\n1,2\x00\n", "is not a text file", "line 2"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old Excel .xls", "data.csv"),
    ],
)
def test_a_file_that_cannot_be_read_gets_an_error_naming_where(
    content: bytes, message: str, where: str
) -> None:
    with pytest.raises(FileError, match=message) as caught:
        read_table(content, name="data.csv")
    assert (
        any(where in problem.location for problem in caught.value.problems) or where in caught.value.message
    )


def test_a_line_with_too_many_values_names_the_line_and_the_separator() -> None:
    with pytest.raises(FileError) as caught:
        read_table(b"a;b\n1;2\n1;2;3\n4;5\n", name="x.csv")
    [problem] = caught.value.problems
    assert problem.location == "x.csv: line 3"
    assert "3 values but the header has 2 columns" in problem.message and "semicolon" in problem.message


def test_bounds_on_bytes_rows_columns_and_cells() -> None:
    rows = "a,b\n" + "1,2\n" * 11
    with pytest.raises(FileError, match="too large"):
        read_table(rows.encode(), limits=Limits(max_bytes=20))
    with pytest.raises(FileError) as caught:
        read_table(rows.encode(), limits=Limits(max_rows=10))
    assert "more than 10 rows" in caught.value.problems[0].message
    with pytest.raises(FileError) as caught:
        read_table(b"a,b,c\n1,2,3\n", limits=Limits(max_columns=2))
    assert "3 columns; expected at most 2" in caught.value.problems[0].message
    with pytest.raises(FileError) as caught:
        read_table(b"a,b\n1," + b"x" * 50 + b"\n", limits=Limits(max_cell_chars=10), name="f.csv")
    assert caught.value.problems[0].location == "f.csv: line 2, column 'b'"


def test_a_path_and_a_stream_read_like_bytes(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "risposte.csv"
    path.write_bytes(italian_excel_csv())
    by_path = read_table(path)
    with path.open("rb") as stream:
        by_stream = read_table(stream)
    pd.testing.assert_frame_equal(by_path.frame, read_table(italian_excel_csv()).frame)
    pd.testing.assert_frame_equal(by_stream.frame, by_path.frame)
    with pytest.raises(FileError, match=r"cannot open missing\.csv"):
        read_table(path.with_name("missing.csv"))


# --- XLSX ----------------------------------------------------------------------------------------


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_sheet_reads_with_numbers_and_text_numbers_with_decimal_commas() -> None:
    data = workbook(
        {
            "Istruzioni": [],
            "Risposte": [
                [None],
                ["codice", "età", "punteggio", "testo"],
                ["007", 34, "3,5", "sì"],
                ["012", 41.0, "4", None],
            ],
        }
    )
    table = read_table(data, name="risposte.xlsx")
    assert (
        table.dialect.kind == "xlsx" and table.dialect.sheet == "Risposte" and table.dialect.header_row == 2
    )
    assert table.notes == ["read sheet 'Risposte', the first with data"]
    assert table.frame.to_dict("list") == {
        "codice": ["007", "012"],
        "età": [34, 41],
        "punteggio": [3.5, 4.0],
        "testo": ["sì", None],
    }
    with pytest.raises(FileError) as caught:
        read_table(data, name="risposte.xlsx", sheet="Dati")
    assert "expected one of: Istruzioni, Risposte" in caught.value.problems[0].message


def test_xlsx_errors_name_the_sheet_and_cell() -> None:
    with pytest.raises(FileError) as caught:
        read_table(workbook({"S": [["a", "a"], [1, 2]]}), name="w.xlsx")
    assert caught.value.problems[0].location == "w.xlsx: sheet 'S', cell B1"
    with pytest.raises(FileError) as caught:
        read_table(workbook({"S": [["a", "b"], [1, 2, 3]]}), name="w.xlsx")
    assert caught.value.problems[0].location == "w.xlsx: sheet 'S', cell C2"
    with pytest.raises(FileError, match="has a header but no rows"):
        read_table(workbook({"S": [["a", "b"]]}), name="w.xlsx")
    with pytest.raises(FileError, match="has no data"):
        read_table(workbook({"S": [], "T": []}), name="w.xlsx")
    with pytest.raises(FileError) as caught:
        read_table(
            workbook({"S": [["a"]] + [[i] for i in range(12)]}), name="w.xlsx", limits=Limits(max_rows=10)
        )
    assert caught.value.problems[0].location == "w.xlsx: sheet 'S', row 12"


def test_damaged_and_disguised_workbooks_are_refused() -> None:
    good = workbook({"S": [["a"], [1]]})
    with pytest.raises(FileError, match=r"not a readable \.xlsx"):
        read_table(good[: len(good) // 2], name="w.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(FileError) as caught:
        read_table(out.getvalue(), name="w.ods")
    assert "OpenDocument" in caught.value.problems[0].message


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    from tests.reliability.test_hostile import zip_bomb

    bomb = zip_bomb()
    with pytest.raises(FileError, match="too large once unzipped"):
        read_table(bomb, name="bomb.xlsx")
    liar = zip_bomb(declared_size=10_000)
    with pytest.raises(FileError, match=r"zip bomb|damaged|not a readable"):
        read_table(liar, name="liar.xlsx")


# --- generated files read back ---------------------------------------------------------------------

text_values = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N", "Zs", "P"), blacklist_characters="\x00\r\n"),
    min_size=1,
    max_size=12,
).filter(lambda v: v.strip() == v and v != "" and not v.lstrip("+-").replace(".", "", 1).isdigit())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(text_values, st.integers(-5000, 5000), st.integers(0, 999)), min_size=1, max_size=15),
    st.sampled_from(
        [(",", "utf-8", "."), (";", "cp1252", ","), ("\t", "utf-8-sig", "."), (";", "utf-8", ",")]
    ),
)
def test_generated_files_read_back_as_written(
    rows: list[tuple[str, int, int]], style: tuple[str, str, str]
) -> None:
    separator, encoding, decimal = style
    frame = pd.DataFrame(
        {"label": [r[0] for r in rows], "count": [r[1] for r in rows], "rate": [r[2] / 100 for r in rows]}
    )
    try:
        "".join(frame["label"]).encode(encoding)
    except UnicodeEncodeError:
        return
    out = io.StringIO()
    frame.to_csv(out, sep=separator, decimal=decimal, index=False, quoting=csv.QUOTE_MINIMAL)
    table = read_table(out.getvalue().encode(encoding))
    assert table.dialect.separator == separator
    assert table.frame["label"].tolist() == frame["label"].tolist()
    assert table.frame["count"].tolist() == frame["count"].tolist()
    assert np.allclose(table.frame["rate"].astype(float), frame["rate"])
