"""The terminal progress bar: silent for quick work and for output that is not a terminal."""

from __future__ import annotations

import io

import pytest

from desktop import progress as progress_module
from desktop.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_shows_after_a_second_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    bar = Progress("Printing notices", total=4, stream=screen)
    bar.update(1)
    assert screen.getvalue() == ""  # under a second: nothing
    monkeypatch.setattr(progress_module, "DELAY_S", 0.0)
    bar.update(2)
    assert "Printing notices" in screen.getvalue() and "2/4" in screen.getvalue()
    assert "█" * (progress_module.WIDTH // 2) in screen.getvalue()
    bar.finish()
    assert screen.getvalue().endswith("\r")


def test_no_bar_when_the_output_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY_S", 0.0)
    piped = io.StringIO()
    bar = Progress("Printing", stream=piped)
    bar.update(7)
    bar.finish()
    assert piped.getvalue() == ""
