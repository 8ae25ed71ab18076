"""What the Дзен emulator remembers: each session's CSRF token and rights, and the publications.

The emulator's own model, not wire format (editor.py speaks the wire). A publication is a
draft from add-publication on; its video is an upload in the shared ResumableStore; conversion
starts at finish-upload-video and lasts `processing_seconds` on the sandbox clock.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from autopost_sandbox.core import ReceivedPost, SandboxState, WebSession
from autopost_sandbox.dzen.accounts import PEOPLE, SESSION_EXPIRES, Person
from autopost_sandbox.rutube.pacing import steady_growth

SITE = "https://dzen.ru"


@dataclass
class Publication:
    id: str
    publisher_id: str
    state: str = "draft"  # draft → published
    upload_id: str | None = None
    video_id: str | None = None
    converting_since: float | None = None
    fails: bool = False  # decided at finish-upload-video, revealed when conversion ends
    title: str = ""
    snippet: str = ""
    published_at: float | None = None

    def conversion(self, now: float, seconds: float) -> tuple[bool, bool]:
        """(isConverted, isFailed) at `now`."""
        done = self.converting_since is not None and now >= self.converting_since + seconds
        return done and not self.fails, done and self.fails

    def stats(self, now: float) -> dict[str, int]:
        """Counters grow on the clock once published (deterministic per publication)."""
        views = steady_growth(self.id, self.published_at, now, (5, 15))
        return {"views": views, "likes": views // 12, "comments": views // 30, "shares": views // 45}


@dataclass
class SessionRights:
    """What the editor knows of one signed-in session: its CSRF token, and whether it may publish."""

    csrf: str = field(default_factory=lambda: _csrf_token(0.0))
    revoked: bool = False


def _csrf_token(now: float) -> str:
    # Дзен's tokens end in their issue time in milliseconds (the sources read the age from it).
    return f"{secrets.token_hex(20)}:{int(now * 1000)}"


class DzenStore:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._rights: dict[str, SessionRights] = {}
        self._publications: dict[str, Publication] = {}
        self._tenants: dict[str, Person] = {}
        self.seed()

    def seed(self) -> None:
        for person in PEOPLE.values():
            self.state.web_sessions.open(WebSession("dzen", person.login, person.session, SESSION_EXPIRES))

    def reset(self) -> None:
        with self._lock:
            self._rights.clear()
            self._publications.clear()
            self._tenants.clear()
        self.seed()

    def add_tenant(self, person: Person) -> None:
        """A seeded publisher (POST /_sandbox/accounts), signed in until reset."""
        with self._lock:
            self._tenants[person.login] = person
        self.state.web_sessions.open(WebSession("dzen", person.login, person.session, SESSION_EXPIRES))

    def tenants(self) -> list[Person]:
        with self._lock:
            return list(self._tenants.values())

    def person(self, session_value: str) -> Person | None:
        """Who an active session belongs to (None: unknown, expired or signed out)."""
        session = self.state.web_sessions.find("dzen", session_value, self.state.clock.now())
        if session is None:
            return None
        with self._lock:
            return PEOPLE.get(session.account) or self._tenants.get(session.account)

    def rights(self, session_value: str) -> SessionRights:
        with self._lock:
            return self._rights.setdefault(session_value, SessionRights(_csrf_token(self.state.clock.now())))

    def stale_csrf(self, session_value: str) -> None:
        """The token the page gave out no longer counts; the next page load gives a new one."""
        with self._lock:
            self._rights[session_value] = SessionRights(_csrf_token(self.state.clock.now()))

    def revoke(self, session_value: str) -> None:
        """The channel no longer lets this person publish (their editor role was taken away)."""
        self.rights(session_value).revoked = True

    def add(self, publisher_id: str, person: Person) -> Publication:
        publication = Publication(secrets.token_hex(12), publisher_id)
        with self._lock:
            self._publications[publication.id] = publication
        self.state.record_post(
            ReceivedPost(
                platform="dzen",
                owner=publisher_id,
                remote_id=publication.id,
                title="",
                status="draft",
                url=f"{SITE}/shorts/{publication.id}",
                extra={"author": person.login},
            )
        )
        return publication

    def get(self, publisher_id: str, publication_id: str) -> Publication | None:
        with self._lock:
            publication = self._publications.get(publication_id)
        return publication if publication is not None and publication.publisher_id == publisher_id else None

    def view(self, publication: Publication) -> dict[str, Any]:
        """The publication as GET /editor-api/v2/publisher/<pid>/publication/<id> answers it."""
        now, seconds = self.state.clock.now(), self.state.config.processing_seconds
        converted, failed = publication.conversion(now, seconds)
        upload = self.state.uploads.get(publication.upload_id) if publication.upload_id else None
        gif: dict[str, Any] = {
            "videoId": publication.video_id,
            "isUploaded": publication.converting_since is not None,
            "isConverted": converted,
            "isFailed": failed,
            "size": upload.length if upload is not None else None,
        }
        if converted:
            gif |= {"videoFileId": f"file-{publication.video_id}", "streams": [], "thumbnails": []}
        return {
            "id": publication.id,
            "publisherId": publication.publisher_id,
            "publicationType": "gif",
            "state": publication.state,
            "preview": {"title": publication.title, "snippet": publication.snippet},
            "content": {"gifContent": gif},
            # The sandbox's ASSUMPTION for stats (docs/platforms/dzen.md): the publication's own counters.
            "stats": publication.stats(now),
        }
