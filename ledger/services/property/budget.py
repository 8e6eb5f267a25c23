"""The owners' open budget (开放式预算): drafting, approving, executing and spending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.charts import (
    TRUST_COMMON_FUND_BANK,
    TRUST_EXPENSE_BY_BUDGET_LINE,
    TRUST_RESERVE,
    TRUST_RESERVE_APPROPRIATION,
)
from ledger.clock import utc_now_iso
from ledger.errors import (
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from ledger.i18n import _, in_language
from ledger.models import Account, AppUser, AuditEvent, Budget, BudgetLine, Posting
from ledger.money import MAX_FEN
from ledger.money import format_fen as _money
from ledger.rules.property import percent_text
from ledger.rules.text import shorten
from ledger.services.audit import record_event
from ledger.services.entries import PostedEntry, PostingLine, post_entry
from ledger.services.property._common import (
    _BUDGET_LINE_BY_CODE,
    _NOT_SPENT_DIRECTLY,
    _check_amount,
    _locked_trust_book,
    _trust_book,
)


def budget_line_account(line: str) -> str:
    """The expense account of a budget line given by key (``cleaning``) or code (``5102``)."""
    text = str(line).strip()
    if text in TRUST_EXPENSE_BY_BUDGET_LINE:
        return TRUST_EXPENSE_BY_BUDGET_LINE[text]
    if text in _BUDGET_LINE_BY_CODE:
        return text
    raise InvalidInputError(
        _("Unknown budget line “{line}”; choose one of: {choices}.").format(
            line=shorten(text), choices=", ".join(TRUST_EXPENSE_BY_BUDGET_LINE)
        )
    )


def budget_line_key(account_code: str) -> str:
    """The key (``cleaning``) of a budget line's account, or the code if it has none."""
    return _BUDGET_LINE_BY_CODE.get(account_code, account_code)


def _account_names(session: Session, book_id: int) -> dict[str, tuple[str, str]]:
    rows = session.exec(
        select(Account.code, Account.name_zh, Account.name_en).where(
            col(Account.book_id) == book_id
        )
    ).all()
    return {code: (zh, en) for code, zh, en in rows}


def _check_year(year: int) -> None:
    if type(year) is not int or not 1900 <= year <= 9999:
        raise InvalidInputError(
            _("“{year}” is not a year; write it with four digits, like 2024.").format(
                year=shorten(year)
            )
        )


