"""Staff sign in with e-mail and password; the session lives in a signed, HttpOnly, SameSite=Lax cookie."""

from __future__ import annotations

from dataclasses import replace

import httpx

from impactkit.api.pages._session import SESSION_COOKIE, session_cookie
from impactkit.settings import Settings
from impactkit.store.tables import User
from tests.conftest import LiveServer
from tests.integration.pages.web import build_web_world, csrf_of, sign_in


def test_signing_in_sets_a_signed_httponly_lax_cookie_and_opens_the_home_page(
    live_server: LiveServer,
) -> None:
    build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    response = sign_in(client, "owner_a@example.org")
    assert response.status_code == 303
    assert response.headers["location"] == "/app"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie, "plain HTTP in tests: cookie_secure is off"
    home = client.get("/app")
    assert home.status_code == 200
    assert "Cooperativa A" in home.text
    assert "Associazione B" not in home.text


def test_the_cookie_is_secure_when_the_settings_say_so() -> None:
    settings = Settings(data_dir=__import__("pathlib").Path("."), database_url="sqlite://", secret_key="k")
    user = User(id=7, email="a@example.org", name="A", password_hash="$argon2id$x")
    assert session_cookie(replace(settings, cookie_secure=True), user).secure is True
    assert session_cookie(settings, user).secure is False
    assert session_cookie(settings, user).httponly is True
    assert session_cookie(settings, user).samesite == "lax"


def test_a_wrong_password_and_an_unknown_email_get_the_same_plain_message(live_server: LiveServer) -> None:
    build_web_world(live_server.engine, live_server.settings)
    wrong_password = sign_in(live_server.client(), "owner_a@example.org", "not the password")
    unknown_email = sign_in(live_server.client(), "nobody@example.org", "not the password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert "Email o password non corrette." in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    message = 'id="signin-error">'
    assert wrong_password.text.split(message)[1][:80] == unknown_email.text.split(message)[1][:80]


def test_pages_ask_for_sign_in_and_come_back_after_it(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = f"/app/projects/{web.world.project_a}"
    first = client.get(page)
    assert first.status_code == 303
    assert first.headers["location"] == f"/signin?next={page}"
    form = client.get(first.headers["location"])
    response = client.post(
        "/signin",
        data={
            "email": "editor_a@example.org",
            "password": "correct horse battery",
            "next": page,
            "_csrf_token": csrf_of(form.text),
        },
    )
    assert response.headers["location"] == page


def test_a_sign_in_never_sends_the_user_to_another_site(live_server: LiveServer) -> None:
    build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    form = client.get("/signin")
    response = client.post(
        "/signin",
        data={
            "email": "owner_a@example.org",
            "password": "correct horse battery",
            "next": "//evil.example/",
            "_csrf_token": csrf_of(form.text),
        },
    )
    assert response.headers["location"] == "/app"


def test_a_tampered_or_foreign_cookie_is_not_a_session(live_server: LiveServer) -> None:
    web = build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    sign_in(client, "viewer_a@example.org")
    value = client.cookies[SESSION_COOKIE]
    payload, signature = value.split(".")
    forged = httpx.Client(
        base_url=live_server.base_url, cookies={SESSION_COOKIE: payload[:-2] + "xx." + signature}
    )
    live_server.clients.append(forged)
    assert forged.get("/app").status_code == 303
    other_secret = Settings(
        data_dir=live_server.settings.data_dir, database_url="sqlite://", secret_key="another"
    )
    foreign_value = session_cookie(other_secret, User(id=web.world.users["admin"], email="x", name="x")).value
    foreign = httpx.Client(base_url=live_server.base_url, cookies={SESSION_COOKIE: foreign_value})
    live_server.clients.append(foreign)
    assert foreign.get("/app").status_code == 303


def test_signing_out_needs_the_csrf_token_and_ends_the_session(live_server: LiveServer) -> None:
    build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    sign_in(client, "owner_a@example.org")
    home = client.get("/app")
    assert client.post("/signout").status_code == 403
    out = client.post("/signout", data={"_csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    assert client.get("/app").status_code == 303


def test_the_interface_speaks_english_on_request(live_server: LiveServer) -> None:
    build_web_world(live_server.engine, live_server.settings)
    client = live_server.client()
    page = client.get("/signin?lang=en")
    assert '<html lang="en">' in page.text
    assert ">Sign in</h1>" in page.text
    assert '<html lang="en">' in client.get("/signin").text, "the choice is kept in a cookie"
