import pytest
from pydantic import ValidationError

from autopost.security.vault import generate_key
from autopost.settings import Settings


def test_nested_platform_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOST_VK__API_URL", "http://127.0.0.1:8800/vk")
    monkeypatch.setenv("AUTOPOST_TELEGRAM__LOCAL_SERVER", "true")
    monkeypatch.setenv("AUTOPOST_DZEN__API_URL", "http://127.0.0.1:8800/dzen")
    key = generate_key()
    monkeypatch.setenv("AUTOPOST_TOKEN_KEYS", key)
    settings = Settings(_env_file=None)
    assert settings.vk.api_url == "http://127.0.0.1:8800/vk"
    assert settings.telegram.local_server is True
    assert settings.dzen.api_url == "http://127.0.0.1:8800/dzen"
    assert settings.token_keys.get_secret_value() == key and key not in repr(settings)


def test_production_refuses_unsafe_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOST_ENV", "production")
    monkeypatch.setenv("AUTOPOST_DEBUG", "true")
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)
    text = str(error.value)
    assert "AUTOPOST_TOKEN_KEYS" in text
    assert "AUTOPOST_SECRET_KEY" in text
    assert "AUTOPOST_DEBUG" in text
    assert "AUTOPOST_DATABASE_URL" in text


def test_production_accepts_a_complete_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOST_ENV", "production")
    monkeypatch.setenv("AUTOPOST_TOKEN_KEYS", f"{generate_key()},{generate_key()}")
    monkeypatch.setenv("AUTOPOST_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUTOPOST_DATABASE_URL", "postgresql+asyncpg://autopost@db/autopost")
    settings = Settings(_env_file=None)
    assert len(settings.token_key_list()) == 2
    settings.vault()


@pytest.mark.parametrize(
    ("public_url", "refused"),
    [
        ("http://203.0.113.7:8000", True),
        ("http://localhost:8000", True),
        ("http://[2001:db8::1]", True),
        ("https://autopost.example.ru", False),
    ],
)
def test_production_imports_rutube_by_url_only_from_a_domain_name(
    monkeypatch: pytest.MonkeyPatch, public_url: str, refused: bool
) -> None:
    monkeypatch.setenv("AUTOPOST_ENV", "production")
    monkeypatch.setenv("AUTOPOST_TOKEN_KEYS", generate_key())
    monkeypatch.setenv("AUTOPOST_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("AUTOPOST_DATABASE_URL", "postgresql+asyncpg://autopost@db/autopost")
    monkeypatch.setenv("AUTOPOST_PUBLIC_URL", public_url)
    assert Settings(_env_file=None).rutube.upload == "direct"  # the default needs no public URL
    monkeypatch.setenv("AUTOPOST_RUTUBE__UPLOAD", "url")
    if refused:
        with pytest.raises(ValidationError, match="AUTOPOST_RUTUBE__UPLOAD=url"):
            Settings(_env_file=None)
    else:
        assert Settings(_env_file=None).rutube.upload == "url"


def test_development_key_is_made_once_and_kept(tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    first = settings.token_key_list()
    assert Settings(_env_file=None, data_dir=tmp_path).token_key_list() == first
    assert (tmp_path / "token.key").stat().st_mode & 0o077 == 0


def test_hardening_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOPOST_ALLOWED_INTERNAL_HOSTS", "minio.internal:9000,10.0.0.0/8")
    monkeypatch.setenv("AUTOPOST_MAX_REQUEST_BYTES", "2097152")
    monkeypatch.setenv("AUTOPOST_METRICS_TOKEN", "scrape-token")
    monkeypatch.setenv("AUTOPOST_API_DOCS", "false")
    settings = Settings(_env_file=None)
    assert settings.allowed_internal_hosts == "minio.internal:9000,10.0.0.0/8"
    assert settings.max_request_bytes == 2 * 1024 * 1024 and settings.api_docs is False
    assert "scrape-token" not in repr(settings)


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "minio:port", "[::1]:x"])
def test_a_malformed_allow_list_stops_the_start(monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    monkeypatch.setenv("AUTOPOST_ALLOWED_INTERNAL_HOSTS", entry)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_hardening_defaults_refuse_internal_hosts_and_cap_bodies_at_1_mib() -> None:
    settings = Settings(_env_file=None)
    assert settings.allowed_internal_hosts == "" and settings.max_request_bytes == 1024 * 1024
    assert settings.metrics_token.get_secret_value() == "" and settings.api_docs is True
