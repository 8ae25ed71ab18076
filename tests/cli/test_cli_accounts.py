"""Operator commands for tokens and passwords: real subprocesses against a fresh database and a live app."""

import re
from pathlib import Path

import httpx2

from autopost.app import create_app
from autopost.security.vault import generate_key
from autopost.settings import Settings
from tests.cli.test_cli import _autopost, _env, _namespace
from tests.support.servers import free_port, serve_in_thread

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _token_ids(listing: str) -> dict[str, str]:
    """Token name → id, from the lines of `autopost tokens list`."""
    ids = {}
    for line in listing.splitlines():
        match = re.match(rf"({UUID})\s+(\S+)", line)
        if match:
            ids[match.group(2)] = match.group(1)
    return ids


def test_tokens_list_expire_and_revoke(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0
    assert (
        _autopost(["users", "create", "ops@example.com", "--password", "correct-horse-1"], env).returncode
        == 0
    )

    lasting = _autopost(["tokens", "create", "ops@example.com", "--name", "ci", "--expires-days", "30"], env)
    assert lasting.returncode == 0, lasting.stderr
    ci_token = lasting.stdout.strip()
    plain = _autopost(["tokens", "create", "ops@example.com", "--name", "laptop"], env)
    laptop_token = plain.stdout.strip()
    never = _autopost(["tokens", "create", "ops@example.com", "--expires-days", "0"], env)
    assert never.returncode != 0

    listed = _autopost(["tokens", "list", "ops@example.com"], env)
    assert listed.returncode == 0, listed.stderr
    ids = _token_ids(listed.stdout)
    assert set(ids) == {"ci", "laptop"}
    assert ci_token not in listed.stdout and laptop_token not in listed.stdout
    ci_line = next(line for line in listed.stdout.splitlines() if ids["ci"] in line)
    assert re.search(r"expires \d{4}-\d{2}-\d{2}", ci_line) and ci_line.endswith("  active")
    laptop_line = next(line for line in listed.stdout.splitlines() if ids["laptop"] in line)
    assert "expires —" in laptop_line

    revoked = _autopost(["tokens", "revoke", ids["laptop"]], env)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == f"Token {ids['laptop']} (laptop) revoked."
    again = _autopost(["tokens", "revoke", ids["laptop"]], env)
    assert again.returncode == 1 and again.stderr.strip() == f"Token {ids['laptop']} is already revoked"
    unknown = _autopost(["tokens", "revoke", "00000000-0000-0000-0000-000000000000"], env)
    assert unknown.returncode == 1 and "not found" in unknown.stderr
    garbage = _autopost(["tokens", "revoke", "nope"], env)
    assert garbage.returncode == 1 and garbage.stderr.strip() == "Token nope not found"
    missing = _autopost(["tokens", "list", "nobody@example.com"], env)
    assert missing.returncode == 1 and missing.stderr.strip() == "User nobody@example.com not found"

    after = _autopost(["tokens", "list", "ops@example.com"], env).stdout
    assert next(line for line in after.splitlines() if ids["laptop"] in line).endswith("  revoked")

    settings = Settings(
        _env_file=None, database_url=fresh_database_url, data_dir=tmp_path, redis_namespace=_namespace()
    )
    port = free_port()
    app = create_app(settings, redis_url="redis://127.0.0.1:6379/0")
    with serve_in_thread(app, port, lifespan="on") as url:
        assert (
            httpx2.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {ci_token}"}).status_code == 200
        )
        assert (
            httpx2.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {laptop_token}"}).status_code
            == 401
        )


def test_set_password_ends_the_users_sessions(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0
    assert (
        _autopost(["users", "create", "pw@example.com", "--password", "correct-horse-1"], env).returncode == 0
    )
    settings = Settings(
        _env_file=None, database_url=fresh_database_url, data_dir=tmp_path, redis_namespace=_namespace()
    )
    port = free_port()
    app = create_app(settings, redis_url="redis://127.0.0.1:6379/0")
    with serve_in_thread(app, port, lifespan="on") as url, httpx2.Client(base_url=url) as browser:
        login = browser.post(
            "/api/v1/auth/login", json={"email": "pw@example.com", "password": "correct-horse-1"}
        )
        assert login.status_code == 200
        assert browser.get("/api/v1/me").status_code == 200

        generated = _autopost(["users", "set-password", "PW@example.com"], env)
        assert generated.returncode == 0, generated.stderr
        assert "Password of pw@example.com changed. Sessions ended: 1." in generated.stdout
        new_password = generated.stdout.split("(shown once): ", 1)[1].split()[0]
        assert browser.get("/api/v1/me").status_code == 401

        chosen = _autopost(["users", "set-password", "pw@example.com", "--password", "battery-staple-2"], env)
        assert chosen.returncode == 0 and "Sessions ended: 0." in chosen.stdout
        assert new_password not in chosen.stdout
        short = _autopost(["users", "set-password", "pw@example.com", "--password", "short"], env)
        assert short.returncode == 1 and "at least 8 characters" in short.stderr
        nobody = _autopost(["users", "set-password", "nobody@example.com"], env)
        assert nobody.returncode == 1 and "User nobody@example.com not found" in nobody.stderr

        relogin = browser.post(
            "/api/v1/auth/login", json={"email": "pw@example.com", "password": "battery-staple-2"}
        )
        assert relogin.status_code == 200
