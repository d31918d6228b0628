"""The small parts the pages stand on: relevance rules for the script, signed sessions, link tokens, contrast."""

from __future__ import annotations

import hashlib
import re
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from impactkit.api.pages._session import SESSION_SECONDS, _read, session_value
from impactkit.api.pages._survey_form import _file_attributes, answer_location, client_rule
from impactkit.formats import Formats
from impactkit.store.links import link_token, token_hash
from impactkit.store.tables import User
from impactkit.surveys.model import Field as SurveyField

CSS = Path(__file__).resolve().parents[3] / "src" / "impactkit" / "api" / "pages" / "static"


@pytest.mark.parametrize(
    ("expressions", "rule"),
    [
        (["${consent} = 'yes'"], [["consent", "=", "yes"]]),
        (
            ["${consent} = 'yes'", "(${employment_status} = 'unemployed')"],
            [["consent", "=", "yes"], ["employment_status", "=", "unemployed"]],
        ),
        (
            ["${consent} = 'yes' and (selected(${vulnerable_conditions}, 'other'))"],
            [["consent", "=", "yes"], ["vulnerable_conditions", "sel", "other"]],
        ),
        (["not(selected(${services}, 'housing'))"], [["services", "nsel", "housing"]]),
        (["${age} >= 18"], [["age", "n>=", "18"]]),
        (["${a} != 'x'"], [["a", "!=", "x"]]),
        (["${a} = 'x' or ${b} = 'y'"], None),
        (["${age} + 1 > 18"], None),
        (["count-selected(${services}) > 1"], None),
        (["${a} = 'it''s'"], None),
    ],
)
def test_simple_relevance_rules_go_to_the_script_and_the_rest_stay_with_the_server(
    expressions: list[str], rule: list[list[str]] | None
) -> None:
    assert client_rule(expressions) == rule


def _user(password_hash: str = "$argon2id$one") -> User:
    return User(id=42, email="a@example.org", name="A", password_hash=password_hash)


def test_a_session_value_reads_back_only_unaltered_under_the_same_secret() -> None:
    value = session_value("secret", _user())
    data = _read("secret", value)
    assert data is not None and data["u"] == 42
    assert _read("another secret", value) is None
    payload, signature = value.split(".")
    assert _read("secret", payload + "A." + signature) is None
    assert _read("secret", payload) is None
    assert _read("secret", "not a cookie") is None


def test_a_session_lapses_after_twelve_hours() -> None:
    old = session_value("secret", _user(), now=time.time() - SESSION_SECONDS - 5)
    fresh = session_value("secret", _user(), now=time.time() - SESSION_SECONDS + 60)
    assert _read("secret", old) is None
    assert _read("secret", fresh) is not None


def test_a_link_token_is_stable_per_nonce_and_stored_only_as_its_sha256() -> None:
    first = link_token("secret", "nonce-1")
    assert first == link_token("secret", "nonce-1"), "staff can copy the same link again"
    assert first != link_token("secret", "nonce-2")
    assert first != link_token("another secret", "nonce-1")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", first), "32 URL-safe characters, 192 bits"
    assert token_hash(first) == hashlib.sha256(first.encode()).hexdigest()


def test_kpi_figures_read_as_people_read_them_in_each_language() -> None:
    it, en = Formats("it"), Formats("en")
    assert (it.kpi(0.6643, "share"), en.kpi(0.6643, "share")) == ("66,4\xa0%", "66.4\xa0%")
    assert it.kpi(1.0, "share") == "100,0\xa0%"
    assert (it.kpi(4.25, "score 1–5"), en.kpi(4.25, "score 1–5")) == ("4,25", "4.25")
    assert (it.kpi(1234.0, "hours"), en.kpi(1234.0, "hours")) == ("1.234\xa0ore", "1,234\xa0hours")
    assert it.kpi(1.0, "hours") == "1\xa0ora"
    assert it.kpi(12.345, "hours") == "12,3\xa0ore"
    assert (it.kpi(80, "people"), en.kpi(80, "people")) == ("80\xa0persone", "80\xa0people")
    assert it.kpi(None, "people") == "—"
    assert (it.date(date(2026, 12, 6)), en.date(date(2026, 12, 6))) == ("6 dicembre 2026", "6 December 2026")
    assert (it.number(1200), en.number(1200)) == ("1.200", "1,200")
    assert (it.percent(0.703), en.percent(0.703)) == ("70,3\xa0%", "70.3\xa0%")
    assert it.money(12500) == "12.500\xa0€" and en.money(12500) == "€12,500"


