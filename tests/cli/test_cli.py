"""The CLI as an operator uses it: real subprocesses against a fresh database."""

import os
import subprocess
import sys
import uuid
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


def _namespace() -> str:
    """A Redis namespace of the test's own (not the default an installed autopost uses)."""
    return f"cli{uuid.uuid4().hex[:10]}"


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def _env(database_url: str, data_dir: Path, keys: str, locale: str = "C.UTF-8") -> dict[str, str]:
    """The operator's environment; the locale decides the language of what the commands print."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_") and k not in LOCALE_VARIABLES}
    env.update(AUTOPOST_DATABASE_URL=database_url, AUTOPOST_DATA_DIR=str(data_dir), AUTOPOST_TOKEN_KEYS=keys)
    env["LANG"] = locale
    return env


def test_operator_flow_migrate_user_token_and_api(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0

    created = _autopost(["users", "create", "Anna@Example.com", "--plan", "pro"], env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("User anna@example.com created, plan Pro.\nPassword (shown once): ")

    again = _autopost(["users", "create", "anna@example.com", "--plan", "pro"], env)
    assert again.returncode == 1 and again.stderr.strip() == "User anna@example.com already exists"
    bad = _autopost(["users", "create", "anna.example.com"], env)
    assert bad.returncode == 1 and bad.stderr.strip() == "Invalid email: anna.example.com"

    issued = _autopost(["tokens", "create", "anna@example.com"], env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("ap_")

    settings = Settings(
        _env_file=None, database_url=fresh_database_url, data_dir=tmp_path, redis_namespace=_namespace()
    )
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
    assert missing.returncode == 1 and missing.stderr.strip() == "User nobody@example.com not found"


def test_a_russian_locale_gets_russian_output(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key(), locale="ru_RU.UTF-8")
    migrated = _autopost(["migrate"], env)
    assert migrated.returncode == 0 and migrated.stdout.strip() == "Схема базы данных обновлена."
    created = _autopost(["users", "create", "olga@example.com", "--plan", "start"], env)
    assert created.stdout.startswith("Пользователь olga@example.com создан, тариф Старт.\nПароль")
    short = _autopost(["users", "create", "ivan@example.com", "--password", "short"], env)
    assert short.returncode == 1 and short.stderr.strip() == "Пароль должен быть не короче 8 символов"
    # LC_ALL outranks LANG, as in every POSIX program.
    english = _autopost(["tokens", "create", "nobody@example.com"], {**env, "LC_ALL": "en_US.UTF-8"})
    assert english.stderr.strip() == "User nobody@example.com not found"


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
    assert "Done: 0 re-encrypted, 0 changed during the rotation." in rotated.stdout
