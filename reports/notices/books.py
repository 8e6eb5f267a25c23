"""Notices any book prints: the journal (明细账) and the trial balance (试算平衡表)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ledger.chain import voucher_number
from ledger.i18n import _
from ledger.models import Account, Book, Entry, Posting, columns
from ledger.periods import Period
from ledger.services.balances import trial_balance
from reports.notice import Cell, Column, KeyFigures, Notice, Table
from reports.notices.common import ReportOptions, account_name, make_notice

#: Rows fetched from the database at a time while a journal prints (flat memory).
FETCH_ROWS = 2000


def journal_rows(session: Session, *, book_id: int, period: Period) -> Iterator[Sequence[Cell]]:
    """The period's postings in journal order — date, voucher, memo, account, debit, credit —
    streamed from the database in batches, never all in memory."""
    stmt = (
        sa_select(
            *columns(
                Posting.date,
                Entry.year,
                Entry.seq,
                Entry.memo,
                Account.code,
                Account.name_zh,
                Account.name_en,
                Posting.amount_fen,
            )
        )
        .join(Entry, col(Entry.id) == col(Posting.entry_id))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == book_id,
            col(Posting.date) >= period.start,
            col(Posting.date) <= period.end,
        )
        .order_by(col(Posting.date), col(Posting.entry_id), col(Posting.line_no))
        .execution_options(yield_per=FETCH_ROWS)
    )
    last_entry = None
    for date, year, seq, memo, code, zh, en, fen in session.connection().execute(stmt):
        number = voucher_number(year, seq)
        first_line = number != last_entry
        last_entry = number
        yield (
            date if first_line else None,
            number if first_line else "",
            memo if first_line else "",
            f"{code} {account_name(zh, en)}",
            fen if fen > 0 else None,
            -fen if fen < 0 else None,
        )


def journal_table(session: Session, *, book: Book, period: Period) -> Table:
    return Table(
        sheet=_("Journal"),
        title=_("Journal (all postings of the period)"),
        columns=(
            Column(_("Date"), "date", width=10),
            Column(_("Voucher"), width=13),
            Column(_("Memo"), width=25),
            Column(_("Account"), width=22),
            Column(_("Debit (yuan)"), "money", total=True, width=12),
            Column(_("Credit (yuan)"), "money", total=True, width=12),
        ),
        rows=journal_rows(session, book_id=book.id or 0, period=period),
        total_label=_("Total"),
        is_list=True,
    )


def build_journal(session: Session, book: Book, period: Period, _options: ReportOptions) -> Notice:
    """明细账: every posting of the period, debit and credit, with their totals."""
    return make_notice(
        session,
        book=book,
        kind="journal",
        title=_("Journal of {book}").format(book=book.name),
        period=period,
        sections=(journal_table(session, book=book, period=period),),
        subtitle=_("Amounts in yuan"),
    )


def build_trial_balance(
    session: Session, book: Book, period: Period, _options: ReportOptions
) -> Notice:
    """试算平衡表 at the end of the period: every account with postings, its debits, credits and
    balance on its side; debits equal credits."""
    balance = trial_balance(session, book_id=book.id or 0, at=period.end)
    rows = [
        (
            a.code,
            ("　" * a.depth) + account_name(a.name_zh, a.name_en),
            a.debit_fen,
            a.credit_fen,
            a.debit_balance_fen or None,
            a.credit_balance_fen or None,
        )
        for a in balance.accounts
        if a.debit_fen or a.credit_fen
    ]
    leaves = [a for a in balance.leaves if a.debit_fen or a.credit_fen]
    debit = sum(a.debit_balance_fen for a in leaves)
    credit = sum(a.credit_balance_fen for a in leaves)
    table = Table(
        sheet=_("Trial balance"),
        title=_("Trial balance at {date}").format(date=period.end.isoformat()),
        columns=(
            Column(_("Code"), width=8),
            Column(_("Account"), width=26),
            Column(_("Debits (yuan)"), "money", width=13),
            Column(_("Credits (yuan)"), "money", width=13),
            Column(_("Debit balance"), "money", width=13),
            Column(_("Credit balance"), "money", width=13),
        ),
        rows=rows,
        note=_(
            "Parent accounts include their sub-accounts; the totals below add up the accounts "
            "that have no sub-accounts."
        ),
    )
    figures = KeyFigures(
        title=_("Balances"),
        items=(
            (_("Debit balances"), debit, "money"),
            (_("Credit balances"), credit, "money"),
            (_("Difference"), debit - credit, "money"),
        ),
    )
    return make_notice(
        session,
        book=book,
        kind="trial_balance",
        title=_("Trial balance of {book}").format(book=book.name),
        period=period,
        sections=(figures, table),
        subtitle=_("Amounts in yuan"),
    )
