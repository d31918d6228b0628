"""Several server processes on one PostgreSQL database act as one: a rate limit reached through
one process holds in the others (limits kept in PostgreSQL, or in Redis when configured), and a
token revoked through one process is refused by the others within the documented bound."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from impactkit.store.security import hash_token
from tests.integration.production.conftest import Instance, redis_or_skip, start_servers
from tests.reliability.loadclient import ServerProcess

LIMIT = 3
REFRESH_SECONDS = 0.5


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    import redis

    url = redis_or_skip()
    prefix = f"impactkit-test-{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def servers(instance: Instance, redis_prefix: str) -> Iterator[dict[str, list[ServerProcess]]]:
    """Two processes keeping limits in PostgreSQL, two in Redis; principals cached for 300 s."""
    common = {
        "IMPACTKIT_RATE_SIGNIN_PER_MINUTE": str(LIMIT),
        "IMPACTKIT_AUTH_CACHE_SECONDS": "300",
        "IMPACTKIT_AUTH_REFRESH_SECONDS": str(REFRESH_SECONDS),
    }
    with_redis = {**common, "IMPACTKIT_REDIS_URL": redis_or_skip(), "IMPACTKIT_REDIS_PREFIX": redis_prefix}
    started = start_servers(instance.database_url, instance.data_dir, [common, common, with_redis, with_redis])
    try:
        yield {"postgresql": started[:2], "redis": started[2:]}
    finally:
        for server in started:
            server.kill()


def sign_in(server: ServerProcess) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/signin", data={"email": "nobody@example.org", "password": "wrong"}, timeout=30
    )


@pytest.mark.parametrize("store", ["postgresql", "redis"])
def test_a_limit_reached_through_one_process_holds_in_the_other(
    store: str, servers: dict[str, list[ServerProcess]], instance: Instance, redis_prefix: str
) -> None:
    first, second = servers[store]
    statuses = [sign_in(first).status_code for _ in range(LIMIT)]
    assert 429 not in statuses
    refused = sign_in(second)
    assert refused.status_code == 429, refused.text
    assert f"at most {LIMIT} a minute" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert sign_in(first).status_code == 429  # and back in the first: the window is shared
    if store == "postgresql":
        with instance.engine.connect() as connection:
            counted = connection.execute(
                text("SELECT count(*) FROM rate_limit_hit WHERE key = 'sign-in|127.0.0.1'")
            ).scalar_one()
        assert counted == LIMIT  # refused attempts are not counted
    else:
        import redis

        client = redis.Redis.from_url(redis_or_skip())
        assert client.zcard(f"{redis_prefix}rate:sign-in|127.0.0.1") == LIMIT
        client.close()


def _token_id(instance: Instance, token: str) -> int:
    with instance.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM api_token WHERE token_hash = :h"), {"h": hash_token(token)}
            ).scalar_one()
        )


def test_a_token_revoked_through_one_process_is_refused_by_the_other_within_the_bound(
    servers: dict[str, list[ServerProcess]], instance: Instance
) -> None:
    first, second = servers["postgresql"]
    world = instance.world
    admin = {"Authorization": f"Bearer {world.tokens['admin']}"}
    viewer = {"Authorization": f"Bearer {world.tokens['viewer_a']}"}
    editor = {"Authorization": f"Bearer {world.tokens['editor_a']}"}
    with httpx.Client(base_url=second.base_url, timeout=30) as other:
        assert other.get("/api/v1/me", headers=viewer).status_code == 200
        assert other.get("/api/v1/me", headers=editor).status_code == 200

        # Revoked behind the application's back (plain SQL, no epoch raised): the second
        # process keeps answering from its cache — the cache is real, and long (300 s).
        with instance.engine.begin() as connection:
            connection.execute(
                text("UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP WHERE id = :id"),
                {"id": _token_id(instance, world.tokens["editor_a"])},
            )
        time.sleep(REFRESH_SECONDS * 2)
        assert other.get("/api/v1/me", headers=editor).status_code == 200

        # Revoked through the first process: the second refuses it within the bound.
        viewer_id = _token_id(instance, world.tokens["viewer_a"])
        revoked = httpx.delete(
            f"{first.base_url}/api/v1/users/{world.users['viewer_a']}/tokens/{viewer_id}",
            headers=admin,
            timeout=30,
        )
        assert revoked.status_code == 204, revoked.text
        started = time.monotonic()
        status = other.get("/api/v1/me", headers=viewer).status_code
        while status != 401 and time.monotonic() - started < 10:
            time.sleep(0.05)
            status = other.get("/api/v1/me", headers=viewer).status_code
        assert status == 401, "the second process still accepts a token revoked through the first"
        # Every principal the second process had cached went with the epoch.
        assert other.get("/api/v1/me", headers=editor).status_code == 401
        assert other.get("/api/v1/me", headers=admin).status_code == 200
