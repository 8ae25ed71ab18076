"""Contract: every VK API method and parameter the provider sends exists in vk-api-schema.

Exempt, as docs/platforms/vk.md says: shortVideo.* (not in the public schema) and
`v`, the API version every call carries.
"""

from __future__ import annotations

from pathlib import Path

from autopost.platforms.base import Credentials
from autopost.platforms.vk import VkProvider
from tests.conftest import Sandbox
from tests.platforms.test_vk_support import (
    ADMIN_COMMUNITY,
    ANNA,
    Recorder,
    Recording,
    drive,
    publish_request,
    vk_settings,
)
from tests.sandbox.test_vk_contract import NOT_IN_PUBLIC_SCHEMA, methods_json
from tests.sandbox.test_vk_support import Vk

pytest_plugins = ["tests.platforms.test_vk_support"]


async def publish_everything(provider: VkProvider, vk: Vk, clip: Path, credentials: Credentials) -> str:
    recorder = Recorder()
    result = await drive(provider, publish_request(clip, recorder, credentials=credentials), vk, recorder)
    assert result.remote_id is not None
    return result.remote_id


async def test_every_method_and_parameter_sent_is_in_the_schema(
    sandbox: Sandbox, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    recording = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=recording)
    try:
        await provider.verify(credentials=ANNA)
        await provider.verify(credentials=ADMIN_COMMUNITY)
        await provider.verify(credentials=vk_session)
        videos = [await publish_everything(provider, vk, vk_clip, ADMIN_COMMUNITY)]
        clips = [await publish_everything(provider, vk, vk_clip, vk_session)]
        await provider.fetch_stats(credentials=ANNA, remote_ids=videos)
        await provider.fetch_stats(credentials=vk_session, remote_ids=clips)
    finally:
        await provider.aclose()

    sent: dict[str, set[str]] = {}
    for call in recording.calls():
        sent.setdefault(call["method"], set()).update(set(call) - {"method", "v"})
    assert {"users.get", "groups.get", "groups.getById", "video.save", "video.get", "wall.post"} <= set(sent)
    assert {
        "shortVideo.getGroupsForUploading",
        "shortVideo.create",
        "shortVideo.encodeProgress",
        "shortVideo.edit",
        "shortVideo.publish",
        "shortVideo.getOwnerVideos",
    } <= set(sent)
    for method, params in sent.items():
        if method.startswith(NOT_IN_PUBLIC_SCHEMA):
            continue
        spec = methods_json(method.split(".")[0]).get(method)
        assert spec is not None, method
        declared = {param["name"] for param in spec.get("parameters", [])}
        assert params <= declared, (method, params - declared)
