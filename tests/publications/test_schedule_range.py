"""A time to publish past the schedule's horizon (up to datetime's year-9999 edge and beyond) is a 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.platforms.catalog import Platform
from autopost.publications.rules import SCHEDULE_HORIZON, check_schedule
from autopost.refusals import Refused
from autopost.settings import Settings
from autopost.users.service import get_user_by_email
from autopost.workspaces.models import Workspace
from tests.support.api import Api
from tests.web.support import csrf_of, htmx, in_database, login, new_user

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# Valid as written, but 9999-12-31 in New York is already year 10000 in UTC.
EDGE_WEST = "9999-12-31T23:00:00-05:00"


def _refusal(scheduled_at: datetime) -> Refused:
    with pytest.raises(Refused) as refused:
        check_schedule(Settings(_env_file=None), scheduled_at, NOW)
    return refused.value


def test_the_horizon_is_the_last_time_taken() -> None:
    check_schedule(Settings(_env_file=None), NOW + SCHEDULE_HORIZON, NOW)
    refusal = _refusal(NOW + SCHEDULE_HORIZON + timedelta(seconds=1))
    assert refusal.code == "scheduled_at_out_of_range"
    assert refusal.params == {"horizon_seconds": int(SCHEDULE_HORIZON.total_seconds())}


def test_a_time_at_the_year_9999_edge_is_refused_before_it_overflows() -> None:
    assert _refusal(datetime.fromisoformat(EDGE_WEST)).code == "scheduled_at_out_of_range"


@pytest.mark.parametrize("when", ["+10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", EDGE_WEST])
def test_the_api_refuses_out_of_range_times_to_publish_and_reschedule(api: Api, when: str) -> None:
    email, token = api.new_user()
    connection = api.add_connection(email, Platform.TELEGRAM)
    clip_id = api.upload_clip(token)["id"]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    with api.client(token) as client:
        refused = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": connection}], "scheduled_at": when},
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "scheduled_at_out_of_range"
        assert "через 10 л." in refused.json()["error"]["message"]
        assert client.get("/api/v1/publications").json() == []
        [publication] = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": connection}], "scheduled_at": later},
        ).json()
        moved = client.patch(
            f"/api/v1/publications/{publication['id']}",
            json={"scheduled_at": when},
            headers={"Accept-Language": "en"},
        )
        assert moved.status_code == 422, moved.text
        assert moved.json()["error"]["code"] == "scheduled_at_out_of_range"
        assert "10 yrs" in moved.json()["error"]["message"]
        kept = client.get(f"/api/v1/publications/{publication['id']}").json()
        assert kept["scheduled_at"] == publication["scheduled_at"]


def test_the_publish_dialog_and_reschedule_refuse_the_edge_in_a_western_zone(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = api.upload_clip(token)

    async def to_new_york(session: AsyncSession) -> None:
        user = await get_user_by_email(session, email)
        assert user is not None
        await session.execute(
            update(Workspace).where(Workspace.id == user.id).values(time_zone="America/New_York")
        )

    in_database(api.settings, to_new_york)
    edge = "9999-12-31T23:00"
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        form = {"account": vk, "title_vk": "Т", "when": "later", "scheduled_at": edge}
        refused = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert refused.status_code == 200, refused.text
        assert "Время публикации должно быть не позже чем через 10 л." in refused.text
        later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        with api.client(token) as api_client:
            [publication] = api_client.post(
                f"/api/v1/clips/{clip['id']}/publish",
                json={"targets": [{"connection_id": vk}], "scheduled_at": later},
            ).json()
        moved = client.post(
            f"/publications/{publication['id']}/reschedule",
            data={"scheduled_at": edge},
            headers=htmx(client, csrf),
        )
        assert moved.status_code == 200, moved.text
        assert "Время публикации должно быть не позже чем через 10 л." in moved.text
