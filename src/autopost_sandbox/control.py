"""Control API used by tests, benchmarks and demos: /_sandbox/state, faults, config, clock, reset, sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from autopost_sandbox.accounts_page import accounts_page, wants_html
from autopost_sandbox.core import FAULT_KINDS, FAULT_TARGETS, PLATFORMS, Fault, SandboxState
from autopost_sandbox.http import Emulator, Seedable
from autopost_sandbox.post_page import post_media, post_page

MAX_SEEDED = 1000


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


def parse_fault(body: Any) -> Fault | str:
    """Build a Fault from the control API's JSON, or say what is wrong with it."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if body.get("platform") not in FAULT_TARGETS:
        return f"platform must be one of {', '.join(FAULT_TARGETS)}"
    if body.get("fault") not in FAULT_KINDS:
        return f"fault must be one of {', '.join(FAULT_KINDS)}"
    rate = body.get("rate")
    count = body.get("count")
    if rate is not None and not (isinstance(rate, (int, float)) and 0 <= rate <= 1):
        return "rate must be a number from 0 to 1"
    if count is not None and not (isinstance(count, int) and count >= 0):
        return "count must be a whole number"
    after_bytes = body.get("after_bytes")
    if after_bytes is not None and not (isinstance(after_bytes, int) and after_bytes >= 0):
        return "after_bytes must be a whole number"
    account = body.get("account")
    if account is not None and not isinstance(account, str):
        return "account must be a string (a Telegram bot's id)"
    return Fault(
        platform=body["platform"],
        fault=body["fault"],
        count=None if rate is not None else (1 if count is None else count),
        rate=rate,
        retry_after=int(body.get("retry_after", 1)),
        on=body.get("on"),
        delay=float(body.get("delay", 30.0)),
        after_bytes=after_bytes,
        account=account,
    )


def control_app(state: SandboxState, emulators: Sequence[Emulator]) -> Starlette:
    async def get_state(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "posts": [asdict(p) for p in state.posts()],
                "uploads": state.uploads.views(),
                "faults": state.faults.active(),
                "config": asdict(state.config),
                "now": state.clock.now(),
                "web_sessions": state.web_sessions.listing(state.clock.now()),
                "rate_limit_violations": state.violations.snapshot(),
            }
        )

    async def end_sessions(request: Request) -> JSONResponse:
        """Sign a platform's browser sessions out, as the person pressing «Выйти» would."""
        body = await request.json()
        if not isinstance(body, dict) or body.get("platform") not in PLATFORMS:
            return _bad(f"platform must be one of {', '.join(PLATFORMS)}")
        account = body.get("account")
        if account is not None and not isinstance(account, str):
            return _bad("account must be a string")
        return JSONResponse({"ended": state.web_sessions.end(body["platform"], account)})

    async def add_fault(request: Request) -> JSONResponse:
        fault = parse_fault(await request.json())
        if isinstance(fault, str):
            return _bad(fault)
        state.faults.add(fault)
        return JSONResponse(asdict(fault), status_code=201)

    async def clear_faults(request: Request) -> JSONResponse:
        state.faults.clear()
        return JSONResponse({"ok": True})

    async def set_config(request: Request) -> JSONResponse:
        body = await request.json()
        known = {f.name: f.type for f in fields(state.config)}
        unknown = set(body) - set(known)
        if unknown:
            return _bad(f"unknown config keys: {', '.join(sorted(unknown))}")
        for name, value in body.items():
            setattr(state.config, name, value)
        return JSONResponse(asdict(state.config))

    async def move_clock(request: Request) -> JSONResponse:
        body = await request.json()
        if "stopped" in body:
            state.clock.stop(bool(body["stopped"]))
        state.clock.advance(float(body.get("advance", 0)))
        return JSONResponse({"now": state.clock.now()})

    async def reset(request: Request) -> JSONResponse:
        state.reset()
        for emulator in emulators:
            emulator.reset()
        return JSONResponse({"ok": True})

    async def accounts(request: Request) -> Response:
        listed = [a for e in emulators for a in e.demo_accounts()]
        if wants_html(request):
            return accounts_page(listed)
        return JSONResponse([asdict(a) for a in listed])

    seeders = {e.prefix.strip("/"): e for e in emulators if isinstance(e, Seedable)}

    async def seed_accounts(request: Request) -> JSONResponse:
        """N new tenants of one platform, each with credentials that connect it without a browser."""
        body = await request.json()
        if not isinstance(body, dict) or body.get("platform") not in seeders:
            return _bad(f"platform must be one of {', '.join(sorted(seeders))}")
        count = body.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_SEEDED:
            return _bad(f"count must be a whole number from 1 to {MAX_SEEDED}")
        made = seeders[body["platform"]].seed_accounts(count)
        return JSONResponse([asdict(a) for a in made], status_code=201)

    async def show_post(request: Request) -> Response:
        url = request.query_params.get("url", "")
        return post_page(url, state.find_post_by_url(url))

    return Starlette(
        routes=[
            Route("/post", show_post, methods=["GET"]),
            Route("/media/{sha256}", post_media, methods=["GET"]),
            Route("/state", get_state, methods=["GET"]),
            Route("/faults", add_fault, methods=["POST"]),
            Route("/faults", clear_faults, methods=["DELETE"]),
            Route("/config", set_config, methods=["POST"]),
            Route("/clock", move_clock, methods=["POST"]),
            Route("/reset", reset, methods=["POST"]),
            Route("/accounts", accounts, methods=["GET"]),
            Route("/accounts", seed_accounts, methods=["POST"]),
            Route("/sessions/end", end_sessions, methods=["POST"]),
        ]
    )
