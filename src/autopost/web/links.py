"""Which platform-supplied URLs the pages may turn into a link or an image: http(s) ones only.

A platform's answer (a post's URL, an account's avatar) is data from outside: `javascript:` or
`data:` in an href/src would run or show whatever it holds, on our origin.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit


def web_url(value: str | None) -> str | None:
    """The URL when it is an absolute http(s) one with a host, else None (render no link)."""
    if not value:
        return None
    # urlsplit drops tabs and line breaks and strips leading spaces as browsers do before reading the scheme.
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def post_href(remote_url: str | None, post_page_url: str) -> str | None:
    """Where «Open» leads for a published post: the platform, or the configured page showing it."""
    href = web_url(remote_url)
    if href is None or not post_page_url:
        return href
    return f"{post_page_url}?{urlencode({'url': href})}"
