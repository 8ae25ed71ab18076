"""Press «Разрешить» on a sandbox OAuth consent page the way a browser without JS would."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx2


class _FirstForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action, self._inside = attributes.get("action", ""), True
        elif tag == "input" and self._inside and "name" in attributes and _submitted(attributes):
            self.fields.setdefault(attributes["name"], attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def _submitted(attributes: dict[str, str]) -> bool:
    """Inputs a browser sends without the user touching them: hidden, text, and pre-checked choices."""
    return attributes.get("type") in ("hidden", None, "text") or "checked" in attributes


def _decision(page: httpx2.Response) -> tuple[str, dict[str, str]]:
    """Where the consent page's form goes and what «Разрешить» sends."""
    if page.status_code != 200:
        raise RuntimeError(f"consent page answered {page.status_code}: {page.text[:300]}")
    form = _FirstForm()
    form.feed(page.text)
    if form.action is None:
        raise RuntimeError(f"no form on the consent page: {page.text[:300]}")
    return urljoin(str(page.url), form.action), {**form.fields, "decision": "allow"}


def _redirect(answer: httpx2.Response) -> str:
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"consent answered {answer.status_code}: {answer.text[:300]}")
    return answer.headers["location"]


def allow(authorize_url: str, cookies: httpx2.Cookies | None = None) -> str:
    """Open the consent page, submit «Разрешить»; returns where the platform redirects the browser."""
    with httpx2.Client(timeout=30, cookies=cookies) as browser:
        action, data = _decision(browser.get(authorize_url))
        return _redirect(browser.post(action, data=data))


async def allow_async(authorize_url: str) -> str:
    """`allow` for callers on an event loop."""
    async with httpx2.AsyncClient(timeout=30) as browser:
        action, data = _decision(await browser.get(authorize_url))
        return _redirect(await browser.post(action, data=data))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
