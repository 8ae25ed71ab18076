"""Webhooks: a workspace's HTTPS endpoints receive its alerts as signed JSON, retried until delivered."""
