"""The publish dialog after a refused submit: every problem at once, each beside its account, sections open."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import PublicationStatus
from tests.support.api import Api
from tests.web.support import add_publication, csrf_of, htmx, login, new_user, visible_text


def _open_sections(dialog: str) -> set[str]:
    """The platforms whose texts section the dialog shows open."""
    return set(
        re.findall(r'<details class="texts" data-texts open>.*?name="open" value="(\w+)"', dialog, re.S)
    )


def test_every_problem_shows_beside_its_account_and_nothing_is_created(api: Api) -> None:
    email, token = new_user(api)
    telegram = api.add_connection(email, Platform.TELEGRAM, "-100")
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    form = {
        "account": [telegram, vk],
        "when": "now",
        "description_telegram": "x" * 1100,
        "title_vk": "y" * 130,
        "description_vk": "",
    }
    with login(api, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        dialog = browser.post(f"/clips/{clip}/publish", data=form, headers=htmx(browser, csrf)).text
        assert browser.get("/api/v1/publications").json() == []

    text = visible_text(dialog)
    assert "Исправьте 2 ошибки, отмеченные ниже" in text
    telegram_problem = re.search(rf'id="problem-{telegram}">([^<]+)<', dialog)
    vk_problem = re.search(rf'id="problem-{vk}">([^<]+)<', dialog)
    assert telegram_problem and "1100" in telegram_problem.group(1) and "1024" in telegram_problem.group(1)
    assert vk_problem and "130" in vk_problem.group(1) and "128" in vk_problem.group(1)
    # Still chosen, and marked as the account the problem is about.
    checkbox = re.search(rf'<input type="checkbox" name="account" value="{telegram}"[^>]*>', dialog)
    assert checkbox is not None
    assert re.search(
        rf'\schecked aria-describedby="problem-{telegram}" aria-invalid="true">$', checkbox.group(0)
    )
    # Both sections hold a problem: both open, with what was typed still there.
    assert _open_sections(dialog) == {"telegram", "vk"}
    assert "x" * 1100 in dialog and "y" * 130 in dialog


def test_a_section_the_user_opened_stays_open_after_a_refusal(api: Api) -> None:
    email, token = new_user(api)
    telegram = api.add_connection(email, Platform.TELEGRAM, "-100")
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    with login(api, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        first = browser.get(f"/clips/{clip}/publish").text
        # Nothing chosen: a refusal of the whole request, with the Telegram section open as the user left it.
        form = {"when": "now", "open": "telegram", "description_telegram": "Подпись"}
        dialog = browser.post(f"/clips/{clip}/publish", data=form, headers=htmx(browser, csrf)).text

    assert _open_sections(first) == set()
    assert _open_sections(dialog) == {"telegram"}
    assert "Подпись" in dialog and f"problem-{telegram}" not in dialog and f"problem-{vk}" not in dialog


def test_an_account_whose_route_cannot_take_the_clip_says_why_without_a_reconnect_link(api: Api) -> None:
    email, token = new_user(api)
    session = api.add_connection(email, Platform.VK, kind=ConnectionKind.WEB_SESSION)
    clip = str(api.upload_clip(token)["id"])  # a 1-second clip: VK Clips take 3 s to 3 min
    with login(api, email) as browser:
        dialog = browser.get(f"/clips/{clip}/publish").text

    why = re.search(rf'<p class="why" id="why-{session}">(.*?)</p>', dialog, re.S)
    assert why is not None
    assert "VK Клипы принимают ролики длиной от 3 с до 3 мин, а этот длится 1 с" in why.group(1)
    assert "Переподключить" not in why.group(1) and f'id="account-{session}"' in dialog
    assert re.search(rf'id="account-{session}"\s+disabled', dialog)


def test_the_schedule_dialog_says_where_the_clip_is_already_scheduled_and_going(api: Api) -> None:
    email, token = new_user(api)
    telegram = api.add_connection(email, Platform.TELEGRAM, "-100")
    vk = api.add_connection(email, Platform.VK)
    rutube = api.add_connection(email, Platform.RUTUBE)
    clip = str(api.upload_clip(token)["id"])
    when = datetime(2031, 3, 5, 15, 0, tzinfo=UTC)  # 18:00 in Moscow
    add_publication(api, email, clip, telegram, status=PublicationStatus.SCHEDULED, scheduled_at=when)
    add_publication(api, email, clip, vk, status=PublicationStatus.PUBLISHING)
    with login(api, email) as browser:
        dialog = browser.get(f"/clips/{clip}/publish?mode=later").text

    text = visible_text(dialog)
    assert "Клип уже запланирован сюда на 05.03.2031 18:00." in text
    assert "Клип уже публикуется в этот аккаунт." in text
    # Each note offers going there again; the account the clip is not on has neither.
    assert f'name="again" value="{telegram}"' in dialog and f'name="again" value="{vk}"' in dialog
    assert f'name="again" value="{rutube}"' not in dialog
