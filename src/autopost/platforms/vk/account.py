"""Who a VK connection is: the user (users.get) and the communities they may publish to.

A VK ID connection lists the communities the user administers (groups.get filter=admin); a
web session lists those VK lets them upload clips to (shortVideo.getGroupsForUploading:
editor or admin, crosspostly/diveclub-vkposter:clip_web_upload.py). Either way the
account's meta carries them as "communities": [{id, name, avatar}], and "group_id" in a
connection's meta makes a community the target.
"""

from __future__ import annotations

from typing import Any

from autopost.platforms.base import AccountInfo
from autopost.platforms.errors import Permanent
from autopost.platforms.vk.answers import VkRefusal
from autopost.platforms.vk.api import Caller

ACCESS_DENIED = 15
USER_FIELDS = "photo_200,screen_name"


async def current_user(caller: Caller) -> dict[str, Any]:
    """users.get for the token's owner; a deleted or banned page cannot publish."""
    users = await caller.call("users.get", {"fields": USER_FIELDS})
    user: dict[str, Any] = users[0]
    if user.get("deactivated"):
        raise Permanent("vk.user_deleted", f"user {user.get('id')} {user['deactivated']}")
    return user


def full_name(user: dict[str, Any]) -> str:
    return f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()


def community(group: dict[str, Any]) -> dict[str, Any]:
    """How a connection's meta keeps a community."""
    return {"id": group["id"], "name": group.get("name", ""), "avatar": group.get("photo_200")}


async def administered_communities(caller: Caller) -> list[dict[str, Any]]:
    """The communities a VK ID user may publish to: [{id, name, avatar}]."""
    try:
        answer = await caller.call(
            "groups.get", {"filter": "admin", "extended": True}, handles={ACCESS_DENIED}
        )
    except VkRefusal:
        # VK did not grant the `groups` scope: the user can still publish to their own page.
        return []
    return [community(group) for group in answer.get("items", [])]


async def clip_communities(caller: Caller) -> list[dict[str, Any]]:
    """The communities a web session may upload clips to.

    **Assumption** (no public source for the answer's shape): {count, items} of group
    objects as groups.get extended=1 returns them, with admin_level.
    """
    answer = await caller.call("shortVideo.getGroupsForUploading")
    return [community(group) for group in answer.get("items", [])]


def user_account(user: dict[str, Any], communities: list[dict[str, Any]]) -> AccountInfo:
    """The user, with the communities the connect page offers as targets."""
    return AccountInfo(
        account_id=str(user["id"]),
        name=full_name(user),
        avatar_url=user.get("photo_200"),
        meta={"screen_name": user.get("screen_name"), "communities": communities},
    )


def community_account(user: dict[str, Any], group_id: int, group: dict[str, Any] | None) -> AccountInfo:
    """A community the user publishes to; refused unless they may (`group` None: they may not)."""
    if group is None:
        raise Permanent("vk.no_rights", f"user {user['id']} may not publish to {group_id}")
    return AccountInfo(
        account_id=str(-group_id),
        name=str(group.get("name", "")),
        avatar_url=group.get("photo_200") or group.get("avatar"),
        meta={"user_id": user["id"], "user_name": full_name(user)},
    )


async def vk_id_account(caller: Caller, group_id: int | None) -> AccountInfo:
    """users.get (and the community, when one is the target, through groups.getById)."""
    user = await current_user(caller)
    if group_id is None:
        return user_account(user, await administered_communities(caller))
    answer = await caller.call("groups.getById", {"group_id": group_id})
    groups = answer.get("groups", []) if isinstance(answer, dict) else answer
    group = next((g for g in groups if g.get("id") == group_id and g.get("is_admin")), None)
    return community_account(user, group_id, group)


async def web_session_account(caller: Caller, group_id: int | None) -> AccountInfo:
    """users.get and the communities VK lets the person upload clips to."""
    user = await current_user(caller)
    communities = await clip_communities(caller)
    if group_id is None:
        return user_account(user, communities)
    group = next((c for c in communities if c["id"] == group_id), None)
    return community_account(user, group_id, group)
