"""Rutube's accounts and videos as the emulator keeps them (seeded accounts, per-video state)."""

from __future__ import annotations

import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any


def _drf_token(seed: str) -> str:
    """A stable 40-hex token, the shape of DRF authtoken keys, so demos can print it."""
    return hashlib.sha256(f"rutube-sandbox:{seed}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Account:
    """A Rutube user. `password_login` False models modern accounts that token_auth refuses.

    An SSO account (VK ID, Gazprom ID, phone) has no password and no DRF token (`token` is
    empty): it signs in only with the multipass refresh token (autopost_sandbox.rutube.multipass).
    """

    id: int
    name: str
    username: str
    password: str
    token: str
    password_login: bool = True
    sso: bool = False


# Seeded tenants' account ids (process-wide, so two sandboxes in one process never share one).
_NEXT_TENANT = itertools.count(3_000_001)

SEEDED_ACCOUNTS: tuple[Account, ...] = (
    Account(
        id=1000001,
        name="Курсы монтажа",
        username="kursy-montazha@rutube.sandbox",
        password="rutube-demo",
        token=_drf_token("kursy-montazha"),
    ),
    Account(
        id=1000002,
        name="Новый канал (вход по токену)",
        username="modern@rutube.sandbox",
        password="rutube-modern",
        token=_drf_token("modern"),
        password_login=False,
    ),
    Account(
        id=1000003,
        name="Мастерская вертикалей",
        username="",
        password="",
        token="",
        password_login=False,
        sso=True,
    ),
)


@dataclass
class Video:
    """One video created by upload-by-URL; its visible status is derived from these facts and the clock."""

    id: str
    track_id: int
    owner: Account
    title: str
    description: str
    is_hidden: bool
    category_id: int
    source_url: str
    created_at: float
    updated_at: float
    callback_url: str | None = None
    errback_url: str | None = None
    query_fields: list[str] | None = None
    extra: Any = None
    fail_processing: bool = False
    download_failure: str | None = None
    moderation_ends_at: float | None = None
    size: int = 0
    sha256: str = ""
    duration: int = 0
    thumbnail_url: str | None = None
    publication_at: float | None = None
    deleted: bool = False
    recorded_status: str = ""
    notified: bool = False
    callback_outcome: dict[str, Any] = field(default_factory=dict)
    # The studio flow: the upload session whose TUS upload carries this video's bytes.
    upload_session: str | None = None

    def status(self, now: float) -> str:
        if self.download_failure is not None:
            return "error"
        if self.moderation_ends_at is None:
            return "downloading"
        if now < self.moderation_ends_at:
            return "moderation"
        return "error" if self.fail_processing else "ready"

    def action_reason(self, now: float) -> str | None:
        status = self.status(now)
        if status == "downloading":
            return "downloading_video"
        if status == "moderation":
            return "moderation"
        if status == "error":
            return self.download_failure or "processing_failed"
        return None

    @property
    def ready_at(self) -> float | None:
        if self.download_failure or self.fail_processing:
            return None
        return self.moderation_ends_at


class RutubeStore:
    """Accounts by token and login, videos by id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._videos: dict[str, Video] = {}
        self._next_track = 100_000_001
        self._seeded: list[Account] = []

    def accounts(self) -> list[Account]:
        with self._lock:
            return [*SEEDED_ACCOUNTS, *self._seeded]

    def seed(self, count: int) -> list[Account]:
        """New password accounts with a DRF token each (POST /_sandbox/accounts); they live until reset."""
        made = []
        for _ in range(count):
            number = next(_NEXT_TENANT)
            made.append(
                Account(
                    id=number,
                    name=f"Канал клиента {number}",
                    username=f"tenant{number}@rutube.sandbox",
                    password=f"rutube-tenant-{number}",
                    token=_drf_token(f"tenant-{number}"),
                )
            )
        with self._lock:
            self._seeded.extend(made)
        return made

    def account_by_token(self, token: str) -> Account | None:
        if not token:  # SSO accounts have no DRF token: an empty one matches nobody
            return None
        return next((a for a in self.accounts() if a.token and secrets.compare_digest(a.token, token)), None)

    def account_by_id(self, account_id: int) -> Account | None:
        return next((a for a in self.accounts() if a.id == account_id), None)

    def account_by_login(self, username: str, password: str) -> Account | None:
        for account in self.accounts():
            if account.username == username and secrets.compare_digest(account.password, password):
                return account
        return None

    def add_video(self, owner: Account, **fields: Any) -> Video:
        with self._lock:
            video = Video(id=secrets.token_hex(16), track_id=self._next_track, owner=owner, **fields)
            self._next_track += 1
            self._videos[video.id] = video
        return video

    def video_of_session(self, sid: str) -> Video | None:
        with self._lock:
            return next((v for v in self._videos.values() if v.upload_session == sid), None)

    def get(self, video_id: str) -> Video | None:
        with self._lock:
            return self._videos.get(video_id)

    def videos_of(self, owner: Account) -> list[Video]:
        with self._lock:
            mine = [v for v in self._videos.values() if v.owner.id == owner.id and not v.deleted]
        return sorted(mine, key=lambda v: v.created_at, reverse=True)

    def reset(self) -> None:
        with self._lock:
            self._videos.clear()
            self._seeded.clear()
            self._next_track = 100_000_001
