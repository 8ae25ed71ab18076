"""Cross-check with the third-party `vk_api` package (python273/vk_api) pointed at the sandbox.

vk_api has no base-URL option: VkApi.method posts to the hard-coded
https://api.vk.ru/method/{name}. It does accept a requests Session, so we mount
an adapter on that one origin that rewrites the URL to the sandbox's /vk prefix
and leaves everything else (form body, access_token parameter, headers) as
vk_api sent it. The upload goes to the upload_url the emulator returned, untouched.
"""

from __future__ import annotations

import hashlib
import io
import os
from typing import Any
from urllib.parse import urlsplit

import jconfig
import pytest
import requests
import vk_api
from requests.adapters import HTTPAdapter

from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import ADMIN_GROUP_ID, API_VERSION, DEMO_TOKEN, Vk

VK_API_ORIGIN = "https://api.vk.ru/"


class SandboxAdapter(HTTPAdapter):
    """Sends requests meant for api.vk.ru to the sandbox, changing only scheme, host and path prefix."""

    def __init__(self, sandbox_url: str) -> None:
        super().__init__()
        self.sandbox_url = sandbox_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = f"{self.sandbox_url}/vk{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().send(request, *args, **kwargs)


@pytest.fixture
def vk_session(sandbox: Sandbox) -> vk_api.VkApi:
    session = requests.Session()
    session.mount(VK_API_ORIGIN, SandboxAdapter(sandbox.url))
    return vk_api.VkApi(
        token=DEMO_TOKEN, api_version=API_VERSION, session=session, config=jconfig.MemoryConfig
    )


def test_vk_api_uploads_a_video_and_reads_it_back(sandbox: Sandbox, vk_session: vk_api.VkApi) -> None:
    content = os.urandom(50_000)
    uploaded = vk_api.VkUpload(vk_session).video(
        video_file=io.BytesIO(content), name="vk_api", description="через vk_api", group_id=ADMIN_GROUP_ID
    )
    assert uploaded["owner_id"] == -ADMIN_GROUP_ID and uploaded["size"] == len(content)

    api = vk_session.get_api()
    found = api.video.get(videos=f"{uploaded['owner_id']}_{uploaded['video_id']}")
    assert found["count"] == 1
    assert (found["items"][0]["title"], found["items"][0]["description"]) == ("vk_api", "через vk_api")

    with Vk(sandbox) as control:
        [recorded] = control.posts()
    assert recorded["sha256"] == hashlib.sha256(content).hexdigest()


def test_vk_api_raises_the_emulators_errors(vk_session: vk_api.VkApi) -> None:
    with pytest.raises(vk_api.ApiError) as refused:
        vk_session.get_api().video.save(name="x", group_id=2002)
    assert refused.value.code == 15
