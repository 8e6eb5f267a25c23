"""Creating a ledger (新建账套) with its first administrator, and the demo ledger.

Like backups, these work on a file, not inside one of its transactions (there is no ledger, and
no one to sign in, before them), so they are functions with an operation's shape: a typed request
in, a typed outcome out that words its own sentence and JSON, shared by the command line and the
app. Either leaves no half-made file behind when it is refused or fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.db import DEFAULT_BUSY_TIMEOUT_S, Seconds
from ledger.i18n import _
from ledger.operations import SECRET

if TYPE_CHECKING:
    from ledger.db import Ledger
    from ledger.demo import DemoSummary


@contextlib.contextmanager
def _new_ledger(path: str, busy_timeout: Seconds) -> Iterator[Ledger]:
    """The ledger created at ``path``; if filling it fails, the file goes again, so that a
    refused or interrupted creation can simply be tried again."""
    from ledger.db import open_ledger  # noqa: PLC0415 - the database layer loads late

    ledger = open_ledger(path, create=True, busy_timeout=busy_timeout)
    try:
        with ledger:
            yield ledger
    except BaseException:
        if ledger.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(ledger.path) + suffix).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class CreateLedger:
    """A new, empty ledger at ``path`` whose first user is the administrator ``admin``."""

    path: str
    admin: str
    password: str = field(repr=False, metadata=SECRET)


@dataclass(frozen=True, slots=True)
class LedgerCreated:
    path: str
    admin: str

    def sentence(self) -> str:
        return _("Created the ledger {path} with the administrator “{admin}”.").format(
            path=self.path, admin=self.admin
        )

    def as_json(self) -> dict[str, Any]:
        return {"ledger": self.path, "admin": self.admin}


def create_ledger(
    request: CreateLedger, *, busy_timeout: Seconds = DEFAULT_BUSY_TIMEOUT_S
) -> LedgerCreated:
    """Create the ledger and its administrator, with their password (every change needs it)."""
    from ledger.domain import Role  # noqa: PLC0415
    from ledger.services.users import create_user  # noqa: PLC0415

    with _new_ledger(request.path, busy_timeout) as ledger, ledger.write() as s:
        admin = create_user(
            s,
            username=request.admin,
            display_name=request.admin,
            role=Role.ADMIN,
            password=request.password,
            actor=None,
        )
        return LedgerCreated(request.path, admin.username)


@dataclass(frozen=True, slots=True)
class MakeDemo:
    """The demo ledger (three real cases) at ``path``; ``replace``: an old demo there goes."""

    path: str
    replace: bool = False


@dataclass(frozen=True, slots=True)
class DemoMade:
    path: str
    summary: DemoSummary

    def sentence(self) -> str:
        """What the demo holds, a line for the ledger, each book, and the three cases."""
        from ledger.money import format_fen as money  # noqa: PLC0415

        summary = self.summary
        estate, village = summary.estate, summary.village.distribution
        lines = [
            _("Created the demo ledger {path}: {n} entries in {books} books.").format(
                path=self.path, n=summary.entries, books=len(summary.book_ids)
            )
        ]
        lines += [f"  {book_id}  {name}" for name, book_id in summary.book_ids.items()]
        lines.append(
            _(
                "Property fees billed {billed}, collection rate {rate}; remuneration "
                "{remuneration}, of which {gift} given to the micro-fund."
            ).format(
                billed=money(estate.billed_fen),
                rate=estate.collection_rate,
                remuneration=money(estate.remuneration_fen),
                gift=money(estate.gift_fen),
            )
        )
        lines.append(
            _(
                "Village profit {profit} for {period}: contract year {year}, investor "
                "{investor}; the rest shared 3:3:3:1 as {parts}."
            ).format(
                profit=money(village.profit_fen),
                period=village.period,
                year=village.contract_year,
                investor=money(village.investor_fen),
                parts=" / ".join(money(v) for v in village.parts.values()),
            )
        )
        lines.append(
            _(
                "Votes: {budget} (owners' meeting on next year's open budget), {projects} "
                "(participatory budget), {distribution} (village meeting); see "
                "gongzhang vote result."
            ).format(**summary.votes)
        )
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        summary = self.summary
        estate, village = summary.estate, summary.village.distribution
        return {
            "ledger": self.path,
            "books": summary.book_ids,
            "entries": summary.entries,
            "property": {
                "billed_fen": estate.billed_fen,
                "collection_rate": estate.collection_rate,
                "remuneration_fen": estate.remuneration_fen,
                "gift_fen": estate.gift_fen,
            },
            "distribution": {
                "period": village.period,
                "profit_fen": village.profit_fen,
                "contract_year": village.contract_year,
                "investor_bp": village.investor_bp,
                "investor_fen": village.investor_fen,
                "parts_fen": village.parts,
            },
            "votes": summary.votes,
        }


def make_demo(request: MakeDemo, *, busy_timeout: Seconds = DEFAULT_BUSY_TIMEOUT_S) -> DemoMade:
    """Build the demo ledger: its users (whose password the README lists) and the seed cases."""
    from ledger.demo import build_demo  # noqa: PLC0415

    if request.replace:
        for suffix in ("", "-wal", "-shm"):
            Path(os.fspath(request.path) + suffix).unlink(missing_ok=True)
    with _new_ledger(request.path, busy_timeout) as ledger, ledger.write() as s:
        return DemoMade(request.path, build_demo(s))
