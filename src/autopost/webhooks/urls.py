"""Where a webhook may point: the clip-URL SSRF rules, https only (plain http to allowed internal hosts).

Checked when an endpoint is registered and again before every attempt, since the
name may resolve elsewhere by then; the attempt goes to the address checked.
"""

from __future__ import annotations

import httpx2

from autopost.security.outbound import OutboundGuard, OutboundRefused, Target

MAX_URL_LENGTH = 2000


async def vet_webhook_url(guard: OutboundGuard, url: str) -> Target:
    """The address to post to, or OutboundRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise OutboundRefused("URL too long")
    try:
        parsed = httpx2.URL(url)
    except httpx2.InvalidURL as exc:
        raise OutboundRefused("not a URL") from exc
    if parsed.userinfo:
        raise OutboundRefused("credentials in the URL")  # they would show in the list and the log
    try:
        target = await guard.vet(parsed)
    except ValueError as exc:  # a name the resolver cannot even encode (IDNA: a label too long)
        raise OutboundRefused("not a host name") from exc
    if parsed.scheme != "https" and not guard.allowed.allows(target.host, target.port, target.address):
        raise OutboundRefused("plain http to a host that is not allowed as internal")
    return target
