"""The small parts the pages stand on: relevance rules for the script, signed sessions, link tokens, contrast."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest

from impactkit.api.pages._session import SESSION_SECONDS, _read, session_value
from impactkit.api.pages._survey_form import client_rule
from impactkit.api.pages.staff import figure
from impactkit.store.links import link_token, token_hash
from impactkit.store.tables import User

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


def test_kpi_figures_read_as_people_read_them() -> None:
    assert figure(0.6643, "share") == "66.4 %"
    assert figure(1.0, "share") == "100.0 %"
    assert figure(4.25, "score 1–5") == "4.25"
    assert figure(1234.0, "hours") == "1,234"
    assert figure(12.345, "hours") == "12.3"
    assert figure(None, "people") == "—"


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
