"""An organisation uploads an XLSForm with mistakes on the forms page, over real HTTP, on SQLite and
PostgreSQL: each problem is written in the page's language (Italian by default, English when the
person chose it), on its sheet, row and column; pyxform's own words stay English, introduced in
Italian with the sheet and the row."""

from __future__ import annotations

import html
import io
import re

import httpx
import openpyxl

from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, csrf_of, sign_in

PROBLEM_ROW = re.compile(
    r'<tr class="form-problem"><td>([^<]*)</td><td class="num">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>'
)


def _workbook(survey_rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    for row in survey_rows:
        survey.append(row)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["yes_no", "yes", "Sì"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["errori", "1"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


MISTAKES = _workbook(
    [
        ["type", "name", "label", "relevant"],
        ["integr", "eta", "Età", None],  # row 2: an unknown type
        ["osm building", "edificio", "Edificio", None],  # row 3: a type impactkit refuses
        ["integer", "age", "Età", "pulldata('a', 'b', 'c', 'd') > 1"],  # row 4: a refused function
        ["text", "code", "Codice", "${agee} > 3"],  # row 5: an unknown field
        ["text", "age", "Di nuovo", None],  # row 6: a name used twice
        ["select_one colours", "colour", "Colore", None],  # row 7: a list not on the choices sheet
        ["calculate", "total", None, None],  # row 8: a calculation without a formula
    ]
)

PYXFORM_REFUSES = _workbook(
    [["type", "name", "label", "parameters"], ["range", "score", "Punteggio", "start=1 end=10 step=0"]]
)

EXPECTED = {
    # (row, column): (Italian, English)
    ("2", "A (type)"): ("Tipo di domanda sconosciuto: «integr».", "unknown question type 'integr'"),
    ("3", "A (type)"): (
        "Il tipo «osm building» non è supportato: le domande OpenStreetMap non sono supportate.",
        "type 'osm building' is not supported: OpenStreetMap questions are not supported",
    ),
    ("4", "D (relevant)"): (
        "pulldata() non è supportata: legge un file CSV allegato al questionario",
        "pulldata() is not supported: it reads a CSV file attached to the form",
    ),
    ("5", "D (relevant)"): ("Campo sconosciuto ${agee}.", "unknown field ${agee}"),
    ("6", "B (name)"): (
        "Il nome «age» è già usato alla riga 4; i nomi devono essere unici",
        "the name 'age' is already used on row 4; names must be unique",
    ),
    ("7", "A (type)"): (
        "L'elenco di scelte «colours» non è nel foglio choices.",
        "choice list 'colours' is not on the choices sheet",
    ),
    ("8", "A (calculation)"): (  # no calculation column: the row's first cell
        "Il campo calcolato «total» non ha una formula",
        "calculate 'total' has no calculation",
    ),
}


def _upload(client: httpx.Client, organisation_id: int, content: bytes) -> list[tuple[str, str, str, str]]:
    page = client.get(f"/app/organisations/{organisation_id}/forms")
    refused = client.post(
        f"/app/organisations/{organisation_id}/forms",
        data={"_csrf_token": csrf_of(page.text)},
        files={"file": ("errori.xlsx", content, "application/octet-stream")},
    )
    assert refused.status_code == 422
    return [tuple(html.unescape(cell) for cell in row) for row in PROBLEM_ROW.findall(refused.text)]  # type: ignore[misc]


def _by_row(rows: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for sheet, row, column, text in rows:
        assert sheet == "survey", (sheet, row, text)
        found[(row, column)] = text
    return found


def test_the_problems_of_an_uploaded_form_speak_italian_then_english_on_their_cells(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")

    italian = _by_row(_upload(editor, web.world.org_a, MISTAKES))
    for where, (it, en) in EXPECTED.items():
        assert where in italian, (where, italian)
        assert italian[where].startswith(it), (where, italian[where])
        assert en not in italian[where]
    assert "(al carattere 1 di «pulldata('a', 'b', 'c', 'd') > 1»)" in italian[("4", "D (relevant)")]

    editor.get(f"/app/organisations/{web.world.org_a}/forms?lang=en")  # the person chooses English
    editor.cookies.set("lang", "en")
    english = _by_row(_upload(editor, web.world.org_a, MISTAKES))
    for where, (it, en) in EXPECTED.items():
        assert english[where].startswith(en), (where, english[where])
        assert it not in english[where]
    assert "(at character 1 of 'pulldata('a', 'b', 'c', 'd') > 1')" in english[("4", "D (relevant)")]


def test_pyxform_words_stay_english_but_an_italian_sentence_says_where_they_come_from(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    editor = live_server.client()
    sign_in(editor, "editor_a@example.org")

    ((sheet, row, column, text),) = _upload(editor, web.world.org_a, PYXFORM_REFUSES)
    assert (sheet, row, column) == ("survey", "2", "D (parameters)")
    assert text.startswith(
        "Il convertitore XLSForm di riferimento (pyxform) rifiuta il questionario per il foglio "
        "«survey», riga 2; il suo messaggio, in inglese: "
    ), text
    assert "step" in text, "pyxform's own detail follows"

    editor.cookies.set("lang", "en")
    ((_, _, _, text),) = _upload(editor, web.world.org_a, PYXFORM_REFUSES)
    assert text.startswith(
        "pyxform, the reference XLSForm converter, refuses the form at sheet 'survey', row 2: "
    )
    assert "step" in text
    assert "convertitore" not in text


def test_the_api_keeps_its_english_problems_and_adds_their_key_and_values(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client(web.world.tokens["editor_a"])
    response = client.post(
        f"/api/v1/organisations/{web.world.org_a}/forms",
        files={"file": ("errori.xlsx", MISTAKES, "application/octet-stream")},
    )
    assert response.status_code == 422, response.text
    problems = {problem["location"]: problem for problem in response.json()["errors"]}
    osm = problems["survey!A3 type"]
    assert osm["code"] == "not_supported"
    assert osm["message"] == "type 'osm building' is not supported: OpenStreetMap questions are not supported"
    assert osm["details"] == {
        "message_key": "xlsform_problem_type_not_supported",
        "type": "osm building",
        "reason": {"message_key": "xlsform_reason_osm"},
    }
