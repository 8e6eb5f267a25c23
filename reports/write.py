"""Writing a notice to a file: rendered into a temporary file beside the target and moved into
place only when complete, so an interrupted report leaves no half-written file. Shared by the
command line and the app."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from reports.notice import Notice

#: Told how many pages or rows are rendered so far.
Tick = Callable[[int], None]


class _Ticks(Protocol):
    """Anything with ``update(done)`` (a progress bar of either front end)."""

    def update(self, done: int, /) -> None: ...


def write_notice(
    make: Callable[[], Notice], out: Path, fmt: str, progress: _Ticks | None = None
) -> None:
    """Build the notice with ``make`` and render it as ``fmt`` (``pdf`` or ``xlsx``) to ``out``."""
    from reports.pdf import render_pdf  # noqa: PLC0415 - reportlab only when a notice is written
    from reports.xlsx import render_xlsx  # noqa: PLC0415 - openpyxl likewise

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".gongzhang-", suffix=f".{fmt}", dir=out.parent)
    os.close(fd)
    try:
        notice = make()
        tick: Tick | None = None if progress is None else progress.update
        if fmt == "pdf":
            render_pdf(notice, temp, progress=tick)
        else:
            render_xlsx(notice, temp, progress=tick)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
