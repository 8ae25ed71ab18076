"""Prometheus metrics of publishing, updated where the events happen."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

from autopost.db import utcnow
from autopost.publications.models import Publication

PUBLICATIONS = Counter(
    "autopost_publications_total", "Publications that reached a final state", ["platform", "outcome"]
)
FIRST_ATTEMPT = Counter(
    "autopost_publications_first_attempt_total",
    "Final publications by whether they succeeded on the first attempt",
    ["platform", "result"],
)
TIME_TO_PUBLISHED = Histogram(
    "autopost_publish_seconds",
    "From the user's action (or the scheduled time) to published",
    ["platform"],
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600),
)
LATENESS = Histogram(
    "autopost_schedule_lateness_seconds",
    "How late a scheduled publication started",
    ["platform"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
QUEUE_JOBS = Gauge("autopost_queue_jobs", "Jobs in each queue by state", ["queue", "state"])


def observe_start(publication: Publication, now: datetime) -> None:
    if publication.attempts == 1 and publication.scheduled_at is not None:
        LATENESS.labels(publication.platform.value).observe(
            max(0.0, (now - publication.scheduled_at).total_seconds())
        )


def observe_outcome(publication: Publication, outcome: str) -> None:
    platform = publication.platform.value
    PUBLICATIONS.labels(platform, outcome).inc()
    first = outcome == "published" and publication.attempts <= 1
    FIRST_ATTEMPT.labels(platform, "success" if first else "other").inc()
    if outcome == "published":
        started = publication.scheduled_at or publication.created_at
        TIME_TO_PUBLISHED.labels(platform).observe(max(0.0, (utcnow() - started).total_seconds()))
