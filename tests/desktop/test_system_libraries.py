"""What Qt's window needs, read off ldd, and the one line the app says when it cannot start."""

from __future__ import annotations

import sys

import pytest

from desktop import cli
from desktop.system_libraries import (
    EXIT_CANNOT_START,
    debian_package,
    default_platform,
    missing_in_ldd_output,
    missing_libraries_problem,
    no_display_problem,
    qt_binaries,
)
from ledger import i18n

# What ldd printed for the xcb plugin on a machine set up by the old set-up script.
LDD_XCB = """\
\tlinux-vdso.so.1 (0x00007f2ada4d0000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x2)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
"""


def test_the_missing_libraries_are_read_off_ldd_each_once_in_order() -> None:
    assert missing_in_ldd_output(LDD_XCB) == [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
    ]
    assert missing_in_ldd_output("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),  # a name ending in a digit: a hyphen
        ("libX11-xcb.so.1", "libx11-xcb1"),  # lower case
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libpng16.so.16", "libpng16-16"),
        ("libEGL.so.1", "libegl1"),
        ("libglib-2.0.so.0", "libglib2.0-0"),  # the exceptions
        ("libGL.so.1", "libgl1"),
    ],
)
def test_each_library_is_named_by_the_debian_package_that_ships_it(
    soname: str, package: str
) -> None:
    assert debian_package(soname) == package


def test_the_binaries_checked_are_qts_own_plugin_and_modules() -> None:
    names = [p.name for p in qt_binaries("xcb")]
    assert names[0] == "libqxcb.so"
    assert any(n.startswith("QtWidgets.") for n in names)
    assert qt_binaries("offscreen")[0].name == "libqoffscreen.so"


def test_the_platform_is_qts_first_choice_else_xcb() -> None:
    assert default_platform({}) == "xcb"
    assert default_platform({"QT_QPA_PLATFORM": "offscreen"}) == "offscreen"
    assert default_platform({"QT_QPA_PLATFORM": "wayland;xcb"}) == "wayland"
    assert default_platform({"QT_QPA_PLATFORM": "xcb:nograb"}) == "xcb"


def test_no_display_is_a_problem_only_where_a_window_needs_one() -> None:
    assert no_display_problem({}) is not None
    assert no_display_problem({"DISPLAY": ":0"}) is None
    assert no_display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert no_display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_the_missing_libraries_line_names_the_packages_in_both_languages() -> None:
    missing = ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    assert missing_libraries_problem(missing) == (
        "The app cannot open its window: this system lacks libxcb-cursor.so.0, "
        "libxcb-icccm.so.4. Install them (as an administrator): "
        "sudo apt-get install libxcb-cursor0 libxcb-icccm4"
    )
    i18n.set_language("zh")
    line = missing_libraries_problem(missing)
    assert line.startswith("程序无法打开窗口：本机缺少 libxcb-cursor.so.0")
    assert line.endswith("sudo apt-get install libxcb-cursor0 libxcb-icccm4")


def test_when_qts_modules_cannot_load_the_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    # As when a library of QtWidgets is missing: importing the app fails.
    monkeypatch.setitem(sys.modules, "desktop.app.start", None)
    assert cli.main(["--lang", "en", "gui"]) == EXIT_CANNOT_START
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("The app could not open its window on the “xcb” display: ")
