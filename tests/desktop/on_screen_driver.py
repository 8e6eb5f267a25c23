"""Drives the app on a real display (the ``xcb`` platform on an X server), for
``test_on_screen.py``: each scenario runs in a process of its own, because a process has one Qt
platform and the rest of the tests run offscreen.

Scenarios (the last argument is the folder the screenshots go to):

- ``start OUT``: the start dialog, as a first run shows it;
- ``main LEDGER OUT``: the main window on the demo, and for each kind of book one page of its
  own kind;
- ``grab OUT``: a screenshot of the whole screen, whoever's windows are on it.

Screenshots are taken from the X server (the screen as a person sees it, not the widget's own
rendering). Prints one JSON line with what it saw."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from desktop.app.launch import start_application
from desktop.app.main_window import KIND_PAGES, MainWindow
from desktop.app.start import StartDialog, open_main_window
from desktop.fonts import use_bundled_font_if_needed


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shown(widget: QWidget, timeout: float = 20.0) -> None:
    """Wait until the X server has mapped the window and Qt has painted it."""
    deadline = time.monotonic() + timeout
    while not (widget.isVisible() and widget.windowHandle() and widget.windowHandle().isExposed()):
        if time.monotonic() > deadline:
            raise SystemExit("the window was never exposed on the display")
        spin(20)
    spin(300)


def on_screen_rect(widget: QWidget) -> list[int]:
    """Where the window is on the screen, in the screenshot's pixels."""
    ratio = widget.devicePixelRatio()
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [
        round(top_left.x() * ratio),
        round(top_left.y() * ratio),
        round(widget.width() * ratio),
        round(widget.height() * ratio),
    ]


def screen_shot(path: Path) -> str:
    screen = QGuiApplication.primaryScreen()
    pixmap = screen.grabWindow(0)  # the root window: what the X server shows
    if not pixmap.save(str(path)):
        raise SystemExit(f"could not save {path}")
    return str(path)


def idle(window: MainWindow, timeout: float = 30.0) -> None:
    """Wait until the window's database worker has delivered every job."""
    deadline = time.monotonic() + timeout
    spin(50)
    while window.database.pending:
        if time.monotonic() > deadline:
            raise SystemExit("the pages never finished loading")
        spin(20)
    spin(300)


def start(out: Path) -> dict[str, object]:
    app = start_application()
    use_bundled_font_if_needed(app)
    dialog = StartDialog()
    dialog.show()
    shown(dialog)
    buttons = [b.text() for b in dialog.findChildren(QPushButton)]
    facts = {
        "platform": QGuiApplication.platformName(),
        "title": dialog.windowTitle(),
        "buttons": buttons,
        "window": on_screen_rect(dialog),
        "shots": [screen_shot(out / "start.png")],
    }
    dialog.reject()
    return facts


def main_window(ledger: str, out: Path) -> dict[str, object]:
    app = start_application()
    use_bundled_font_if_needed(app)
    window = open_main_window(ledger, "admin")
    assert window is not None
    shown(window)
    idle(window)
    books = []
    shots = [screen_shot(out / "main.png")]
    for row, (_book_id, name, kind) in enumerate(window.books):
        window.book_list.setCurrentRow(row)
        idle(window)
        page_type = KIND_PAGES[kind][0]
        [index] = [i for i, page in enumerate(window.pages) if type(page) is page_type]
        window.tabs.setCurrentIndex(index)
        idle(window)
        shots.append(screen_shot(out / f"book{row + 1}-{page_type.__name__}.png"))
        books.append({"name": name, "kind": kind, "tab": window.tabs.tabText(index)})
    facts = {
        "platform": QGuiApplication.platformName(),
        "title": window.windowTitle(),
        "window": on_screen_rect(window),
        "books": books,
        "shots": shots,
    }
    window.close()
    spin(200)
    return facts


def grab(out: Path) -> dict[str, object]:
    QApplication([sys.argv[0]])
    return {"platform": QGuiApplication.platformName(), "shots": [screen_shot(out)]}


def main(argv: list[str]) -> None:
    scenario, *rest = argv
    if scenario == "start":
        facts = start(Path(rest[0]))
    elif scenario == "main":
        facts = main_window(rest[0], Path(rest[1]))
    elif scenario == "grab":
        facts = grab(Path(rest[0]))
    else:
        raise SystemExit(f"no scenario {scenario}")
    print(json.dumps(facts, ensure_ascii=False))
    sys.stdout.flush()
    QCoreApplication.processEvents()


if __name__ == "__main__":
    main(sys.argv[1:])
