"""The project's import page: an editor checks a KoBoToolbox export (nothing stored, every refused
row shown with its row, column and answer), imports it, imports it again (nothing new); a bad file
is refused naming its columns; viewers and other organisations never reach the page. Both databases."""

from __future__ import annotations

import html
import re
import uuid

from sqlmodel import Session, select

from impactkit.store.tables import SurveyResponse
from tests.conftest import LiveServer
from tests.factories import build_world
from tests.integration.pages.web import csrf_of, sign_in
from tests.integration.surveys.test_imports_api import _publish
from tests.unit.surveys.test_imports import EXPECTED, IDS, kobo_export


def _stored(live_server: LiveServer) -> dict[str, object]:
    with Session(live_server.engine) as session:
        rows = session.exec(select(SurveyResponse)).all()
        return {row.instance_id: row.answers for row in rows}


def _rows(page: str) -> list[dict[str, str]]:
    """The page's table of rows to correct, as text."""
    found = []
    for row in re.findall(r'<tr class="import-row"[^>]*>(.*?)</tr>', page, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        found.append(
            {
                "row": " ".join(cells[0]),
                "where": " ".join(cells[1]),
                "column": " ".join(cells[2]),
                "answer": " ".join(cells[3]),
                "problem": " ".join(cells[5]),
            }
        )
    return found


def test_an_editor_checks_then_imports_an_export_from_the_project_page(live_server: LiveServer) -> None:
    world = build_world(live_server.engine)
    version_id = _publish(live_server, world.org_a)
    editor = live_server.client(follow_redirects=True)
    assert sign_in(editor, "editor_a@example.org").status_code == 200
    project = editor.get(f"/app/projects/{world.project_a}")
    assert f'href="/app/projects/{world.project_a}/imports"' in project.text
    form_page = editor.get(f"/app/forms/{version_id}")
    assert f'href="/app/projects/{world.project_a}/imports?form_version_id={version_id}"' in form_page.text
    page = editor.get(f"/app/projects/{world.project_a}/imports?form_version_id={version_id}")
    assert page.status_code == 200 and "Importa risposte" in page.text
    assert f'<option value="{version_id}" selected>' in page.text

    def send(action: str, files: list[tuple[str, bytes]], lang: str = "it", **fields: str) -> str:
        form = editor.get(f"/app/projects/{world.project_a}/imports?lang={lang}").text
        answer = editor.post(
            f"/app/projects/{world.project_a}/imports",
            data={
                "_csrf_token": csrf_of(form),
                "form_version_id": str(version_id),
                "period_id": "",
                "wave": "baseline",
                "action": action,
                **fields,
            },
            files=[("files", (name, data)) for name, data in files],
        )
        send.status = answer.status_code  # type: ignore[attr-defined]
        return answer.text

    # a check stores nothing; a refused row is shown at its row, column and answer
    bad = str(uuid.uuid4())
    central = (
        f"KEY,profile-age,profile-services,members\r\nuuid:{bad},abc,food,0\r\nuuid:{uuid.uuid4()},30,,0\r\n"
    ).encode()
    checked = send("check", [("central.csv", central)], lang="en")
    assert send.status == 200, checked  # type: ignore[attr-defined]
    assert 'data-dry-run="true"' in checked and "Check: nothing was stored" in checked
    assert re.search(r'data-status="valid"><strong>1</strong>', checked)
    assert re.search(r'data-status="refused"><strong>1</strong>', checked)
    [row] = _rows(checked)
    assert row["row"] == "1" and row["where"].startswith("central.csv row 1") and bad in row["where"]
    assert row["column"] == "central.csv, column 'profile-age'" and row["answer"] == "answers.age"
    assert row["problem"]
    assert _stored(live_server) == {}
    italian = html.unescape(send("check", [("central.csv", central)], lang="it"))
    assert "Controllo: nulla è stato salvato" in italian
    assert "Valore del tipo sbagliato (expected a whole number" in italian

    # the import stores the KoBoToolbox workbook; the same file again stores nothing new
    done = send("import", [("household.xlsx", kobo_export())])
    assert send.status == 200, done  # type: ignore[attr-defined]
    assert "Importazione eseguita" in done and "KoBoToolbox" in done
    assert re.search(r'data-status="stored"><strong>2</strong>', done)
    assert _stored(live_server) == dict(zip(IDS, EXPECTED, strict=True))
    again = send("import", [("household.xlsx", kobo_export())])
    assert re.search(r'data-status="already_stored"><strong>2</strong>', again)
    assert len(_stored(live_server)) == 2
    # the responses table says where they came from in words, not the stored code
    table = editor.get(f"/app/projects/{world.project_a}/responses?lang=it").text
    assert table.count("<td>importata da file</td>") == 2, table
    assert "<td>import</td>" not in table

    # a file that is not the form's is refused naming its columns; no file is asked for
    other = send("import", [("other.csv", b"KEY,shoe_size\r\nuuid:x,42\r\n")])
    assert send.status == 422 and 'id="import-error"' in other and "shoe_size" in other  # type: ignore[attr-defined]
    # … in the reader's language: the headline and each problem (the KEY column is the instance id)
    other = html.unescape(other)
    assert "L'esportazione non corrisponde al modulo «" in other, other
    assert "1 colonna non è una domanda del modulo: 'shoe_size'; le sue domande sono:" in other
    english = html.unescape(send("check", [("other.csv", b"KEY,shoe_size\r\nuuid:x,42\r\n")], lang="en"))
    assert "the export does not fit form '" in english
    assert "1 column(s) are not questions of the form: 'shoe_size'; its questions are:" in english
    empty = html.unescape(send("check", [("vuoto.csv", b"KEY,age\r\n")]))
    assert send.status == 422 and "Il file vuoto.csv ha l'intestazione ma nessuna riga." in empty  # type: ignore[attr-defined]
    assert "serve almeno una riga sotto l'intestazione" in empty
    none = send("check", [])
    assert send.status == 422 and "Scegli i file dell&#39;export." in none  # type: ignore[attr-defined]

    # viewers and other organisations never reach it
    viewer = live_server.client(follow_redirects=True)
    sign_in(viewer, "viewer_a@example.org")
    assert (
        f"/app/projects/{world.project_a}/imports" not in viewer.get(f"/app/projects/{world.project_a}").text
    )
    assert viewer.get(f"/app/projects/{world.project_a}/imports").status_code == 403
    stranger = live_server.client(follow_redirects=True)
    sign_in(stranger, "owner_b@example.org")
    assert stranger.get(f"/app/projects/{world.project_a}/imports").status_code == 404
