"""No garbage collection on the database worker.

Python's cyclic garbage collector runs on whichever thread happens to allocate when a threshold is
crossed. In this app that was often the database worker, and a collection there walked a Qt
wrapper that the UI thread was destroying at that very moment (shiboken releases the interpreter
lock while it deletes a C++ object whose wrapper is still linked into the collector's lists): a
segmentation fault on the worker, "Garbage-collecting" at the top of its stack.

So automatic collection is switched off while any database worker has a job, and switched on
again by the UI thread once every job has been delivered. Both switches happen on the UI thread:
off before a job is queued (so the worker never allocates while collection is on), on after the
last result has been handed over. The UI thread keeps collecting as the interpreter always did,
at its own allocations; the worker, blocked in its queue between jobs, allocates nothing.

(Collecting only from a UI-thread timer instead was tried and crashed on Debian's Python 3.11.2:
the closed windows and pages it then met, long after they had become garbage, broke Qt's widget
teardown. Collection keeps its usual rhythm on the UI thread.)

Nothing else in the app may call :func:`gc.collect` or switch collection (a test checks)."""

from __future__ import annotations

import gc
import threading

_busy = 0
_ui_thread: int | None = None


def _on_ui_thread() -> None:
    global _ui_thread  # noqa: PLW0603 - the one UI thread of the process
    if _ui_thread is None:
        _ui_thread = threading.get_ident()
    if threading.get_ident() != _ui_thread:
        raise RuntimeError("collection is switched on the UI thread only")


def job_queued() -> None:
    """A worker is about to get a job: no automatic collection until it is delivered."""
    global _busy  # noqa: PLW0603 - one count for all the app's workers
    _on_ui_thread()
    if _busy == 0:
        gc.disable()
    _busy += 1


def job_delivered() -> None:
    """A job's result was handed over (or dropped): collection is on again when none is left."""
    global _busy  # noqa: PLW0603 - one count for all the app's workers
    _on_ui_thread()
    _busy -= 1
    if _busy == 0:
        gc.enable()


def jobs_outstanding() -> int:
    """How many jobs are queued, running or waiting to be delivered, in all the app's workers."""
    return _busy
