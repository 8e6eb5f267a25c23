"""A file to attach is checked before its bytes are read: its name, whether it is a symbolic
link or not a file at all, and its size (taken from the open file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ledger.errors import InvalidInputError
from ledger.services import attachments
from ledger.services.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_FILENAME_CHARS,
    attachment_name,
    read_attachment_file,
)


class _Spy:
    """Wraps the open file and counts the bytes read from it."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.read_calls = 0

    def __enter__(self) -> _Spy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()

    def fileno(self) -> int:
        return int(self.real.fileno())

    def read(self, n: int = -1) -> bytes:
        self.read_calls += 1
        return bytes(self.real.read(n))


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[_Spy]:
    opened: list[_Spy] = []
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> _Spy:
        opened.append(_Spy(real_fdopen(fd, *args, **kwargs)))
        return opened[-1]

    monkeypatch.setattr(attachments.os, "fdopen", fdopen)
    return opened


def test_a_file_is_read_with_its_name(tmp_path: Path) -> None:
    receipt = tmp_path / "收据.jpg"
    receipt.write_bytes(b"\xff\xd8\xff receipt")
    assert read_attachment_file(receipt) == ("收据.jpg", b"\xff\xd8\xff receipt")
    assert read_attachment_file(str(receipt))[0] == "收据.jpg"


def test_a_file_over_the_limit_is_refused_without_reading_it(
    tmp_path: Path, spy: list[_Spy]
) -> None:
    big = tmp_path / "scan.pdf"
    with big.open("wb") as f:
        f.truncate(MAX_ATTACHMENT_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(InvalidInputError, match="larger than 20 MB"):
        read_attachment_file(big)
    assert sum(s.read_calls for s in spy) == 0
    exact = tmp_path / "exact.pdf"
    with exact.open("wb") as f:
        f.truncate(MAX_ATTACHMENT_BYTES)
    assert len(read_attachment_file(exact)[1]) == MAX_ATTACHMENT_BYTES
    assert sum(s.read_calls for s in spy) == 1  # the spy sees the reads it should


def test_a_symbolic_link_is_refused(tmp_path: Path, spy: list[_Spy]) -> None:
    target = tmp_path / "real.jpg"
    target.write_bytes(b"receipt")
    link = tmp_path / "link.jpg"
    link.symlink_to(target)
    with pytest.raises(InvalidInputError, match="is a symbolic link"):
        read_attachment_file(link)
    assert sum(s.read_calls for s in spy) == 0


def test_a_folder_an_empty_or_a_missing_file_gets_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    with pytest.raises(InvalidInputError, match="is not a file"):
        read_attachment_file(folder)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInputError, match="is empty"):
        read_attachment_file(empty)
    with pytest.raises(InvalidInputError, match="Cannot read"):
        read_attachment_file(tmp_path / "missing.jpg")


@pytest.mark.parametrize(
    "name",
    [
        os.fsdecode(b"\xff\xfe-receipt.jpg"),  # bytes a command line cannot decode
        "receipt\x1b[31m.jpg",
        "receipt\x00.jpg",
        "r" * (MAX_FILENAME_CHARS + 1) + ".jpg",
    ],
)
def test_a_name_with_odd_characters_gets_one_clear_message(name: str) -> None:
    with pytest.raises(InvalidInputError, match="cannot be kept") as caught:
        attachment_name(name)
    message = str(caught.value)
    message.encode("utf-8")  # printable: no lone surrogate quoted back
    assert "\x1b" not in message and "\x00" not in message
    assert len(message) < 400


def test_an_odd_name_is_refused_before_the_file_is_opened(tmp_path: Path, spy: list[_Spy]) -> None:
    odd = os.fsencode(tmp_path) + b"/\xff\xfe.jpg"
    with open(odd, "wb") as f:
        f.write(b"receipt")
    with pytest.raises(InvalidInputError, match="cannot be kept"):
        read_attachment_file(os.fsdecode(odd))
    assert sum(s.read_calls for s in spy) == 0
