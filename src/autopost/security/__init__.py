"""Secrets: token vault, passwords, API tokens."""
