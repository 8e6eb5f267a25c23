"""The app on a real display: Qt's ``xcb`` platform on an X server (Xvfb, which
``scripts/test.sh`` installs), not the offscreen platform the other app tests use. The start
dialog, the main window on the demo, one page of each kind of book and the real ``gongzhang gui``
command each open on the screen; every screenshot is taken from the X server and must show
something (not one flat colour). When no window can be opened, the command says so in one line.

Each scenario runs in a process of its own (on_screen_driver.py): one process has one platform."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

from desktop.system_libraries import EXIT_CANNOT_START, missing_packages

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("on_screen_driver.py")
GONGZHANG = Path(sys.executable).with_name("gongzhang")
SHOTS = Path(os.environ["GONGZHANG_SHOTS"]) if os.environ.get("GONGZHANG_SHOTS") else None


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A fresh X server of our own (a free display number, no TCP, no window manager)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is not installed (scripts/test.sh installs it: Debian package xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as announced:
        number = announced.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def on_screen(display: str, *args: str, timeout: float = 120) -> dict[str, object]:
    home = Path(args[-1]) if Path(args[-1]).is_dir() else Path(args[-1]).parent
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": display}
    # The user's settings (recent files, language) stay out of it.
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", str(DRIVER), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stderr[-4000:]}"
    facts: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return facts


def picture(path: str | Path) -> QImage:
    image = QImage(str(path))
    assert not image.isNull(), f"no picture in {path}"
    return image


def colours(image: QImage, step: int = 4) -> Counter[int]:
    """The colours of a grid of pixels (every ``step``-th in both directions)."""
    return Counter(
        image.pixel(x, y)
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    )


def painted(image: QImage, step: int = 4) -> QRect:
    """The part of the screen that differs from the bare X server's background (its corner)."""
    background = image.pixel(image.width() - 1, image.height() - 1)
    xs, ys = [], []
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            if image.pixel(x, y) != background:
                xs.append(x)
                ys.append(y)
    if not xs:
        return QRect()
    return QRect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def assert_shows_something(path: str | Path, window: QRect | None = None) -> QImage:
    """A screenshot that is not blank: the window's part of the screen (where it is, or else
    what differs from the background) has many colours, none covering nearly all of it."""
    image = picture(path)
    area = window if window is not None else painted(image)
    assert area.width() >= 150 and area.height() >= 100, f"{path}: nothing on the screen"
    part = image.copy(area)
    seen = colours(part, step=2)
    _colour, most = seen.most_common(1)[0]
    assert len(seen) > 30, f"{path}: only {len(seen)} colours"
    assert most / sum(seen.values()) < 0.9, f"{path}: one colour covers the window"
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / f"xcb-{Path(path).name}")
    return part


def rect(facts: dict[str, object]) -> QRect:
    x, y, width, height = facts["window"]  # type: ignore[misc]
    return QRect(x, y, width, height)


def test_the_start_dialog_opens_on_the_display(display: str, tmp_path: Path) -> None:
    facts = on_screen(display, "start", str(tmp_path))
    assert facts["platform"] == "xcb"
    assert facts["title"] == "公账 — 公共资金账簿"
    assert facts["buttons"][:3] == ["新建账簿…", "打开账簿…", "打开演示账簿（三个真实案例）"]
    [shot] = facts["shots"]
    assert rect(facts).width() >= 420
    assert_shows_something(shot, rect(facts))


def test_the_main_window_shows_each_kind_of_book_on_the_display(
    display: str, demo_path: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, ledger)
    facts = on_screen(display, "main", str(ledger), str(tmp_path))
    assert facts["platform"] == "xcb"
    assert str(facts["title"]).startswith("公账")
    assert [(b["kind"], b["tab"]) for b in facts["books"]] == [
        ("micro_fund", "捐赠"),
        ("trust_property", "房屋与业主"),
        ("collective_revenue", "农户与股份"),
    ]
    window = rect(facts)
    assert window.width() >= 1000 and window.height() >= 600
    images = [assert_shows_something(shot, window) for shot in facts["shots"]]
    # Each book's page is a different picture: the window really changed on the screen.
    keys = {bytes(image.constBits()) for image in images}
    assert len(keys) == len(images)


def test_the_gongzhang_gui_command_opens_its_window_and_stays_open(
    display: str, demo_path: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, ledger)
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": display}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("WAYLAND_DISPLAY", None)
    app = subprocess.Popen(
        [str(GONGZHANG), "gui", str(ledger), "--user", "admin"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        shot = tmp_path / "gongzhang-gui.png"
        deadline = time.monotonic() + 60
        while True:
            assert app.poll() is None, f"the app ended ({app.returncode}): {app.communicate()}"
            on_screen(display, "grab", str(shot))
            if painted(picture(shot)).width() >= 1000:  # the main window is 1200 wide
                break
            assert time.monotonic() < deadline, "no window appeared on the screen"
            time.sleep(0.5)
        assert_shows_something(shot)
        time.sleep(1)
        assert app.poll() is None  # still open
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=20)


def test_set_up_left_nothing_missing_for_the_display() -> None:
    # scripts/setup.sh installs what ldd finds missing for the xcb and offscreen platforms.
    assert missing_packages("xcb") == []
    assert missing_packages("offscreen") == []


def run_gui(env_changes: dict[str, str | None], *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [str(GONGZHANG), *args, "gui"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_without_a_display_the_app_says_so_in_one_chinese_line() -> None:
    done = run_gui(
        {"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None, "LANG": "zh_CN.UTF-8"}
    )
    assert done.returncode == EXIT_CANNOT_START
    [line] = done.stderr.strip().splitlines()
    assert "没有屏幕" in line and "gongzhang --help" in line


def test_an_unreachable_display_is_one_line_not_an_abort(display: str) -> None:
    dead = f":{int(display[1:]) + 50}"
    done = run_gui({"DISPLAY": dead, "QT_QPA_PLATFORM": "xcb"}, "--lang", "en")
    assert done.returncode == EXIT_CANNOT_START  # not 134 (Qt's abort)
    [line] = done.stderr.strip().splitlines()
    assert line == (
        "The app could not open its window on the “xcb” display: "
        f"could not connect to display {dead}"
    )
