"""Alembic migrations (run with `autopost migrate`)."""
