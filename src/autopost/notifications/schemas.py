"""The notification settings as the JSON API reads and writes them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from autopost.notifications.usecases import Preferences


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: bool
    telegram: bool


class PreferencesOut(BaseModel):
    """The caller's channels in the current workspace, and what the install offers."""

    email: bool
    telegram: bool
    telegram_linked: bool
    mail_available: bool
    telegram_available: bool

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesOut:
        return cls(
            email=preferences.email,
            telegram=preferences.telegram,
            telegram_linked=preferences.telegram_linked,
            mail_available=preferences.mail_available,
            telegram_available=preferences.telegram_available,
        )


class TelegramLinkOut(BaseModel):
    """The deep link to open once (https://t.me/<bot>?start=<code>); its code works once."""

    url: str
