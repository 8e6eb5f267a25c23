"""A progress bar on the terminal for work that takes more than a second (printing notices).

It writes to standard error, only when that is a terminal, and only once the work has run for
:data:`DELAY_S`: a quick command prints nothing extra, and output piped to a file stays clean.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY_S = 1.0
WIDTH = 30


class Progress:
    """``update(done)`` as work advances; ``total`` may be unknown (then a count is shown)."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.shown = False
        self.enabled = self.stream.isatty()

    def update(self, done: int, label: str | None = None) -> None:
        if label is not None:
            self.label = label
        if not self.enabled or time.monotonic() - self.started < DELAY_S:
            return
        if self.total:
            filled = min(WIDTH, WIDTH * done // self.total)
            bar = "█" * filled + "░" * (WIDTH - filled)
            text = f"\r{self.label} {bar} {done}/{self.total}"
        else:
            text = f"\r{self.label} … {done}"
        self.stream.write(text + " " * 4)
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