def create_budget(
    session: Session,
    *,
    book_id: int,
    year: int,
    lines: Mapping[str, int],
    actor: AppUser,
) -> Budget:
    """Draft the open budget (开放式预算) of a year: ``lines`` maps a line (``wages``,
    ``cleaning`` … or its account code) to its amount in fen. It stays a draft until someone
    other than its creator approves it."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _trust_book(session, book_id)
    _check_year(year)
    if session.exec(
        select(Budget.id).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).first():
        raise InvalidInputError(
            _("“{book}” already has a budget for {year}.").format(book=book.name, year=year)
        )
    if not lines:
        raise InvalidInputError(_("A budget needs at least one line."))
    names = _account_names(session, book_id)
    amounts: dict[str, int] = {}
    for line, amount in lines.items():
        code = budget_line_account(line)
        if code in amounts:
            raise InvalidInputError(
                _("The budget line “{line}” is given twice.").format(line=budget_line_key(code))
            )
        if type(amount) is not int or amount < 0 or amount > MAX_FEN:
            raise InvalidAmountError(
                _(
                    "The amount of the budget line “{line}” must be 0 or more fen; got {value}."
                ).format(line=budget_line_key(code), value=repr(amount))
            )
        amounts[code] = amount
    budget = Budget(book_id=book_id, year=year, status="draft")
    session.add(budget)
    session.flush()
    for code in sorted(amounts):
        session.add(
            BudgetLine(
                budget_id=budget.id or 0,
                name=names[code][0],
                account_code=code,
                amount_fen=amounts[code],
            )
        )
    session.flush()
    record_event(
        session,
        actor=actor,
        action="budget.created",
        object_type="budget",
        object_id=budget.id or 0,
        detail={
            "book": book_id,
            "year": year,
            "lines": {code: amounts[code] for code in sorted(amounts)},
            "total_fen": sum(amounts.values()),
        },
    )
    return budget


def get_budget(session: Session, *, book_id: int, year: int) -> Budget:
    book = _trust_book(session, book_id)
    budget = session.exec(
        select(Budget).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).first()
    if budget is None:
        raise NotFoundError(
            _("“{book}” has no budget for {year}; create it first.").format(
                book=book.name, year=year
            )
        )
    return budget


def _budget_creator_id(session: Session, budget_id: int) -> int | None:
    return session.exec(
        select(AuditEvent.actor_id).where(
            col(AuditEvent.action) == "budget.created",
            col(AuditEvent.object_type) == "budget",
            col(AuditEvent.object_id) == str(budget_id),
        )
    ).first()


def approve_budget(
    session: Session, *, book_id: int, year: int, actor: AppUser, note: str = ""
) -> Budget:
    """Approve a draft budget (draft → approved). The approver needs the right to approve and
    may not be the budget's creator; the note can name the owners' vote that decided it."""
    require(actor.username, actor.role, Action.APPROVE)
    budget = get_budget(session, book_id=book_id, year=year)
    if budget.status == "approved":
        raise InvalidInputError(_("The {year} budget is already approved.").format(year=year))
    return mark_budget_approved(session, budget=budget, actor=actor, note=note)


def mark_budget_approved(
    session: Session, *, budget: Budget, actor: AppUser, note: str, vote_id: int | None = None
) -> Budget:
    """Record a draft budget as approved, by ``actor`` or — ``vote_id`` — by an owners'
    meeting vote that ``actor`` closed.

    In person, ``actor`` needs the right to approve and may not be the budget's drafter
    (maker-checker); with a vote the owners decided, and ``actor`` needs the right to close
    votes."""
    require(
        actor.username,
        actor.role,
        Action.APPROVE if vote_id is None else Action.MANAGE_VOTES,
    )
    if vote_id is None and _budget_creator_id(session, budget.id or 0) == actor.id:
        raise PermissionDeniedError(
            _("{user} drafted the {year} budget and cannot also approve it.").format(
                user=actor.username, year=budget.year
            )
        )
    budget.status = "approved"
    budget.approved_by_id = actor.id
    budget.approved_by_vote_id = vote_id
    budget.approved_at = utc_now_iso()
    budget.approval_note = note.strip()[:400]
    session.add(budget)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="budget.approved",
        object_type="budget",
        object_id=budget.id or 0,
        detail={
            "book": budget.book_id,
            "year": budget.year,
            "note": budget.approval_note,
            "vote": vote_id,
        },
    )
    return budget


@dataclass(frozen=True, slots=True)
class LineExecution:
    """One budget line: budget, actual (posted to its account in the year), remaining, % used."""

    line_id: int
    key: str
    account_code: str
    name_zh: str
    name_en: str
    budget_fen: int
    actual_fen: int
    remaining_fen: int
    #: ``actual / budget`` with two decimals (``"87.50%"``); None for a zero budget.
    percent_used: str | None


@dataclass(frozen=True, slots=True)
class BudgetExecution:
    year: int
    status: str
    approved_by: str | None
    lines: list[LineExecution]

    @property
    def budget_fen(self) -> int:
        return sum(line.budget_fen for line in self.lines)

    @property
    def actual_fen(self) -> int:
        return sum(line.actual_fen for line in self.lines)

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.actual_fen

    @property
    def percent_used(self) -> str | None:
        return percent_text(self.actual_fen, self.budget_fen)


def _spent_by_account(
    session: Session, book_id: int, year: int, codes: Iterable[str], at: dt.date | None = None
) -> dict[str, int]:
    last = dt.date(year, 12, 31) if at is None else min(at, dt.date(year, 12, 31))
    stmt = (
        select(col(Account.code), func.sum(col(Posting.amount_fen)))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == book_id,
            col(Account.code).in_(list(codes)),
            col(Posting.date) >= dt.date(year, 1, 1),
            col(Posting.date) <= last,
        )
        .group_by(col(Account.code))
    )
    return {str(code): int(total or 0) for code, total in session.exec(stmt)}


def budget_execution(
    session: Session, *, book_id: int, year: int, at: dt.date | None = None
) -> BudgetExecution:
    """Budget execution (预算执行) per line: what was posted to each line's account in the
    year (up to ``at``) against the line's budget."""
    budget = get_budget(session, book_id=book_id, year=year)
    lines = session.exec(
        select(BudgetLine)
        .where(col(BudgetLine.budget_id) == budget.id)
        .order_by(col(BudgetLine.account_code))
    ).all()
    names = _account_names(session, book_id)
    spent = _spent_by_account(session, book_id, year, [line.account_code for line in lines], at)
    approver = session.get(AppUser, budget.approved_by_id) if budget.approved_by_id else None
    return BudgetExecution(
        year,
        budget.status,
        approver.username if approver else None,
        [
            LineExecution(
                line.id or 0,
                budget_line_key(line.account_code),
                line.account_code,
                names.get(line.account_code, (line.name, line.name))[0],
                names.get(line.account_code, (line.name, line.name))[1],
                line.amount_fen,
                spent.get(line.account_code, 0),
                line.amount_fen - spent.get(line.account_code, 0),
                percent_text(spent.get(line.account_code, 0), line.amount_fen),
            )
            for line in lines
        ],
    )


