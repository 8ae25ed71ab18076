"""Telegram: a bot posts clips to a channel it administers (Bot API); views come from the t.me preview."""

from autopost.platforms.telegram.provider import TelegramProvider

__all__ = ["TelegramProvider"]
