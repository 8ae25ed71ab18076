"""Security headers on every answer, HSTS only in production over https, /metrics and /docs switches."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2
import pytest

from autopost.app import create_app
from autopost.settings import Settings
from tests.support.api import Api
from tests.support.engine import engine_settings

TEMPLATES = Path(__file__).parents[2] / "src" / "autopost" / "web" / "templates"
COMMON = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}


def _assert_page_headers(response: httpx2.Response) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    csp = _directives(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:", "https:"]  # avatars come from the platforms
    assert "strict-transport-security" not in response.headers


def test_every_answer_carries_the_headers(api: Api) -> None:
    email, token = api.new_user()
    with api.client() as anonymous, api.client() as browser, api.client(token) as client:
        login = browser.post("/api/v1/auth/login", json={"email": email, "password": "correct-horse-1"})
        answers = [
            login,
            anonymous.get("/login"),
            anonymous.get("/"),  # a redirect to the login page
            anonymous.get("/static/app.js"),
            anonymous.get("/api/v1/me"),  # 401
            anonymous.get("/no/such/page"),  # 404
            anonymous.get("/healthz"),
            anonymous.post("/api/v1/auth/login", json={"email": "x"}),  # 422
            anonymous.post(  # 413 from the body cap
                "/api/v1/auth/login",
                content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                headers={"Content-Type": "application/json"},
            ),
            browser.get("/"),
            browser.get("/settings/platforms"),
            browser.get("/publications"),
            client.get("/api/v1/clips"),
        ]
    assert [a.status_code for a in answers] == [
        200,
        200,
        303,
        200,
        401,
        404,
        200,
        422,
        413,
        200,
        200,
        200,
        200,
    ]
    for answer in answers:
        _assert_page_headers(answer)


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_templates_have_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []  # onclick=, onload=, ...
    assert re.findall(r"\bstyle\s*=|<style|hx-on|javascript:", text) == []


def test_platform_marks_carry_no_inline_style() -> None:
    from autopost.platforms.catalog import Platform
    from autopost.web.marks import BRAND_COLOURS, TEXT_MARK_SIZES, platform_mark

    css = (TEMPLATES.parent / "static" / "app.css").read_text()
    for platform in Platform:
        for size in TEXT_MARK_SIZES:
            assert "style=" not in platform_mark(platform, size)
    for platform in (Platform.RUTUBE, Platform.DZEN):
        assert f".mark-{platform.value} {{ background: {BRAND_COLOURS[platform]}; }}" in css
    for size in TEXT_MARK_SIZES:
        assert f".mark-size-{size} {{ --size: {size}px; }}" in css


def _client(settings: Settings) -> httpx2.AsyncClient:
    """The app in process: /healthz, /metrics and the docs need neither database nor Redis."""
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(settings)), base_url="http://app")


async def test_hsts_only_in_production_over_https(tmp_path: Path, database_url: str) -> None:
    production = {"env": "production", "public_url": "https://autopost.example"}
    async with _client(engine_settings(tmp_path, database_url, **production)) as client:
        answer = await client.get("/healthz")
    assert answer.headers["strict-transport-security"] == "max-age=31536000"
    for other in (
        {"env": "production", "public_url": "http://autopost.example"},
        {"env": "development", "public_url": "https://autopost.example"},
    ):
        async with _client(engine_settings(tmp_path, database_url, **other)) as client:
            assert "strict-transport-security" not in (await client.get("/healthz")).headers


async def test_images_from_a_plain_http_sandbox_are_allowed(tmp_path: Path, database_url: str) -> None:
    """Pointed at a local sandbox (http), its avatars must show; nothing else plain-http does."""
    from autopost.sandbox_wiring import point_at_sandbox

    settings = point_at_sandbox(engine_settings(tmp_path, database_url), "http://127.0.0.1:9999")
    async with _client(settings) as client:
        csp = _directives((await client.get("/healthz")).headers["content-security-policy"])
    assert csp["img-src"] == ["'self'", "data:", "https:", "http://127.0.0.1:9999"]
    assert csp["script-src"] == ["'self'"]


async def test_metrics_want_the_bearer_token_when_one_is_set(tmp_path: Path, database_url: str) -> None:
    async with _client(engine_settings(tmp_path, database_url)) as client:
        assert (await client.get("/metrics")).status_code == 200  # open without a token (development)
    async with _client(engine_settings(tmp_path, database_url, metrics_token="scrape-me-" * 4)) as client:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {'scrape-me-' * 4}"})
        assert right.status_code == 200 and "autopost_" in right.text


async def test_api_docs_can_be_switched_off(tmp_path: Path, database_url: str) -> None:
    async with _client(engine_settings(tmp_path, database_url)) as client:
        docs = await client.get("/docs")
        assert docs.status_code == 200 and (await client.get("/openapi.json")).status_code == 200
        # The docs page's own policy (CDN + inline bootstrap), still not frameable.
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    async with _client(engine_settings(tmp_path, database_url, api_docs=False)) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404
