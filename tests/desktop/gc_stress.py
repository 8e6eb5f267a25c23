"""The worker-thread garbage-collection stress, run as its own process by
``test_worker_gc.py`` (a segmentation fault must fail that test, not kill the test run).

The database worker runs jobs without pause that make the interpreter want a full collection at
almost every job (collection thresholds of 1, everything older frozen so that the collector's
"long-lived" rule lets full collections through, and each job leaving many survivors), while the
UI thread opens main windows on a ledger, shows their pages and destroys them. Before collection
was switched off while the worker has a job, the worker collected — dozens of full collections a
second — and sooner or later walked a Qt wrapper the UI thread was destroying at that moment:
a segmentation fault with "Garbage-collecting" at the top of the worker's stack.

Prints one JSON line: rounds survived, collections started on the worker and on the UI thread.
Usage: ``python -X faulthandler gc_stress.py LEDGER ROUNDS``"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from sqlmodel import Session

from desktop.app.database import Database
from desktop.app.main_window import MainWindow
from desktop.app.session import signed_in
from ledger.db import open_ledger
from ledger.services.books import list_books
from ledger.services.users import get_user


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(path: str, rounds: int) -> None:
    app = QApplication([sys.argv[0]])
    started = {"worker": 0, "ui": 0}

    def count(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            ui = threading.current_thread() is threading.main_thread()
            started["ui" if ui else "worker"] += 1

    gc.callbacks.append(count)
    survivors: list[list[list[int]]] = []

    def job(session: Session) -> list[str]:
        survivors.append([[] for _ in range(20_000)])  # promoted: a full collection is due
        if len(survivors) > 4:
            survivors.pop(0)
        return [book.name for book in list_books(session)]

    churn = Database(open_ledger(path))  # runs jobs for the whole run
    with churn.ledger.read() as s:
        user = signed_in(get_user(s, "admin"))
    running = True

    def again(_books: object) -> None:
        if running:
            churn.read(job, again)

    gc.freeze()
    gc.set_threshold(1, 1, 1)
    for _ in range(2):
        churn.read(job, again)
    for _ in range(rounds):
        database = Database(open_ledger(path))
        window = MainWindow(database, user)
        window.show()
        for tab in range(window.tabs.count()):
            window.tabs.setCurrentIndex(tab)
            app.processEvents()
        spin(20)
        window.close()
        window.deleteLater()  # destroyed on the UI thread while the worker goes on
        del window, database
        spin(20)
    running = False
    while churn.pending:
        spin(10)
    churn.close()
    print(json.dumps({"rounds": rounds, "worker": started["worker"], "ui": started["ui"]}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
