"""X-Forwarded-For is believed only from AUTOPOST_TRUSTED_PROXIES, by a real `autopost serve`."""

from __future__ import annotations

from pathlib import Path

import httpx2

from tests.support.serve_process import Served, serve_process

EMAIL = "owner@example.com"
PASSWORD = "correct-horse-1"


def _login(served: Served, password: str, forwarded_for: str) -> int:
    response = httpx2.post(
        f"{served.url}/api/v1/auth/login",
        json={"email": EMAIL, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=30,
    )
    return response.status_code


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    with serve_process(tmp_path) as served:
        served.new_user(EMAIL, PASSWORD)
        # A new made-up address each time: all of them still count against the real peer.
        codes = [_login(served, f"wrong-{n}", f"198.51.100.{n}") for n in range(6)]
    assert codes == [401] * 5 + [429]
    assert "198.51.100." not in served.output() and "127.0.0.1:" in served.output()


def test_forwarded_for_from_a_trusted_proxy_is_the_client(tmp_path: Path) -> None:
    with serve_process(tmp_path, AUTOPOST_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.0/8") as served:
        served.new_user(EMAIL, PASSWORD)
        codes = [_login(served, f"wrong-{n}", "198.51.100.7") for n in range(6)]
        # The owner, behind the same proxy, is another client.
        owner = _login(served, PASSWORD, "198.51.100.8")
    assert codes == [401] * 5 + [429] and owner == 200
    assert "198.51.100.7:" in served.output()
