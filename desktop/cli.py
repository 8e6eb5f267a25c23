"""The ``gongzhang`` command line. No Qt here: it calls the same services as the GUI.

Every command is one unit of work: it either completes or changes nothing. Errors are one line
on standard error and a non-zero exit; ``--json`` gives machine-readable output (amounts in fen).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import (
    argparse_catalog,
    cli_district,
    cli_electorate,
    cli_import,
    cli_microfund,
    cli_pb,
    cli_property,
    cli_report,
    cli_settings,
    cli_village,
    cli_votes,
)
from desktop.cli_choices import DEFAULT_BUSY_TIMEOUT_S, DEFAULT_KEEP
from desktop.cli_common import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    Commands,
    account_name,
    actor,
    approver_password,
    blank_or_money,
    book_arg,
    emit_json,
    ledger_arg,
    money,
    open_from,
    password_of,
    perform,
    show,
    stdin_line,
)
from desktop.texttable import render_table
from ledger import i18n
from ledger.domain import BookKind, Role
from ledger.errors import GongzhangError, InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser, Book
    from ledger.services.entries import PostingLine

MAX_JOURNAL_LIMIT = 10_000
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what the shell reports for a killed writer


# --- commands ----------------------------------------------------------------------------------


def _first_password(args: argparse.Namespace) -> str:
    """The new administrator's password: --password-stdin, $GONGZHANG_PASSWORD, or asked twice."""
    if args.password_stdin:
        return stdin_line(args, 0)
    given = os.environ.get("GONGZHANG_PASSWORD")
    if given is not None:
        return given
    return _new_password(argparse.Namespace(new_password_stdin=False), args.admin)


def cmd_init(args: argparse.Namespace) -> int:
    from ledger.db import default_ledger_path
    from ledger.operations.ledgers import CreateLedger, create_ledger

    path = args.path or str(default_ledger_path())
    if not args.path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    args.path = path
    request = CreateLedger(path, args.admin, _first_password(args))
    show(args, create_ledger(request, busy_timeout=args.wait))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ledger.operations.ledgers import MakeDemo, make_demo

    show(args, make_demo(MakeDemo(args.path), busy_timeout=args.wait))
    return EXIT_OK


def _book_json(book: Book) -> dict[str, Any]:
    return {
        "id": book.id,
        "name": book.name,
        "kind": book.kind,
        "organisation": book.organisation,
        "closed_through": book.closed_through.isoformat() if book.closed_through else None,
        "entries": book.head_index,
        "head_hash": book.head_hash,
    }


def cmd_book_add(args: argparse.Namespace) -> int:
    from ledger.operations.books import ADD_BOOK, AddBook

    return perform(args, ADD_BOOK, AddBook(args.kind, args.name, args.organisation))


def cmd_book_list(args: argparse.Namespace) -> int:
    from ledger.services.books import list_books

    with open_from(args) as ledger, ledger.read() as s:
        books = [_book_json(b) for b in list_books(s)]
    if args.json:
        emit_json(books)
        return EXIT_OK
    rows = [
        [
            str(b["id"]),
            b["name"],
            BookKind(b["kind"]).label,
            str(b["entries"]),
            b["closed_through"] or "",
        ]
        for b in books
    ]
    print(
        render_table(
            [_("No."), _("Book"), _("Kind"), _("Entries"), _("Closed through")], rows, right=(0, 3)
        )
    )
    return EXIT_OK


def _parse_line(text: str) -> PostingLine:
    from ledger.money import parse_money
    from ledger.services.entries import PostingLine

    code, sep, amount = text.partition("=")
    if not sep or not code.strip() or not amount.strip():
        raise InvalidInputError(
            _(
                "“{text}” is not a posting; write ACCOUNT_CODE=AMOUNT, debit positive and credit "
                "negative, for example 1002=100.00 4101=-100.00."
            ).format(text=text)
        )
    return PostingLine(code.strip(), parse_money(amount).fen)


