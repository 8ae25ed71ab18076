#!/usr/bin/env bash
# Debian packages the browser tests need: Chromium (never a browser downloaded by a test tool).
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
