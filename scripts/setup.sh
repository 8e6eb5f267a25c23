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

# The desktop app's window needs system libraries that Qt's wheels do not bring (X11/xcb, OpenGL,
# fonts). Which ones is read off Qt's own binaries with ldd — the real display's platform plugin
# (xcb) and the offscreen one the tests use — and only what is missing is installed.
missing=$(.venv/bin/python -m desktop.system_libraries --platform xcb --platform offscreen)
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; then
        as_root apt-get update -qq || true
        packages=()
        for package in $missing; do
            # Debian 13 renamed some libraries for 64-bit time (libfoo0 -> libfoo0t64).
            if ! apt-cache show "$package" >/dev/null 2>&1 \
                && apt-cache show "${package}t64" >/dev/null 2>&1; then
                package="${package}t64"
            fi
            packages+=("$package")
        done
        echo "setup: installing what the app's window needs: ${packages[*]}" >&2
        as_root env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
            apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null || true
        missing=$(.venv/bin/python -m desktop.system_libraries --platform xcb --platform offscreen)
    fi
    if [ -n "$missing" ]; then
        echo "setup: the desktop app cannot open its window until these Debian packages are" \
            "installed: $(echo $missing). Ask an administrator to run:" \
            "sudo apt-get install $(echo $missing)   (the command line works without them)" >&2
    fi
fi
