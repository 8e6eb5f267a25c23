"""Garbage collection only on the UI thread.

Python's cyclic garbage collector runs on whichever thread happens to allocate when a threshold is
crossed. In this app that is often the database worker. A collection there either finalizes Qt
objects on the wrong thread or walks a Qt wrapper that the UI thread is destroying at that very
moment (shiboken releases the interpreter lock while it deletes a C++ object whose wrapper is still
linked into the collector's lists): a segmentation fault on the worker, "Garbage-collecting" at the
top of its stack. So automatic collection is switched off for the whole process and this object
collects instead, on the UI thread, whenever the interpreter's own thresholds say it is due — the
same generations, the same thresholds, only never on another thread.

Nothing else in the app may call :func:`gc.collect` (a test checks)."""

from __future__ import annotations

import gc
import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the UI thread looks whether a collection is due (milliseconds).
CHECK_INTERVAL_MS = 250

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects garbage on the UI thread when the thresholds are crossed; automatic collection
    (which could run on any thread) is off while it is installed."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.thread_ident = threading.get_ident()
        self.collections = 0
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app.aboutToQuit.connect(self.check)

    def check(self) -> None:
        """Collect the generations that are due, as the interpreter would have done."""
        if threading.get_ident() != self.thread_ident:
            return  # only ever on the UI thread
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                gc.collect(generation)
                self.collections += 1
                return


def install_gui_thread_collector() -> GuiThreadCollector:
    """Install the collector (once per application), from the UI thread, after the application
    object exists. Returns the installed collector."""
    global _installed  # noqa: PLW0603 - one per process, like the application itself
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("the application object must exist first")
    if _installed is None or not shiboken6.isValid(_installed) or _installed.parent() is not app:
        _installed = GuiThreadCollector(app)
    gc.disable()  # again: a test or a library may have switched it back on
    return _installed
