"""``gongzhang verify PATH --digest HEX``: a notice's QR code checked against the books."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from ledger.db import open_ledger
from tests.ledger.test_verify_digest import forge_rewrite

BOOK = "碧鸡桥社区微基金"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A micro-fund with three entries, 记-2024-0001 … 0003, on 2024-03-01 … 03."""
    path = tmp_path / "community.sqlite"
    assert run(capsys, "init", str(path))[0] == 0
    assert run(capsys, "book", "add", str(path), "--kind", "micro_fund", "--name", BOOK)[0] == 0
    for day in (1, 2, 3):
        code, _, err = run(
            capsys,
            "post",
            str(path),
            "--book",
            "1",
            "--date",
            f"2024-03-0{day}",
            "--memo",
            f"捐赠 {day}",
            f"1002={day}00",
            f"410101=-{day}00",
        )
        assert code == 0, err
    return path


def digest(ledger: Path, seq: int) -> str:
    with sqlite3.connect(ledger) as conn:
        row = conn.execute("SELECT hash FROM entry WHERE seq = ?", (seq,)).fetchone()
    return str(row[0])


def verify(capsys: pytest.CaptureFixture[str], ledger: Path, *args: str) -> tuple[int, str, str]:
    return run(capsys, "verify", str(ledger), *args, "--lang", "en")


def test_the_digest_of_the_last_entry_verifies(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = verify(capsys, ledger, "--digest", digest(ledger, 3))
    assert (code, err) == (0, "")
    assert out == (
        "The notice's digest matches entry 记-2024-0003 (2024-03-03) of “碧鸡桥社区微基金”; "
        "the chain up to it (3 entries) is intact.\n"
    )


def test_an_earlier_digest_verifies_and_json_says_so(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = digest(ledger, 2)
    code, out, _ = verify(capsys, ledger, "--digest", f"  sha256:{wanted.upper()} ")
    assert code == 0 and "记-2024-0002 (2024-03-02)" in out and "(2 entries) is intact" in out
    code, out, _ = verify(capsys, ledger, "--digest", wanted, "--json")
    assert code == 0
    assert json.loads(out) == {
        "digest": wanted,
        "found": True,
        "book": BOOK,
        "number": "记-2024-0002",
        "date": "2024-03-02",
        "entries_checked": 2,
        # an entry's hash, as notices printed before the record of changes carry: the record's
        # own figures are empty
        "record_seq": None,
        "record_at": None,
        "books_checked": 0,
        "intact": True,
        "findings": [],
    }


def test_an_unknown_digest_fails(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unknown = "0123456789abcdef" * 4
    code, out, _ = verify(capsys, ledger, "--digest", unknown)
    assert code == 1
    assert out == (
        "The ledger does NOT contain the record this notice was made from (digest "
        f"{unknown}): the books or their record were changed after the notice, or the digest "
        "is mistyped.\n"
    )
    code, out, _ = verify(capsys, ledger, "--digest", unknown, "--json")
    data = json.loads(out)
    assert code == 1 and data["found"] is False and data["intact"] is False
    assert data["number"] is None and data["entries_checked"] == 0


@pytest.mark.parametrize("written", ["abc", "z" * 64, "", "记-2024-0001"])
def test_a_malformed_digest_is_refused_with_a_message(
    ledger: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    code, out, err = verify(capsys, ledger, "--digest", written)
    assert code == 2 and out == ""  # nothing was checked
    assert err.startswith(f"Error: “{written}” is not a notice's digest: a digest is 64 characters")


def test_a_malformed_digest_is_refused_before_the_ledger_is_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = verify(capsys, tmp_path / "missing.sqlite", "--digest", "abc")
    assert code == 2 and "is not a notice's digest" in err
    assert not (tmp_path / "missing.sqlite").exists()


def test_book_and_digest_do_not_go_together(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        verify(capsys, ledger, "--book", "1", "--digest", digest(ledger, 3))
    assert usage.value.code == 2


def test_a_posting_changed_before_the_digest_fails_it(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = digest(ledger, 3)
    with sqlite3.connect(ledger) as conn:
        conn.execute(
            "UPDATE posting SET amount_fen = amount_fen * 10 "
            "WHERE entry_id = (SELECT id FROM entry WHERE seq = 2)"
        )
    code, out, _ = verify(capsys, ledger, "--digest", wanted)
    assert code == 1
    assert out.splitlines() == [
        "The notice's digest matches entry 记-2024-0003 (2024-03-03) of “碧鸡桥社区微基金”, but "
        "the chain up to it is NOT intact: 1 findings.",
        "  [碧鸡桥社区微基金] 记-2024-0002: has been altered since it was posted: its content no "
        "longer matches its hash.",
    ]
    code, out, _ = verify(capsys, ledger, "--digest", wanted, "--json")
    data = json.loads(out)
    assert code == 1 and data["found"] is True and data["intact"] is False
    assert data["findings"] == [
        {
            "book": BOOK,
            "number": "记-2024-0002",
            "message": "has been altered since it was posted: its content no longer matches "
            "its hash.",
        }
    ]


def test_a_rewrite_with_recomputed_hashes_fails_though_plain_verify_passes(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, last = digest(ledger, 1), digest(ledger, 3)
    opened = open_ledger(str(ledger))
    try:
        with opened.engine.begin() as conn:
            forge_rewrite(conn, book_id=1, number=(2024, 2), memo="捐赠 200")
    finally:
        opened.close()
    assert verify(capsys, ledger)[0] == 0, "a perfect forgery passes plain verify"
    code, out, _ = verify(capsys, ledger, "--digest", last)
    assert code == 1 and "does NOT contain the record this notice was made from" in out
    assert verify(capsys, ledger, "--digest", first)[0] == 0


def test_tampering_after_the_digest_fails_plain_verify_only(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = digest(ledger, 2)
    with sqlite3.connect(ledger) as conn:
        conn.execute("UPDATE entry SET memo = 'changed' WHERE seq = 3")
    code, out, _ = verify(capsys, ledger, "--digest", wanted)
    assert code == 0 and "(2 entries) is intact" in out
    code, out, _ = verify(capsys, ledger)
    assert code == 1 and "NOT intact" in out and "记-2024-0003" in out


def test_plain_verify_is_unchanged(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = verify(capsys, ledger)
    assert code == 0 and out.startswith("The ledger is intact: 3 entries in 1 books checked")
    code, out, _ = verify(capsys, ledger, "--json")
    assert code == 0 and set(json.loads(out)) == {"intact", "books", "findings"}
