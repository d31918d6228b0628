"""The decree's figures in the organisation's report page: entered by section, refused by field when
wrong, shown as impactkit knows them, and carried into the PDF and the DOCX."""

from __future__ import annotations

import re

from impactkit.reports.documents import embedded_document
from tests.conftest import LiveServer
from tests.documents_helpers import docx_text, pdf_text
from tests.integration.pages.web import (
    build_web_world,
    collect_responses,
    csrf_of,
    sign_in,
    store_self_report,
)


def test_an_editor_enters_the_figures_the_decree_asks_and_finds_them_in_the_documents(
    live_server: LiveServer,
) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    collect_responses(live_server.engine, web)
    store_self_report(live_server.engine, web)
    client = live_server.client()
    sign_in(client, "editor_a@example.org")
    project = client.get(f"/app/projects/{web.world.project_a}")
    created = client.post(
        f"/app/projects/{web.world.project_a}/reports",
        data={"_csrf_token": csrf_of(project.text), "period_id": str(web.world.period_a), "language": "it"},
    )
    report_url = created.headers["location"].split("?")[0]
    page = client.get(report_url)
    assert 'id="sections-empty"' in page.text, "the page says which sections are still empty"
    for key in ("structure_governance_administration", "people", "economic_financial_situation"):
        assert f'action="{report_url}/figures/{key}"' in page.text
    assert 'id="known-people"' in page.text or 'id="known-objectives_and_activities"' in page.text
    token = csrf_of(page.text)

    wrong = client.post(
        f"{report_url}/figures/people",
        data={"_csrf_token": token, "staff_permanent_people": "dodici", "pay_lowest": "-5"},
    )
    assert wrong.status_code == 422
    assert re.search(r'id="e-staff_permanent_people"', wrong.text), "the wrong field is named"
    assert re.search(r'id="e-pay_lowest"', wrong.text)

    saved = client.post(
        f"{report_url}/figures/people",
        data={
            "_csrf_token": token,
            "staff_permanent_people": "12",
            "staff_permanent_women": "7",
            "volunteers": "30",
            "volunteer_hours": "1.250,5",
            "pay_highest": "36.000",
            "pay_lowest": "18.000",
            "volunteer_reimbursements": "1.200",
        },
    )
    assert saved.status_code == 303
    governance = client.post(
        f"{report_url}/figures/structure_governance_administration",
        data={
            "_csrf_token": token,
            "body_0_name": "Assemblea dei soci",
            "body_0_members": "40",
            "body_0_women": "21",
            "body_0_meetings": "2",
            "body_0_attendance": "65",
            "body_1_name": "",
            "members": "40",
        },
    )
    assert governance.status_code == 303
    economic = client.post(
        f"{report_url}/figures/economic_financial_situation",
        data={"_csrf_token": token, "revenue_public_contracts": "200.000", "revenue_donations": "5.000"},
    )
    assert economic.status_code == 303
    after = client.get(report_url)
    assert 'value="1.250,50"' in after.text and 'value="Assemblea dei soci"' in after.text

    report_id = report_url.rsplit("/", 1)[1]
    pdf = client.get(f"/app/reports/{report_id}/report.pdf").content
    text = pdf_text(pdf)
    for expected in (
        "Lavoratori (tempo indeterminato) 12 persone",
        "Ore di volontariato 1.250 ore",
        "2,00 : 1",
        "Assemblea dei soci: componenti 40",
        "Assemblea dei soci: partecipazione media 65,0 %",
        "Proventi in totale 205.000 €",
    ):
        assert expected in text, expected
    assert b'"pay_highest":36000' in (embedded_document(pdf) or b"")
    words = docx_text(client.get(f"/app/reports/{report_id}/report.docx").content)
    assert "Proventi: contratti con enti pubblici" in words and "200.000 €" in words
