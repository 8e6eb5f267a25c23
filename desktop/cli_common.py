"""What every ``gongzhang`` command shares: opening the ledger, the acting user, output helpers
and the way commands are added to the parser. No Qt here."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger import i18n
from ledger.errors import InvalidInputError, PermissionDeniedError
from ledger.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.db import Ledger
    from ledger.models import AppUser

Handler = Callable[[argparse.Namespace], int]

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def money(fen: int) -> str:
    """An amount in fen as the interface language writes it (``ledger.money.format_fen``)."""
    from ledger.money import format_fen

    return format_fen(fen)


def blank_or_money(fen: int) -> str:
    return money(fen) if fen else ""


def emit_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def account_name(zh: str, en: str) -> str:
    return i18n.in_language(zh, en)


# --- acting user -------------------------------------------------------------------------------


def actor(session: Session, args: argparse.Namespace) -> AppUser:
    """Who is acting: ``--user``, else $GONGZHANG_USER, else the ledger's only user."""
    from ledger.services.users import authenticate, list_users

    name = args.user or os.environ.get("GONGZHANG_USER")
    if not name:
        users = list_users(session)
        if len(users) != 1:
            raise InvalidInputError(
                _(
                    "This ledger has several users; say who you are with --user NAME ({names})."
                ).format(names=", ".join(u.username for u in users))
            )
        name = users[0].username
    password = os.environ.get("GONGZHANG_PASSWORD")
    user = authenticate(session, name, password) if password else None
    if user is None:
        try:
            user = authenticate(session, name, None)
        except PermissionDeniedError:
            if not sys.stdin.isatty():
                raise
            user = authenticate(
                session, name, getpass.getpass(_("Password for {user}: ").format(user=name))
            )
    return user


def open_from(args: argparse.Namespace) -> Ledger:
    from ledger.db import open_ledger

    return open_ledger(args.path, busy_timeout=args.wait)


@contextlib.contextmanager
def new_ledger(args: argparse.Namespace) -> Iterator[Ledger]:
    """Create the ledger at ``args.path``; if filling it fails, remove it again, so that a
    refused ``init`` or ``demo`` leaves no half-made file behind."""
    from ledger.db import open_ledger

    ledger = open_ledger(args.path, create=True, busy_timeout=args.wait)
    try:
        with ledger:
            yield ledger
    except BaseException:
        if ledger.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(ledger.path) + suffix).unlink(missing_ok=True)
        raise


@dataclass
class Commands:
    """Adds commands (and groups of sub-commands) that all take the common options."""

    sub: Any  # argparse's sub-parsers action
    common: argparse.ArgumentParser

    def add(self, name: str, func: Handler, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self.sub.add_parser(
            name, parents=[self.common], help=help_text, description=help_text
        )
        parser.set_defaults(func=func)
        return parser

    def group(self, name: str, help_text: str) -> Commands:
        parser = self.add(name, lambda _args: 2, help_text)
        sub = parser.add_subparsers(dest=f"{name}_command", metavar=_("COMMAND"), required=True)
        return Commands(sub, self.common)


def ledger_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help=_("the ledger file (or a database URL)"))


def book_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--book", required=True, help=_("book number or name"))
