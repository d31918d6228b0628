"""Sign-in and public survey links are rate limited per client address, with a clear 429."""

from __future__ import annotations

import pytest

from impactkit.api.ratelimit import RateLimiter
from tests.conftest import LiveServer


def test_the_limiter_counts_a_sliding_minute() -> None:
    limiter = RateLimiter(window_seconds=60)
    key = ("sign-in", "203.0.113.7")
    assert [limiter.retry_after(key, 3, now=t) for t in (0, 1, 2)] == [0, 0, 0]
    assert limiter.retry_after(key, 3, now=3) == 57  # at 60 the hit of 0 leaves the window
    assert limiter.retry_after(("sign-in", "198.51.100.1"), 3, now=3) == 0  # another address
    assert limiter.retry_after(key, 3, now=61) == 0  # the first hit has left the window


@pytest.fixture
def low_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACTKIT_RATE_SIGNIN_PER_MINUTE", "3")
    monkeypatch.setenv("IMPACTKIT_RATE_SURVEY_PER_MINUTE", "4")


def test_too_many_sign_ins_or_survey_posts_get_429(low_limits: None, live_server: LiveServer) -> None:
    client = live_server.client()
    statuses = [
        client.post("/signin", data={"email": "x@example.org", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert 429 not in statuses[:3] and statuses[3] == 429
    refused = client.post("/signin", data={"email": "x@example.org", "password": "wrong"})
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) > 0
    assert "at most 3 a minute" in refused.json()["detail"]
    survey = [client.post("/s/some-link-token", data={}).status_code for _ in range(5)]
    assert 429 not in survey[:4] and survey[4] == 429
    assert client.get("/health").status_code == 200  # everything else is untouched
