"""Alerts: what happened in a workspace that people or systems must hear of (mail, Telegram, webhooks)."""
