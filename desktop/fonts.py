"""The bundled CJK font for the Qt app: registered with Qt's font database and used as the
application font wherever the system has no Chinese font of its own."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from reports.fonts import font_path


def register_qt_font() -> str:
    """Add the bundled WenQuanYi Micro Hei to Qt's font database (a QGuiApplication must
    exist) and return its family name."""
    font_id = QFontDatabase.addApplicationFont(str(font_path()))
    if font_id < 0:
        raise RuntimeError(f"Qt could not load the bundled font {font_path()}")
    return QFontDatabase.applicationFontFamilies(font_id)[0]


def use_bundled_font_if_needed(app: QGuiApplication) -> str:
    """Make the bundled font the application font unless the system already has a font that
    writes Chinese; return the family the app uses."""
    family = register_qt_font()
    chinese = QFontDatabase.WritingSystem.SimplifiedChinese
    system = [f for f in QFontDatabase.families(chinese) if f != family]
    if system:
        return app.font().family()
    app.setFont(QFont(family, app.font().pointSize()))
    return family
