"""What the vote and register commands share beyond ``desktop.cli_common``: running an
operation and keeping its outcome (for a command that prints more than the outcome's
sentence), and reading an input file's bytes. No Qt here."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.cli_common import actor, open_from
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from ledger.operations import Done, Operation, Request


def outcome_of(
    args: argparse.Namespace, operation: Operation[Request, Done], request: Request
) -> Done:
    """Run one operation through the door as the acting user and return its outcome (printed
    by the caller); :func:`desktop.cli_common.perform` when the sentence is all there is."""
    from ledger.operations import run

    with open_from(args) as ledger:
        return run(ledger, lambda session: actor(session, args), operation, request)


def read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
