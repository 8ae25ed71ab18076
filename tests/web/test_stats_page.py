"""The Stats page and its CSV download, over HTTP with a session cookie (Russian reader)."""

from __future__ import annotations

import csv
import io

from tests.stats.test_api import DECEMBER, _seed, _workspace_of
from tests.support.api import Api
from tests.web.support import login


def test_the_page_shows_the_period_cards_chart_and_top_clips(api: Api) -> None:
    email, token = api.new_user()
    _seed(api, _workspace_of(api, token))
    with login(api, email) as client:
        page = client.get("/stats", params=DECEMBER)
    assert page.status_code == 200, page.text
    html = page.text
    assert "Статистика" in html and "01.12.2026" in html and "03.12.2026" in html
    assert 'data-platform="vk"' in html and 'data-platform="telegram"' in html
    assert html.index('data-platform="vk"') < html.index('data-platform="telegram"')
    assert '<svg class="chart"' in html and "01.12: 550" in html
    assert html.index("Второй") < html.index("Склейка")  # top clips, most views first


def test_the_page_totals_each_series_and_what_was_planned_outside_one(api: Api) -> None:
    email, token = api.new_user()
    _seed(api, _workspace_of(api, token), series=True)
    with login(api, email) as client:
        page = client.get("/stats", params=DECEMBER)
    assert page.status_code == 200, page.text
    html = page.text[page.text.index("По сериям") :]
    assert "Серия с 1 декабря 2026" in html and "2 клипа" in html
    assert html.index("Серия с 1 декабря 2026") < html.index("Вне серий")  # 900 views before 670
    assert "900" in html and "670" in html


def test_a_bad_date_is_said_and_the_default_period_shown(api: Api) -> None:
    email, _ = api.new_user()
    with login(api, email) as client:
        page = client.get("/stats", params={"from": "2026-13-01"})
    assert page.status_code == 200
    assert "2026-13-01" in page.text and "notice-error" in page.text
    assert 'href="/stats?days=30" aria-current="page"' in page.text


def test_the_download_has_russian_headers_semicolons_and_the_api_numbers(api: Api) -> None:
    email, token = api.new_user()
    _seed(api, _workspace_of(api, token))
    with login(api, email) as client:
        download = client.get("/stats.csv", params={**DECEMBER, "group_by": "platform"})
    with api.client(token) as client:
        rows = client.get("/api/v1/stats", params=DECEMBER).json()["rows"]
    assert download.status_code == 200, download.text
    assert download.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Платформа", "Просмотры", "Лайки", "Репосты", "Комментарии", "Публикации"]
    names = {"vk": "VK", "telegram": "Telegram"}
    counters = ("views", "likes", "shares", "comments", "publications")
    assert table[1:] == [[names[str(row["platform"])], *(str(row[c]) for c in counters)] for row in rows]
