"""How uvicorn runs the web app (`serve` and `up`): our logging, and which proxies it believes.

`log_config=None`: uvicorn installs no handlers of its own, so its access and
error lines reach the scrubbing root handler (logs.py). X-Forwarded-For and
-Proto are read only from the peers in AUTOPOST_TRUSTED_PROXIES; with none
configured, the TCP peer is the client, whatever headers it sends.
"""

from __future__ import annotations

from typing import Any

from autopost.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    trusted = settings.trusted_proxy_list()
    return {
        "log_config": None,
        "proxy_headers": bool(trusted),
        # uvicorn accepts IPs and CIDRs here; only consulted when proxy_headers is on.
        "forwarded_allow_ips": trusted or None,
    }
