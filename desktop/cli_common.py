"""What every ``gongzhang`` command shares: opening the ledger, the acting user, output helpers
and the way commands are added to the parser. No Qt here."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
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
    from ledger.operations import Done, Operation, Outcome, Request

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
    """Who is acting: ``--user``, else $GONGZHANG_USER, else the ledger's only user — proven
    with their password (every write needs it; see :func:`password_of`)."""
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
    return authenticate(session, name, password_of(args, name))


def password_of(args: argparse.Namespace, name: str) -> str:
    """The acting user's password: the first line of standard input with --password-stdin,
    else $GONGZHANG_PASSWORD, else asked on the terminal."""
    if getattr(args, "password_stdin", False):
        return stdin_line(args, 0)
    given = os.environ.get("GONGZHANG_PASSWORD")
    if given is not None:
        return given
    asked: str | None = getattr(args, "_asked_password", None)
    if asked is not None:  # asked once per command, however many times it is needed
        return asked
    if sys.stdin.isatty():
        asked = getpass.getpass(_("Password for {user}: ").format(user=name))
        args._asked_password = asked
        return asked
    raise PermissionDeniedError(
        _(
            "Changing the ledger needs {user}'s password: type it when asked (on a terminal), "
            "or give it with --password-stdin or the GONGZHANG_PASSWORD environment variable."
        ).format(user=name)
    )


def approver_password(args: argparse.Namespace) -> str | None:
    """The password of the approver named with --approver ($GONGZHANG_APPROVER_PASSWORD, or
    asked on the terminal); None when no approver is named."""
    if not getattr(args, "approver", None):
        return None
    given = os.environ.get("GONGZHANG_APPROVER_PASSWORD")
    if given is None and sys.stdin.isatty():
        given = getpass.getpass(_("Password for {user}: ").format(user=args.approver))
    if given is None:
        raise PermissionDeniedError(
            _(
                "An approval needs the approver {user}'s own password: they type it when asked "
                "(on a terminal), or it is given in GONGZHANG_APPROVER_PASSWORD."
            ).format(user=args.approver)
        )
    return given


def stdin_line(args: argparse.Namespace, index: int) -> str:
    """Line ``index`` of standard input (read once; a password per line, newline removed)."""
    lines: list[str] | None = getattr(args, "_stdin_lines", None)
    if lines is None:
        lines = sys.stdin.read().splitlines()
        args._stdin_lines = lines
    if index >= len(lines):
        raise InvalidInputError(
            _("Standard input ended before password {n} was given (one per line).").format(
                n=index + 1
            )
        )
    return lines[index]


def outcome_of(
    args: argparse.Namespace, operation: Operation[Request, Done], request: Request
) -> Done:
    """Run one operation through the door (:func:`ledger.operations.run`) as the acting user
    and return its outcome, for a command that prints more than its sentence."""
    from ledger.operations import run

    with open_from(args) as ledger:
        return run(ledger, lambda session: _writer(session, args), operation, request)


def _writer(session: Session, args: argparse.Namespace) -> AppUser:
    """The acting user, proven, in a writing transaction: a user from before signing keys gets
    one now (:func:`ledger.services.users.give_signing_key`)."""
    from ledger.services.users import give_signing_key

    user = actor(session, args)
    give_signing_key(session, user, password_of(args, user.username))
    return user


def perform(args: argparse.Namespace, operation: Operation[Any, Any], request: object) -> int:
    """Run one operation as the acting user and print its outcome: its sentence, or its JSON
    with --json."""
    show(args, outcome_of(args, operation, request))
    return EXIT_OK


def read_file(path: str) -> bytes:
    """An input file's bytes, or one message saying why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc


def show(args: argparse.Namespace, outcome: Outcome) -> None:
    if args.json:
        emit_json(outcome.as_json())
    else:
        print(outcome.sentence())


def open_from(args: argparse.Namespace) -> Ledger:
    from ledger.db import open_ledger

    return open_ledger(args.path, busy_timeout=args.wait)


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
