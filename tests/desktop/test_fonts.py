"""The bundled font reaches Qt: on a machine without Chinese fonts the app writes Chinese in it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QFontDatabase, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.fonts import register_qt_font, use_bundled_font_if_needed


@pytest.fixture
def app(qapp: QApplication) -> QGuiApplication:
    # pytest-qt's application (a QApplication): a bare QGuiApplication made here would stay
    # the process's one and abort every later test that makes a widget in this process.
    return qapp


def test_the_bundled_font_is_registered_and_writes_chinese(app: QGuiApplication) -> None:
    family = register_qt_font()
    assert "WenQuanYi" in family
    assert family in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    used = use_bundled_font_if_needed(app)
    metrics = QFontMetrics(app.font())
    # Every character of a notice title has a glyph in the font the app uses.
    assert used and all(metrics.inFontUcs4(ord(ch)) for ch in "碧鸡桥社区微基金收支公示")
