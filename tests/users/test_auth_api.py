from autopost.platforms.catalog import Platform
from autopost.security.sessions import SESSION_COOKIE
from tests.support.api import Api


def test_login_cookie_needs_csrf_for_writes(api: Api) -> None:
    email, _ = api.new_user(password="correct-horse-1")
    with api.client() as browser:
        wrong = browser.post("/api/v1/auth/login", json={"email": email, "password": "nope-nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "Неверный email или пароль"
        login = browser.post(
            "/api/v1/auth/login", json={"email": email.upper(), "password": "correct-horse-1"}
        )
        assert login.status_code == 200
        csrf = login.json()["csrf_token"]
        assert browser.get("/api/v1/me").json()["email"] == email
        refused = browser.post("/api/v1/clips", json={"source_url": "http://127.0.0.1:1/x.mp4"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
        allowed = browser.post(
            "/api/v1/clips", json={"source_url": "http://127.0.0.1:1/x.mp4"}, headers={"X-CSRF-Token": csrf}
        )
        assert allowed.json()["error"]["code"] == "source_refused"  # past CSRF, stopped by the SSRF guard
        kept = browser.cookies.get(SESSION_COOKIE)
        assert browser.post("/api/v1/auth/logout").status_code == 403
        assert browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        # The session ended on the server: even the cookie put back opens nothing.
        browser.cookies.set(SESSION_COOKIE, kept or "", domain="127.0.0.1")
        assert browser.get("/api/v1/me").status_code == 401


def test_login_attempts_are_limited(api: Api) -> None:
    # Per e-mail and client address: tests/users/test_login_throttle.py shows the owner elsewhere gets in.
    email, _ = api.new_user()
    with api.client() as browser:
        codes = [
            browser.post("/api/v1/auth/login", json={"email": email, "password": f"wrong-{n}"}).status_code
            for n in range(6)
        ]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        limited = browser.post("/api/v1/auth/login", json={"email": email, "password": "correct-horse-1"})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


def test_no_token_in_any_answer(api: Api) -> None:
    email, token = api.new_user()
    connection = api.add_connection(email, Platform.TELEGRAM)
    clip_id = api.upload_clip(token)["id"]
    with api.client(token) as client:
        bodies = [
            client.get("/api/v1/connections").text,
            client.get(f"/api/v1/connections/{connection}").text,
            client.get("/api/v1/platforms").text,
            client.post(
                f"/api/v1/clips/{clip_id}/publish", json={"targets": [{"connection_id": connection}]}
            ).text,
        ]
    for body in bodies:
        assert "secret-token-" not in body
        assert "v1:" not in body


def test_an_email_with_a_nul_byte_is_a_wrong_login_not_a_server_error(api: Api) -> None:
    # Found by schemathesis: PostgreSQL cannot compare text holding NUL and answered 500.
    with api.client() as browser:
        answer = browser.post("/api/v1/auth/login", json={"email": "anna\u0000@example.com", "password": "x"})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "login_failed"
