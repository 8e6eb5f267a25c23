"""``gongzhang district report``: one roll-up notice (街道/区 汇总公示) over the books of many
ledgers — several ledger files, or one database that holds many organisations' books — by
community and by kind of fund, as PDF or Excel.

Every source is checked before anything is read, and the ledgers are all read before the file is
written: a missing, unreadable or foreign source stops the command with one message and no file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_common import EXIT_OK, Commands, emit_json
from desktop.cli_report import FORMATS, format_of
from desktop.progress import Progress
from ledger.errors import InvalidInputError
from ledger.i18n import _
from reports.write import write_notice

if TYPE_CHECKING:
    from reports.notice import Notice


def cmd_district_report(args: argparse.Namespace) -> int:
    # reportlab and openpyxl load only when a notice is printed (see cmd_report).
    from ledger.db import open_ledger
    from ledger.periods import Period
    from reports.notices.district import build_district, read_ledgers

    period = Period.parse(args.period)
    out = Path(args.output)
    if out.is_dir():
        raise InvalidInputError(
            _("{path} is a folder; name the file to write, like district.pdf.").format(path=out)
        )
    fmt = format_of(args, out)
    sources: list[str] = list(args.sources)
    progress = Progress(_("Reading ledgers"), total=len(sources))
    rows = list(
        read_ledgers(
            sources,
            period=period,
            opener=lambda target: open_ledger(target, busy_timeout=args.wait),
            progress=progress.update,
        )
    )
    progress.finish()
    notice = build_district(rows, period=period, ledgers=len(sources), name=args.name or "")

    def make() -> Notice:
        return notice

    write_notice(make, out, fmt, Progress(_("Printing")))
    if args.json:
        emit_json(
            {
                "file": str(out),
                "format": fmt,
                "period": period.text,
                "ledgers": len(sources),
                "books": len(rows),
            }
        )
    else:
        print(
            _("Wrote {file}: {books} books of {ledgers} ledgers.").format(
                file=out, books=len(rows), ledgers=len(sources)
            )
        )
    return EXIT_OK


def add_district_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``gongzhang district report`` to the parser's sub-commands ``sub``."""
    district = Commands(sub, common).group(
        "district", _("roll-up notices over many ledgers (sub-district or district)")
    )
    p = district.add(
        "report",
        cmd_district_report,
        _("one notice over the books of many ledgers, by community and by kind of fund"),
    )
    p.add_argument(
        "sources",
        metavar="SOURCE",
        nargs="+",
        help=_("a ledger file or a database address holding many organisations' books"),
    )
    p.add_argument(
        "--period",
        required=True,
        help=_("a month (2024-11), a quarter (2024-Q4) or a year (2024)"),
    )
    p.add_argument("--format", choices=FORMATS, help=_("pdf or xlsx (default: from the file name)"))
    p.add_argument("-o", "--output", metavar="OUT", required=True, help=_("the file to write"))
    p.add_argument("--name", help=_("the sub-district or district, printed in the title"))
