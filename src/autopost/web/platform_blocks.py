"""What Settings → Platforms shows for each platform: plan gate, accounts, how to connect."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from autopost.connections.models import Connection, ConnectionStatus
from autopost.platforms.catalog import WEB_SESSION_DOMAINS, Platform, max_upload_bytes
from autopost.platforms.registry import OAUTH_PLATFORMS
from autopost.settings import Settings
from autopost.users.plans import PLAN_PLATFORMS, Plan, plan_allows

# Token forms: which fields each platform's form has (the rest of the form is the template's).
TOKEN_FIELDS = {
    Platform.TELEGRAM: ("bot_token", "channel"),
    Platform.RUTUBE: ("token", "username", "password"),
}
# Typed values never sent back into a page, even to their owner.
NEVER_ECHOED = frozenset({"password", "session", "refresh_token"})


@dataclass
class ConnectForm:
    """A token form's state: what was typed (kept after a refusal) and the refusal itself."""

    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    # Rutube: "token", "password" or "sso" (a refreshToken); VK, Dzen: "session" (a cookie export)
    mode: str = "token"

    def value(self, name: str) -> str:
        return "" if name in NEVER_ECHOED else self.values.get(name, "")

    @classmethod
    def parse(cls, platform: Platform, posted: FormData) -> tuple[ConnectForm, dict[str, str]]:
        """What was typed (kept for a refusal) and the fields connect_token takes from it."""
        values = {k: str(v) for k, v in posted.items() if k != "csrf_token"}
        mode = values["mode"] if values.get("mode") in ("password", "sso") else "token"
        return cls(values=values, mode=mode), connect_fields(platform, values, mode)


@dataclass
class PlatformBlock:
    platform: Platform
    allowed: bool
    upgrade_plans: list[Plan]
    limit: int
    connections: list[Connection]
    form: ConnectForm = field(default_factory=ConnectForm)
    open_form: bool = False
    # VK: VK opened clips to our VK ID app (settings.vk.clips_approved), so VK ID makes clips, not videos.
    vk_id_clips: bool = False

    @property
    def oauth(self) -> bool:
        return self.platform in OAUTH_PLATFORMS

    @property
    def web_session(self) -> bool:
        """The platform publishes through a person's browser session (VK Clips, Dzen)."""
        return self.platform in WEB_SESSION_DOMAINS

    @property
    def web_session_site(self) -> str:
        """Where the user signs in for the session (named in the connect form's steps)."""
        return WEB_SESSION_DOMAINS[self.platform][0]

    @property
    def needs_reconnect(self) -> bool:
        return any(c.status is ConnectionStatus.NEEDS_RECONNECT for c in self.connections)


def upgrade_plans(platform: Platform) -> list[Plan]:
    """The plans that include a platform, cheapest first (what the upgrade prompt names)."""
    return [plan for plan in Plan if platform in PLAN_PLATFORMS[plan]]


def platform_block(
    settings: Settings,
    plan: Plan,
    platform: Platform,
    connections: list[Connection],
    form: ConnectForm | None = None,
) -> PlatformBlock:
    limit = max_upload_bytes(platform, telegram_local_server=settings.telegram.local_server)
    mine = [c for c in connections if c.platform is platform and c.status is not ConnectionStatus.REVOKED]
    return PlatformBlock(
        platform=platform,
        allowed=plan_allows(plan, platform),
        upgrade_plans=upgrade_plans(platform),
        limit=limit,
        connections=mine,
        form=form or ConnectForm(),
        open_form=form is not None and form.error is not None,
        vk_id_clips=platform is Platform.VK and settings.vk.clips_approved,
    )


def platform_blocks(settings: Settings, plan: Plan, connections: list[Connection]) -> list[PlatformBlock]:
    return [platform_block(settings, plan, platform, connections) for platform in Platform]


def connect_fields(platform: Platform, values: dict[str, str], mode: str) -> dict[str, str]:
    """The fields connect_token expects, from the posted form (only the chosen Rutube way)."""
    names: tuple[str, ...]
    if platform is Platform.RUTUBE:
        names = {"token": ("token",), "sso": ("refresh_token",)}.get(mode, ("username", "password"))
    else:
        names = TOKEN_FIELDS[platform]
    # Passwords may begin or end with spaces; everything else is trimmed of stray ones.
    cleaned = {
        name: values.get(name, "") if name == "password" else values.get(name, "").strip() for name in names
    }
    return {name: value for name, value in cleaned.items() if value}


def missing_fields(platform: Platform, fields: dict[str, str], mode: str) -> bool:
    if platform is Platform.TELEGRAM:
        return not (fields.get("bot_token") and fields.get("channel"))
    if mode in ("token", "sso"):
        return not fields.get("token" if mode == "token" else "refresh_token")
    return not (fields.get("username") and fields.get("password"))
