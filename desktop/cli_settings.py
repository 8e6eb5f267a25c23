"""Commands for a book's settings (账套设置): list them with their defaults; an administrator
changes one (``setting set``), typed the way it is shown: amounts as money (``1,000.00``), rates
as percentages (``15%``) or whole basis points (``1500``), choices by their value."""

from __future__ import annotations

import argparse

from desktop.cli_choices import SETTING_KEYS
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    book_arg,
    emit_json,
    ledger_arg,
    open_from,
    perform,
)
from desktop.texttable import render_table
from ledger.i18n import _


def cmd_setting_list(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from ledger.services.settings import book_settings

    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        rows = book_settings(s, book.id or 0)
        name = book.name
    if args.json:
        emit_json(
            {
                "book": name,
                "settings": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "value": r.stored,
                        "default": r.default_stored,
                        "is_default": r.is_default,
                    }
                    for r in rows
                ],
            }
        )
        return EXIT_OK
    print(_("Settings of “{book}”").format(book=name))
    print(
        render_table(
            [_("Key"), _("Setting"), _("Current value"), _("Default")],
            [[r.key, r.label, r.value + ("" if r.is_default else " *"), r.default] for r in rows],
        )
    )
    if not all(r.is_default for r in rows):
        print(_("* changed from the default"))
    return EXIT_OK


def cmd_setting_set(args: argparse.Namespace) -> int:
    from ledger.operations.settings import CHANGE_SETTING, ChangeSetting

    return perform(args, CHANGE_SETTING, ChangeSetting(args.book, args.key, args.value))


def register(commands: Commands) -> None:
    """Add the settings commands to the parser."""
    settings = commands.group("setting", _("list a book's settings or change one"))
    p = settings.add("list", cmd_setting_list, _("list a book's settings with their defaults"))
    ledger_arg(p)
    book_arg(p)
    p = settings.add("set", cmd_setting_set, _("change a setting of a book (administrator)"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument(
        "key", metavar="KEY", help=_("the setting: {keys}").format(keys=", ".join(SETTING_KEYS))
    )
    p.add_argument(
        "value",
        metavar="VALUE",
        help=_(
            "the new value: an amount as money (1,000.00), a rate as a percentage (15%%) or "
            "whole basis points (1500), a choice by its value"
        ),
    )
