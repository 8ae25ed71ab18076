"""`autopost publish FILE --to CONNECTION_ID…`: a client of the HTTP API, for scripts.

It talks only HTTP (AUTOPOST_API_URL, default the public URL; AUTOPOST_API_TOKEN), so it works
against any install: it checks the token and the connections first (nothing is uploaded for a
typo), streams the file to POST /api/v1/clips, publishes with an Idempotency-Key (a retried request
never posts twice) and follows every publication until it is published, failed or cancelled.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx2

from autopost.i18n import N_, gettext, render

TERMINAL = ("published", "failed", "cancelled")
POLL_SECONDS = 1.0
# Uploads of big clips take long; the server answers each request once the file is stored and probed.
TIMEOUT = httpx2.Timeout(30.0, read=600.0, write=600.0)


class CliError(Exception):
    """What the person running the command must fix; printed as it is, exit code 2."""


@dataclass(frozen=True)
class PublishOptions:
    file: Path
    targets: list[str]
    at: datetime | None
    title: str | None
    wait: bool


@dataclass
class Api:
    """The API over one HTTP client, its failures as CliError in the reader's language."""

    url: str
    token: str
    lang: str
    workspace: str | None = None
    client: httpx2.Client = field(init=False)

    @contextmanager
    def session(self) -> Iterator[Api]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": self.lang}
        if self.workspace:
            headers["X-Workspace-Id"] = self.workspace
        with httpx2.Client(base_url=self.url, headers=headers, timeout=TIMEOUT) as self.client:
            yield self

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx2.TransportError as exc:
            text = N_(
                "Cannot reach the server at {url} ({reason}). Is it running? Its address: AUTOPOST_API_URL."
            )
            raise CliError(gettext(self.lang, text, url=self.url, reason=type(exc).__name__)) from exc
        if response.status_code == 401:
            text = N_(
                "The server refused the API token (wrong, expired or revoked): check AUTOPOST_API_TOKEN."
            )
            raise CliError(gettext(self.lang, text))
        if response.is_error:
            raise CliError(_problem(response, self.lang))
        return response.json() if response.content else None


def api_from_environment(lang: str, workspace: str | None, default_url: str) -> Api:
    """AUTOPOST_API_URL (default: this install's public URL) and AUTOPOST_API_TOKEN."""
    token = os.environ.get("AUTOPOST_API_TOKEN", "").strip()
    if not token:
        text = N_("AUTOPOST_API_TOKEN is not set: issue one with {command}.")
        raise CliError(gettext(lang, text, command="`autopost tokens create EMAIL`"))
    url = os.environ.get("AUTOPOST_API_URL", "").strip() or default_url
    return Api(url=url.rstrip("/"), token=token, lang=lang, workspace=workspace)


def parse_moment(value: str | None, lang: str) -> datetime | None:
    """--at: ISO 8601 with its offset; without one, the time is this computer's local time."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        text = N_("Not a time: {value} (expected like {example})")
        raise CliError(gettext(lang, text, value=value, example="2026-12-05T18:00+03:00")) from None
    return moment if moment.tzinfo else moment.astimezone()


def _problem(response: httpx2.Response, lang: str) -> str:
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    return gettext(
        lang, "The server answered {status}: {message}", status=response.status_code, message=message
    )


class _Counted:
    """The file as httpx2 streams it (by fileno for its length, read in chunks), counting what is sent."""

    def __init__(self, handle: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._handle, self._on_read, self.sent = handle, on_read, 0

    def fileno(self) -> int:
        return self._handle.fileno()

    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self.sent += len(chunk)
        self._on_read(self.sent)
        return chunk


def check_targets(api: Api, wanted: list[str]) -> dict[str, dict[str, Any]]:
    """The workspace's connections by id; an id it does not have is refused before any upload."""
    connections = {str(c["id"]): c for c in api.call("GET", "/api/v1/connections")}
    unknown = [target for target in wanted if target not in connections]
    if unknown:
        known = ", ".join(f"{c['id']} ({c['platform']}: {c['name']})" for c in connections.values())
        text = N_("Unknown connection: {ids}. This workspace has: {known}")
        raise CliError(gettext(api.lang, text, ids=", ".join(unknown), known=known or "—"))
    return connections


