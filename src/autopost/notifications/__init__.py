"""Notifications to members: an alert someone must act on, by mail and by the operator's Telegram bot."""
