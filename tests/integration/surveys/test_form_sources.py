"""Every published form version keeps its XLSForm and the XForm pyxform wrote from it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from impactkit.errors import FormError
from impactkit.store.db import session_scope
from impactkit.store.surveys import form_source, publish_form, publish_shipped_forms
from impactkit.surveys import load_xlsform
from impactkit.surveys.xform import instance_attributes

ROOT = Path(__file__).resolve().parents[3]


def test_a_published_version_keeps_its_xlsform_and_xform(engine: Engine) -> None:
    path = ROOT / "tests" / "data" / "xlsform" / "external_choice_form_v1.xlsx"
    source = path.read_bytes()
    form = load_xlsform(source, path.name)
    with session_scope(engine) as session:
        row, created = publish_form(session, form, organisation_id=None, source=source)
        assert created and row.id is not None
        version_id = row.id
    with session_scope(engine) as session:
        stored = form_source(session, version_id)
        assert stored is not None
        assert stored.xlsform == source
        assert stored.xform_md5 == hashlib.md5(stored.xform.encode()).hexdigest()
        attributes = instance_attributes(stored.xform)
        assert (attributes["id"], attributes["version"]) == (form.form_id, form.version)
        # select_one_external: ODK clients read the list from the form's itemsets.csv
        assert stored.media["itemsets.csv"].startswith('"list_name","name","label"')


def test_a_version_published_before_sources_were_kept_gets_them_when_published_again(engine: Engine) -> None:
    path = ROOT / "surveys" / "volunteer_survey.xlsx"
    form = load_xlsform(path)
    with session_scope(engine) as session:
        row, _ = publish_form(session, form, organisation_id=None)
        assert row.id is not None
        version_id = row.id
        assert form_source(session, version_id) is None
    with session_scope(engine) as session:
        published = publish_shipped_forms(session)
        assert (version_id, False) in {(r.id, created) for r, created in published}
        stored = form_source(session, version_id)
        assert stored is not None and stored.xlsform == path.read_bytes()


def test_a_form_pyxform_cannot_convert_is_not_published(engine: Engine) -> None:
    path = ROOT / "tests" / "data" / "xlsform" / "tutorial.xlsx"
    form = load_xlsform(path)
    with session_scope(engine) as session, pytest.raises(FormError, match="pyxform"):
        publish_form(session, form, organisation_id=None, source=b"not a workbook")
