"""`python -m autopost worker` as its own process on a test stack: a worker that can be SIGKILLed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, SecretStr

from autopost.platforms.catalog import Platform
from tests.support.stack import Stack


def settings_env(settings: BaseModel, prefix: str = "AUTOPOST_") -> dict[str, str]:
    """Settings as the AUTOPOST_* variables that reproduce them (nested models with "__")."""
    env: dict[str, str] = {}
    for name in type(settings).model_fields:
        value, key = getattr(settings, name), f"{prefix}{name.upper()}"
        if isinstance(value, BaseModel):
            env |= settings_env(value, f"{key}__")
        elif isinstance(value, SecretStr):
            env[key] = value.get_secret_value()
        elif isinstance(value, list):
            env[key] = json.dumps(value)
        elif value is not None:
            env[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def start_worker_process(stack: Stack, name: str, platform: Platform) -> tuple[subprocess.Popen[bytes], Path]:
    """`python -m autopost worker --platform <platform>` on this stack's database, Redis and sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
    env |= settings_env(stack.settings) | {"AUTOPOST_REDIS_URL": stack.redis_url}
    log = stack.settings.data_dir / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "autopost", "worker", "--platform", platform.value],
        env=env,
        cwd=stack.settings.data_dir,  # no stray .env is read
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return process, log
