"""``gongzhang attach`` refuses, in one line and writing nothing, a symbolic link, a file over
the limit and a file name that is not text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import select

from desktop.cli import main
from ledger.db import open_ledger
from ledger.models import Attachment
from ledger.services.attachments import MAX_ATTACHMENT_BYTES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "community.sqlite"
    assert run(capsys, "init", str(path), "--lang", "en")[0] == 0
    assert run(capsys, "book", "add", str(path), "--kind", "micro_fund", "--name", "微基金")[0] == 0
    code, _out, _err = run(
        capsys,
        "post",
        str(path),
        "--book",
        "1",
        "--date",
        "2024-03-01",
        "--memo",
        "捐赠",
        "1002=1",
        "410101=-1",
    )
    assert code == 0
    return path


def attach(capsys: pytest.CaptureFixture[str], ledger: Path, file: str) -> tuple[int, str]:
    code, _out, err = run(
        capsys,
        "attach",
        str(ledger),
        "--book",
        "1",
        "--number",
        "记-2024-0001",
        file,
        "--lang",
        "en",
    )
    return code, err


def attachments(ledger: Path) -> int:
    with open_ledger(ledger) as opened, opened.read() as s:
        return len(s.exec(select(Attachment.id)).all())


def test_attach_refuses_a_link_a_large_file_and_odd_names(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "real.jpg"
    target.write_bytes(b"receipt")
    link = tmp_path / "link.jpg"
    link.symlink_to(target)
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(MAX_ATTACHMENT_BYTES + 1)
    odd = os.fsencode(tmp_path) + b"/\xff\xfe.jpg"
    with open(odd, "wb") as f:
        f.write(b"receipt")
    control = tmp_path / "a\x1bb.jpg"
    control.write_bytes(b"receipt")
    cases = {
        str(link): "is a symbolic link",
        str(big): "larger than 20 MB",
        os.fsdecode(odd): "cannot be kept",
        str(control): "cannot be kept",
    }
    for file, said in cases.items():
        code, err = attach(capsys, ledger, file)
        assert code != 0 and said in err, (file, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert attachments(ledger) == 0
    assert attach(capsys, ledger, str(target))[0] == 0
    assert attachments(ledger) == 1
