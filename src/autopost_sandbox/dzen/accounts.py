"""The seeded Дзен world: two people signed in on dzen.ru, one of them the editor of a channel.

A session is named by the `zen_session_id` cookie of .dzen.ru (the cookie a dzen.ru tab sends
to the editor); the demo export also carries a Yandex Passport cookie of .yandex.ru, as a real
export of a signed-in browser does, which the dzen.ru requests never send.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass

from autopost_sandbox.http import DemoAccount

SESSION_COOKIE = "zen_session_id"
SESSION_EXPIRES = 2145916800  # 2038-01-01: the cookies' expiry and the sessions'


@dataclass(frozen=True)
class Channel:
    publisher_id: str  # 24 hex digits, as Дзен's publisherId
    name: str


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    session: str  # the zen_session_id value of the seeded session
    channel: Channel | None


CHANNEL = Channel("634a3f1afdba2914ab29b55a", "Курсы монтажа")
EDITOR = Person("kursy-montazha", "Анна Монтажёрова", "3:1767225600.5.0.sandbox-anna-8f2c41d0", CHANNEL)
# Signed in on dzen.ru, but no channel of her own: the editor page offers nothing to publish to.
READER = Person("bez-kanala", "Пётр Безканальный", "3:1767225600.5.0.sandbox-petr-5d7e93aa", None)
PEOPLE: dict[str, Person] = {person.login: person for person in (EDITOR, READER)}


def cookie_export(person: Person = EDITOR) -> str:
    """The person's cookies as the "Get cookies.txt" extensions write them (Netscape format)."""
    lines = [
        "# Netscape HTTP Cookie File",
        f"# dzen.ru, signed in as {person.name} (autopost sandbox)",
        f"#HttpOnly_.dzen.ru\tTRUE\t/\tTRUE\t{SESSION_EXPIRES}\t{SESSION_COOKIE}\t{person.session}",
        f".dzen.ru\tTRUE\t/\tFALSE\t{SESSION_EXPIRES}\tzencookie\t1",
        f"#HttpOnly_.yandex.ru\tTRUE\t/\tTRUE\t{SESSION_EXPIRES}\tSession_id\tpassport-{person.login}",
    ]
    return "\n".join(lines) + "\n"


_NEXT_TENANT = itertools.count(1)


def new_tenant() -> Person:
    """A new publisher with a channel of its own (ids are process-wide, so never shared)."""
    number = next(_NEXT_TENANT)
    channel = Channel(f"{0x7E00000000000000000000 + number:024x}", f"Канал клиента {number}")
    return Person(
        f"tenant-{number}",
        f"Клиент {number}",
        f"3:1767225600.5.0.sandbox-tenant-{number}-{secrets.token_hex(4)}",
        channel,
    )


def tenant_account(person: Person, public_url: str) -> DemoAccount:
    assert person.channel is not None
    return DemoAccount(
        platform="dzen",
        description=(
            f"Seeded dzen.ru session of {person.name}, editor of «{person.channel.name}» "
            f"(publisherId {person.channel.publisher_id})"
        ),
        credentials={
            "cookies_txt": cookie_export(person),
            "site_url": f"{public_url}/dzen",
            "publisher_id": person.channel.publisher_id,
        },
    )


def demo_accounts(public_url: str) -> list[DemoAccount]:
    return [
        DemoAccount(
            platform="dzen",
            description=(
                f"dzen.ru browser session of {EDITOR.name}, editor of the channel «{CHANNEL.name}» "
                f'(publisherId {CHANNEL.publisher_id}); POST /_sandbox/sessions/end {{"platform": "dzen"}} '
                "signs it out"
            ),
            credentials={"cookies_txt": cookie_export(EDITOR), "site_url": f"{public_url}/dzen"},
        ),
        DemoAccount(
            platform="dzen",
            description=f"dzen.ru browser session of {READER.name}: signed in, no channel to publish to",
            credentials={"cookies_txt": cookie_export(READER), "site_url": f"{public_url}/dzen"},
        ),
    ]
