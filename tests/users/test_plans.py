import pytest

from autopost.i18n import render
from autopost.platforms.catalog import MB, MiB, Platform, max_upload_bytes
from autopost.users.plans import Plan, check_plan, check_size, plan_allows


@pytest.mark.parametrize(
    ("plan", "allowed"),
    [
        (Plan.FREE, set()),
        (Plan.START, {Platform.VK}),
        (Plan.PRO, set(Platform)),
        (Plan.BUSINESS, set(Platform)),
    ],
)
def test_plan_platforms(plan: Plan, allowed: set[Platform]) -> None:
    assert {p for p in Platform if plan_allows(plan, p)} == allowed


def test_refusal_names_the_platform_and_plan() -> None:
    refusal = check_plan(Plan.START, Platform.TELEGRAM)
    assert refusal is not None
    assert refusal.code == "plan_excludes_platform"
    assert (
        render(refusal.code, "ru", **refusal.params) == "Telegram недоступен на тарифе Старт — повысьте тариф"
    )
    assert check_plan(Plan.START, Platform.VK) is None


@pytest.mark.parametrize(
    ("platform", "limit"),
    [
        (Platform.VK, 256 * MiB),
        (Platform.TELEGRAM, 50 * MB),
        (Platform.DZEN, 4096 * MiB),
        (Platform.RUTUBE, 10240 * MiB),
    ],
)
def test_size_limits(platform: Platform, limit: int) -> None:
    assert max_upload_bytes(platform) == limit
    assert check_size(platform, limit) is None
    refusal = check_size(platform, limit + 1)
    assert refusal is not None and refusal.code == "file_too_large"


def test_size_message_reads_like_the_ui() -> None:
    refusal = check_size(Platform.TELEGRAM, 120 * MB)
    assert refusal is not None
    assert render(refusal.code, "ru", **refusal.params) == "Файл 120 МБ больше лимита Telegram 50 МБ"
    # Telegram's megabytes are decimal: one byte over reads in bytes, not as "50 MB over 50 MB".
    refusal = check_size(Platform.TELEGRAM, 50 * MB + 1)
    assert refusal is not None
    assert render(refusal.code, "en", **refusal.params) == (
        "The file (50,000,001 bytes) exceeds the Telegram limit of 50 MB"
    )


def test_self_hosted_telegram_server_lifts_the_limit() -> None:
    assert max_upload_bytes(Platform.TELEGRAM, telegram_local_server=True) == 2000 * MB
    assert check_size(Platform.TELEGRAM, 120 * MiB, telegram_local_server=True) is None
    assert check_size(Platform.TELEGRAM, 2000 * MB, telegram_local_server=True) is None
    refusal = check_size(Platform.TELEGRAM, 2001 * MB, telegram_local_server=True)
    assert refusal is not None
    assert render(refusal.code, "ru", **refusal.params) == "Файл 2001 МБ больше лимита Telegram 2000 МБ"


def test_gigabyte_limits_read_in_gigabytes() -> None:
    refusal = check_size(Platform.DZEN, 4608 * MiB)
    assert refusal is not None
    assert render(refusal.code, "ru", **refusal.params) == "Файл 4,5 ГБ больше лимита Дзен 4 ГБ"
