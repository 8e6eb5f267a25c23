#!/usr/bin/env bash
# Set up a virtual environment in .venv with Gongzhang and its development tools.
# Works on a fresh Debian machine that has only python3 (installs python3-venv if it must).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "setup: need root to run: $*" >&2; return 1; fi
}

if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
        # Debian ships venv's pip bootstrap separately.
        rm -rf .venv
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        "$PYTHON" -m venv .venv
    fi
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# Qt (the desktop app, and its tests offscreen) needs a few system libraries that a bare Debian
# lacks; install them only if Qt cannot load.
if ! QT_QPA_PLATFORM=offscreen .venv/bin/python -c \
    "from PySide6.QtGui import QGuiApplication; QGuiApplication([])" >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libglib2.0-0 >/dev/null
fi
