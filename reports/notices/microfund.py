"""Notices of a community micro-fund (社区微基金): the income and expenditure notice (收支公示)
and the donation receipt (捐赠收据).

The income and expenditure notice counts money as it moved: every posting of the period on a
money account (cash, bank, other monetary funds — asset accounts whose code starts with
``100``) is matched by the other postings of its entry, and those say what the money was:
donation income by source, other income, programme costs by category, other expenses, or —
for anything else (a loan, a purchase of goods for stock) — other receipts and payments. So
``opening + income − spending = closing`` holds to the fen by construction, and a reversing
entry (红字冲销) simply counts against the period it is dated in.

Privacy: individual donors are masked (王*芬) unless ``show_names``; help for families in
difficulty appears only as an amount — no memo, payee or private note of any expense is ever
read here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import groupby

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ledger.chain import voucher_number
from ledger.charts import DONATION_INCOME_BY_SOURCE, MICRO_FUND_EXPENSE_BY_CATEGORY
from ledger.domain import AccountType
from ledger.errors import InvalidInputError
from ledger.i18n import _, is_chinese
from ledger.models import (
    Account,
    Activity,
    Book,
    Counterparty,
    DonationReceipt,
    Entry,
    Expense,
    Posting,
    columns,
)
from ledger.money import to_capital
from ledger.periods import Period
from ledger.rules.microfund import HARDSHIP, purpose_label, receipt_number
from ledger.rules.privacy import mask_name
from ledger.services.audit import record_anchor
from ledger.services.microfund import POSTED, find_receipt
from reports.format import amount_text
from reports.notice import (
    Cell,
    CellKind,
    Chart,
    Column,
    Digest,
    KeyFigures,
    Notice,
    Paragraph,
    Table,
)
from reports.notices.common import ReportOptions, account_name, make_notice

#: Codes of money accounts start with this (1001 cash, 1002 bank, 1009 other monetary funds).
MONEY_PREFIX = "100"
_SOURCE_OF_CODE = {code: source for source, code in DONATION_INCOME_BY_SOURCE.items()}
_CATEGORY_OF_CODE = {code: cat for cat, code in MICRO_FUND_EXPENSE_BY_CATEGORY.items()}
#: Row keys of money that moved against accounts that are neither income nor expense.
OTHER_RECEIPTS, OTHER_PAYMENTS = "~receipts", "~payments"


def is_money_account(code: str, kind: str) -> bool:
    """Whether an account holds the fund's money (cash, bank, other monetary funds)."""
    return kind == AccountType.ASSET.value and code.startswith(MONEY_PREFIX)


@dataclass(frozen=True, slots=True)
class _Account:
    code: str
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class Flow:
    """The money one non-money posting stands for: ``amount_fen`` is the money it brought in
    (positive) or paid out (negative) — the posting's amount with its sign turned."""

    entry_id: int
    date: dt.date
    voucher: str
    reverses_id: int | None
    code: str
    kind: str
    amount_fen: int
    counterparty_id: int | None


@dataclass(frozen=True, slots=True)
class FundFlows:
    """The fund's money for a period, read once from the postings."""

    #: Money on hand per money-account code, at the day before the period and at its end.
    opening: dict[str, int]
    closing: dict[str, int]
    #: Flows of the period (entries dated in it that moved money).
    flows: list[Flow]
    #: Spending per activity id through the period's end (for "spent to date").
    spent_to_date: dict[int, int]
    #: The activity each expense entry (or the entry it reverses) pays for.
    activity_of_entry: dict[int, int]
    accounts: dict[str, _Account]

    @property
    def opening_fen(self) -> int:
        return sum(self.opening.values())

    @property
    def closing_fen(self) -> int:
        return sum(self.closing.values())

    def activity_of(self, flow: Flow) -> int | None:
        found = self.activity_of_entry.get(flow.entry_id)
        if found is None and flow.reverses_id is not None:
            found = self.activity_of_entry.get(flow.reverses_id)
        return found


