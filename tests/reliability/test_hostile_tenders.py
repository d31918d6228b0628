"""Tenders and bids, hostile: bids through the API and the bid workbook, evidence attachments,
delivery reports, the authority's workbook export, and isolation between authorities and bidders.

Each hostile request goes to a real ``impactkit serve`` on SQLite and on PostgreSQL; its answer,
time and the server's peak memory growth are printed with ``-s``. The answer must be a 4xx naming
the field or cell (or a documented refusal), never a 5xx, the server's peak resident memory must
grow less than 300 MiB, ``/health`` must answer afterwards, and a refused request stores nothing
(the bids, reports and evidence in the database are compared before and after).

Rules this suite pins down (docs/procurement.md):
- an organisation has at most one bid per tender; bidding again while the tender is open replaces
  it (same bid id), also when two bids of the same organisation arrive at the same moment;
- a bid workbook names the tender it was made for in ``Offerta!B2``; a workbook for another
  tender, or one whose B2 was emptied, is refused naming that cell;
- a formula in a quantity cell is never evaluated: its cached result (what the bidder's
  spreadsheet showed) is read like a typed number, and a formula without one is a missing quantity;
- contracts carry no term of their own: a delivery report's period must end on or after its start,
  and a period submitted to the evaluator cannot be reported again.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
import zipfile
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import text
from sqlmodel import select

from impactkit.store import admin as admin_svc
from impactkit.store import schemas as s
from impactkit.store.db import session_scope
from impactkit.store.tables import Bid, DeliveryEvidence, DeliveryReport, Organisation
from tests.integration.pages.web import PASSWORD, sign_in
from tests.integration.procurement.helpers import PDF, TENDER, TERM
from tests.reliability.conftest import Deployment
from tests.reliability.doors import Door

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

GENEROUS = 120.0
FIGURES: list[str] = []

BID_A = {"local_employment_disadvantaged": 4, "training_hours_youth": 4321.5, "volunteering_hours": 50}
"""Organisation A's bid: 4321.5 is a figure no other page or answer has any reason to show."""
BID_B = {"local_employment_disadvantaged": 2, "training_hours_youth": 200, "volunteering_hours": 200}
HYPERLINK = '=HYPERLINK("http://evil.example/x","clic")'
CMD = "+cmd|' /C calc'!A0"


def refused(answer: httpx.Response, *words: str) -> None:
    """A 4xx whose body names at least one of ``words`` (the field, the cell, what was expected)."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:400])
    assert any(word.lower() in answer.text.lower() for word in words), (words, answer.text[:800])


def snapshot(deployment: Deployment) -> list[Any]:
    """Everything a refused request must leave untouched."""
    with session_scope(deployment.engine) as session:
        bids = sorted(
            (b.id, b.tender_id, b.organisation_id, json.dumps(b.commitments, sort_keys=True), b.source)
            for b in session.exec(select(Bid)).all()
        )
        reports = sorted(
            (r.id, r.period_label, r.state, json.dumps(r.delivered, sort_keys=True))
            for r in session.exec(select(DeliveryReport)).all()
        )
        evidence = sorted((e.id, e.sha256) for e in session.exec(select(DeliveryEvidence)).all())
    return [bids, reports, evidence]


# --- hostile workbooks ------------------------------------------------------------------------------


def rezip(template: bytes, sheet_xml: bytes | None = None, **extra: bytes) -> bytes:
    """The template with its worksheet replaced by ``sheet_xml`` (and extra members), as a tool would."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if sheet_xml is not None and info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dest.writestr(info.filename, data)
        for name, data in extra.items():
            dest.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows: list[str], filler: bytes = b"") -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    return head.encode() + "".join(rows).encode() + filler + b"</sheetData></worksheet>"


def inline(ref: str, value: str) -> str:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{escaped}</t></is></c>'


