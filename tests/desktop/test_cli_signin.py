"""Real sign-in on the command line (issue 13): every write needs the acting user's password,
reads need none; options before the command count; approvers prove their own password; users
change, reset and lose their passwords; verify's exit codes; a closed pipe ends quietly."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main

ADMIN, LI, WANG, CHEN = "admin-password", "li-password", "wang-password", "chen-password"


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    password: str | None = None,
    stdin: str = "",
    approver: str | None = None,
    new: str | None = None,
) -> tuple[int, str, str]:
    """``gongzhang ARGS`` in English with exactly the passwords given (none from the test
    session's environment) and ``stdin`` as standard input (not a terminal)."""
    for name, value in (
        ("GONGZHANG_PASSWORD", password),
        ("GONGZHANG_APPROVER_PASSWORD", approver),
        ("GONGZHANG_NEW_PASSWORD", new),
    ):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("GONGZHANG_USER", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main([*args, "--lang", "en"])
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A micro-fund with admin, li (treasurer), wang (reviewer) and chen (auditor), each with a
    password of their own, and ¥10,000 donated into the bank."""
    path = tmp_path / "community.sqlite"
    assert run(capsys, monkeypatch, "init", str(path), "--password-stdin", stdin=ADMIN)[0] == 0
    for name, role, password in (("li", "treasurer", LI), ("wang", "reviewer", WANG)):
        code, _, err = run(
            capsys, monkeypatch, "user", "add", str(path), "--username", name, "--role", role,
            "--user", "admin", password=ADMIN, new=password,
        )  # fmt: skip
        assert code == 0, err
    code, _, err = run(
        capsys, monkeypatch, "user", "add", str(path), "--username", "chen", "--role",
        "auditor", "--user", "admin", "--password-stdin", "--new-password-stdin",
        stdin=f"{ADMIN}\n{CHEN}\n",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, monkeypatch, "book", "add", str(path), "--kind", "micro_fund", "--name", "微基金",
        "--user", "admin", password=ADMIN,
    )  # fmt: skip
    assert code == 0, err
    assert post(capsys, monkeypatch, path, "1002=10,000", "410101=-10,000", password=LI)[0] == 0
    return path


def post(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    path: Path,
    *lines_and_options: str,
    user: str = "li",
    **passwords: str | None,
) -> tuple[int, str, str]:
    return run(
        capsys, monkeypatch, "post", str(path), "--book", "1", "--date", "2024-03-01",
        "--memo", "测试", "--user", user, *lines_and_options, **passwords,  # type: ignore[arg-type]
    )  # fmt: skip


def entries(path: Path) -> int:
    return int(rows(path, "SELECT count(*) FROM entry")[0][0])


def test_init_asks_for_the_administrators_password_and_keeps_only_its_hash(
    ledger: Path,
) -> None:
    [(hashed, public, sealed)] = rows(
        ledger, "SELECT password_hash, public_key, signing_key FROM app_user WHERE username='admin'"
    )
    assert str(hashed).startswith("scrypt$") and ADMIN not in str(hashed)
    assert public and sealed and ADMIN not in str(sealed)


def test_a_write_without_the_password_or_with_a_wrong_one_changes_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = entries(ledger)
    code, _, err = post(capsys, monkeypatch, ledger, "1002=1", "410101=-1")
    assert code == 1 and "needs li's password" in err and "--password-stdin" in err
    code, _, err = post(capsys, monkeypatch, ledger, "1002=1", "410101=-1", password=WANG)
    assert code == 1 and "Wrong password for user “li”" in err
    # --user alone is no longer enough to act as someone else
    code, _, err = post(
        capsys, monkeypatch, ledger, "1002=1", "410101=-1", user="wang", password=LI
    )
    assert code == 1 and "Wrong password for user “wang”" in err
    assert entries(ledger) == before


def test_reads_need_no_password(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, "balance", str(ledger), "--book", "1")
    assert code == 0 and "10,000.00" in out
    assert run(capsys, monkeypatch, "verify", str(ledger))[0] == 0


def test_options_before_the_command_count_as_after_it(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gongzhang --user chen post …`` once posted as the ledger's other user: the auditor is
    refused now, whichever side of the command the option stands."""
    before = entries(ledger)
    code, _, err = run(
        capsys, monkeypatch, "--user", "chen", "--password-stdin", "post", str(ledger),
        "--book", "1", "--date", "2024-03-01", "--memo", "x", "1002=1", "410101=-1", stdin=CHEN,
    )  # fmt: skip
    assert code == 1 and "may not" in err
    assert entries(ledger) == before
    code, out, _ = run(capsys, monkeypatch, "--json", "balance", str(ledger), "--book", "1")
    assert code == 0 and out.lstrip().startswith("{")


def test_an_approver_proves_their_own_password(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A treasurer cannot approve their own ¥1,000 spending by naming the reviewer: the
    reviewer's own password is needed, and the posted entry names them as approver."""
    before = entries(ledger)
    spend = ("510101=1,000", "1002=-1,000", "--approver", "wang")
    code, _, err = post(capsys, monkeypatch, ledger, *spend, password=LI)
    assert code == 1 and "approver wang's own password" in err
    code, _, err = post(capsys, monkeypatch, ledger, *spend, password=LI, approver=LI)
    assert code == 1 and "Wrong password for user “wang”" in err
    assert entries(ledger) == before
    code, _, err = post(capsys, monkeypatch, ledger, *spend, password=LI, approver=WANG)
    assert code == 0, err
    [(approver,)] = rows(
        ledger,
        "SELECT u.username FROM entry e JOIN app_user u ON u.id = e.approved_by_id "
        "ORDER BY e.id DESC LIMIT 1",
    )
    assert approver == "wang"
    assert run(capsys, monkeypatch, "verify", str(ledger))[0] == 0


def test_a_user_changes_their_password_and_an_admin_resets_and_disables(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        capsys, monkeypatch, "user", "passwd", str(ledger), "--user", "li", "--password-stdin",
        "--new-password-stdin", stdin=f"{LI}\nli-new-password\n",
    )  # fmt: skip
    assert code == 0, err
    assert post(capsys, monkeypatch, ledger, "1002=1", "410101=-1", password=LI)[0] == 1
    assert (
        post(capsys, monkeypatch, ledger, "1002=1", "410101=-1", password="li-new-password")[0] == 0
    )
    # a treasurer may not reset anyone; an administrator may
    code, _, err = run(
        capsys, monkeypatch, "user", "reset", str(ledger), "--username", "wang", "--user", "li",
        password="li-new-password", new="taken-over-1",
    )  # fmt: skip
    assert code == 1 and "may not manage users" in err
    code, out, err = run(
        capsys, monkeypatch, "user", "reset", str(ledger), "--username", "li", "--user", "admin",
        password=ADMIN, new="li-reset-password",
    )  # fmt: skip
    assert code == 0 and "new signing key" in out, err
    assert (
        post(capsys, monkeypatch, ledger, "1002=1", "410101=-1", password="li-reset-password")[0]
        == 0
    )
    code, _, err = run(
        capsys, monkeypatch, "user", "disable", str(ledger), "--username", "li", "--user",
        "admin", password=ADMIN,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = post(
        capsys, monkeypatch, ledger, "1002=1", "410101=-1", password="li-reset-password"
    )
    assert code == 1 and "no user called “li”" in err
    assert run(capsys, monkeypatch, "verify", str(ledger))[0] == 0  # all of it signed


def test_an_emptied_password_or_a_raised_role_fails_verify(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite3.connect(ledger) as conn:
        conn.execute("UPDATE app_user SET password_hash = NULL WHERE username = 'wang'")
        conn.execute("UPDATE app_user SET role = 'admin' WHERE username = 'li'")
    code, out, _ = run(capsys, monkeypatch, "verify", str(ledger))
    assert code == 1
    assert "app_user (id=3)" in out and "password_hash" in out
    assert "app_user (id=2)" in out and 'role is "admin"' in out
    # and the emptied password lets nobody in
    code, _, err = post(
        capsys, monkeypatch, ledger, "1002=1", "410101=-1", user="wang", password=""
    )
    assert code == 1 and "no password yet" in err


def test_verify_exits_2_when_it_cannot_read_the_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    code, _, err = run(capsys, monkeypatch, "verify", str(junk))
    assert code == 2 and err.strip()


def test_a_closed_pipe_ends_quietly(ledger: Path) -> None:
    """``gongzhang journal … | head -1``: no traceback when the reader goes away."""
    done = subprocess.run(
        f"{sys.executable} -m desktop.cli journal {ledger} --book 1 --lang en | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
