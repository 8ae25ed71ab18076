"""users.get, groups.get, groups.getById, wall.post, wall.get (vk-api-schema users/, groups/, wall/)."""

from __future__ import annotations

import re
from typing import Any

from autopost_sandbox.vk.accounts import GROUPS, USERS, VkGroup, VkUser
from autopost_sandbox.vk.errors import INVALID_USER_ID, WALL_ADD_POST, VkApiError, bad_param
from autopost_sandbox.vk.store import WallPost
from autopost_sandbox.vk.video import video_object
from autopost_sandbox.vk.world import Call, MethodSpec

_PHOTO_SIZES = ("photo_50", "photo_100", "photo_200")
_ATTACHMENT = re.compile(r"^video(-?\d+)_(\d+)(?:_[0-9a-zA-Z]+)?$")


def image_url(public_url: str, kind: str, entity_id: int, size: int) -> str:
    return f"{public_url}/vk/images/{kind}{entity_id}_{size}.svg"


def user_object(user: VkUser, fields: set[str], public_url: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "can_access_closed": True,
        "is_closed": False,
    }
    for name in _PHOTO_SIZES:
        if name in fields:
            item[name] = image_url(public_url, "u", user.id, int(name.split("_")[1]))
    if "screen_name" in fields:
        item["screen_name"] = user.screen_name
    if "sex" in fields:
        item["sex"] = user.sex
    return item


def _deleted_user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"}


def users_get(call: Call) -> list[dict[str, Any]]:
    fields = set(call.params.items("fields"))
    public_url = call.world.state.config.public_url
    answer = []
    for ref in call.params.items("user_ids") or [str(call.token.user_id)]:
        by_name = next((u for u in USERS.values() if u.screen_name == ref), None)
        if by_name is not None:
            answer.append(user_object(by_name, fields, public_url))
        elif not ref.isdigit():
            raise VkApiError(INVALID_USER_ID)
        elif int(ref) in USERS:
            answer.append(user_object(USERS[int(ref)], fields, public_url))
        else:
            answer.append(_deleted_user(int(ref)))
    return answer


def group_object(group: VkGroup, user_id: int, public_url: str) -> dict[str, Any]:
    """A groups_group_full with the fields VK returns for extended=1."""
    is_admin = user_id in group.admins
    item: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "screen_name": group.screen_name,
        "is_closed": 0,
        "type": "page",
        "is_admin": int(is_admin),
        "is_member": int(user_id in group.members),
        "is_advertiser": 0,
    }
    if is_admin:
        item["admin_level"] = 3
    for name in _PHOTO_SIZES:
        item[name] = image_url(public_url, "g", group.id, int(name.split("_")[1]))
    return item


def _matches_filter(group: VkGroup, user_id: int, filters: set[str]) -> bool:
    # Anna is a full administrator wherever she manages, so admin, editor and moder select the same.
    if filters & {"admin", "editor", "moder"} and user_id not in group.admins:
        return False
    return not filters & {"groups", "events"}  # both seeded communities are public pages


def groups_get(call: Call) -> dict[str, Any]:
    params = call.params
    user_id = params.integer("user_id") or call.token.user_id
    filters = set(params.items("filter"))
    mine = [
        g for g in GROUPS.values() if user_id in g.members | g.admins and _matches_filter(g, user_id, filters)
    ]
    offset = max(0, params.integer("offset", 0) or 0)
    page = mine[offset : offset + max(0, params.integer("count", 1000) or 0)]
    if not params.flag("extended"):
        return {"count": len(mine), "items": [g.id for g in page]}
    public_url = call.world.state.config.public_url
    return {"count": len(mine), "items": [group_object(g, call.token.user_id, public_url) for g in page]}


