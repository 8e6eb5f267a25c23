"""Making the application object — or, when Qt cannot show a window here, one clear line.

Qt aborts the process (``qFatal``) when its platform plugin cannot load or cannot reach the
display, after printing several lines meant for Qt's developers. The app catches that moment with
a message handler and says instead, in the interface language, what is wrong and what to install
(read off Qt's own binaries, :mod:`desktop.system_libraries`), then exits with
:data:`~desktop.system_libraries.EXIT_CANNOT_START`."""

from __future__ import annotations

import faulthandler
import os
import sys
from pathlib import Path
from typing import IO

from platformdirs import user_log_dir
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop.system_libraries import (
    EXIT_CANNOT_START,
    cannot_start_problem,
    default_platform,
    no_display_problem,
)


class CannotStart(Exception):  # noqa: N818 - it is what the app says: it cannot start
    """The app cannot open a window here; the message says why and what to do."""


#: Qt's messages that repeat the fatal one or guess at a cause; which libraries are missing is
#: read off the binaries instead.
_QT_GUESSES = ("Could not load the Qt platform", "From 6.5.0, xcb-cursor0")


class _StartupMessages:
    """Qt's messages while the application object is made: kept back (they are for Qt's
    developers), and the fatal one turned into our own line."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.kept: list[tuple[QtMsgType, str, str]] = []

    def __call__(self, mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        category = context.category or ""
        if mode != QtMsgType.QtFatalMsg:
            self.kept.append((mode, category, message))
            return
        # Qt aborts right after this returns: say it our way and leave first.
        print(cannot_start_problem(self.platform, self.reason(message)), file=sys.stderr)
        sys.stderr.flush()
        os._exit(EXIT_CANNOT_START)

    def reason(self, fatal: str) -> str:
        """What went wrong, from Qt's own warnings (its fatal message is a generic one)."""
        said = [
            message
            for _mode, category, message in self.kept
            if category.startswith("qt.qpa") and not message.startswith(_QT_GUESSES)
        ]
        return "; ".join(said) if said else fatal.splitlines()[0]

    def release(self) -> None:
        """The application started: let the kept messages through, as Qt would have printed
        them."""
        for _mode, category, message in self.kept:
            print(f"{category}: {message}" if category else message, file=sys.stderr)


def start_application(argv0: str = "gongzhang") -> QApplication:
    """The application object (made once).

    Raises :class:`CannotStart` when there is no display; exits the process with one line on
    standard error when Qt cannot start its platform."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    problem = no_display_problem()
    if problem is not None:
        raise CannotStart(problem)
    messages = _StartupMessages(default_platform())
    qInstallMessageHandler(messages)
    try:
        app = QApplication([argv0])
    finally:
        qInstallMessageHandler(None)
    messages.release()
    return app


_crash_log: IO[str] | None = None


def keep_crash_reports() -> Path | None:
    """Write the stacks of a hard crash (segmentation fault, abort) to a log in the user's log
    folder, so that a crash that closes the window still leaves something to send to us. Does
    nothing when Python's fault handler is already on (a developer's or test run: it writes to
    standard error). Returns the log's path when this call turned it on."""
    global _crash_log  # noqa: PLW0603 - the file must stay open as long as the process lives
    if faulthandler.is_enabled():
        return None
    try:
        folder = Path(user_log_dir("Gongzhang", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crashes.log"
        _crash_log = path.open("a", encoding="utf-8")
    except OSError:
        return None  # no writable log folder: the app still runs
    faulthandler.enable(_crash_log, all_threads=True)
    return path