def spend(
    session: Session,
    *,
    book_id: int,
    line: str,
    date: dt.date,
    memo: str,
    amount_fen: int,
    actor: AppUser,
    approver: AppUser | None = None,
    payee_id: int | None = None,
) -> PostedEntry:
    """Spend common funds under a line of the year's approved open budget: Dr the line's
    expense account / Cr 100201 (the reserve line: Cr 3201 储备金, an appropriation).

    Spending more than the line has left needs an approver: a user allowed to approve who is
    not the spender; the approver is recorded on the entry.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _locked_trust_book(session, book_id)
    code = budget_line_account(line)
    key = budget_line_key(code)
    if code in _NOT_SPENT_DIRECTLY:
        raise InvalidInputError(
            _("The remuneration line is posted by “remuneration” for a month, not spent directly.")
        )
    _check_amount(amount_fen, _("The amount spent"))
    if type(date) is not dt.date:
        raise InvalidInputError(_("The spending needs a date (YYYY-MM-DD)."))
    year = date.year
    budget = session.exec(
        select(Budget).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).first()
    if budget is None:
        raise InvalidInputError(
            _(
                "“{book}” has no budget for {year}; the owners' open budget must be approved "
                "before common funds are spent."
            ).format(book=book.name, year=year)
        )
    if budget.status != "approved":
        raise InvalidInputError(
            _(
                "The {year} budget is still a draft; it must be approved before common funds "
                "are spent under it."
            ).format(year=year)
        )
    budget_line = session.exec(
        select(BudgetLine).where(
            col(BudgetLine.budget_id) == budget.id, col(BudgetLine.account_code) == code
        )
    ).first()
    if budget_line is None:
        raise InvalidInputError(
            _("The {year} budget has no line “{line}”; spend under one of its lines.").format(
                year=year, line=key
            )
        )
    if approver is not None and approver.id == actor.id:
        raise PermissionDeniedError(
            _(
                "{user} is recording this spending and cannot also approve it; ask a reviewer "
                "or committee member."
            ).format(user=actor.username)
        )
    spent = _spent_by_account(session, book_id, year, [code]).get(code, 0)
    remaining = budget_line.amount_fen - spent
    zh, en = _account_names(session, book_id).get(code, (budget_line.name, budget_line.name))
    if amount_fen > remaining and approver is None:
        raise PermissionDeniedError(
            _(
                "{amount} is more than the {remaining} left on the budget line “{line}” for "
                "{year}; spending beyond the budget needs an approver (--approver)."
            ).format(
                amount=_money(amount_fen),
                remaining=_money(max(remaining, 0)),
                line=in_language(zh, en),
                year=year,
            )
        )
    credit = TRUST_RESERVE if code == TRUST_RESERVE_APPROPRIATION else TRUST_COMMON_FUND_BANK
    return post_entry(
        session,
        book_id=book_id,
        date=date,
        memo=memo,
        lines=[PostingLine(code, amount_fen, payee_id), PostingLine(credit, -amount_fen)],
        actor=actor,
        approver=approver,
    )
