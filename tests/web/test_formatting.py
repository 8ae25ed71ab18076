"""How dates, numbers, durations, sparklines and words read on the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from autopost.i18n import ngettext
from autopost.refusals import Refused
from autopost.users.plans import Plan
from autopost.web import formatting
from autopost.web.i18n import plans_text, refusal_text
from autopost.web.sparkline import sparkline

TEMPLATES = Path(__file__).parents[2] / "src" / "autopost" / "web" / "templates"


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
    assert formatting.format_size_for(4608 * 1024 * 1024, "en") == "4.5 GB"
    # Below a megabyte in kilobytes: a 300 KB clip is not «1 МБ».
    assert formatting.format_size_for(300 * 1024) == "300 КБ"
    assert formatting.format_size_for(300 * 1024, "en") == "300 KB"
    assert formatting.format_size_for(1023 * 1024 + 1023, "en") == "1023 KB"
    assert formatting.format_size_for(200, "en") == "1 KB"
    assert formatting.format_size_for(0, "en") == "0 KB"
    assert formatting.format_limit_for(2000 * 1024 * 1024, "ru") == "2000 МБ"
    # Telegram's limits are decimal megabytes and read as Telegram states them.
    assert formatting.format_limit_for(50_000_000, "en") == "50 MB"
    assert formatting.format_limit_for(2_000_000_000, "ru") == "2000 МБ"
    assert formatting.zone_label(moscow, when) == "Москва, UTC+3"
    assert formatting.zone_label(ZoneInfo("Asia/Kolkata"), when, "en") == "Kolkata, UTC+5:30"
    now = datetime.now(UTC)
    assert formatting.format_relative(now - timedelta(minutes=5), now) == "5 минут назад"
    assert formatting.format_relative(now + timedelta(hours=2), now) == "через 2 часа"


def test_a_size_beside_a_decimal_limit_is_in_the_limits_units() -> None:
    from autopost.i18n import render

    def text(size: int, limit: int, lang: str = "en") -> str:
        return render("file_too_large", lang, size_bytes=size, platform="telegram", limit_bytes=limit)

    assert text(50_000_001, 50_000_000) == "The file (50,000,001 bytes) exceeds the Telegram limit of 50 MB"
    assert text(53_500_000, 50_000_000) == "The file (53.5 MB) exceeds the Telegram limit of 50 MB"
    assert (
        text(2_000_000_001, 2_000_000_000, "ru")
        == "Файл 2\xa0000\xa0000\xa0001 байт больше лимита Telegram 2000 МБ"
    )
    # A binary limit keeps binary sizes.
    assert (
        text(300 * 1024 * 1024, 256 * 1024 * 1024) == "The file (300 MB) exceeds the Telegram limit of 256 MB"
    )


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
    one = "{count} scheduled publication will be cancelled."
    many = "{count} scheduled publications will be cancelled."
    counts = {n: ngettext("ru", one, many, n) for n in (1, 2, 5, 21)}
    assert counts[1] == "Будет отменена 1 запланированная публикация."
    assert counts[2] == "Будут отменены 2 запланированные публикации."
    assert counts[5] == "Будут отменены 5 запланированных публикаций."
    assert counts[21] == "Будет отменена 21 запланированная публикация."
    assert ngettext("en", one, many, 2) == "2 scheduled publications will be cancelled."
    assert plans_text([Plan.START, Plan.PRO, Plan.BUSINESS], "ru") == "Старт, Про и Бизнес"
    assert plans_text([Plan.PRO, Plan.BUSINESS], "en") == "Pro and Business"
    refusal = Refused("plan_excludes_platform", platform="vk", plan="free")
    assert refusal_text(refusal, "ru") == "Недоступно на тарифе Бесплатный — повысьте тариф"
    assert refusal_text(refusal, "en") == "Not included in the Free plan — upgrade your plan"


def test_templates_use_gettext_only() -> None:
    """Every page text goes through _() / ngettext() / msg(): the old keyed lookups are gone."""
    for template in TEMPLATES.glob("*.html"):
        assert not re.search(r"\bt\(", template.read_text()), template.name
