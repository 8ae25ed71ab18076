"""How dates, numbers, durations, sparklines and words read on the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from autopost.refusals import Refused
from autopost.users.plans import Plan
from autopost.web import formatting
from autopost.web.catalog import CATALOG
from autopost.web.i18n import plans_text, refusal_text, translate
from autopost.web.sparkline import sparkline

TEMPLATES = Path(__file__).parents[2] / "src" / "autopost" / "web" / "templates"
SOURCES = Path(__file__).parents[2] / "src" / "autopost" / "web"


def test_dates_numbers_durations() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    when = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
    assert formatting.format_datetime(when, moscow) == "25.11.2026 18:30"
    assert formatting.format_count(12345) == "12\u202f345"
    assert formatting.format_count(12345, "en") == "12,345"
    assert formatting.format_count(None) == "—"
    assert formatting.format_duration(42) == "0:42"
    assert formatting.format_duration(3723) == "1:02:03"
    assert formatting.format_size_for(38 * 1024 * 1024) == "38 МБ"
    assert formatting.format_size_for(38 * 1024 * 1024, "en") == "38 MB"
    assert formatting.zone_label(moscow, when) == "Москва, UTC+3"
    assert formatting.zone_label(ZoneInfo("Asia/Kolkata"), when, "en") == "Kolkata, UTC+5:30"
    now = datetime.now(UTC)
    assert formatting.format_relative(now - timedelta(minutes=5), now) == "5 минут назад"
    assert formatting.format_relative(now + timedelta(hours=2), now) == "через 2 часа"


def test_local_times_round_trip_in_the_users_zone() -> None:
    zone = formatting.user_zone("Asia/Yekaterinburg")
    parsed = formatting.parse_local("2026-11-25T18:30", zone)
    assert parsed == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    assert formatting.local_input_value(parsed, zone) == "2026-11-25T18:30"
    assert formatting.parse_local("завтра", zone) is None
    assert formatting.user_zone("Mars/Olympus") == ZoneInfo("Europe/Moscow")


def test_sparkline_is_an_accessible_svg_scaled_to_its_box() -> None:
    svg = str(sparkline([0, 5, 10], "График просмотров"))
    assert svg.startswith('<svg class="spark" role="img"') and 'aria-label="График просмотров"' in svg
    points = re.search(r'<polyline[^>]*points="([^"]+)"', svg)
    assert points and points.group(1) == "2.0,26.0 60.0,14.0 118.0,2.0"
    assert str(sparkline([7], "x")) == ""


def test_plural_forms_and_plan_names() -> None:
    counts = {n: translate("ru", "disconnect.will_cancel", count=n) for n in (1, 2, 5, 21)}
    assert counts[1] == "Будет отменена 1 запланированная публикация."
    assert counts[2] == "Будут отменены 2 запланированные публикации."
    assert counts[5] == "Будут отменены 5 запланированных публикаций."
    assert counts[21] == "Будет отменена 21 запланированная публикация."
    assert plans_text([Plan.START, Plan.PRO, Plan.BUSINESS], "ru") == "Старт, Про и Бизнес"
    refusal = Refused("plan_excludes_platform", platform="VK", plan="free")
    assert refusal_text(refusal, "ru") == "Недоступно на тарифе Бесплатный — повысьте тариф"


def test_every_key_the_templates_and_pages_use_exists_in_both_languages() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        literals = re.findall(r"'([a-z]+\.[a-z_.]+)'", template.read_text())
        used |= {key for key in literals if not key.endswith(".html")}
    for module in SOURCES.glob("*.py"):
        used |= set(re.findall(r'translate\([^,]+, "([a-z_.]+)"', module.read_text()))
    # A key ending in "." or "_" is a prefix completed at run time ('plan.' ~ user.plan.value).
    missing = sorted(
        key
        for key in used
        if key not in CATALOG and not any(k.startswith(key) for k in CATALOG if key[-1] in "._")
    )
    assert not missing
    for key, entry in CATALOG.items():
        assert set(entry) == {"ru", "en"}, key


def test_the_russian_side_has_no_english_words() -> None:
    allowed = {"VK", "Rutube", "Telegram", "BotFather", "newbot"}
    for key, entry in CATALOG.items():
        russian = entry["ru"]
        for text in russian.values() if isinstance(russian, dict) else [russian]:
            words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[a-z_]+\}", "", text))
            assert not {w for w in words if w not in allowed}, key
