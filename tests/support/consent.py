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


def allow(authorize_url: str, cookies: httpx2.Cookies | None = None) -> str:
    """Open the consent page, submit «Разрешить»; returns where the platform redirects the browser."""
    with httpx2.Client(timeout=30, cookies=cookies) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200, page.text
        form = _FirstForm()
        form.feed(page.text)
        assert form.action is not None, page.text
        answer = browser.post(urljoin(str(page.url), form.action), data={**form.fields, "decision": "allow"})
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["location"]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
