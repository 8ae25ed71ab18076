"""Property-based API testing from /openapi.json: no generated request may cause a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import Sandbox
from tests.support.api import Api, start_api

CASES: list[str] = []


@pytest.fixture(scope="module")
def schema_api(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, sandbox_server: Sandbox
) -> Iterator[Api]:
    yield from start_api(
        tmp_path_factory.mktemp("schema"), database_url, None, sandbox_url=sandbox_server.url
    )
    print(f"\nschemathesis: {len(CASES)} generated requests, no 5xx")


@pytest.fixture(scope="module")
def schema_token(schema_api: Api) -> str:
    _, token = schema_api.new_user()
    schema_api.upload_clip(token)
    return token


def test_no_server_errors(schema_api: Api, schema_token: str) -> None:
    """Every operation, up to 30 generated requests each (schemathesis strategies driven by hypothesis)."""
    schema = schemathesis.openapi.from_url(f"{schema_api.url}/openapi.json")
    headers = {"Authorization": f"Bearer {schema_token}"}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=headers, timeout=30)
            CASES.append(f"{case.method} {case.path}")
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
                )

        call()
    assert failures == []
    assert len(CASES) > 100


def test_openapi_lists_the_whole_contract(schema_api: Api) -> None:
    paths = set(httpx2.get(f"{schema_api.url}/openapi.json").json()["paths"])
    assert {
        "/api/v1/me",
        "/api/v1/me/password",
        "/api/v1/auth/logout",
        "/api/v1/auth/logout-all",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/platforms",
        "/api/v1/connections",
        "/api/v1/connections/oauth/{platform}/start",
        "/api/v1/connections/{connection_id}",
        "/api/v1/connections/{connection_id}/test",
        "/api/v1/clips",
        "/api/v1/clips/{clip_id}",
        "/api/v1/clips/{clip_id}/publish",
        "/api/v1/publications",
        "/api/v1/publications/{publication_id}",
        "/api/v1/publications/{publication_id}/cancel",
        "/api/v1/publications/{publication_id}/retry",
        "/api/v1/publications/{publication_id}/stats",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{webhook_id}",
        "/api/v1/webhooks/{webhook_id}/rotate",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= paths
