"""The CLI as an operator uses it: real subprocesses against a fresh database."""

import os
import subprocess
import sys
from pathlib import Path

import httpx2

from autopost.app import create_app
from autopost.security.vault import Vault, generate_key
from autopost.settings import Settings
from tests.support.servers import free_port, serve_in_thread


def _autopost(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autopost", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _env(database_url: str, data_dir: Path, keys: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
    env.update(AUTOPOST_DATABASE_URL=database_url, AUTOPOST_DATA_DIR=str(data_dir), AUTOPOST_TOKEN_KEYS=keys)
    return env


def test_operator_flow_migrate_user_token_and_api(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0

    created = _autopost(["users", "create", "Anna@Example.com", "--plan", "pro"], env)
    assert created.returncode == 0, created.stderr
    assert "anna@example.com" in created.stdout and "Пароль" in created.stdout

    again = _autopost(["users", "create", "anna@example.com", "--plan", "pro"], env)
    assert again.returncode == 1 and "уже существует" in again.stderr

    issued = _autopost(["tokens", "create", "anna@example.com"], env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("ap_")

    settings = Settings(_env_file=None, database_url=fresh_database_url, data_dir=tmp_path)
    port = free_port()
    app = create_app(settings, redis_url="redis://127.0.0.1:6379/0")
    with serve_in_thread(app, port, lifespan="on") as url:
        me = httpx2.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["email"] == "anna@example.com"
        assert me.json()["platforms"] == ["dzen", "rutube", "telegram", "vk"]
        anonymous = httpx2.get(f"{url}/api/v1/me")
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "not_authenticated"
        wrong = httpx2.get(f"{url}/api/v1/me", headers={"Authorization": "Bearer ap_wrong"})
        assert wrong.status_code == 401


def test_unknown_user_gets_a_clear_error(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0
    missing = _autopost(["tokens", "create", "nobody@example.com"], env)
    assert missing.returncode == 1 and "не найден" in missing.stderr


def test_keys_generate_prints_a_usable_key(tmp_path: Path) -> None:
    result = _autopost(["keys", "generate"], _env("sqlite+aiosqlite://", tmp_path, ""))
    assert result.returncode == 0
    Vault([result.stdout.strip()])


def test_keys_rotate_from_the_command_line(fresh_database_url: str, tmp_path: Path) -> None:
    old = generate_key()
    env = _env(fresh_database_url, tmp_path, old)
    assert _autopost(["migrate"], env).returncode == 0
    new_env = _env(fresh_database_url, tmp_path, f"{generate_key()},{old}")
    rotated = _autopost(["keys", "rotate"], new_env)
    assert rotated.returncode == 0, rotated.stderr
    assert "перешифровано 0" in rotated.stdout