def _is_income_flow(flow: Flow) -> bool:
    if flow.kind == AccountType.INCOME.value:
        return True
    if flow.kind == AccountType.EXPENSE.value:
        return False
    return flow.amount_fen > 0


def _row_key(flow: Flow) -> str:
    if flow.kind in (AccountType.INCOME.value, AccountType.EXPENSE.value):
        return flow.code
    return OTHER_RECEIPTS if flow.amount_fen > 0 else OTHER_PAYMENTS


def income_by_row(fund: FundFlows) -> dict[str, int]:
    """Money received in the period by income account code (or :data:`OTHER_RECEIPTS`)."""
    out: dict[str, int] = defaultdict(int)
    for flow in fund.flows:
        if _is_income_flow(flow):
            out[_row_key(flow)] += flow.amount_fen
    return dict(out)


def spending_by_row(fund: FundFlows) -> dict[str, int]:
    """Money paid out in the period by expense account code (or :data:`OTHER_PAYMENTS`)."""
    out: dict[str, int] = defaultdict(int)
    for flow in fund.flows:
        if not _is_income_flow(flow):
            out[_row_key(flow)] -= flow.amount_fen
    return dict(out)


def _expense_activities(session: Session, book_id: int) -> dict[int, int]:
    rows = session.exec(
        select(Expense.entry_id, Expense.activity_id).where(
            col(Expense.book_id) == book_id,
            col(Expense.status) == POSTED,
            col(Expense.entry_id).is_not(None),
            col(Expense.activity_id).is_not(None),
        )
    ).all()
    return {e: a for e, a in rows if e is not None and a is not None}


def fund_flows(session: Session, *, book_id: int, period: Period) -> FundFlows:
    """Read the book's postings through the period's end once: balances and flows."""
    accounts = {
        a.code: _Account(a.code, a.type, account_name(a.name_zh, a.name_en))
        for a in session.exec(select(Account).where(col(Account.book_id) == book_id)).all()
    }
    activity_of_entry = _expense_activities(session, book_id)
    stmt = (
        sa_select(
            *columns(
                Posting.entry_id,
                Posting.date,
                Entry.year,
                Entry.seq,
                Entry.reverses_id,
                Account.code,
                Account.type,
                Posting.amount_fen,
                Posting.counterparty_id,
            )
        )
        .join(Entry, col(Entry.id) == col(Posting.entry_id))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(col(Posting.book_id) == book_id, col(Posting.date) <= period.end)
        .order_by(col(Posting.entry_id), col(Posting.line_no))
    )
    opening: dict[str, int] = defaultdict(int)
    closing: dict[str, int] = defaultdict(int)
    flows: list[Flow] = []
    spent_to_date: dict[int, int] = defaultdict(int)
    for entry_id, lines_iter in groupby(session.connection().execute(stmt), key=lambda r: r[0]):
        lines = list(lines_iter)
        if not any(is_money_account(line[5], line[6]) for line in lines):
            continue  # no money moved (nothing for a notice of money in and out)
        for _e, date, year, seq, reverses_id, code, kind, fen, cp in lines:
            if is_money_account(code, kind):
                closing[code] += fen
                if date < period.start:
                    opening[code] += fen
                continue
            flow = Flow(
                entry_id=entry_id,
                date=date,
                voucher=voucher_number(year, seq),
                reverses_id=reverses_id,
                code=code,
                kind=kind,
                amount_fen=-fen,
                counterparty_id=cp,
            )
            if date >= period.start:
                flows.append(flow)
            if kind == AccountType.EXPENSE.value:
                activity = activity_of_entry.get(entry_id)
                if activity is None and reverses_id is not None:
                    activity = activity_of_entry.get(reverses_id)
                if activity is not None:
                    spent_to_date[activity] += fen
    for code in closing:
        opening.setdefault(code, 0)
    return FundFlows(
        opening=dict(opening),
        closing=dict(closing),
        flows=sorted(flows, key=lambda f: (f.date, f.voucher)),
        spent_to_date=dict(spent_to_date),
        activity_of_entry=activity_of_entry,
        accounts=accounts,
    )


# --- rows of the notice -------------------------------------------------------------------------


