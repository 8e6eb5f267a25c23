"""Pausing Python's cycle collector for bulk work (a batch posted, a ledger verified).

The only place in the ledger that touches :mod:`gc`. It never collects, and it leaves the
collector as it found it: the app turns automatic collection off and collects itself on the UI
thread (``desktop/app/collector.py``), and a pause inside a worker's job must not turn it back on.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Automatic collection off for the block, if it was on (and on again after it): the block
    makes hundreds of thousands of tuples that hold no cycles, and every collection would only
    walk them again. Only on the main thread: a worker's job (the app's) must never switch the
    process-wide collector, not even back on, while the UI thread decides when it runs."""
    if threading.current_thread() is not threading.main_thread() or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
