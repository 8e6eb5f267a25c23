"""Creating a ledger and the demo as both front ends call them: the outcome's words, and no
half-made file when the creation is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.db import open_ledger
from ledger.domain import Role
from ledger.errors import InvalidInputError
from ledger.operations.ledgers import CreateLedger, MakeDemo, create_ledger, make_demo
from ledger.services.users import authenticate, list_users


def test_a_new_ledger_has_its_administrator_with_a_password(tmp_path: Path) -> None:
    path = tmp_path / "社区.sqlite"
    made = create_ledger(CreateLedger(str(path), "wang", "a long password"))
    assert made.sentence() == f"Created the ledger {path} with the administrator “wang”."
    assert made.as_json() == {"ledger": str(path), "admin": "wang"}
    assert "a long password" not in repr(CreateLedger(str(path), "wang", "a long password"))
    with open_ledger(path) as ledger, ledger.read() as s:
        [user] = list_users(s)
        assert (user.username, user.role) == ("wang", Role.ADMIN.value)
        assert authenticate(s, "wang", "a long password").username == "wang"


def test_a_refused_creation_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with pytest.raises(InvalidInputError, match="8"):
        create_ledger(CreateLedger(str(path), "wang", "short"))
    assert sorted(tmp_path.iterdir()) == []
    create_ledger(CreateLedger(str(path), "wang", "long enough now"))  # simply tried again
    assert path.is_file()


def test_a_demo_replaces_the_old_one_and_a_failed_one_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ledger.demo

    def fails(session: object) -> None:
        raise RuntimeError("stopped half-way")

    # The demo's own contents are checked by the command line's tests; here only the file.
    monkeypatch.setattr(ledger.demo, "build_demo", fails)
    path = tmp_path / "demo.sqlite"
    path.write_bytes(b"an old demo that is not even a ledger")
    with pytest.raises(RuntimeError, match="half-way"):
        make_demo(MakeDemo(str(path), replace=True))
    assert sorted(tmp_path.iterdir()) == []