def number(ref: str, value: str) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def bid_rows(tender_id: int, lines: list[tuple[str, str]], tender_cell: str | None = None) -> list[str]:
    """The bid layout's rows with ``lines`` of (measure id, quantity cell XML body) from row 5."""
    heads = ["measure_id", "measure", "unit", "minimum", "quantity", "evidence"]
    rows = [
        f'<row r="1">{inline("A1", "impactkit-bid")}{number("B1", "1")}</row>',
        f'<row r="2">{inline("A2", "Gara")}{tender_cell if tender_cell is not None else number("B2", str(tender_id))}</row>',
        '<row r="4">' + "".join(inline(f"{'ABCDEF'[i]}4", h) for i, h in enumerate(heads)) + "</row>",
    ]
    for offset, (measure_id, quantity) in enumerate(lines):
        r = 5 + offset
        rows.append(f'<row r="{r}">{inline(f"A{r}", measure_id)}{quantity.replace("@", f"E{r}")}</row>')
    return rows


def q(value: str) -> str:
    return f'<c r="@"><v>{value}</v></c>'


def q_text(value: str) -> str:
    return inline("@", value)


def many_rows_xml(tender_id: int, count: int) -> bytes:
    """A sheet in the bid layout followed by ``count`` rows each naming a measure (packs ~1000:1)."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c/><c/><c/><c><v>1</v></c></row>'
    return sheet_xml(bid_rows(tender_id, []), row * count)


def padded_bomb_xml(tender_id: int, inflated: int) -> bytes:
    """A sheet in the bid layout with ``inflated`` bytes of whitespace after its rows."""
    return sheet_xml(bid_rows(tender_id, [("training_hours_youth", q("1"))]), b" " * inflated)


# --- the world ---------------------------------------------------------------------------------------


def officer(deployment: Deployment, key: str) -> tuple[int, str]:
    with session_scope(deployment.engine) as session:
        user = admin_svc.create_user(
            session, s.UserIn(email=f"{key}@comune.example.org", name=key, password=PASSWORD)
        )
        assert user.id is not None
        _, token = admin_svc.create_token(session, user.id, s.TokenIn(name="test"))
        return user.id, token


@pytest.fixture
def door(deployment: Deployment) -> Any:
    server = deployment.start_server()
    yield Door(server, deployment.engine.url.get_backend_name(), FIGURES, refuse_server_errors=True)
    print("\nhostile tenders (answer, time, server peak memory growth):\n" + "\n".join(FIGURES))
    FIGURES.clear()


@pytest.fixture
def clients() -> Any:
    made: list[httpx.Client] = []
    yield made
    for client in made:
        client.close()


def test_tenders_and_bids_refuse_hostile_input_within_bounds(
    deployment: Deployment, door: Door, clients: list[httpx.Client]
) -> None:
    world = deployment.world
    base = door.server.base_url

    def client(token: str) -> httpx.Client:
        made = httpx.Client(base_url=base, timeout=GENEROUS, headers={"Authorization": f"Bearer {token}"})
        clients.append(made)
        return made

    admin = client(world.tokens["admin"])
    authorities: dict[str, int] = {}
    officers: dict[str, httpx.Client] = {}
    for key, name in (("a", "Comune di Pinerolo"), ("b", "Comune di Saluzzo")):
        created = admin.post("/api/v1/authorities", json={"name": name, "kind": "public_body"})
        assert created.status_code == 201, created.text
        authorities[key] = created.json()["id"]
        user_id, token = officer(deployment, f"officer_{key}")
        granted = admin.post(f"/api/v1/authorities/{authorities[key]}/members", json={"user_id": user_id})
        assert granted.status_code == 201, granted.text
        officers[key] = client(token)
    # the bidder B's name and a tender's title are formulas, to be exported as text
    with session_scope(deployment.engine) as session:
        organisation = session.get(Organisation, world.org_b)
        assert organisation is not None
        organisation.name = HYPERLINK
        session.add(organisation)

    def tender(**overrides: Any) -> int:
        made = officers["a"].post(
            f"/api/v1/authorities/{authorities['a']}/tenders", json={**TENDER, **overrides}
        )
        assert made.status_code == 201, made.text
        return int(made.json()["id"])

    t1 = tender(title=CMD)
    t2 = tender(title="Altra gara")
    editor_a, owner_b = client(world.tokens["editor_a"]), client(world.tokens["owner_b"])
    bids = f"/api/v1/tenders/{t1}/bids"
    placed = owner_b.post(bids, json={"organisation_id": world.org_b, "commitments": BID_B})
    assert placed.status_code == 201, placed.text
    bid_b = placed.json()["id"]
    template = editor_a.get(f"/api/v1/tenders/{t1}/bid-template.xlsx").content
    before = snapshot(deployment)

    def bid(
        what: str, body: Any, who: httpx.Client = editor_a, path: str = bids, **words: str
    ) -> httpx.Response:
        kwargs: dict[str, Any] = (
            {"content": body, "headers": {"Content-Type": "application/json"}}
            if isinstance(body, (bytes, str))
            else {"json": body}
        )
        return door.send(what, who, "POST", path, **kwargs)

    def commitments(extra: dict[str, Any]) -> dict[str, Any]:
        return {"organisation_id": world.org_a, "commitments": {**BID_A, **extra}}

    # --- bids through the API: text no database stores, numbers no quantity is
    refused(bid("NUL in a measure id", commitments({"training\u0000hours": 1})), "body.commitments", "NUL")
    refused(
        bid(
            "a lone surrogate in a measure id",
            '{"organisation_id": ' + str(world.org_a) + ', "commitments": {"\\ud800": 1}}',
        ),
        "body.commitments",
        "surrogate",
    )
    refused(
        bid("a 100,000-character measure id", commitments({"m" * 100_000: 1})), "commitments", "80", "long"
    )
    for literal in ("NaN", "Infinity", "-Infinity"):
        raw = (
            '{"organisation_id": '
            + str(world.org_a)
            + ', "commitments": {"training_hours_youth": '
            + literal
            + "}}"
        )
        refused(bid(f"{literal} as a quantity", raw), "json", "number", "training_hours_youth", "body")
    refused(bid("1e308 as a quantity", commitments({"training_hours_youth": 1e308})), "training_hours_youth")
    refused(bid("-5 as a quantity", commitments({"training_hours_youth": -5})), "training_hours_youth")
    refused(
        bid("a quantity given as text", commitments({"training_hours_youth": "molte"})),
        "training_hours_youth",
    )
    refused(
        bid("a measure not in the tender", commitments({"co2_tonnes_avoided": 3})),
        "commitments.co2_tonnes_avoided",
    )
    refused(
        bid("below the tender's minimum", commitments({"local_employment_disadvantaged": 1})),
        "commitments.local_employment_disadvantaged",
        "minimum",
    )
    refused(bid("51 measures", commitments({f"m{n}": 1 for n in range(51)})), "commitments", "50")
    refused(bid("an unknown field", {**commitments({}), "score": 100}), "score")
    refused(
        bid("another organisation's name on the bid", {**commitments({}), "organisation_id": world.org_b}),
        "organisation",
    )
    refused(
        bid("an organisation id past 64 bits", {**commitments({}), "organisation_id": 2**70}),
        "organisation_id",
        "organisation",
    )
    refused(
        bid(
            "as administrator, an organisation that does not exist",
            {**commitments({}), "organisation_id": 2**31 - 1},
            who=admin,
        ),
        "organisation",
    )
    refused(
        bid("a tender id past 64 bits", commitments({}), path="/api/v1/tenders/99999999999999999999999/bids"),
        "tender",
        "not found",
        "path",
    )
    refused(
        bid("a tender that does not exist", commitments({}), path="/api/v1/tenders/2147483647/bids"), "tender"
    )
    refused(
        bid("a 6 MB body", commitments({"x" * (6 * 1024 * 1024): 1})), "body", "large", "long", "commitments"
    )
    assert snapshot(deployment) == before, "a refused bid stored something"

    # -0 is a quantity of 0, stored as 0 (not as minus zero)
    zero = bid("-0 as a quantity", commitments({"volunteering_hours": -0.0}))
    assert zero.status_code == 201, zero.text
    assert math.copysign(1, zero.json()["commitments"]["volunteering_hours"]) == 1
    bid_a = zero.json()["id"]

    # bidding twice replaces the bid: same id, the new figures, one row; so do simultaneous bids
    again = bid("the same organisation bidding again", commitments({}))
    assert again.status_code == 201 and again.json()["id"] == bid_a, again.text
    assert again.json()["commitments"] == {k: float(v) for k, v in BID_A.items()}
    t3 = tender(title="Gara a corsa")
    answers: list[int] = []

    def race() -> None:
        with client(world.tokens["editor_a"]) as racer:
            answers.append(racer.post(f"/api/v1/tenders/{t3}/bids", json=commitments({})).status_code)

    racers = [threading.Thread(target=race) for _ in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert all(code in (201, 409) for code in answers), answers
    assert 201 in answers, answers
    with session_scope(deployment.engine) as session:
        assert len(session.exec(select(Bid).where(Bid.tender_id == t3)).all()) == 1
    before = snapshot(deployment)

    # --- bids by workbook
    def upload(
        what: str,
        content: bytes,
        name: str = "offerta.xlsx",
        tender_id: int = t1,
        organisation_id: int | str = world.org_a,
    ) -> httpx.Response:
        return door.send(
            what,
            editor_a,
            "POST",
            f"/api/v1/tenders/{tender_id}/bids/workbook",
            data={"organisation_id": str(organisation_id)},
            files={
                "file": (name, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            },
        )

    def layout(lines: list[tuple[str, str]], **kw: Any) -> bytes:
        return rezip(template, sheet_xml(bid_rows(t1, lines, **kw)))

    good = [
        ("local_employment_disadvantaged", q("4")),
        ("training_hours_youth", q("10")),
        ("volunteering_hours", q("5")),
    ]
    refused(
        upload("a 1 GiB zip bomb named offerta.xlsx", rezip(template, padded_bomb_xml(t1, 1024**3))),
        "offerta.xlsx",
        "bomb",
        "large",
        "bytes",
    )
    refused(
        upload("2,000,000 rows each naming a measure", rezip(template, many_rows_xml(t1, 2_000_000))),
        "rows",
        "Offerta",
    )
    refused(
        upload(
            "100,000 rows each naming a measure (7 MiB unpacked)", rezip(template, many_rows_xml(t1, 100_000))
        ),
        "rows",
        "Offerta",
    )
    refused(upload("a 6 MiB workbook (limit 5 MiB)", template + bytes(6 * 1024 * 1024)), "file", "MiB")
    refused(
        upload("HTML named offerta.xlsx", b"<html><script>alert(1)</script></html>"), "offerta.xlsx", "xlsx"
    )
    refused(
        upload("a worksheet cut in the middle", rezip(template, sheet_xml(bid_rows(t1, good))[:-40])),
        "offerta.xlsx",
        "damaged",
        "read",
    )
    refused(upload("a zip with no workbook in it", _plain_zip()), "offerta.xlsx", "xlsx")
    refused(upload("another tender's workbook", rezip(template, sheet_xml(bid_rows(t2, good)))), "Offerta!B2")
    refused(upload("the tender cell emptied", layout(good, tender_cell="")), "Offerta!B2")
    refused(
        upload("the tender cell as text", layout(good, tender_cell=inline("B2", f"{t1}; DROP TABLE bid"))),
        "Offerta!B2",
    )
    refused(
        upload(
            "NaN, Infinity, 1e308 and -5 in quantity cells",
            layout(
                [
                    ("local_employment_disadvantaged", q_text("NaN")),
                    ("training_hours_youth", q_text("Infinity")),
                    ("volunteering_hours", q("1e308")),
                ]
            ),
        ),
        "Offerta!E5",
        "Offerta!E6",
        "Offerta!E7",
    )
    refused(
        upload("-5 in a quantity cell", layout([*good[:2], ("volunteering_hours", q("-5"))])), "Offerta!E7"
    )
    refused(upload("a measure given twice", layout([*good, ("training_hours_youth", q("99"))])), "Offerta!E8")
    refused(
        upload("a measure not in the tender", layout([*good, ("co2_tonnes_avoided", q("3"))])), "Offerta!E8"
    )
    refused(
        upload(
            "a formula with no cached result",
            layout(
                [*good[:2], ("volunteering_hours", '<c r="@"><f>WEBSERVICE("http://evil.example")</f></c>')]
            ),
        ),
        "Offerta!E7",
    )
    refused(
        upload(
            "a formula whose cached result is an error",
            layout([*good[:2], ("volunteering_hours", '<c r="@" t="e"><f>1/0</f><v>#DIV/0!</v></c>')]),
        ),
        "Offerta!E7",
    )
    refused(
        upload("a formula as the measure id", layout([*good, (HYPERLINK, q("1"))])),
        "Offerta!E8",
        "not in this tender",
    )
    refused(upload("a 32,767-character measure id", layout([*good, ("m" * 32_767, q("1"))])), "Offerta!E8")
    refused(upload("organisation id as text", layout(good), organisation_id="uno"), "organisation_id")
    refused(upload("another organisation's bid", layout(good), organisation_id=world.org_b), "organisation")
    assert snapshot(deployment) == before, "a refused workbook stored something"
    # a bid workbook's file name is never stored: an odd one is a bid (or a 4xx naming the file)
    for what, name in (
        ("a file name with a NUL", "offerta\u0000.xlsx"),
        ("a file name of 10,000 characters", "o" * 10_000 + ".xlsx"),
        ("a path for a file name", "../../../etc/offerta.xlsx"),
    ):
        answer = upload(what, layout(good), name=name)
        assert answer.status_code == 201 or (
            400 <= answer.status_code < 500 and ("file" in answer.text or "Large" in answer.text)
        ), answer.text
    # a formula's cached result is what the bidder's spreadsheet showed: read, never evaluated
    formula = upload(
        "a formula with a cached result",
        layout([*good[:2], ("volunteering_hours", '<c r="@"><f>2*3.5</f><v>7</v></c>')]),
    )
    assert formula.status_code == 201, formula.text
    assert formula.json()["id"] == bid_a and formula.json()["commitments"]["volunteering_hours"] == 7

    # --- a bidder reads other bidders' bids: never, before or after the award
    def unseen(who: httpx.Client, when: str) -> None:
        for path in (f"/api/v1/bids/{bid_a}", f"/api/v1/tenders/{t1}/scores"):
            answer = door.send(f"bidder B reads {path.rsplit('/', 1)[1]} ({when})", who, "GET", path)
            assert answer.status_code == 404, (path, answer.status_code, answer.text[:300])
        for path in (f"/api/v1/tenders/{t1}", "/api/v1/tenders", "/api/v1/contracts"):
            assert "4321.5" not in who.get(path).text, path

    restore = bid("A's bid again (4321.5 hours)", commitments({}))
    assert restore.status_code == 201, restore.text
    unseen(owner_b, "before the award")
    with httpx.Client(base_url=base, timeout=GENEROUS, follow_redirects=True) as page:
        assert sign_in(page, "owner_b@example.org").status_code == 200
        shown = page.get(f"/app/procurement/tenders/{t1}")
        assert shown.status_code == 200 and "4321" not in shown.text

    # --- another authority reads, scores, awards, exports someone else's tender
    other = officers["b"]
    for what, method, path, body in (
        ("authority B reads A's scores", "GET", f"/api/v1/tenders/{t1}/scores", None),
        ("authority B reads A's bid", "GET", f"/api/v1/bids/{bid_a}", None),
        (
            "authority B awards A's tender",
            "POST",
            f"/api/v1/tenders/{t1}/award",
            {"bid_ids": [bid_a], **TERM},
        ),
        (
            "authority B exports A's workbook",
            "GET",
            f"/api/v1/authorities/{authorities['a']}/procurement.xlsx",
            None,
        ),
        ("authority B lists A's people", "GET", f"/api/v1/authorities/{authorities['a']}/members", None),
        (
            "authority B creates a tender for A",
            "POST",
            f"/api/v1/authorities/{authorities['a']}/tenders",
            TENDER,
        ),
    ):
        answer = door.send(what, other, method, path, **({"json": body} if body is not None else {}))
        assert answer.status_code == 404, (what, answer.status_code, answer.text[:300])
    awarded_by_b = officers["a"].get(f"/api/v1/tenders/{t1}").json()
    assert awarded_by_b["state"] == "open"

    # --- the award, and after it
    refused(
        door.send(
            "award a bid of another tender",
            officers["a"],
            "POST",
            f"/api/v1/tenders/{t2}/award",
            json={"bid_ids": [bid_a], **TERM},
        ),
        "bid_ids[0]",
    )
    refused(
        door.send(
            "award two bids of a tender",
            officers["a"],
            "POST",
            f"/api/v1/tenders/{t1}/award",
            json={"bid_ids": [bid_a, bid_b], **TERM},
        ),
        "bid_ids",
    )
    awarded = officers["a"].post(f"/api/v1/tenders/{t1}/award", json={"bid_ids": [bid_a], **TERM})
    assert awarded.status_code == 200, awarded.text
    contract = awarded.json()[0]["id"]
    before = snapshot(deployment)
    refused(bid("a bid to an awarded tender", commitments({"training_hours_youth": 1})), "awarded")
    refused(upload("a workbook bid to an awarded tender", layout(good)), "awarded")
    refused(
        door.send(
            "award it again",
            officers["a"],
            "POST",
            f"/api/v1/tenders/{t1}/award",
            json={"bid_ids": [bid_b], **TERM},
        ),
        "awarded",
    )
    assert snapshot(deployment) == before, "a bid to an awarded tender stored something"
    unseen(owner_b, "after the award")
    for path in (f"/api/v1/contracts/{contract}",):
        assert door.send("bidder B reads A's contract", owner_b, "GET", path).status_code == 404

    # --- delivery reports
    deliveries = f"/api/v1/contracts/{contract}/deliveries"

    def report(what: str, body: Any, who: httpx.Client = editor_a) -> httpx.Response:
        kwargs: dict[str, Any] = (
            {"content": body, "headers": {"Content-Type": "application/json"}}
            if isinstance(body, str)
            else {"json": body}
        )
        return door.send(what, who, "POST", deliveries, **kwargs)

    period = {
        "period_label": "2026 H1",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "delivered": {"volunteering_hours": 10},
    }
    refused(report("a period that ends before it starts", {**period, "ends_on": "2025-12-31"}), "ends_on")
    refused(report("a date that is no date", {**period, "starts_on": "2026-02-30"}), "starts_on")
    refused(
        report("a measure not in the contract", {**period, "delivered": {"co2_tonnes_avoided": 1}}),
        "delivered.co2_tonnes_avoided",
    )
    refused(report("NUL in the period label", {**period, "period_label": "H1\u0000"}), "period_label")
    refused(
        report("a 100,000-character period label", {**period, "period_label": "p" * 100_000}), "period_label"
    )
    refused(
        report(
            "Infinity delivered",
            '{"period_label":"x","starts_on":"2026-01-01","ends_on":"2026-06-30",'
            '"delivered":{"volunteering_hours":Infinity}}',
        ),
        "json",
        "number",
        "body",
    )
    refused(
        report("-1 delivered", {**period, "delivered": {"volunteering_hours": -1}}),
        "delivered.volunteering_hours",
    )
    refused(report("bidder B reports on A's contract", period, who=owner_b), "not found")
    assert snapshot(deployment) == before, "a refused delivery report stored something"
    draft = report("a good period", period)
    assert draft.status_code == 201, draft.text
    report_id = draft.json()["id"]
    before = snapshot(deployment)

    # --- evidence: type sniffed from the bytes, bounded, its name never a path
    def attach(
        what: str, name: str, data: bytes, measure: str = "volunteering_hours", kind: str = "application/pdf"
    ) -> httpx.Response:
        return door.send(
            what,
            editor_a,
            "POST",
            f"/api/v1/deliveries/{report_id}/evidence",
            data={"measure_id": measure},
            files={"file": (name, data, kind)},
        )

    refused(
        attach("HTML named ore.pdf, sent as a PDF", "ore.pdf", b"<html><script>alert(1)</script>"), "file"
    )
    refused(
        attach(
            "SVG with a script named foto.png",
            "foto.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            kind="image/png",
        ),
        "file",
    )
    refused(attach("a Windows program named ore.pdf", "ore.pdf", b"MZ\x90\x00" + bytes(4096)), "file")
    refused(attach("an empty file", "ore.pdf", b""), "file")
    refused(
        attach("11 MiB of PDF (limit 10 MiB)", "ore.pdf", PDF + bytes(11 * 1024 * 1024)),
        "file",
        "MiB",
        "too large",
    )
    refused(attach("a measure not in the tender", "ore.pdf", PDF, measure="co2_tonnes_avoided"), "measure_id")
    refused(attach("NUL in the measure id", "ore.pdf", PDF, measure="volunteering\u0000hours"), "measure_id")
    for what, raw_name in (
        ("a raw NUL byte in the file name", b"ore\x00.pdf"),
        ("a lone surrogate (CESU bytes) in the file name", b"ore\xed\xa0\x80.pdf"),
    ):
        boundary = b"hostileboundary"
        body = (
            b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="measure_id"\r\n\r\nvolunteering_hours\r\n'
            + b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="file"; filename="'
            + raw_name
            + b'"\r\nContent-Type: application/pdf\r\n\r\n'
            + PDF
            + b"\r\n--"
            + boundary
            + b"--\r\n"
        )
        answer = door.send(
            what,
            editor_a,
            "POST",
            f"/api/v1/deliveries/{report_id}/evidence",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=hostileboundary"},
        )
        refused(answer, "file", "multipart")
    assert snapshot(deployment) == before, "refused evidence stored something"
    for name in ("../../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/etc/cron.d/x.pdf"):
        stored = attach(f"a path for a name: {name}", name, PDF)
        assert stored.status_code == 201, stored.text
        kept = stored.json()["file_name"]
        assert "/" not in kept and "\\" not in kept, kept
        download = editor_a.get(f"/api/v1/deliveries/{report_id}/evidence/{stored.json()['id']}")
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.headers["x-content-type-options"] == "nosniff"
        assert ".." not in download.headers["content-disposition"]
    assert (
        not list(Path(deployment.data_dir).rglob("passwd*")) if Path(deployment.data_dir).exists() else True
    )
    for what, who in (
        ("bidder B downloads A's evidence", owner_b),
        ("authority B downloads A's evidence", other),
    ):
        answer = door.send(what, who, "GET", f"/api/v1/deliveries/{report_id}/evidence/{stored.json()['id']}")
        assert answer.status_code == 404, (what, answer.status_code)

    # --- the authority's workbook: bidder names and titles that are formulas come out as text
    exported = door.send(
        "the authority's workbook",
        officers["a"],
        "GET",
        f"/api/v1/authorities/{authorities['a']}/procurement.xlsx",
    )
    assert exported.status_code == 200, exported.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    found = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and ("HYPERLINK" in value or "cmd|" in value):
                    found += 1
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, value)
                    assert not re.match(r"[=+\-@\t\r]", value), (sheet.title, cell.coordinate, value)
                if cell.data_type == "f":
                    assert "HYPERLINK" not in str(value) and "cmd" not in str(value), (cell.coordinate, value)
    assert found >= 2, "the hostile names are not in the workbook at all"
    with deployment.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


def test_the_bid_pages_refuse_hostile_input_within_bounds(
    deployment: Deployment, door: Door, clients: list[httpx.Client]
) -> None:
    """The same doors from the browser: the tender page's bid form and its workbook upload."""
    world = deployment.world
    base = door.server.base_url
    admin = httpx.Client(
        base_url=base, timeout=GENEROUS, headers={"Authorization": f"Bearer {world.tokens['admin']}"}
    )
    clients.append(admin)
    made = admin.post("/api/v1/authorities", json={"name": "Comune di Pinerolo", "kind": "public_body"})
    assert made.status_code == 201, made.text
    user_id, token = officer(deployment, "officer_pages")
    assert (
        admin.post(f"/api/v1/authorities/{made.json()['id']}/members", json={"user_id": user_id}).status_code
        == 201
    )
    authority = httpx.Client(base_url=base, timeout=GENEROUS, headers={"Authorization": f"Bearer {token}"})
    clients.append(authority)
    tenders = [
        authority.post(
            f"/api/v1/authorities/{made.json()['id']}/tenders", json={**TENDER, "title": title}
        ).json()["id"]
        for title in ("Gara", "Altra gara")
    ]
    t1, t2 = tenders
    page = httpx.Client(base_url=base, timeout=GENEROUS, follow_redirects=True)
    clients.append(page)
    assert sign_in(page, "editor_a@example.org").status_code == 200
    shown = page.get(f"/app/procurement/tenders/{t1}")
    assert shown.status_code == 200
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', shown.text)
    assert csrf is not None
    template = page.get(f"/app/procurement/tenders/{t1}/bid-template.xlsx").content
    before = snapshot(deployment)
    fields = {"_csrf_token": csrf[1], "organisation_id": str(world.org_a)}
    good = {
        "q_local_employment_disadvantaged": "4",
        "q_training_hours_youth": "10",
        "q_volunteering_hours": "5",
    }

    def form(what: str, values: dict[str, str], tender_id: int = t1) -> httpx.Response:
        return door.send(
            what, page, "POST", f"/app/procurement/tenders/{tender_id}/bid", data={**fields, **good, **values}
        )

    def upload(what: str, content: bytes, tender_id: int = t1) -> httpx.Response:
        return door.send(
            what,
            page,
            "POST",
            f"/app/procurement/tenders/{tender_id}/bid-workbook",
            data=fields,
            files={"file": ("offerta.xlsx", content, "application/octet-stream")},
        )

    for literal in ("NaN", "Infinity", "-Infinity", "1e308", "-5", "=1+1", "1" * 5000):
        refused(
            form(f"page: {literal[:20]} as a quantity", {"q_volunteering_hours": literal}),
            "q_volunteering_hours",
        )
    refused(form("page: NUL in a quantity", {"q_volunteering_hours": "1\u0000"}), "q_volunteering_hours")
    refused(
        form("page: another organisation", {"organisation_id": str(world.org_b)}),
        "organisation",
        "404",
        "trovat",
    )
    refused(upload("page: a 1 GiB zip bomb", rezip(template, padded_bomb_xml(t1, 1024**3))), "offerta.xlsx")
    refused(upload("page: 100,000 rows", rezip(template, many_rows_xml(t1, 100_000))), "Offerta")
    refused(
        upload(
            "page: another tender's workbook",
            rezip(template, sheet_xml(bid_rows(t2, [("training_hours_youth", q("1"))]))),
        ),
        "Offerta!B2",
    )
    refused(
        upload("page: HTML named offerta.xlsx", b"<html><script>alert(1)</script></html>"), "offerta.xlsx"
    )
    assert snapshot(deployment) == before, "a refused page bid stored something"
    zero = form("page: -0 as a quantity", {"q_volunteering_hours": "-0"})
    assert zero.status_code == 200, zero.text[:400]
    with session_scope(deployment.engine) as session:
        stored = session.exec(select(Bid).where(Bid.tender_id == t1)).one()
        assert math.copysign(1, stored.commitments["volunteering_hours"]) == 1
        bid_id = stored.id
    assert (
        authority.post(f"/api/v1/tenders/{t1}/award", json={"bid_ids": [bid_id], **TERM}).status_code == 200
    )
    before = snapshot(deployment)
    late = form("page: a bid to an awarded tender", {})
    assert 400 <= late.status_code < 500, late.status_code
    late = upload("page: a workbook to an awarded tender", filled(template))
    assert 400 <= late.status_code < 500, late.status_code
    assert snapshot(deployment) == before, "a bid to an awarded tender stored something"


def filled(template: bytes) -> bytes:
    from tests.integration.procurement.helpers import filled_template

    return filled_template(template, BID_A)