def cmd_post(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.entries import POST_ENTRY, PostEntry

    request = PostEntry(
        args.book,
        parse_date(args.date),
        args.memo,
        tuple(_parse_line(t) for t in args.lines),
        approver=args.approver,
        approver_password=approver_password(args),
    )
    return perform(args, POST_ENTRY, request)


def cmd_reverse(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.entries import REVERSE_ENTRY, ReverseEntry

    date = parse_date(args.date) if args.date else None
    request = ReverseEntry(args.book, args.number, date=date, memo=args.memo)
    return perform(args, REVERSE_ENTRY, request)


def cmd_attach(args: argparse.Namespace) -> int:
    from ledger.operations.entries import ATTACH_FILE, AttachFile
    from ledger.services.attachments import read_attachment_file

    name, data = read_attachment_file(args.file)
    return perform(args, ATTACH_FILE, AttachFile(args.book, args.number, name, data))


def cmd_close(args: argparse.Namespace) -> int:
    from ledger.dates import parse_period_end
    from ledger.operations.books import CLOSE_PERIOD, ClosePeriod

    return perform(args, CLOSE_PERIOD, ClosePeriod(args.book, parse_period_end(args.through)))


def cmd_balance(args: argparse.Namespace) -> int:
    from ledger import quickread
    from ledger.dates import parse_date

    at = parse_date(args.at) if args.at else None
    # The ordinary case (a ledger file at the current schema) is read without SQLAlchemy.
    quick = quickread.trial_balance(args.path, args.book, at=at, busy_timeout=args.wait)
    if quick is not None:
        name, tb = quick[0].name, quick[1]
    else:
        from ledger.services.balances import trial_balance
        from ledger.services.books import find_book

        with open_from(args) as ledger, ledger.read() as s:
            book = find_book(s, args.book)
            tb = trial_balance(s, book_id=book.id or 0, at=at)
            name = book.name
    shown = [a for a in tb.accounts if args.all or a.debit_fen or a.credit_fen]
    if args.json:
        emit_json(
            {
                "book": name,
                "at": at.isoformat() if at else None,
                "balanced": tb.balanced,
                "total_debit_balance_fen": tb.total_debit_balance_fen,
                "total_credit_balance_fen": tb.total_credit_balance_fen,
                "accounts": [
                    {
                        "code": a.code,
                        "name_zh": a.name_zh,
                        "name_en": a.name_en,
                        "type": a.type.value,
                        "leaf": a.is_leaf,
                        "debit_fen": a.debit_fen,
                        "credit_fen": a.credit_fen,
                        "balance_fen": a.balance_fen,
                    }
                    for a in shown
                ],
            }
        )
        return EXIT_OK
    title = _("Trial balance of “{book}”").format(book=name)
    title += " " + (_("at {date}").format(date=at.isoformat()) if at else _("(all dates)"))
    rows = [
        [
            a.code,
            "  " * a.depth + account_name(a.name_zh, a.name_en),
            a.type.label,
            blank_or_money(a.debit_fen),
            blank_or_money(a.credit_fen),
            blank_or_money(a.debit_balance_fen),
            blank_or_money(a.credit_balance_fen),
        ]
        for a in shown
    ]
    rows.append(
        [
            "",
            _("Total"),
            "",
            money(tb.total_debit_fen),
            money(tb.total_credit_fen),
            money(tb.total_debit_balance_fen),
            money(tb.total_credit_balance_fen),
        ]
    )
    print(title)
    print(
        render_table(
            [
                _("Code"),
                _("Account"),
                _("Type"),
                _("Debits"),
                _("Credits"),
                _("Debit balance"),
                _("Credit balance"),
            ],
            rows,
            right=(3, 4, 5, 6),
        )
    )
    print(_("Balanced.") if tb.balanced else _("NOT BALANCED — run gongzhang verify."))
    return EXIT_OK


def cmd_journal(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.services.books import find_book
    from ledger.services.journal import JournalFilter, journal_count, journal_page

    filters = JournalFilter(
        account_code=args.account,
        date_from=parse_date(args.date_from) if args.date_from else None,
        date_to=parse_date(args.date_to) if args.date_to else None,
        text=args.text,
    )
    if not 1 <= args.limit <= MAX_JOURNAL_LIMIT:
        raise InvalidInputError(
            _("--limit takes a number from 1 to {max}.").format(max=MAX_JOURNAL_LIMIT)
        )
    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        page = journal_page(s, book_id=book.id or 0, filters=filters, limit=args.limit, last=True)
        total = journal_count(s, book_id=book.id or 0, filters=filters)
        name = book.name
    if args.json:
        emit_json(
            {
                "book": name,
                "total": total,
                "rows": [
                    {
                        "date": r.date.isoformat(),
                        "number": r.number,
                        "memo": r.memo,
                        "line": r.line_no,
                        "account_code": r.account_code,
                        "account_name_zh": r.account_name_zh,
                        "account_name_en": r.account_name_en,
                        "amount_fen": r.amount_fen,
                    }
                    for r in page.rows
                ],
            }
        )
        return EXIT_OK
    rows = [
        [
            r.date.isoformat(),
            r.number,
            r.memo,
            r.account_code,
            account_name(r.account_name_zh, r.account_name_en),
            blank_or_money(r.debit_fen),
            blank_or_money(r.credit_fen),
        ]
        for r in page.rows
    ]
    print(
        _("Journal of “{book}”: the last {shown} of {total} postings").format(
            book=name, shown=len(rows), total=total
        )
    )
    print(
        render_table(
            [_("Date"), _("Voucher"), _("Memo"), _("Code"), _("Account"), _("Debit"), _("Credit")],
            rows,
            right=(5, 6),
        )
    )
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop.system_libraries import (
        EXIT_CANNOT_START,
        cannot_start_problem,
        default_platform,
        no_display_problem,
    )

    problem = no_display_problem()
    if problem is None:
        try:
            # Qt is loaded only here: every other command stays free of it (and fast to start).
            from desktop.app.start import run_app
        except ImportError as exc:  # a library Qt's modules need is missing
            problem = cannot_start_problem(default_platform(), str(exc))
        else:
            return run_app(args.path, args.user, language_given=args.lang is not None)
    print(problem, file=sys.stderr)
    return EXIT_CANNOT_START


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit status 0: intact; 1: findings; 2: the ledger (or the digest) could not be read."""
    try:
        return _verify_digest(args) if args.digest is not None else _verify_all(args)
    except Exception as exc:
        if not isinstance(exc, GongzhangError) and not _is_database_error(exc):
            raise
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(_("Error: {message}").format(message=reason), file=sys.stderr)
        print(_("The ledger could not be checked."), file=sys.stderr)
        return EXIT_USAGE


def _verify_all(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book, list_books
    from ledger.verify import verify_ledger

    with open_from(args) as ledger, ledger.read() as s:
        book_id = find_book(s, args.book).id if args.book else None
        findings = verify_ledger(s, book_id=book_id)
        books = list_books(s)
        checked = {b.name: b.head_index for b in books if book_id is None or b.id == book_id}
    if args.json:
        emit_json(
            {
                "intact": not findings,
                "books": checked,
                "findings": [
                    {"book": f.book, "number": f.number, "message": f.message} for f in findings
                ],
            }
        )
    elif findings:
        print(_("The ledger is NOT intact: {n} findings.").format(n=len(findings)))
        for f in findings:
            print(f"  {f}")
    else:
        print(
            _(
                "The ledger is intact: {entries} entries in {books} books checked; chain, "
                "balancing, numbering, attachments and audit trail verified."
            ).format(entries=sum(checked.values()), books=len(checked))
        )
    return EXIT_REFUSED if findings else EXIT_OK


def _verify_digest(args: argparse.Namespace) -> int:
    """``verify PATH --digest HEX``: a notice's digest against the books it was made from."""
    from ledger.verify import normalize_digest, verify_digest

    digest = normalize_digest(args.digest)  # refuse a malformed digest before opening anything
    with open_from(args) as ledger, ledger.read() as s:
        check = verify_digest(s, digest)
    if args.json:
        emit_json(
            {
                "digest": check.digest,
                "found": check.found,
                "book": check.book_name,
                "number": check.number,
                "date": check.date.isoformat() if check.date else None,
                "entries_checked": check.entries_checked,
                "record_seq": check.record_seq,
                "record_at": check.record_at,
                "books_checked": check.books_checked,
                "intact": check.intact,
                "findings": [
                    {"book": f.book, "number": f.number, "message": f.message}
                    for f in check.findings
                ],
            }
        )
    else:
        print(check.summary())
        for f in check.findings:
            print(f"  {f}")
    return EXIT_OK if check.intact else EXIT_REFUSED


def cmd_backup(args: argparse.Namespace) -> int:
    from ledger.operations.backups import BackUp, back_up

    with open_from(args) as ledger:
        show(args, back_up(ledger, BackUp(args.dest, args.folder, args.keep)))
    return EXIT_OK


def _backups_of(args: argparse.Namespace) -> str:
    """The ledger file whose backups a command is about (a server has none of ours)."""
    if "://" in args.path and not args.path.startswith("sqlite"):
        raise InvalidInputError(
            _(
                "Backups to a file are made of SQLite ledgers; back up a database server with "
                "its own tools."
            )
        )
    return str(args.path).removeprefix("sqlite:///")


def cmd_backups(args: argparse.Namespace) -> int:
    from ledger.backup import backups_folder, list_backups, size_text

    backups = list_backups(_backups_of(args), folder=args.folder, verify=not args.quick)
    if args.json:
        emit_json(
            [
                {
                    "path": str(b.path),
                    "taken": b.taken.isoformat(),
                    "size": b.size,
                    "automatic": b.automatic,
                    "verified": b.verified,
                    "problem": b.problem,
                }
                for b in backups
            ]
        )
        return EXIT_OK
    if not backups:
        print(
            _("No backups in {folder}.").format(
                folder=backups_folder(_backups_of(args), args.folder)
            )
        )
        return EXIT_OK
    print(
        render_table(
            [_("Taken"), _("Kind"), _("Size"), _("Check"), _("File")],
            [
                [
                    b.taken.strftime("%Y-%m-%d %H:%M:%S"),
                    _("automatic") if b.automatic else _("before a restore"),
                    size_text(b.size),
                    _("not checked")
                    if b.verified is None
                    else _("intact")
                    if b.verified
                    else _("does NOT verify"),
                    b.path.name,
                ]
                for b in backups
            ],
        )
    )
    for b in backups:
        if b.problem:
            print(f"  {b.path.name}: {b.problem}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from ledger.operations.backups import RestoreBackup, check_restorer, preview_restore, restore

    request = RestoreBackup(args.backup, _backups_of(args), args.folder)

    def restorer(session: Session) -> AppUser:
        return actor(session, args)

    check_restorer(restorer, request, busy_timeout=args.wait)
    if not args.yes:
        preview = preview_restore(request)
        if not sys.stdin.isatty():
            raise InvalidInputError(
                _(
                    "Restoring would undo {n} entries and {events} audit events recorded after "
                    "the backup; add --yes to restore without being asked."
                ).format(n=preview.lost_entries, events=preview.lost_events)
            )
        print("\n".join(preview.lines()))
        if input(_("Restore this backup? [y/N] ")).strip().lower() not in ("y", "yes", "是"):
            print(_("Nothing was restored."))
            return EXIT_REFUSED
    restored = restore(restorer, request, busy_timeout=args.wait)
    if args.yes and not args.json:
        print("\n".join(restored.preview.lines()))
    show(args, restored)
    return EXIT_OK


def _new_password(args: argparse.Namespace, whose: str) -> str:
    """A new password: from standard input with --new-password-stdin (the line after the
    acting user's own, when --password-stdin gives that too), else $GONGZHANG_NEW_PASSWORD,
    else asked twice on a terminal."""
    if args.new_password_stdin:
        return stdin_line(args, 1 if args.password_stdin else 0)
    given = os.environ.get("GONGZHANG_NEW_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise InvalidInputError(
            _(
                "Give {user}'s new password with --new-password-stdin or in "
                "GONGZHANG_NEW_PASSWORD (or run this on a terminal, where it is asked)."
            ).format(user=whose)
        )
    first = getpass.getpass(_("New password for {user}: ").format(user=whose))
    if getpass.getpass(_("The same password again: ")) != first:
        raise InvalidInputError(_("The two passwords differ; nothing was changed."))
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from ledger.operations.users import ADD_USER, AddUser

    password = _new_password(args, args.username)
    return perform(args, ADD_USER, AddUser(args.username, args.role, args.display_name, password))


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from ledger.operations.users import CHANGE_PASSWORD, ChangePassword

    name = args.user or os.environ.get("GONGZHANG_USER") or _("you")
    old = password_of(args, name)
    return perform(args, CHANGE_PASSWORD, ChangePassword(old, _new_password(args, name)))


def cmd_user_reset(args: argparse.Namespace) -> int:
    from ledger.operations.users import RESET_PASSWORD, ResetPassword

    new = _new_password(args, args.username)
    return perform(args, RESET_PASSWORD, ResetPassword(args.username, new))


def cmd_user_disable(args: argparse.Namespace) -> int:
    from ledger.operations.users import DISABLE_USER, DisableUser

    return perform(args, DISABLE_USER, DisableUser(args.username))


def cmd_user_list(args: argparse.Namespace) -> int:
    from ledger.services.users import list_users

    with open_from(args) as ledger, ledger.read() as s:
        users = [(u.username, u.display_name, u.role) for u in list_users(s)]
    if args.json:
        emit_json([{"username": n, "display_name": d, "role": r} for n, d, r in users])
    else:
        print(
            render_table(
                [_("User"), _("Name"), _("Role")], [[n, d, Role(r).label] for n, d, r in users]
            )
        )
    return EXIT_OK


# --- parser ------------------------------------------------------------------------------------


def version() -> str:
    """The installed version of Gongzhang (the package's metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("gongzhang")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


class _VersionAction(argparse.Action):
    """``--version``: prints ``gongzhang <version>`` and exits; the version is looked up only
    then (argparse's own ``version`` action wants it while the parser is built)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"gongzhang {version()}")
        parser.exit()


def new_password_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--new-password-stdin",
        action="store_true",
        help=_(
            "read the new password from standard input (the second line when --password-stdin "
            "gives your own on the first)"
        ),
    )


def _common_options(
    parser: argparse.ArgumentParser, *, after_command: bool
) -> argparse.ArgumentParser:
    def default(value: object) -> object:
        return argparse.SUPPRESS if after_command else value

    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=default(None),
        help=_("language of the output (default: the system's, else Chinese)"),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help=_("print JSON (amounts in fen)"),
    )
    parser.add_argument(
        "--user",
        default=default(None),
        help=_("who is acting (default: the ledger's only user)"),
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        default=default(False),
        help=_(
            "read the acting user's password from the first line of standard input (else "
            "$GONGZHANG_PASSWORD, else asked on the terminal; only changes need it)"
        ),
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=default(DEFAULT_BUSY_TIMEOUT_S),
        metavar=_("SECONDS"),
        help=_("how long to wait for another writer (default: {seconds})").format(
            seconds=DEFAULT_BUSY_TIMEOUT_S
        ),
    )
    return parser


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - one flat list of commands reads best
    # The common options are accepted before the command and after it. The sub-commands'
    # copies default to "not given" so that they do not overwrite what came before the command.
    common = _common_options(argparse.ArgumentParser(add_help=False), after_command=True)

    parser = _common_options(
        argparse.ArgumentParser(
            prog="gongzhang",
            description=_("Gongzhang: tamper-evident public bookkeeping for a neighbourhood."),
        ),
        after_command=False,
    )
    parser.add_argument(
        "--version", action=_VersionAction, help=_("print the version of Gongzhang and exit")
    )
    commands = Commands(
        parser.add_subparsers(dest="command", metavar=_("COMMAND"), required=True), common
    )
    add = commands.add

    p = add("init", cmd_init, _("create a new, empty ledger"))
    p.add_argument(
        "path",
        metavar="PATH",
        nargs="?",
        help=_("where to create it (default: in your data folder)"),
    )
    p.add_argument("--admin", default="admin", help=_("the administrator's user name"))

    p = add("demo", cmd_demo, _("create a demo ledger from the seed cases"))
    ledger_arg(p)

    books = commands.group("book", _("add or list books"))
    p = books.add("add", cmd_book_add, _("add a book with its chart of accounts"))
    ledger_arg(p)
    p.add_argument("--kind", required=True, choices=[k.value for k in BookKind])
    p.add_argument("--name", required=True)
    p.add_argument("--organisation", default="", help=_("the organisation that keeps the book"))
    p = books.add("list", cmd_book_list, _("list the books"))
    ledger_arg(p)

    p = add("post", cmd_post, _("post an entry: ACCOUNT=AMOUNT … (debit +, credit −)"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--memo", required=True, help=_("what the entry is for"))
    p.add_argument("--approver", help=_("user name of the approver (not yourself)"))
    p.add_argument("lines", nargs="+", metavar="ACCOUNT=AMOUNT")

    p = add("reverse", cmd_reverse, _("reverse a posted entry with a linked opposite entry"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--number", required=True, help=_("voucher number, e.g. 记-2024-0001"))
    p.add_argument("--date", help=_("date of the reversal (default: today)"))
    p.add_argument("--memo")

    p = add("attach", cmd_attach, _("attach a receipt or voucher file to a posted entry"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--number", required=True, help=_("voucher number, e.g. 记-2024-0001"))
    p.add_argument("file", metavar="FILE")

    p = add("close", cmd_close, _("close a period: no more postings dated up to then"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--through", required=True, help="YYYY-MM | YYYY-MM-DD")

    p = add("balance", cmd_balance, _("print the trial balance"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--at", help=_("balances at this date (default: all dates)"))
    p.add_argument("--all", action="store_true", help=_("also show accounts with no postings"))

    p = add("journal", cmd_journal, _("print the latest postings"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--account", help=_("only this account and its sub-accounts"))
    p.add_argument("--from", dest="date_from", help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="YYYY-MM-DD")
    p.add_argument("--text", help=_("only entries whose memo contains this"))

    p = add("gui", cmd_gui, _("open the desktop app (the default with no command)"))
    p.add_argument("path", metavar="PATH", nargs="?", help=_("the ledger to open"))

    p = add("verify", cmd_verify, _("check the hash chain, balancing, numbering and audit trail"))
    ledger_arg(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--book", help=_("book number or name (default: all)"))
    which.add_argument(
        "--digest",
        metavar="HEX",
        help=_(
            "check a notice's digest instead: the ledger still holds that entry and the chain "
            "up to it is intact"
        ),
    )

    p = add("backup", cmd_backup, _("copy the ledger to a backup file while it stays in use"))
    ledger_arg(p)
    p.add_argument(
        "dest",
        metavar="DEST",
        nargs="?",
        help=_(
            "the backup file (default: a dated file in the ledger's backups folder, keeping "
            "the newest --keep)"
        ),
    )
    p.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help=_("how many dated backups to keep (default: {n})").format(n=DEFAULT_KEEP),
    )
    p.add_argument(
        "--folder", help=_("the backups folder (default: <ledger name>.backups next to it)")
    )

    p = add("backups", cmd_backups, _("list a ledger's backups, newest first, and check them"))
    ledger_arg(p)
    p.add_argument(
        "--folder", help=_("the backups folder (default: <ledger name>.backups next to it)")
    )
    p.add_argument("--quick", action="store_true", help=_("list them without checking them"))

    p = add("restore", cmd_restore, _("put a backup in the place of the ledger"))
    p.add_argument("backup", metavar="BACKUP", help=_("the backup file to restore"))
    ledger_arg(p)
    p.add_argument(
        "--folder",
        help=_("where to keep the ledger as it was (default: <ledger name>.backups next to it)"),
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help=_("restore without asking (what it undoes is still printed)"),
    )

    for module in (
        cli_microfund,
        cli_property,
        cli_village,
        cli_electorate,
        cli_votes,
        cli_report,
        cli_import,
        cli_settings,
    ):
        module.register(commands)
    cli_votes.register_pb(cli_pb.register(commands))
    cli_district.add_district_command(commands.sub, commands.common)

    users = commands.group("user", _("add, list or disable users; passwords"))
    p = users.add("add", cmd_user_add, _("add a user"))
    ledger_arg(p)
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--display-name")
    new_password_arg(p)
    p = users.add("list", cmd_user_list, _("list users"))
    ledger_arg(p)
    p = users.add("passwd", cmd_user_passwd, _("change your own password"))
    ledger_arg(p)
    new_password_arg(p)
    p = users.add("reset", cmd_user_reset, _("set a new password for a user (administrator)"))
    ledger_arg(p)
    p.add_argument("--username", required=True)
    new_password_arg(p)
    p = users.add("disable", cmd_user_disable, _("disable a user (administrator)"))
    ledger_arg(p)
    p.add_argument("--username", required=True)
    return parser


def _language_from(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _is_database_error(exc: Exception) -> bool:
    """Whether ``exc`` is one of SQLAlchemy's (loaded only by the commands that open a ledger,
    so an error of any other command cannot be one)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        args_list = ["gui"]  # no command at all: the desktop app
    i18n.set_language(_language_from(args_list) or i18n.system_language())
    argparse_catalog.install()
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        return int(args.func(args))
    except GongzhangError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader went away (``gongzhang journal … | head``): end quietly, as ``cat`` does.
        # (Before ``except Exception``, which would take it first.)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        # Something the checks above did not foresee: still one line, and the transaction
        # was rolled back, so nothing was written.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(
            _("Error: the database refused the operation ({reason}); nothing was written.").format(
                reason=reason
            ),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(_("Interrupted; nothing was written."), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
