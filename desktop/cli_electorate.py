"""Commands for the electorate register (业主名册 / 住户名册): import it from an Excel workbook,
write a blank workbook to fill in, and list it. Owners' names are private: no command
prints them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_choices import KIND_ALIASES
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    book_arg,
    emit_json,
    ledger_arg,
    open_from,
    outcome_of,
    read_file,
    show,
)
from desktop.texttable import render_table
from ledger.domain import BookKind
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import Book

KIND_CHOICES = [k.value for k in BookKind] + list(KIND_ALIASES)


def cmd_import(args: argparse.Namespace) -> int:
    # openpyxl is loaded only by the commands that read or write a workbook, not by every one.
    from ledger.operations.votes import IMPORT_ELECTORATE, ImportElectorate
    from reports.electorate_xlsx import read_sheet

    data = read_file(args.file)
    request = ImportElectorate.of(args.book, Path(args.file).name, data, read_sheet(data))
    imported = outcome_of(args, IMPORT_ELECTORATE, request)
    show(args, imported)
    note = imported.note()
    if note and not args.json:
        print(note, file=sys.stderr)
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from ledger.services.electorate import book_kind_of
    from reports.electorate_xlsx import electorate_template

    kind = book_kind_of(args.kind)
    out = Path(args.output)
    if out.exists() and not args.force:
        raise InvalidInputError(
            _("{path} exists already; choose another name, or add --force to replace it.").format(
                path=out
            )
        )
    data = electorate_template(kind)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InvalidInputError(
            _("Cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)
        ) from exc
    if args.json:
        emit_json({"kind": kind.value, "path": str(out), "bytes": len(data)})
    else:
        print(
            _("Wrote a blank register for a {kind} book to {path}.").format(
                kind=kind.label, path=out
            )
        )
    return EXIT_OK


def _units_listing(s: Session, book: Book) -> dict[str, Any]:
    from sqlmodel import select

    from ledger.models import Household
    from ledger.services.electorate import owners_register
    from ledger.services.property import list_units, unit_label

    labels = {h.id: h.label for h in s.exec(select(Household))}
    units = list_units(s, book_id=book.id or 0)
    data: dict[str, Any] = {
        "book": book.name,
        "kind": book.kind,
        "units": [
            {
                "id": u.id,
                "unit": unit_label(u),
                "area_dm2": u.area_dm2,
                "owner_key": u.owner_key,
                "unsold": u.unsold,
                "household": labels.get(u.household_id, "") if u.household_id else "",
            }
            for u in units
        ],
        "owners": 0,
        "total_area_dm2": 0,
    }
    if units:
        electorate = owners_register(s, book_id=book.id or 0)
        data |= {"owners": electorate.owner_count, "total_area_dm2": electorate.total_area_dm2}
    return data


def _print_units(data: dict[str, Any]) -> None:
    from ledger.rules.property import format_area

    units = data["units"]
    if not units:
        print(_("“{book}” has no units yet.").format(book=data["book"]))
        return
    rows = [
        [
            str(u["id"]),
            u["unit"],
            format_area(u["area_dm2"]),
            u["owner_key"],
            _("yes") if u["unsold"] else "",
            u["household"],
        ]
        for u in units
    ]
    print(
        render_table(
            [_("No."), _("Unit"), _("Area (m²)"), _("Owner key"), _("Unsold"), _("Household")],
            rows,
            right=(0, 2),
        )
    )
    print(
        _(
            "{units} units of {owners} owners (the developer's unsold units count as one), "
            "{area} m² in all."
        ).format(units=len(units), owners=data["owners"], area=format_area(data["total_area_dm2"]))
    )


def _print_households(data: dict[str, Any], *, shares: bool) -> None:
    households = data["households"]
    if not households:
        print(_("“{book}” has no households yet.").format(book=data["book"]))
        return
    headers = [_("No."), _("Household"), _("Members")] + ([_("Shares")] if shares else [])
    rows = [
        [str(h["id"]), h["label"], str(h["members"])] + ([str(h["shares"])] if shares else [])
        for h in households
    ]
    total = ["", _("Total"), str(sum(h["members"] for h in households))]
    rows.append(total + ([str(sum(h["shares"] for h in households))] if shares else []))
    print(render_table(headers, rows, right=(0, 2, 3)))


def cmd_list(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from ledger.services.households import book_households

    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        if book.kind == BookKind.TRUST_PROPERTY.value:
            data = _units_listing(s, book)
        else:
            data = {
                "book": book.name,
                "kind": book.kind,
                "households": [
                    {"id": h.id, "label": h.label, "members": h.members, "shares": h.shares}
                    for h in book_households(s, book_id=book.id or 0)
                ],
            }
    if args.json:
        emit_json(data)
    elif "units" in data:
        _print_units(data)
    else:
        _print_households(data, shares=data["kind"] == BookKind.COLLECTIVE_REVENUE.value)
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------


def register(commands: Commands) -> None:
    """Add the electorate register's commands to the parser."""
    electorate = commands.group(
        "electorate", _("the register of units, owners and households who vote")
    )
    p = electorate.add(
        "import",
        cmd_import,
        _(
            "import units and owners (property books) or households (village and micro-fund "
            "books) from an Excel workbook; a bad row imports nothing"
        ),
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument(
        "file", metavar="FILE.xlsx", help=_("the workbook, one row per unit or household")
    )

    p = electorate.add(
        "template", cmd_template, _("write a blank workbook with the header row to fill in")
    )
    p.add_argument("--kind", required=True, choices=KIND_CHOICES, help=_("the kind of book"))
    p.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help=_("where to write it"))
    p.add_argument("--force", action="store_true", help=_("replace the file if it exists"))

    p = electorate.add(
        "list", cmd_list, _("list the register: units and owner keys, or households")
    )
    ledger_arg(p)
    book_arg(p)