def groups_get_by_id(call: Call) -> dict[str, Any]:
    refs = call.params.items("group_ids") or call.params.items("group_id")
    found = []
    for ref in refs:
        group = next((g for g in GROUPS.values() if ref in {str(g.id), g.screen_name, f"club{g.id}"}), None)
        if group is None:
            raise bad_param("group_ids is undefined")
        found.append(group_object(group, call.token.user_id, call.world.state.config.public_url))
    if not found:
        raise bad_param("group_ids is undefined")
    return {"groups": found}


def _may_post(call: Call, owner_id: int) -> bool:
    if owner_id == call.token.user_id:
        return True
    group = GROUPS.get(-owner_id)
    return group is not None and call.token.user_id in group.admins


def _attached_videos(call: Call, attachments: list[str]) -> list[str]:
    """The full ids of attached videos; VK refuses attachments it cannot resolve, and drops clips."""
    full_ids = []
    for ref in attachments:
        match = _ATTACHMENT.match(ref)
        video = match and call.world.videos.get(int(match.group(1)), int(match.group(2)))
        if not video:
            raise bad_param("attachments is invalid")
        if video.kind == "video":
            full_ids.append(video.full_id)
    return full_ids


def wall_post(call: Call) -> dict[str, int]:
    params = call.params
    owner_id = params.integer("owner_id", 0) or call.token.user_id
    if not _may_post(call, owner_id):
        raise VkApiError(WALL_ADD_POST)
    message = params.text("message")
    videos = _attached_videos(call, params.items("attachments"))
    if not message and not videos:
        raise bad_param("message is empty or invalid")
    from_group = owner_id < 0 and params.flag("from_group")
    post = call.world.videos.add_wall_post(
        owner_id=owner_id,
        from_id=owner_id if from_group else call.token.user_id,
        message=message,
        attachments=tuple(f"video{full_id}" for full_id in videos),
        guid=params.text("guid"),
    )
    for full_id in videos:
        recorded = call.world.state.find_post("vk", full_id)
        if recorded is not None:
            call.world.state.update_post("vk", full_id, extra={**recorded.extra, "wall_post_id": post.id})
    return {"post_id": post.id}


def _wall_owner(domain: str) -> int:
    """The owner a wall.get `domain` names: a screen name, id<user> or club<group>."""
    for user in USERS.values():
        if domain in {user.screen_name, f"id{user.id}"}:
            return user.id
    for group in GROUPS.values():
        if domain in {group.screen_name, f"club{group.id}", f"public{group.id}"}:
            return -group.id
    raise bad_param("domain is invalid")


def _post_object(call: Call, post: WallPost) -> dict[str, Any]:
    attachments = []
    for ref in post.attachments:
        match = _ATTACHMENT.match(ref)
        video = match and call.world.videos.get(int(match.group(1)), int(match.group(2)))
        if video:
            attachments.append({"type": "video", "video": video_object(video, call.world.now())})
    return {
        "id": post.id,
        "owner_id": post.owner_id,
        "from_id": post.from_id,
        "date": int(post.created_at),
        "text": post.message,
        "attachments": attachments,
    }


def wall_get(call: Call) -> dict[str, Any]:
    params = call.params
    owner_id = _wall_owner(params.required_text("domain"))
    wall = call.world.videos.wall_of(owner_id)
    offset = max(0, params.integer("offset", 0) or 0)
    page = wall[offset : offset + min(100, max(0, params.integer("count", 20) or 0))]
    return {"count": len(wall), "items": [_post_object(call, post) for post in page]}


METHODS = [
    MethodSpec("users.get", frozenset({"user_ids", "fields"}), users_get),
    MethodSpec(
        "groups.get",
        frozenset({"user_id", "extended", "filter", "fields", "offset", "count"}),
        groups_get,
        scope="groups",
    ),
    MethodSpec("groups.getById", frozenset({"group_ids", "group_id", "fields"}), groups_get_by_id),
    MethodSpec(
        "wall.post",
        frozenset({"owner_id", "from_group", "message", "attachments", "guid"}),
        wall_post,
        scope="wall",
    ),
    MethodSpec("wall.get", frozenset({"domain", "offset", "count"}), wall_get, scope="wall"),
]
