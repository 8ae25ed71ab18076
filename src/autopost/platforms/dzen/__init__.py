"""Дзен: Yandex OAuth (documented) and a MODELLED publisher API (publisher_api.py)."""

from autopost.platforms.dzen.oauth import DzenOAuth
from autopost.platforms.dzen.provider import CAPABILITIES, DzenProvider

# What the connect screen tells operators (docs/platforms/dzen.md says the same).
NOTICE = (
    "Публиковать в Дзен может только канал, одобренный Дзеном как издатель. Открытого API для "
    "публикации у Дзена нет: autopost работает по смоделированному протоколу, проверенному на песочнице, "
    "и заработает с dzen.ru, когда Дзен откроет доступ издателям."
)

__all__ = ["CAPABILITIES", "NOTICE", "DzenOAuth", "DzenProvider"]
