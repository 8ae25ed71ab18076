"""Helpers for the VK emulator tests (no tests here): a thin VK API client over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.conftest import Sandbox

API_VERSION = "5.199"
# The documented ready-made token of the demo user Анна Смирнова (docs/platforms/vk.md).
DEMO_TOKEN = "vk1.a.sandbox-demo-token-anna-smirnova"
# Her signed-in vk.com session (the remixsid cookie of her cookie export).
DEMO_SESSION = "1_sandbox-anna-smirnova-7c41f09be2d84a6f"
WEB_APP_ID = "6287487"
WEB_TOKEN = re.compile(r'"webToken":\{"access_token":"([^"]+)"')
DEMO_USER_ID = 1001
ADMIN_GROUP_ID = 2001
OTHER_GROUP_ID = 2002
CLIENT_ID = "51900001"
REDIRECT_URI = "http://127.0.0.1:8765/oauth/vk/callback"


class Vk:
    """Calls the VK emulator and the sandbox control API."""

    def __init__(self, sandbox: Sandbox, token: str = DEMO_TOKEN) -> None:
        self.url = sandbox.url
        self.token = token
        # One client for the emulator and the control API: building an httpx2 client is not free.
        self.http = httpx2.Client(base_url=sandbox.url, timeout=10)

    def __enter__(self) -> Vk:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.http.close()

    def call(self, method: str, token: str | None = None, **params: Any) -> dict[str, Any]:
        """The whole JSON body of a method call (VK answers HTTP 200 either way)."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        data = {"v": API_VERSION, **{k: str(v) for k, v in params.items()}}
        response = self.http.post(f"/vk/method/{method}", data=data, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, method: str, **params: Any) -> Any:
        body = self.call(method, **params)
        assert "error" not in body, body
        return body["response"]

    def error(self, method: str, **params: Any) -> dict[str, Any]:
        body = self.call(method, **params)
        assert "response" not in body, body
        error: dict[str, Any] = body["error"]
        return error

    def page(self, session: str | None = DEMO_SESSION, path: str = "/clips") -> httpx2.Response:
        """A vk.com page as a browser with (or without) the session cookie gets it."""
        headers = {"Cookie": f"remixsid={session}"} if session else {}
        return self.http.get(f"/vkweb{path}", headers=headers)

    def web_token(self, session: str = DEMO_SESSION) -> str:
        """The token a signed-in vk.com page embeds (the web client, app 6287487): shortVideo.* takes it."""
        page = self.page(session)
        assert page.status_code == 200, page.text
        match = WEB_TOKEN.search(page.text)
        assert match is not None, "the signed-out page"
        return match.group(1)

    def use_web_token(self) -> str:
        """Call the API as the vk.com web client from now on; returns the token."""
        self.token = self.web_token()
        return self.token

    def end_sessions(self, account: str | None = None) -> int:
        body = {"platform": "vk", **({"account": account} if account else {})}
        response = self.http.post("/_sandbox/sessions/end", json=body)
        response.raise_for_status()
        ended: int = response.json()["ended"]
        return ended

    def upload(
        self, upload_url: str, field: str, content: bytes, filename: str = "clip.mp4"
    ) -> httpx2.Response:
        return self.http.post(upload_url, files={field: (filename, content, "video/mp4")})

    def advance(self, seconds: float) -> None:
        self.http.post("/_sandbox/clock", json={"advance": seconds}).raise_for_status()

    def configure(self, **switches: Any) -> None:
        self.http.post("/_sandbox/config", json=switches).raise_for_status()

    def fault(self, fault: str, **options: Any) -> None:
        self.http.post(
            "/_sandbox/faults", json={"platform": "vk", "fault": fault, **options}
        ).raise_for_status()

    def posts(self) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = self.http.get("/_sandbox/state").json()["posts"]
        return [p for p in posts if p["platform"] == "vk"]

    def publish_video(self, content: bytes, **save_params: Any) -> dict[str, Any]:
        """video.save + upload; returns video.save's answer updated with the upload server's."""
        saved: dict[str, Any] = self.ok("video.save", **save_params)
        uploaded = self.upload(saved["upload_url"], "video_file", content)
        assert uploaded.status_code == 200, uploaded.text
        return {**saved, **uploaded.json()}

    def upload_clip(self, content: bytes, field: str = "file", **create_params: Any) -> dict[str, Any]:
        """shortVideo.create + upload (needs a token with clips access); returns the upload server's answer."""
        created = self.ok("shortVideo.create", file_size=len(content), **create_params)
        uploaded = self.upload(created["upload_url"], field, content)
        assert uploaded.status_code == 200, uploaded.text
        answer: dict[str, Any] = uploaded.json()
        return answer


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def consent_form(page: str) -> dict[str, str]:
    """The hidden fields of the consent page's form, as a browser would submit them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def redirect_query(response: httpx2.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


def authorize(
    vk: Vk, challenge: str, *, scope: str = "vkid.personal_info video wall groups"
) -> dict[str, str]:
    """Walk the consent page and press «Разрешить»; returns the redirect's query (code, state, ...)."""
    page = vk.http.get(
        "/vkid/authorize",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "state": "state-" + secrets.token_hex(8),
            "code_challenge": challenge,
            "code_challenge_method": "s256",
            "scope": scope,
        },
    )
    assert page.status_code == 200, page.text
    return redirect_query(
        vk.http.post("/vkid/authorize", data={**consent_form(page.text), "decision": "allow"})
    )


def login(vk: Vk, scope: str = "vkid.personal_info video wall groups") -> dict[str, Any]:
    """A full VK ID login; returns the token response plus the device_id."""
    verifier, challenge = pkce_pair()
    redirect = authorize(vk, challenge, scope=scope)
    response = vk.http.post(
        "/vkid/oauth2/auth",
        data={
            "grant_type": "authorization_code",
            "code": redirect["code"],
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
            "device_id": redirect["device_id"],
            "redirect_uri": REDIRECT_URI,
            "state": redirect["state"],
        },
    )
    assert response.status_code == 200, response.text
    return {**response.json(), "device_id": redirect["device_id"]}