def _share(amount: int, total: int) -> Fraction | None:
    return Fraction(amount, total) if total > 0 else None


def _count(flows: Sequence[Flow]) -> int:
    """How many payments stand: a reversal cancels the one it reverses."""
    return sum(1 if f.reverses_id is None else -1 for f in flows)


def _hardship_label(name: str) -> str:
    return _("{category} (names withheld)").format(category=name)


@dataclass(frozen=True, slots=True)
class Line:
    """One row of the income or the spending table: what it is, how many, how much."""

    key: str
    label: str
    count: int
    amount_fen: int


def income_lines(fund: FundFlows) -> list[Line]:
    """Every donation source (also those that gave nothing this period), then other income
    and other receipts that moved money."""
    amounts = income_by_row(fund)
    flows: dict[str, list[Flow]] = defaultdict(list)
    for f in fund.flows:
        if _is_income_flow(f):
            flows[_row_key(f)].append(f)
    keys = list(DONATION_INCOME_BY_SOURCE.values())
    keys += sorted(k for k in amounts if k not in keys and k != OTHER_RECEIPTS)
    if OTHER_RECEIPTS in amounts:
        keys.append(OTHER_RECEIPTS)
    out = []
    for key in keys:
        if key == OTHER_RECEIPTS:
            label = _("Other receipts (not income)")
        else:
            account = fund.accounts.get(key)
            label = account.name if account is not None else key
        out.append(Line(key, label, _count(flows[key]), amounts.get(key, 0)))
    return out


def spending_lines(fund: FundFlows) -> list[Line]:
    """Every spending category (help for families in difficulty as an amount only), then
    other expenses and other payments that moved money."""
    amounts = spending_by_row(fund)
    flows: dict[str, list[Flow]] = defaultdict(list)
    for f in fund.flows:
        if not _is_income_flow(f):
            flows[_row_key(f)].append(f)
    keys = list(MICRO_FUND_EXPENSE_BY_CATEGORY.values())
    keys += sorted(k for k in amounts if k not in keys and k != OTHER_PAYMENTS)
    if OTHER_PAYMENTS in amounts:
        keys.append(OTHER_PAYMENTS)
    out = []
    for key in keys:
        if key == OTHER_PAYMENTS:
            label = _("Other payments (not expenses)")
        else:
            account = fund.accounts.get(key)
            label = account.name if account is not None else key
        out.append(Line(key, label, _count(flows[key]), amounts.get(key, 0)))
    return out


@dataclass(frozen=True, slots=True)
class DonorLine:
    date: dt.date
    receipt: str
    voucher: str
    donor: str
    source: str
    purpose: str
    amount_fen: int


def _receipts_by_entry(session: Session, book_id: int) -> dict[int, DonationReceipt]:
    return {
        r.entry_id: r
        for r in session.exec(
            select(DonationReceipt).where(col(DonationReceipt.book_id) == book_id)
        ).all()
    }


def _donor_names(session: Session, ids: set[int], *, show_names: bool) -> dict[int, str]:
    if not ids:
        return {}
    people = session.exec(select(Counterparty).where(col(Counterparty.id).in_(ids))).all()
    return {
        cp.id or 0: cp.name if show_names else mask_name(cp.name, is_individual=cp.is_individual)
        for cp in people
    }


