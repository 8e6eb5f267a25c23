"""Database work off the UI thread: one worker thread, one session (one transaction) per job.

A job is a function of a session that returns plain values (rows, numbers, texts — never ORM
objects, which die with their session). ``read``/``write`` queue it; its result (or its error)
comes back on the UI thread to the callback given. Jobs run one after the other, in order.

Only job numbers cross threads through Qt's queued signal; results wait in a locked table on the
Python side (PySide's cross-thread signals with Python objects are where its reference-counting
bugs live). The job itself goes back with its result, so that the last reference to it — and to
the pages and models its closure holds — is dropped on the UI thread, never on the worker; and
automatic garbage collection is off while the worker has a job (:mod:`desktop.app.collector`)."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot
from sqlmodel import Session

from desktop.app.collector import job_delivered, job_queued
from ledger.db import Ledger

Job = Callable[[Session], Any]
_STOP = object()


class Database(QObject):
    """The open ledger, as the app's windows use it."""

    _finished = Signal(int)
    #: Emitted after every successful write, so that open pages can refresh.
    changed = Signal()
    #: Emitted when a job starts and when the queue is empty again (for a busy indicator).
    busy = Signal(bool)

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None], Callable[[BaseException], None]]
        ] = {}
        self._writes: set[int] = set()
        #: Finished jobs: (succeeded, value or error, the job itself — released here, on the UI
        #: thread).
        self._results: dict[int, tuple[bool, Any, Job]] = {}
        self._lock = threading.Lock()
        # SimpleQueue: the worker waits in C, allocating nothing, between jobs.
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._finished.connect(self._deliver)
        self._thread = threading.Thread(target=self._work, name="gongzhang-database", daemon=True)
        self._thread.start()

    # -- the worker thread ---------------------------------------------------------------------

    def _work(self) -> None:
        get = self._jobs.get
        while True:
            item = get()
            if item is _STOP:
                return
            job_id, job, write = item
            del item
            try:
                with self.ledger.write() if write else self.ledger.read() as session:
                    outcome: tuple[bool, Any, Job] = (True, job(session), job)
            except Exception as exc:
                outcome = (False, exc, job)
            # The worker keeps no reference: the UI thread drops the job, its result or error.
            del job
            with self._lock:
                self._results[job_id] = outcome
            del outcome
            try:
                self._finished.emit(job_id)
            except RuntimeError:  # the app is gone (its end, in a test): nobody to tell
                return

    # -- the UI thread -------------------------------------------------------------------------

    def read(
        self,
        job: Job,
        then: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> int:
        return self._submit(job, then, failed, write=False)

    def write(
        self,
        job: Job,
        then: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> int:
        return self._submit(job, then, failed, write=True)

    def _submit(
        self,
        job: Job,
        then: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None,
        *,
        write: bool,
    ) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = (then, failed or self._unhandled)
        if write:
            self._writes.add(job_id)
        if len(self._callbacks) == 1:
            self.busy.emit(True)
        job_queued()  # before the worker can see it: no collection while it works
        self._jobs.put((job_id, job, write))
        return job_id

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    @Slot(int)
    def _deliver(self, job_id: int) -> None:
        with self._lock:
            finished = self._results.pop(job_id, None)
        if finished is None or job_id not in self._callbacks:
            return  # closed meanwhile: its window is gone, nobody waits for it
        ok, value, _job = finished
        then, failed = self._callbacks.pop(job_id)
        job_delivered()
        wrote = job_id in self._writes
        self._writes.discard(job_id)
        if not self._callbacks:
            self.busy.emit(False)
        if ok:
            if _receiver_alive(then):
                then(value)
            if wrote:
                self.changed.emit()
        elif _receiver_alive(failed):
            failed(value)

    def _unhandled(self, error: BaseException) -> None:
        from desktop.app.errors import presenter  # noqa: PLC0415 - the one presenter

        presenter().show(error)

    def close(self) -> None:
        """Finish the queued jobs, stop the worker and close the ledger. Results that have not
        been delivered yet are dropped: the window that asked for them is closing."""
        if self._thread.is_alive():
            job_queued()  # the worker's way out allocates too: no collection there either
            self._jobs.put(_STOP)
            self._thread.join()
            job_delivered()
        self.ledger.close()
        with self._lock:
            self._results.clear()
        if self._callbacks:
            for _dropped in self._callbacks:
                job_delivered()
            self._callbacks.clear()
            self._writes.clear()
            self.busy.emit(False)


def _receiver_alive(callback: Callable[..., Any]) -> bool:
    """Whether the widget a result is for still exists: a page replaced while its read was on
    the worker (the book switched, the language changed) gets nothing — its Python wrapper
    outlives the deleted Qt object, and touching it would raise."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
