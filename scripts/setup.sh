#!/usr/bin/env bash
# Create .venv (Python 3.11) and install autopost with pinned dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3
extras=${1:-}
if [ -n "$extras" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".[$extras]"
  if [[ ",$extras," == *",test,"* ]]; then
    # aiogram's pydantic<2.14 cap would refuse our pydantic: its own dependencies are in the test extras.
    .venv/bin/pip install --quiet --disable-pip-version-check --no-deps aiogram==3.31.0
  fi
else
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
fi