def donor_lines(
    session: Session, fund: FundFlows, *, book_id: int, show_names: bool
) -> list[DonorLine]:
    """Every donation of the period (a reversed one as a negative line), the donor masked
    unless ``show_names``; the lines add up to the donation rows of the income table."""
    donations = [f for f in fund.flows if f.code in _SOURCE_OF_CODE]
    receipts = _receipts_by_entry(session, book_id)
    donor_ids = {f.counterparty_id for f in donations if f.counterparty_id is not None}
    donor_ids |= {r.counterparty_id for r in receipts.values()}
    names = _donor_names(session, donor_ids, show_names=show_names)
    chinese = is_chinese()
    out = []
    for f in donations:
        receipt = receipts.get(f.entry_id)
        reversal = receipt is None and f.reverses_id is not None
        if reversal and f.reverses_id is not None:
            receipt = receipts.get(f.reverses_id)
        number = receipt_number(receipt.year, receipt.seq) if receipt is not None else ""
        if reversal and number:
            number = _("{number} (reversed)").format(number=number)
        donor_id = f.counterparty_id or (receipt.counterparty_id if receipt else None)
        purpose = receipt.purpose if receipt is not None else None
        account = fund.accounts.get(f.code)
        out.append(
            DonorLine(
                date=f.date,
                receipt=number,
                voucher=f.voucher,
                donor=names.get(donor_id or 0, _("(not named)")),
                source=account.name if account is not None else f.code,
                purpose=(
                    purpose_label(purpose, chinese=chinese)
                    if purpose is not None
                    else _("unrestricted")
                ),
                amount_fen=f.amount_fen,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ActivityLine:
    id: int
    name: str
    date: dt.date
    budget_fen: int
    spent_fen: int
    spent_to_date_fen: int

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.spent_to_date_fen


def activity_lines(
    session: Session, fund: FundFlows, *, book_id: int, period: Period
) -> tuple[list[ActivityLine], int]:
    """Activities held in the period or paid for in it — budget, spent in the period, spent
    through its end, remaining — and the period's spending tied to no activity."""
    in_period: dict[int, int] = defaultdict(int)
    untied = 0
    for f in fund.flows:
        if _is_income_flow(f):
            continue
        spent = -f.amount_fen
        activity = fund.activity_of(f) if f.kind == AccountType.EXPENSE.value else None
        if activity is None:
            untied += spent
        else:
            in_period[activity] += spent
    activities = session.exec(
        select(Activity)
        .where(col(Activity.book_id) == book_id)
        .order_by(col(Activity.date), col(Activity.id))
    ).all()
    lines = [
        ActivityLine(
            id=a.id or 0,
            name=a.name,
            date=a.date,
            budget_fen=a.budget_fen,
            spent_fen=in_period.get(a.id or 0, 0),
            spent_to_date_fen=fund.spent_to_date.get(a.id or 0, 0),
        )
        for a in activities
        if period.start <= a.date <= period.end or (a.id or 0) in in_period
    ]
    return lines, untied


@dataclass(frozen=True, slots=True)
class RestrictedLine:
    """Money donors restricted to one purpose: left at the start, given, spent, left at the end."""

    purpose: str
    label: str
    opening_fen: int
    received_fen: int
    spent_fen: int

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.received_fen - self.spent_fen


def restricted_lines(session: Session, *, book_id: int, period: Period) -> list[RestrictedLine]:
    """Restricted money by purpose as of the period's dates (the service's rules: donations
    restricted to a purpose less the posted expenses paid from it; a reversal takes a
    donation or an expense back on the day it is dated)."""
    reversal_dates = {
        reversed_id: date
        for reversed_id, date in session.exec(
            select(col(Entry.reverses_id), col(Entry.date)).where(
                col(Entry.book_id) == book_id, col(Entry.reverses_id).is_not(None)
            )
        ).all()
        if reversed_id is not None
    }
    entry_dates: dict[int | None, dt.date] = dict(
        session.exec(
            select(col(Entry.id), col(Entry.date)).where(
                col(Entry.book_id) == book_id,
                col(Entry.id).in_(
                    select(Expense.entry_id).where(
                        col(Expense.book_id) == book_id, col(Expense.purpose).is_not(None)
                    )
                ),
            )
        ).all()
    )
    # Each event: the purpose, its date, whether money was given (else spent), and how much
    # (a reversal takes back, so its amount is negative).
    events: list[tuple[str, dt.date, bool, int]] = []
    for purpose, amount, date, entry_id in session.exec(
        select(
            col(DonationReceipt.purpose),
            col(DonationReceipt.amount_fen),
            col(DonationReceipt.date),
            col(DonationReceipt.entry_id),
        ).where(col(DonationReceipt.book_id) == book_id, col(DonationReceipt.purpose).is_not(None))
    ).all():
        if purpose is None:
            continue
        events.append((purpose, date, True, amount))
        if entry_id in reversal_dates:
            events.append((purpose, reversal_dates[entry_id], True, -amount))
    for purpose, amount, status, paid_by in session.exec(
        select(Expense.purpose, Expense.amount_fen, Expense.status, Expense.entry_id).where(
            col(Expense.book_id) == book_id, col(Expense.purpose).is_not(None)
        )
    ).all():
        if purpose is None or status != POSTED or paid_by is None or paid_by not in entry_dates:
            continue
        events.append((purpose, entry_dates[paid_by], False, amount))
        if paid_by in reversal_dates:
            events.append((purpose, reversal_dates[paid_by], False, -amount))
    opening: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    for purpose, date, given, amount in events:
        if date < period.start:
            opening[purpose] += amount if given else -amount
        elif date <= period.end:
            (received if given else spent)[purpose] += amount
    chinese = is_chinese()
    out = [
        RestrictedLine(
            p,
            purpose_label(p, chinese=chinese),
            opening[p],
            received[p],
            spent[p],
        )
        for p in sorted(set(opening) | set(received) | set(spent))
    ]
    return [r for r in out if r.opening_fen or r.received_fen or r.spent_fen]


# --- the income and expenditure notice ----------------------------------------------------------


def _income_table(lines: list[Line], total: int) -> Table:
    return Table(
        sheet=_("Income by source"),
        title=_("Income by source"),
        columns=(
            Column(_("Source"), width=24),
            Column(_("Count"), "int", total=True, width=8),
            Column(_("Amount (yuan)"), "money", total=True, width=14),
            Column(_("Share"), "percent", width=9),
        ),
        rows=[(ln.label, ln.count, ln.amount_fen, _share(ln.amount_fen, total)) for ln in lines],
        total_label=_("Total"),
        note=_("A reversed donation counts against the period of its reversal."),
    )


def _donor_table(lines: list[DonorLine], *, show_names: bool) -> Table:
    return Table(
        sheet=_("Donor list"),
        title=_("Donor list"),
        columns=(
            Column(_("Date"), "date", width=10),
            Column(_("Receipt No."), width=14),
            Column(_("Voucher"), width=14),
            Column(_("Donor"), width=25),
            Column(_("Source"), width=14),
            Column(_("Purpose"), width=12),
            Column(_("Amount (yuan)"), "money", total=True, width=13),
        ),
        rows=[
            (d.date, d.receipt, d.voucher, d.donor, d.source, d.purpose, d.amount_fen)
            for d in lines
        ],
        total_label=_("Total"),
        note=(
            _("For internal use: donors' names are shown in full.")
            if show_names
            else _("Names of individual donors are masked; organisations are named in full.")
        ),
        is_list=True,
    )


def _spending_table(lines: list[Line], total: int) -> Table:
    rows: list[Sequence[Cell]] = []
    for ln in lines:
        label = ln.label
        if _CATEGORY_OF_CODE.get(ln.key) == HARDSHIP:
            label = _hardship_label(label)
        rows.append((label, ln.count, ln.amount_fen, _share(ln.amount_fen, total)))
    return Table(
        sheet=_("Spending by category"),
        title=_("Spending by category"),
        columns=(
            Column(_("Category"), width=24),
            Column(_("Count"), "int", total=True, width=8),
            Column(_("Amount (yuan)"), "money", total=True, width=14),
            Column(_("Share"), "percent", width=9),
        ),
        rows=rows,
        total_label=_("Total"),
        note=_(
            "Help for families in difficulty is shown as an amount only; the families helped "
            "are never named."
        ),
    )


def _activity_table(lines: list[ActivityLine], untied: int) -> Table:
    rows: list[Sequence[Cell]] = [
        (a.name, a.date, a.budget_fen, a.spent_fen, a.spent_to_date_fen, a.remaining_fen)
        for a in lines
    ]
    if untied:
        rows.append((_("Spending not tied to an activity"), None, None, untied, None, None))
    return Table(
        sheet=_("Spending by activity"),
        title=_("Spending by activity"),
        columns=(
            Column(_("Activity"), width=22),
            Column(_("Date"), "date", width=10),
            Column(_("Budget (yuan)"), "money", total=True, width=12),
            Column(_("Spent in the period"), "money", total=True, width=12),
            Column(_("Spent to date"), "money", width=12),
            Column(_("Remaining"), "money", width=12),
        ),
        rows=rows,
        total_label=_("Total"),
        note=_(
            "Spent to date counts an activity's spending through the end of the period; "
            "remaining is its budget less that. The total spent in the period equals the "
            "spending total."
        ),
    )


def _restricted_table(lines: list[RestrictedLine]) -> Table:
    return Table(
        sheet=_("Restricted money"),
        title=_("Restricted money by purpose"),
        columns=(
            Column(_("Purpose"), width=22),
            Column(_("Left at the start"), "money", total=True, width=12),
            Column(_("Received"), "money", total=True, width=12),
            Column(_("Spent"), "money", total=True, width=12),
            Column(_("Left at the end"), "money", total=True, width=12),
        ),
        rows=[(r.label, r.opening_fen, r.received_fen, r.spent_fen, r.closing_fen) for r in lines],
        total_label=_("Total"),
        note=_("Money a donor gave for a named purpose is spent only on that purpose."),
    )


def _money_table(fund: FundFlows) -> Table:
    codes = sorted(c for c in fund.closing if fund.opening.get(c) or fund.closing.get(c))
    return Table(
        sheet=_("Money on hand"),
        title=_("Money on hand by account"),
        columns=(
            Column(_("Account"), width=24),
            Column(_("Opening balance"), "money", total=True, width=14),
            Column(_("Closing balance"), "money", total=True, width=14),
        ),
        rows=[
            (
                f"{code} {fund.accounts[code].name}" if code in fund.accounts else code,
                fund.opening.get(code, 0),
                fund.closing.get(code, 0),
            )
            for code in codes
        ],
        total_label=_("Total"),
    )


def build_income_expenditure(
    session: Session, book: Book, period: Period, options: ReportOptions
) -> Notice:
    """社区微基金收支公示: balances, income by source with the donor list, spending by category
    and by activity, restricted money, and two charts."""
    book_id = book.id or 0
    fund = fund_flows(session, book_id=book_id, period=period)
    incomes = income_lines(fund)
    spendings = spending_lines(fund)
    income = sum(ln.amount_fen for ln in incomes)
    spending = sum(ln.amount_fen for ln in spendings)
    donors = donor_lines(session, fund, book_id=book_id, show_names=options.show_names)
    activities, untied = activity_lines(session, fund, book_id=book_id, period=period)
    restricted = restricted_lines(session, book_id=book_id, period=period)
    before = period.start - dt.timedelta(days=1)
    items: list[tuple[str, Cell, CellKind]] = [
        (_("Opening balance ({date})").format(date=before.isoformat()), fund.opening_fen, "money"),
        (_("Income in the period"), income, "money"),
        (_("Spending in the period"), spending, "money"),
        (
            _("Closing balance ({date})").format(date=period.end.isoformat()),
            fund.closing_fen,
            "money",
        ),
    ]
    if restricted:
        left = sum(r.closing_fen for r in restricted)
        items += [
            (_("of which restricted to named purposes"), left, "money"),
            (_("of which unrestricted"), fund.closing_fen - left, "money"),
        ]
    figures = KeyFigures(
        title=_("Balances"),
        items=tuple(items),
    )
    pie = [ln for ln in incomes if ln.amount_fen > 0]
    # Every category, also those with nothing spent, so that one bar never fills the chart.
    bars = [ln for ln in spendings if ln.amount_fen >= 0]
    sections: list[KeyFigures | Table | Chart | Paragraph] = [
        figures,
        Paragraph(
            _(
                "Opening balance + income − spending = closing balance: {opening} + {income} − "
                "{spending} = {closing} yuan."
            ).format(
                opening=amount_text(fund.opening_fen),
                income=amount_text(income),
                spending=amount_text(spending),
                closing=amount_text(fund.closing_fen),
            )
        ),
        _money_table(fund),
        _income_table(incomes, income),
        Chart(
            "pie",
            _("Income by source"),
            tuple(ln.label for ln in pie),
            ((_("Income"), tuple(ln.amount_fen for ln in pie)),),
        ),
        _donor_table(donors, show_names=options.show_names),
        _spending_table(spendings, spending),
        Chart(
            "bar",
            _("Spending by category"),
            tuple(ln.label for ln in bars),
            ((_("Spent"), tuple(ln.amount_fen for ln in bars)),),
        ),
        _activity_table(activities, untied),
    ]
    if restricted:
        sections.append(_restricted_table(restricted))
    return make_notice(
        session,
        book=book,
        kind="income_expenditure",
        title=_("{book} income and expenditure notice").format(book=book.name),
        period=period,
        sections=tuple(sections),
        subtitle=(
            _("Amounts in yuan; for internal use: names shown in full")
            if options.show_names
            else _("Amounts in yuan; names of individuals masked")
        ),
    )


# --- the donation receipt -----------------------------------------------------------------------


def build_receipt(session: Session, book: Book, period: Period, options: ReportOptions) -> Notice:
    """捐赠收据 for ``options.receipt``: number, date, donor (masked unless ``show_names``),
    amount in figures and in capitals, purpose, the organisation and the book."""
    del period  # a receipt is dated by its donation; the frame shows the donation's year
    if not options.receipt:
        raise InvalidInputError(_("Say which receipt to print: --receipt 捐-2024-0001."))
    view = find_receipt(session, book_id=book.id or 0, number=options.receipt)
    donor = view.donor_name
    if options.show_names:
        person = session.get(Counterparty, view.donor_id)
        donor = person.name if person is not None else donor
    capital = to_capital(view.amount_fen)
    purpose = (
        _("restricted to “{purpose}”").format(purpose=view.purpose_label)
        if view.restricted
        else _("unrestricted")
    )
    items: list[tuple[str, Cell, CellKind]] = [
        (_("Receipt No."), view.number, "text"),
        (_("Date"), view.date, "date"),
        (_("Donor"), donor, "text"),
        (_("Kind of donor"), view.donor_kind, "text"),
        (_("Source"), view.source_label, "text"),
        (_("Amount (yuan)"), view.amount_fen, "money"),
        (_("In capitals"), capital, "text"),
        (_("Purpose"), purpose, "text"),
        (_("Received into"), f"{view.organisation or view.book_name} · {view.book_name}", "text"),
        (_("Voucher"), view.voucher_number, "text"),
    ]
    if view.reversed_by:
        items.append(
            (_("Status"), _("cancelled by reversing entry {voucher}").format(
                voucher=view.reversed_by), "text")
        )  # fmt: skip
    year = view.date.year
    frame = Period.year(year)
    notice = make_notice(
        session,
        book=book,
        kind="receipt",
        title=_("Donation receipt"),
        period=frame,
        sections=(
            KeyFigures(
                title=_("The donation"),
                items=tuple(items),
            ),
            Paragraph(
                _(
                    "Received with thanks from {donor} the sum of {capital} ({amount} yuan) as "
                    "a donation to {book} of {organisation}, {purpose}."
                ).format(
                    donor=donor,
                    capital=capital,
                    amount=amount_text(view.amount_fen),
                    book=view.book_name,
                    organisation=view.organisation or view.book_name,
                    purpose=purpose,
                )
            ),
        ),
        subtitle=view.number,
    )
    return dataclasses.replace(notice, digest=_receipt_digest(session, view.entry_id))


def _receipt_digest(session: Session, entry_id: int) -> Digest | None:
    """The ledger's record now, naming the donation's entry — or its reversal, when it was
    reversed."""
    reversal = session.exec(select(Entry).where(col(Entry.reverses_id) == entry_id)).first()
    entry = reversal or session.get(Entry, entry_id)
    anchor = record_anchor(session)
    if entry is None or anchor is None:
        return None
    return Digest(anchor[1], anchor[0], voucher_number(entry.year, entry.seq), entry.date)
