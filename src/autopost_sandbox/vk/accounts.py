"""The seeded VK world: one demo user, her communities, the VK ID apps, the ready-made token,
and her signed-in vk.com browser session (as a cookie export).

Everything here is fixed data; what changes at runtime lives in the token
registry (registry.py) and the video store (store.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from autopost_sandbox.http import DemoAccount

# Never expires, holds every scope: for scripts and demos that skip the VK ID flow.
DEMO_TOKEN = "vk1.a.sandbox-demo-token-anna-smirnova"
DEMO_TOKEN_SCOPES = frozenset({"vkid.personal_info", "video", "wall", "groups"})
DEMO_APP_ID = "51900001"

# The official VK web client: the signed-in vk.com page embeds a short-lived token of this app
# (crosspostly/diveclub-vkposter:clip_web_upload.py); shortVideo.* is open to it.
WEB_APP_ID = "6287487"
# vk.com's session cookie and Анна's seeded session (it lasts until the control API ends it).
SESSION_COOKIE = "remixsid"
DEMO_SESSION = "1_sandbox-anna-smirnova-7c41f09be2d84a6f"
DEMO_SESSION_EXPIRES = 2145916800  # 2038-01-01: the cookie's expiry and the session's


@dataclass(frozen=True)
class VkUser:
    id: int
    first_name: str
    last_name: str
    screen_name: str
    sex: int
    birthday: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class VkGroup:
    id: int
    name: str
    screen_name: str
    admins: frozenset[int]
    members: frozenset[int]


@dataclass(frozen=True)
class VkIdApp:
    """A VK ID app; `scopes` are the ones VK approved for it (others are silently not granted)."""

    client_id: str
    name: str
    scopes: frozenset[str]


ANNA = VkUser(
    id=1001,
    first_name="Анна",
    last_name="Смирнова",
    screen_name="anna.smirnova",
    sex=1,
    birthday="14.03.1994",
)
USERS: dict[int, VkUser] = {ANNA.id: ANNA}

GROUPS: dict[int, VkGroup] = {
    2001: VkGroup(
        2001, "Курсы монтажа", "montage_courses", admins=frozenset({1001}), members=frozenset({1001})
    ),
    # Anna reads this one but cannot publish to it: the "not an admin" case.
    2002: VkGroup(
        2002, "Новости видеомонтажа", "montage_news", admins=frozenset(), members=frozenset({1001})
    ),
}

APPS: dict[str, VkIdApp] = {
    DEMO_APP_ID: VkIdApp(
        DEMO_APP_ID,
        "КлипМейкер Автопостинг",
        frozenset({"vkid.personal_info", "email", "phone", "video", "wall", "groups"}),
    ),
    # Extended scopes (video, wall) are granted only after VK reviews an app: this one was not reviewed.
    "51900002": VkIdApp("51900002", "КлипМейкер (без доступа к видео)", frozenset({"vkid.personal_info"})),
}


def demo_cookie_export() -> str:
    """Анна's vk.com cookies as the "Get cookies.txt" extensions write them (Netscape format)."""
    lines = [
        "# Netscape HTTP Cookie File",
        f"# vk.com, signed in as {ANNA.full_name} (autopost sandbox)",
        f"#HttpOnly_.vk.com\tTRUE\t/\tTRUE\t{DEMO_SESSION_EXPIRES}\t{SESSION_COOKIE}\t{DEMO_SESSION}",
        f".vk.com\tTRUE\t/\tTRUE\t{DEMO_SESSION_EXPIRES}\tremixlang\t0",
    ]
    return "\n".join(lines) + "\n"


def demo_accounts(public_url: str) -> list[DemoAccount]:
    """The seeded VK accounts as `autopost sandbox` prints them."""
    return [
        DemoAccount(
            platform="vk",
            description=(
                f"VK user {ANNA.full_name} (id {ANNA.id}), admin of «{GROUPS[2001].name}» "
                f"(group 2001, owner_id -2001); member only of «{GROUPS[2002].name}» (group 2002)"
            ),
            credentials={
                "user_id": str(ANNA.id),
                "access_token": DEMO_TOKEN,
                "token_note": "never expires; scopes: " + " ".join(sorted(DEMO_TOKEN_SCOPES)),
                "api_base_url": f"{public_url}/vk/method",
            },
        ),
        DemoAccount(
            platform="vk",
            description=(
                f"vk.com browser session of {ANNA.full_name} (VK Клипы through the web app's token); "
                'POST /_sandbox/sessions/end {"platform": "vk"} signs it out'
            ),
            credentials={
                "user_id": str(ANNA.id),
                "cookies_txt": demo_cookie_export(),
                "web_url": f"{public_url}/vkweb",
            },
        ),
        DemoAccount(
            platform="vk",
            description="VK ID app for the OAuth 2.1 + PKCE flow (public client, no secret)",
            credentials={
                "client_id": DEMO_APP_ID,
                "authorize_url": f"{public_url}/vkid/authorize",
                "token_url": f"{public_url}/vkid/oauth2/auth",
                "user_info_url": f"{public_url}/vkid/oauth2/user_info",
                "redirect_uri": "any http(s) URI on localhost / 127.0.0.1 / [::1] or the sandbox's own host",
                "scopes": " ".join(sorted(APPS[DEMO_APP_ID].scopes)),
            },
        ),
        DemoAccount(
            platform="vk",
            description="VK ID app without approved video/wall scopes (tokens lack them: error 15)",
            credentials={"client_id": "51900002", "scopes": "vkid.personal_info"},
        ),
    ]
