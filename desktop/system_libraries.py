"""The system libraries Qt needs to open a window, read off Qt's own binaries.

Qt's wheels bring Qt but not the X11/xcb, OpenGL and font libraries of the system it runs on. Which
ones the window needs is written in the binaries themselves: ``ldd`` on the platform plugin (and on
the Qt modules the app loads) lists every library the dynamic loader cannot find. Each missing
library is named by its soname, and Debian names the package that ships a library after its
soname (``libxcb-cursor.so.0`` → ``libxcb-cursor0``), with a few well-known exceptions below.

Used by ``scripts/setup.sh`` (``python -m desktop.system_libraries``: the Debian packages to
install, one a line) and by the app when Qt cannot start (to name what is missing). No Qt import:
this must work exactly when Qt cannot load."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ledger.i18n import _

#: The exit status of ``gongzhang gui`` when the app cannot open a window here.
EXIT_CANNOT_START = 3

#: The Qt modules the app imports (their own libraries, and what those need).
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtPrintSupport")

#: Libraries whose Debian package does not follow the soname rule.
PACKAGE_OF: dict[str, str] = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


def pyside_dir() -> Path | None:
    """PySide6's folder, found without importing it (it may be the thing that cannot load)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def qt_binaries(platform: str) -> list[Path]:
    """The binaries the app loads to show a window on ``platform`` (``xcb``, ``offscreen``…):
    the platform plugin and the Qt modules it imports."""
    base = pyside_dir()
    if base is None:
        return []
    found = [base / "Qt" / "plugins" / "platforms" / f"libq{platform}.so"]
    for module in QT_MODULES:
        found.extend(sorted(base.glob(f"{module}.*.so")))
    return [p for p in found if p.exists()]


def missing_in_ldd_output(text: str) -> list[str]:
    """The sonames ``ldd`` reports as ``not found``, in order, each once."""
    missing: list[str] = []
    for line in text.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in missing:
            missing.append(match.group(1))
    return missing


def missing_libraries(binaries: Iterable[Path]) -> list[str]:
    """The libraries the dynamic loader cannot find for any of ``binaries``."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    missing: list[str] = []
    for binary in binaries:
        done = subprocess.run(  # noqa: S603 - ldd on Qt's own files
            [ldd, str(binary)], capture_output=True, text=True, check=False
        )
        missing.extend(m for m in missing_in_ldd_output(done.stdout) if m not in missing)
    return missing


def debian_package(soname: str) -> str:
    """The Debian package that ships ``soname``: its name before ``.so``, lower-cased, then the
    version, after a hyphen when the name ends in a digit (Debian policy 8.1)."""
    if soname in PACKAGE_OF:
        return PACKAGE_OF[soname]
    name, _so, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    name = name.lower().replace("_", "-")
    if not version:
        return name
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def packages_of(sonames: Iterable[str]) -> list[str]:
    """The Debian packages that ship ``sonames``, in order, each once."""
    packages: list[str] = []
    for soname in sonames:
        package = debian_package(soname)
        if package not in packages:
            packages.append(package)
    return packages


def missing_packages(platform: str) -> list[str]:
    """The Debian packages to install so that Qt can open a window on ``platform``."""
    return packages_of(missing_libraries(qt_binaries(platform)))


def default_platform(environ: Mapping[str, str] | None = None) -> str:
    """The platform Qt will use: ``QT_QPA_PLATFORM`` (its first choice) or, on Linux, ``xcb``."""
    env = os.environ if environ is None else environ
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    return chosen or "xcb"


# -- why the app cannot start, in one line --------------------------------------------------------


def no_display_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """The line to show when the app would open a window on X11 or Wayland but there is no
    display to open it on (Qt would abort); None when there is one, or no display is needed."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or default_platform(env) not in ("xcb", "wayland"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return _(
        "The app needs a screen to open its window and there is none here (DISPLAY is not set): "
        "start it from the desktop, or use the command line (gongzhang --help)."
    )


def missing_libraries_problem(missing: Sequence[str]) -> str:
    """The line naming the libraries Qt could not load and the packages that bring them."""
    return _(
        "The app cannot open its window: this system lacks {libraries}. Install them (as an "
        "administrator): sudo apt-get install {packages}"
    ).format(libraries=", ".join(missing), packages=" ".join(packages_of(missing)))


def cannot_start_problem(platform: str, reason: str) -> str:
    """The line for a platform that failed to start: the libraries it lacks if it lacks any
    (read off its binaries now), else Qt's own reason."""
    missing = missing_libraries(qt_binaries(platform))
    if missing:
        return missing_libraries_problem(missing)
    reason = " ".join(reason.split()) or _("no reason given")
    return _("The app could not open its window on the “{platform}” display: {reason}").format(
        platform=platform, reason=reason
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m desktop.system_libraries",
        description="Print the Debian packages Qt still needs, one a line (none: all there).",
    )
    parser.add_argument("--platform", action="append", help="xcb, offscreen, …")
    args = parser.parse_args(argv)
    binaries = [b for p in args.platform or [default_platform()] for b in qt_binaries(p)]
    for package in packages_of(missing_libraries(binaries)):
        print(package)
    return 0


if __name__ == "__main__":
    sys.exit(main())