def upload(api: Api, options: PublishOptions, echo: Callable[[str], None]) -> dict[str, Any]:
    size = options.file.stat().st_size
    shown = [-1]

    def progress(sent: int) -> None:
        percent = sent * 100 // size if size else 100
        if percent // 10 > shown[0]:  # a line every 10 %, not one per chunk
            shown[0] = percent // 10
            echo(gettext(api.lang, "Uploading {name}: {percent} %", name=options.file.name, percent=percent))

    data = {"title": options.title or options.file.stem}
    with options.file.open("rb") as handle:
        body = _Counted(handle, progress)
        clip: dict[str, Any] = api.call(
            "POST", "/api/v1/clips", files={"file": (options.file.name, body, "video/mp4")}, data=data
        )
    if clip["status"] != "ready":
        raise CliError(
            gettext(
                api.lang, "The server could not process the clip (status: {status})", status=clip["status"]
            )
        )
    return clip


def publish(api: Api, clip_id: str, options: PublishOptions) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"targets": [{"connection_id": target} for target in options.targets]}
    if options.at is not None:
        body["scheduled_at"] = options.at.isoformat()
    headers = {"Idempotency-Key": f"cli-{uuid.uuid4()}"}
    answer: list[dict[str, Any]] = api.call(
        "POST", f"/api/v1/clips/{clip_id}/publish", json=body, headers=headers
    )
    return answer


def _line(api: Api, publication: dict[str, Any], connection: dict[str, Any]) -> str:
    """ "vk · Demo: Publishing… 40%" — the state a person follows, one line per target."""
    status = str(publication["status"])
    where = f"{render('platform.' + str(connection['platform']), api.lang)} · {connection['name']}"
    if status == "published":
        return gettext(api.lang, "{where}: published {url}", where=where, url=publication["remote_url"] or "")
    if status == "scheduled" and publication["scheduled_at"]:
        return gettext(
            api.lang, "{where}: scheduled for {when}", where=where, when=publication["scheduled_at"]
        )
    if status == "publishing":
        progress = gettext(api.lang, "Publishing… {percent}%", percent=publication["progress"])
        return f"{where}: {progress}"
    reason = publication["error_message"] or ""
    return f"{where}: {render(f'status.{status}', api.lang)}" + (f" — {reason}" if reason else "")


def follow(
    api: Api,
    publications: list[dict[str, Any]],
    connections: dict[str, dict[str, Any]],
    echo: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Poll every publication until each is published, failed or cancelled, printing what changes."""
    latest = {str(p["id"]): p for p in publications}
    shown: dict[str, str] = {}
    while True:
        for pid, publication in latest.items():
            line = _line(api, publication, connections[str(publication["connection_id"])])
            if shown.get(pid) != line:
                shown[pid] = line
                echo(line)
        if all(p["status"] in TERMINAL for p in latest.values()):
            return list(latest.values())
        time.sleep(POLL_SECONDS)
        for pid, publication in latest.items():
            if publication["status"] not in TERMINAL:
                latest[pid] = api.call("GET", f"/api/v1/publications/{pid}")


def run_publish(
    api: Api, options: PublishOptions, echo: Callable[[str], None], note: Callable[[str], None]
) -> int:
    """The whole command; 0 only when every target ended published (with --no-wait: once queued).

    What a script reads (the ids, each target's state) goes to `echo`; the upload's progress to `note`.
    """
    if not options.file.is_file():
        raise CliError(gettext(api.lang, "File not found: {path}", path=str(options.file)))
    with api.session():
        connections = check_targets(api, options.targets)
        clip = upload(api, options, note)
        publications = publish(api, str(clip["id"]), options)
        if not options.wait:
            for p in publications:
                echo(f"{p['id']}\t{p['platform']}\t{p['status']}")
            return 0
        ended = follow(api, publications, connections, echo)
    return 0 if all(p["status"] == "published" for p in ended) else 1
