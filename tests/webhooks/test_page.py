"""Settings → «Вебхуки»: add (the secret shown once), rotate, the delivery log with «Повторить», delete;
what a viewer sees."""

from __future__ import annotations

import re

from tests.support.api import Api
from tests.web.support import csrf_of, login, new_user
from tests.webhooks.conftest import URL
from tests.workspaces.support import add_member, add_webhook, workspace_of

SECRET = re.compile(r'value="(whsec_[^"]+)"')


def test_an_owner_adds_a_webhook_sees_its_secret_once_and_retries_a_delivery(hooks_api: Api) -> None:
    email, token = new_user(hooks_api)
    with login(hooks_api, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        page = browser.get("/settings/webhooks")
        assert page.status_code == 200 and "Вебхуки" in page.text and "Вебхуков пока нет" in page.text
        added = browser.post(
            "/settings/webhooks",
            data={"csrf_token": csrf, "url": URL, "events": ["publication.failed", "publication.published"]},
        )
        assert added.status_code == 200, added.text[:500]
        assert added.headers["cache-control"] == "no-store"
        [secret] = SECRET.findall(added.text)
        assert "Скопируйте его сейчас" in added.text
        with hooks_api.client(token) as client:
            [hook] = client.get("/api/v1/webhooks").json()
        assert hook["events"] == ["publication.published", "publication.failed"]
        again = browser.get("/settings/webhooks")
        assert secret not in again.text and URL in again.text and "Публикация не удалась" in again.text

        rotated = browser.post(f"/settings/webhooks/{hook['id']}/rotate", data={"csrf_token": csrf})
        [new_secret] = SECRET.findall(rotated.text)
        assert new_secret != secret

        refused = browser.post("/settings/webhooks", data={"csrf_token": csrf, "url": "https://10.0.0.1/x"})
        assert refused.status_code == 422 and "https://10.0.0.1/x" in refused.text

        other, delivery = add_webhook(hooks_api, workspace_of(hooks_api, token))
        log = browser.get("/settings/webhooks").text
        assert f'id="delivery-{delivery}"' in log and "Не доставлено" in log and "Повторить" in log
        retried = browser.post(
            f"/settings/webhooks/{other}/deliveries/{delivery}/retry",
            data={"csrf_token": csrf},
            follow_redirects=True,
        )
        assert "Отправлено ещё раз" in retried.text and "Доставляется" in retried.text

        paused = browser.post(
            f"/settings/webhooks/{hook['id']}/active", data={"csrf_token": csrf, "active": "false"}
        )
        assert paused.status_code == 303
        page = browser.get("/settings/webhooks").text
        assert "На паузе" in page and "Возобновить" in page

        deleted = browser.post(f"/settings/webhooks/{hook['id']}/delete", data={"csrf_token": csrf})
        assert deleted.status_code == 303
        assert URL not in browser.get("/settings/webhooks").text


def test_a_viewer_sees_no_webhooks_and_no_link_to_them(hooks_api: Api) -> None:
    owner, viewer = new_user(hooks_api), new_user(hooks_api)
    workspace = workspace_of(hooks_api, owner[1])
    add_member(hooks_api, owner[1], workspace, viewer[0], "viewer")
    add_webhook(hooks_api, workspace)
    with login(hooks_api, viewer[0]) as browser:
        csrf = csrf_of(browser.get("/").text)
        browser.post("/workspaces/switch", data={"workspace_id": workspace, "csrf_token": csrf})
        page = browser.get("/settings/webhooks")
        assert page.status_code == 200
        assert "Вебхуками управляет только владелец" in page.text
        assert "hooks.example.com" not in page.text and 'href="/settings/webhooks"' not in page.text
