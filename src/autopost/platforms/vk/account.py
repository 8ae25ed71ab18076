"""Who a VK connection is: the user (users.get) and the communities they administer (groups.get)."""

from __future__ import annotations

from typing import Any

from autopost.platforms.base import AccountInfo
from autopost.platforms.errors import Permanent
from autopost.platforms.vk.answers import VkRefusal
from autopost.platforms.vk.api import VkApi

ACCESS_DENIED = 15
USER_FIELDS = "photo_200,screen_name"


async def current_user(api: VkApi, token: str) -> dict[str, Any]:
    """users.get for the token's owner; a deleted or banned page cannot publish."""
    users = await api.call("users.get", token, {"fields": USER_FIELDS})
    user: dict[str, Any] = users[0]
    if user.get("deactivated"):
        raise Permanent("vk.user_deleted", f"user {user.get('id')} {user['deactivated']}")
    return user


def full_name(user: dict[str, Any]) -> str:
    return f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()


async def administered_communities(api: VkApi, token: str) -> list[dict[str, Any]]:
    """The communities the user may publish to: [{id, name, avatar}]."""
    try:
        answer = await api.call(
            "groups.get", token, {"filter": "admin", "extended": True}, handles={ACCESS_DENIED}
        )
    except VkRefusal:
        # VK did not grant the `groups` scope: the user can still publish to their own page.
        return []
    return [
        {"id": group["id"], "name": group.get("name", ""), "avatar": group.get("photo_200")}
        for group in answer.get("items", [])
    ]


async def user_account(api: VkApi, token: str) -> AccountInfo:
    """The user and the communities they administer (what the connect page offers)."""
    user = await current_user(api, token)
    return AccountInfo(
        account_id=str(user["id"]),
        name=full_name(user),
        avatar_url=user.get("photo_200"),
        meta={
            "screen_name": user.get("screen_name"),
            "communities": await administered_communities(api, token),
        },
    )


async def community_account(api: VkApi, token: str, group_id: int) -> AccountInfo:
    """A community the user publishes to; refused unless they administer it."""
    user = await current_user(api, token)
    answer = await api.call("groups.getById", token, {"group_id": group_id})
    groups = answer.get("groups", []) if isinstance(answer, dict) else answer
    group = next((g for g in groups if g.get("id") == group_id), None)
    if group is None or not group.get("is_admin"):
        raise Permanent("vk.no_rights", f"user {user['id']} is not an admin of {group_id}")
    return AccountInfo(
        account_id=str(-group_id),
        name=str(group.get("name", "")),
        avatar_url=group.get("photo_200"),
        meta={"user_id": user["id"], "user_name": full_name(user)},
    )
