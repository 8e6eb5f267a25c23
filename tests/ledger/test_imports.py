"""Bulk import of entries from CSV: checked whole before anything is written, posted in batches,
known by its import id so that a second run continues or does nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from ledger import imports
from ledger.db import Ledger
from ledger.errors import (
    AccountError,
    ClosedPeriodError,
    GongzhangError,
    InvalidInputError,
    LedgerFileError,
    PermissionDeniedError,
)
from ledger.imports import DEFAULT_BATCH, EntryFile, read_entry_file
from ledger.models import AuditEvent, Entry, EntryImport, Posting
from ledger.operations import Credentials
from ledger.operations.entries import EntriesImported, ImportEntries
from ledger.operations.entries import import_entries as import_through_the_door
from ledger.services.books import close_period
from ledger.verify import verify_ledger
from tests.conftest import TEST_PASSWORD, D, World

HEADER = "ref,date,memo,account,amount\n"


def import_entries(
    ledger: Ledger,
    *,
    book_id: int,
    entry_file: EntryFile,
    username: str,
    batch_size: int = DEFAULT_BATCH,
    approver_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EntriesImported:
    """The import as a user runs it: signed in with their password, through the operation."""
    request = ImportEntries.of(
        book_id,
        entry_file,
        batch_size=batch_size,
        approver=approver_name,
        approver_password=TEST_PASSWORD if approver_name else None,
    )
    return import_through_the_door(
        ledger, Credentials(username, TEST_PASSWORD), request, progress=progress
    )


def _csv(tmp_path: Path, body: str, name: str = "entries.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _donations(n: int) -> str:
    return "".join(
        f"D{i},2024-05-{1 + i % 28:02d},捐款 {i},1002,{i + 1}.50\nD{i},,,410101,-{i + 1}.50\n"
        for i in range(n)
    )


def _counts(world: World) -> tuple[int, int, int]:
    with world.ledger.read() as s:
        return (
            s.exec(select(func.count()).select_from(Entry)).one(),
            s.exec(select(func.count()).select_from(Posting)).one(),
            s.exec(select(func.count()).select_from(AuditEvent)).one(),
        )


def test_entries_are_posted_in_file_order_with_exact_amounts(world: World, tmp_path: Path) -> None:
    path = _csv(tmp_path, _donations(7))
    result = import_entries(
        world.ledger,
        book_id=world.fund_id,
        entry_file=read_entry_file(path),
        username="treasurer",
        batch_size=3,
    )
    assert (result.entries_total, result.entries_posted, result.entries_before) == (7, 7, 0)
    with world.ledger.read() as s:
        entries = s.exec(select(Entry).order_by(col(Entry.seq))).all()
        assert [e.memo for e in entries] == [f"捐款 {i}" for i in range(7)]
        assert [e.seq for e in entries] == list(range(1, 8))
        cash = s.exec(
            select(Posting.amount_fen)
            .where(col(Posting.amount_fen) > 0)
            .order_by(col(Posting.entry_id))
        ).all()
        assert list(cash) == [150, 250, 350, 450, 550, 650, 750]
        record = s.exec(select(EntryImport)).one()
        assert (record.entries_done, record.entries_total) == (7, 7)
        assert record.finished_at is not None
        assert verify_ledger(s) == []


def test_the_same_file_again_posts_nothing(world: World, tmp_path: Path) -> None:
    path = _csv(tmp_path, _donations(4))
    kwargs = {"book_id": world.fund_id, "username": "treasurer"}
    import_entries(world.ledger, entry_file=read_entry_file(path), **kwargs)  # type: ignore[arg-type]
    before = _counts(world)
    again = import_entries(world.ledger, entry_file=read_entry_file(path), **kwargs)  # type: ignore[arg-type]
    assert (again.entries_posted, again.entries_before) == (0, 4)
    assert _counts(world) == before


RESAVINGS = {
    "a byte-order mark": lambda raw: b"\xef\xbb\xbf" + raw,
    "CRLF line ends": lambda raw: raw.replace(b"\n", b"\r\n"),
    "a blank line at the end": lambda raw: raw + b"\n",
    "all three": lambda raw: b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n") + b"\r\n\r\n",
}


@pytest.mark.parametrize("resaving", list(RESAVINGS))
def test_a_file_saved_again_is_the_same_import(world: World, tmp_path: Path, resaving: str) -> None:
    path = _csv(tmp_path, _donations(4))
    kwargs = {"book_id": world.fund_id, "username": "treasurer"}
    first = import_entries(world.ledger, entry_file=read_entry_file(path), **kwargs)  # type: ignore[arg-type]
    before = _counts(world)
    resaved = tmp_path / "resaved.csv"
    resaved.write_bytes(RESAVINGS[resaving](path.read_bytes()))
    assert resaved.read_bytes() != path.read_bytes()
    again = import_entries(world.ledger, entry_file=read_entry_file(resaved), **kwargs)  # type: ignore[arg-type]
    assert again.import_id == first.import_id
    assert (again.entries_posted, again.entries_before) == (0, 4)
    assert _counts(world) == before


def test_an_interrupted_import_continues_from_a_file_saved_again(
    world: World, tmp_path: Path
) -> None:
    path = _csv(tmp_path, _donations(6))

    def stop_after_one_batch(done: int, _total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_entries(
            world.ledger,
            book_id=world.fund_id,
            entry_file=read_entry_file(path),
            username="treasurer",
            batch_size=2,
            progress=stop_after_one_batch,
        )
    resaved = tmp_path / "resaved.csv"
    resaved.write_bytes(RESAVINGS["all three"](path.read_bytes()))
    result = import_entries(
        world.ledger,
        book_id=world.fund_id,
        entry_file=read_entry_file(resaved),
        username="treasurer",
    )
    assert (result.entries_posted, result.entries_before, result.resumed) == (4, 2, True)
    assert _counts(world)[0] == 6


def test_different_entries_are_a_different_import(world: World, tmp_path: Path) -> None:
    one = read_entry_file(_csv(tmp_path, _donations(2), name="one.csv"))
    two = read_entry_file(_csv(tmp_path, _donations(2).replace("1.50", "1.51"), name="two.csv"))
    kwargs = {"book_id": world.fund_id, "username": "treasurer"}
    a = import_entries(world.ledger, entry_file=one, **kwargs)  # type: ignore[arg-type]
    b = import_entries(world.ledger, entry_file=two, **kwargs)  # type: ignore[arg-type]
    assert a.import_id != b.import_id and b.entries_posted == 2


def test_an_interrupted_import_continues_after_its_last_batch(world: World, tmp_path: Path) -> None:
    entry_file = read_entry_file(_csv(tmp_path, _donations(10)))

    def stop_after_two_batches(done: int, _total: int) -> None:
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_entries(
            world.ledger,
            book_id=world.fund_id,
            entry_file=entry_file,
            username="treasurer",
            batch_size=2,
            progress=stop_after_two_batches,
        )
    assert _counts(world)[0] == 4
    result = import_entries(
        world.ledger,
        book_id=world.fund_id,
        entry_file=entry_file,
        username="treasurer",
        batch_size=2,
    )
    assert (result.entries_posted, result.entries_before, result.resumed) == (6, 4, True)
    with world.ledger.read() as s:
        memos = s.exec(select(Entry.memo).order_by(col(Entry.seq))).all()
        assert list(memos) == [f"捐款 {i}" for i in range(10)]


def test_a_bad_entry_anywhere_refuses_the_whole_file(world: World, tmp_path: Path) -> None:
    body = _donations(5) + "BAD,2024-05-09,坏科目,1002,1.00\nBAD,,,999999,-1.00\n"
    before = _counts(world)
    with pytest.raises(AccountError, match="999999"):
        import_entries(
            world.ledger,
            book_id=world.fund_id,
            entry_file=read_entry_file(_csv(tmp_path, body)),
            username="treasurer",
            batch_size=2,
        )
    assert _counts(world) == before  # not even the first batch, nor an import record


def test_closed_period_and_role_are_checked_before_anything_is_written(
    world: World, tmp_path: Path
) -> None:
    entry_file = read_entry_file(_csv(tmp_path, _donations(3)))
    with world.ledger.write() as s:
        close_period(s, book_id=world.fund_id, through=D(2024, 5, 31), actor=world.user(s, "admin"))
    before = _counts(world)
    with pytest.raises(ClosedPeriodError):
        import_entries(
            world.ledger, book_id=world.fund_id, entry_file=entry_file, username="treasurer"
        )
    with pytest.raises(PermissionDeniedError, match="auditor"):
        import_entries(
            world.ledger, book_id=world.fund_id, entry_file=entry_file, username="auditor"
        )
    assert _counts(world) == before


@pytest.mark.parametrize(
    ("body", "header", "message"),
    [
        ("", HEADER, "has no entries"),
        ("A,2024-05-01,x,1002,1.00\n", "ref,date,memo,account\n", "“amount” column"),
        ("A,2024-05-01,x,1002,1.00\n", "ref,date,memo,account,amount,金额\n", "twice"),
        (",2024-05-01,x,1002,1.00\n", HEADER, "Row 2: the reference"),
        ("A,2024-13-01,x,1002,1.00\nA,,,410101,-1.00\n", HEADER, "Row 2: “2024-13-01” is not"),
        ("A,2024-05-01,x,1002,1.005\nA,,,410101,-1.005\n", HEADER, "Row 2: .*two decimal"),
        ("A,2024-05-01,x,1002,1.00\nA,,,410101,-0.99\n", HEADER, "Rows 2–3: .*add up to zero"),
        ("A,2024-05-01,x,1002,1.00\nA,2024-05-02,,410101,-1.00\n", HEADER, "two dates"),
        ("A,2024-05-01,x,,1.00\nA,,,410101,-1.00\n", HEADER, "Row 2: the account is empty"),
        ("A,2024-05-01,x,1002,1e3\nA,,,410101,-1e3\n", HEADER, "Row 2: .*not an amount"),
    ],
)
def test_bad_files_are_refused_naming_the_row(
    tmp_path: Path, body: str, header: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        read_entry_file(_csv(tmp_path, body, header=header))


def test_chinese_headers_and_an_excel_bom_are_read(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(
        '\ufeff凭证号,日期,摘要,科目,金额\n1,2024年5月3日,重阳宴捐款,1002,"1,000"\n1,,,410101,-1000\n'.encode()
    )
    (draft,) = read_entry_file(path).drafts
    assert (draft.date, draft.memo) == (D(2024, 5, 3), "重阳宴捐款")
    assert [line.amount_fen for line in draft.lines] == [100_000, -100_000]


def test_files_that_are_not_utf8_csv_are_refused(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("凭证号,日期,摘要,科目,金额\n".encode("gbk"))
    with pytest.raises(InvalidInputError, match="UTF-8"):
        read_entry_file(gbk)
    binary = tmp_path / "book.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00")
    with pytest.raises(InvalidInputError, match="binary"):
        read_entry_file(binary)
    with pytest.raises(LedgerFileError, match="Cannot read"):
        read_entry_file(tmp_path / "missing.csv")


def test_batch_size_is_checked(world: World, tmp_path: Path) -> None:
    entry_file = read_entry_file(_csv(tmp_path, _donations(1)))
    for size in (0, 10_001):
        with pytest.raises(GongzhangError, match="between 1 and 10000"):
            import_entries(
                world.ledger,
                book_id=world.fund_id,
                entry_file=entry_file,
                username="treasurer",
                batch_size=size,
            )
    assert _counts(world)[0] == 0


def test_an_import_begun_under_the_file_bytes_id_is_continued(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports begun before ids came from the entries were known by the file's bytes."""
    entry_file = read_entry_file(_csv(tmp_path, _donations(4)))
    monkeypatch.setattr(imports, "import_id_of", imports._earlier_import_id)

    def stop(done: int, _total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_entries(
            world.ledger,
            book_id=world.fund_id,
            entry_file=entry_file,
            username="treasurer",
            batch_size=2,
            progress=stop,
        )
    monkeypatch.undo()
    result = import_entries(
        world.ledger, book_id=world.fund_id, entry_file=entry_file, username="treasurer"
    )
    assert (result.entries_posted, result.entries_before) == (2, 2)
    assert _counts(world)[0] == 4


def test_each_batch_is_one_recorded_operation_that_keeps_the_file_not_its_entries(
    world: World, tmp_path: Path
) -> None:
    path = _csv(tmp_path, _donations(5), name="五月捐款.csv")
    result = import_entries(
        world.ledger,
        book_id=world.fund_id,
        entry_file=read_entry_file(path),
        username="treasurer",
        batch_size=2,
    )
    assert result.sentence() == "Imported 5 entries."
    with world.ledger.read() as s:
        recorded = s.exec(
            select(AuditEvent)
            .where(col(AuditEvent.object_type) == "entry.import")
            .order_by(col(AuditEvent.seq))
        ).all()
        assert [e.action for e in recorded] == ["operation"] * 3  # batches of 2, 2 and 1
        facts = json.loads(recorded[0].detail)
        assert facts == {
            "book": str(world.fund_id),
            "file": "五月捐款.csv",
            "sha256": read_entry_file(path).sha256,
            "entries": 5,
            "batch_size": 2,
            "approver": None,
        }
        assert verify_ledger(s) == []


def test_an_import_over_the_threshold_needs_its_approver_and_their_password(
    world: World, tmp_path: Path
) -> None:
    big = "B1,2024-06-03,修缮工程款,510101,1500.00\nB1,,,1002,-1500.00\n"
    entry_file = read_entry_file(_csv(tmp_path, _donations(2) + big))
    before = _counts(world)
    with pytest.raises(GongzhangError, match="approv"):
        import_entries(
            world.ledger, book_id=world.fund_id, entry_file=entry_file, username="treasurer"
        )
    assert _counts(world) == before
    request = ImportEntries.of(
        world.fund_id, entry_file, batch_size=1, approver="reviewer", approver_password="wrong-pw"
    )
    with pytest.raises(PermissionDeniedError, match="Wrong password"):
        import_through_the_door(world.ledger, Credentials("treasurer", TEST_PASSWORD), request)
    assert _counts(world) == before
    result = import_entries(
        world.ledger,
        book_id=world.fund_id,
        entry_file=entry_file,
        username="treasurer",
        approver_name="reviewer",
        batch_size=1,
    )
    assert result.entries_posted == 3
    with world.ledger.read() as s:
        assert verify_ledger(s) == []  # the approver signed the record of each batch


def test_the_password_is_checked_once_however_many_batches(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.services import users

    checks: list[str] = []
    real = users.check_password

    def counted(password: str, stored: str) -> bool:
        checks.append(password)
        return real(password, stored)

    monkeypatch.setattr(users, "check_password", counted)
    import_entries(
        world.ledger,
        book_id=world.fund_id,
        entry_file=read_entry_file(_csv(tmp_path, _donations(12))),
        username="treasurer",
        batch_size=1,
    )
    assert len(checks) <= 1  # signed in before this test, or once for all 12 batches
    # A wrong password is still wrong after a right one.
    with world.ledger.read() as s, pytest.raises(PermissionDeniedError, match="Wrong password"):
        users.authenticate(s, "treasurer", TEST_PASSWORD + "x")