def test_the_formats_examples_hold() -> None:
    import doctest

    from impactkit import formats
    from impactkit.api.pages import _charts

    for module in (formats, _charts):
        assert doctest.testmod(module).failed == 0


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("#1a1a1a", "#fafaf7"),  # body text
        ("#4a4a4a", "#fafaf7"),  # hints and muted text
        ("#0b4f8a", "#fafaf7"),  # links
        ("#a4001d", "#fafaf7"),  # errors
        ("#a4001d", "#fbeaec"),  # error notice
        ("#ffffff", "#0b4f8a"),  # buttons and header
        ("#1a1a1a", "#e8f0f8"),  # notices
    ],
)
def test_text_colours_meet_wcag_aa_contrast(foreground: str, background: str) -> None:
    styles = (CSS / "survey.css").read_text() + (CSS / "staff.css").read_text()
    for colour in (foreground, background):
        assert colour in styles or colour == "#ffffff", f"{colour} is not used by the stylesheets"
    assert _contrast(foreground, background) >= 4.5


PAGES = Path(__file__).resolve().parents[3] / "src" / "impactkit" / "api" / "pages"
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("src/impactkit/api/pages/static/vendor/htmx.min.js", "node_modules/htmx.org/dist/htmx.min.js"),
        ("src/impactkit/api/pages/static/vendor/htmx.LICENSE", "node_modules/htmx.org/LICENSE"),
        (
            "src/impactkit/api/static/swagger/swagger-ui-bundle.js",
            "node_modules/swagger-ui-dist/swagger-ui-bundle.js",
        ),
        ("src/impactkit/api/static/swagger/swagger-ui.css", "node_modules/swagger-ui-dist/swagger-ui.css"),
        (
            "src/impactkit/api/static/swagger/swagger-ui-standalone-preset.js",
            "node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js",
        ),
        ("src/impactkit/api/static/swagger/LICENSE", "node_modules/swagger-ui-dist/LICENSE"),
    ],
)
def test_the_served_copies_of_htmx_and_swagger_ui_are_the_pinned_packages(ours: str, theirs: str) -> None:
    installed = ROOT / theirs
    if not installed.exists():
        pytest.skip(f"{theirs} is not installed: run ./scripts/install")
    assert (ROOT / ours).read_bytes() == installed.read_bytes(), f"copy {theirs} to {ours} again"


def test_no_template_carries_an_inline_script_or_style() -> None:
    for template in (PAGES / "templates").rglob("*.html"):
        text = template.read_text()
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=", text), f"{template}: inline event handler"
        assert "http://" not in text and "https://" not in text, f"{template}: external URL"


def test_every_message_speaks_italian_and_english_with_the_same_placeholders() -> None:
    from string import Formatter

    from impactkit.api.pages._i18n import catalogue

    def names(text: object) -> set[str]:
        texts = text.values() if isinstance(text, dict) else [text]
        return {field for t in texts for _, field, _, _ in Formatter().parse(str(t)) if field}

    for key, texts in catalogue().items():
        assert set(texts) == {"it", "en"}, key
        assert names(texts["it"]) == names(texts["en"]), key


def test_a_message_key_defined_twice_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from impactkit.api.pages import _i18n, messages

    (tmp_path / "one.py").write_text('MESSAGES = {"home": {"it": "x", "en": "y"}}\n')
    monkeypatch.setattr(messages, "__path__", [*messages.__path__, str(tmp_path)])
    _i18n.catalogue.cache_clear()
    try:
        with pytest.raises(_i18n.CatalogueError, match="home"):
            _i18n.catalogue()
    finally:
        monkeypatch.undo()
        _i18n.catalogue.cache_clear()
        sys.modules.pop("impactkit.api.pages.messages.one", None)


def test_counted_messages_pick_the_plural_and_write_numbers_in_the_language() -> None:
    from impactkit.api.pages._i18n import translate

    assert translate("n_responses", "it", count=1) == "1 risposta"
    assert translate("n_responses", "it", count=1200) == "1.200 risposte"
    assert translate("n_responses", "en", count=1200) == "1,200 responses"


@pytest.mark.parametrize(
    ("question_type", "appearance", "parameters", "attributes"),
    [
        ("image", None, {}, {"accept": "image/*"}),
        ("image", "new", {}, {"accept": "image/*", "capture": "environment"}),
        ("image", "selfie", {}, {"accept": "image/*", "capture": "user"}),
        ("audio", "new", {}, {"accept": "audio/*", "capture": "environment"}),
        ("video", None, {}, {"accept": "video/*"}),
        ("file", None, {}, {}),
        ("file", None, {"accept": ".pdf, .docx"}, {"accept": ".pdf, .docx"}),
        ("image", None, {"accept": '"><script>alert(1)</script>'}, {"accept": "image/*"}),
    ],
)
def test_a_file_question_offers_what_it_takes_and_the_camera_only_where_odk_would(
    question_type: str, appearance: str | None, parameters: dict[str, str], attributes: dict[str, str]
) -> None:
    item = SurveyField(name="photo", type=question_type, appearance=appearance, parameters=parameters)
    assert _file_attributes(item) == attributes


def test_a_media_answer_is_placed_as_openrosa_places_it() -> None:
    assert answer_location("photo") == "photo"
    assert answer_location("household/0/visit/12/photo") == "household[0].visit[12].photo"
