"""Render every page of the desktop app, in Chinese and in English, on the demo ledger, into
docs/screenshots/ (the README shows them). Offscreen: no display is needed.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.app.start import StartDialog, make_demo, open_main_window  # noqa: E402
from desktop.fonts import use_bundled_font_if_needed  # noqa: E402
from ledger import i18n  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(window: object, seconds: float = 0.6) -> None:
    """Let the worker's jobs arrive and the widgets paint."""
    database = getattr(window, "database", None)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or (database and database.pending):
        QCoreApplication.processEvents()
        if time.perf_counter() - start > 20:
            break


def main() -> None:
    app = QApplication([])
    # A settings file of its own: no recent files of whoever runs the script.
    settings_dir = tempfile.mkdtemp()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, settings_dir)
    use_bundled_font_if_needed(app)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.sqlite"
        make_demo(demo)
        # The start dialog first, as on a first run: nothing opened yet, no recent files.
        for language in ("zh", "en"):
            i18n.set_language(language)
            start = StartDialog()
            start.resize(520, 160)
            start.show()
            settle(start, 0.2)
            start.grab().save(str(OUT / f"{language}-start.png"))
            start.close()
        for language in ("zh", "en"):
            i18n.set_language(language)
            window = open_main_window(str(demo), "admin")
            assert window is not None
            window.resize(1280, 800)
            settle(window)
            for row in range(window.book_list.count()):
                window.book_list.setCurrentRow(row)
                settle(window)
                for tab in range(window.tabs.count()):
                    window.tabs.setCurrentIndex(tab)
                    settle(window)
                    name = type(window.pages[tab]).__name__.removesuffix("Page").lower()
                    window.grab().save(str(OUT / f"{language}-book{row + 1}-{name}.png"))
            window.close()
    print(f"Screenshots in {OUT}")


if __name__ == "__main__":
    main()
