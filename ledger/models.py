"""The tables of a ledger file (SQLModel). See DESIGN.md, "Data model".

Conventions: money is ``amount_fen`` (BIGINT, integer fen, debit +, credit −); dates are ``DATE``;
moments are ISO-8601 UTC text (``2026-11-23T08:15:00Z``) so that every backend stores and hashes
exactly the same characters. Posted entries and their postings are never updated or deleted.

Start-up cost (issue 13): defining these 32 classes is about a tenth of a second, mostly
SQLAlchemy's declarative mapping and pydantic's field collection. Two things keep it lower: the
annotations are real types, not strings (no ``from __future__ import annotations``: pydantic
would evaluate every string again), and pydantic's validator and serializer of a table are built
only if something validates or dumps one (``defer_build``; the ledger never does, a table row
is made and read by SQLAlchemy).
"""

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel, col
from sqlmodel._compat import SQLModelConfig

#: ``prev_hash`` of the first entry of a book and of the first audit event.
GENESIS_HASH = "0" * 64


#: The ``ledger_meta`` key holding the newest audit event as ``"<seq> <hash>"``: kept outside
#: the trail, so that events deleted at its end are noticed by verification.
AUDIT_HEAD_KEY = "audit_head"


class _Table(SQLModel):
    """The base of every table: SQLModel's settings, with pydantic's schema built lazily."""

    model_config = SQLModelConfig(from_attributes=True, defer_build=True)


class LedgerMeta(_Table, table=True):
    """Key/value facts about the ledger file itself (which app wrote it, when)."""

    __tablename__ = "ledger_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=400)


class AppUser(_Table, table=True):
    """A person who uses the ledger (用户), with a role, a password hash and a signing key:
    ``public_key`` (Ed25519, registered in the record of changes when the user is made) and
    ``signing_key``, its private half encrypted under the user's password (:mod:`ledger.signing`).
    """

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=400)
    public_key: str | None = Field(default=None, max_length=64)
    signing_key: str | None = Field(default=None, max_length=400)
    active: bool = Field(default=True)
    created_at: str = Field(max_length=32)


class Book(_Table, table=True):
    """One set of books (账套): a micro-fund, a trust-property account or a village's revenue.

    ``head_index``/``head_hash`` repeat the last link of the entry chain so that deleting the
    newest entries is found by verification too.
    """

    __tablename__ = "book"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=32)
    name: str = Field(max_length=200, unique=True)
    organisation: str = Field(default="", max_length=200)
    created_at: str = Field(max_length=32)
    closed_through: dt.date | None = Field(default=None)
    head_index: int = Field(default=0)
    head_hash: str = Field(default=GENESIS_HASH, max_length=64)


class Account(_Table, table=True):
    """A ledger account (会计科目) of one book."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("book_id", "code", name="uq_account_book_code"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    code: str = Field(max_length=20)
    name_zh: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    type: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="account.id")
    active: bool = Field(default=True)


class Counterparty(_Table, table=True):
    """A donor or payee (往来单位/个人). ``contact`` is private and never disclosed."""

    __tablename__ = "counterparty"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    name: str = Field(max_length=200)
    is_individual: bool = Field(default=False)
    contact: str = Field(default="", max_length=400)
    note: str = Field(default="", max_length=400)
    created_at: str = Field(max_length=32)


class Entry(_Table, table=True):
    """A voucher (记账凭证): gapless number per book and year, chained by hash within its book."""

    __tablename__ = "entry"
    __table_args__ = (
        UniqueConstraint("book_id", "year", "seq", name="uq_entry_number"),
        UniqueConstraint("book_id", "chain_index", name="uq_entry_chain"),
    )

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id")
    year: int
    seq: int
    chain_index: int
    date: dt.date
    memo: str = Field(max_length=200)
    status: str = Field(default="posted", max_length=16)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: str = Field(max_length=32)
    reverses_id: int | None = Field(default=None, foreign_key="entry.id", index=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Posting(_Table, table=True):
    """One line of an entry (分录). ``book_id`` and ``date`` repeat the entry's so balances and
    the journal read one table; verification checks that they agree."""

    __tablename__ = "posting"
    __table_args__ = (
        UniqueConstraint("entry_id", "line_no", name="uq_posting_line"),
        Index("ix_posting_balance", "book_id", "account_id", "date", "amount_fen"),
        Index("ix_posting_journal", "book_id", "date", "entry_id", "line_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id")
    book_id: int = Field(foreign_key="book.id")
    line_no: int
    account_id: int = Field(foreign_key="account.id")
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    date: dt.date
    counterparty_id: int | None = Field(default=None, foreign_key="counterparty.id")


class Attachment(_Table, table=True):
    """A receipt or voucher image (附件) kept with its entry; ``sha256`` proves it unchanged."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    added_by_id: int = Field(foreign_key="app_user.id")
    added_at: str = Field(max_length=32)


class AuditEvent(_Table, table=True):
    """Who changed what, when (审计日志); chained by hash like the entries."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    detail: str = Field(default="{}")
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


def columns(*attributes: Any) -> list[Any]:
    """Model attributes as SQL columns, for ``select(*columns(A.x, B.y, …))`` of many columns
    (SQLModel's typed ``select`` stops at four)."""
    return [col(a) for a in attributes]


# --- Community books (issue 3) ------------------------------------------------------------------


class BookSetting(_Table, table=True):
    """A setting of one book (approval threshold, remuneration rate …), as text.

    Which keys exist and their defaults live with the services that read them."""

    __tablename__ = "book_setting"

    book_id: int = Field(foreign_key="book.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=400)


class Household(_Table, table=True):
    """A household (户): the unit of one-ballot-per-household votes, of the points ledger and of
    village shares. ``label`` is how neighbours know it (3栋2单元501, 一组 张家); ``head_name`` is
    private. ``members`` counts people (per-capita parts), ``shares`` village shares."""

    __tablename__ = "household"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=100, unique=True)
    head_name: str = Field(default="", max_length=100)
    members: int = Field(default=1)
    shares: int = Field(default=0)
    active: bool = Field(default=True)
    created_at: str = Field(max_length=32)


class Activity(_Table, table=True):
    """A micro-fund activity (活动), e.g. the 重阳宴: a budget, and how many took part."""

    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("book_id", "name", name="uq_activity_name"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    name: str = Field(max_length=100)
    date: dt.date
    budget_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    participants: int = Field(default=0)
    note: str = Field(default="", max_length=400)
    #: The participatory-budgeting vote that selected it, when one did.
    vote_id: int | None = Field(default=None, foreign_key="vote.id")


class DonationReceipt(_Table, table=True):
    """A donation and its receipt (捐赠收据), numbered without gaps per book and year.

    ``purpose`` is set for restricted (限定性) money: the activity or spending category the donor
    designated; such money may be spent on that purpose only."""

    __tablename__ = "donation_receipt"
    __table_args__ = (UniqueConstraint("book_id", "year", "seq", name="uq_receipt_number"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id")
    year: int
    seq: int
    entry_id: int = Field(foreign_key="entry.id", unique=True)
    counterparty_id: int = Field(foreign_key="counterparty.id", index=True)
    source: str = Field(max_length=32)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    date: dt.date
    purpose: str | None = Field(default=None, max_length=100)


class Expense(_Table, table=True):
    """Spending (支出) awaiting or past approval. Only approved expenses are posted.

    ``purpose`` names the restricted money it is paid from (None: unrestricted). A hardship
    beneficiary is described only in ``private_note``, which no notice shows."""

    __tablename__ = "expense"

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    date: dt.date
    memo: str = Field(max_length=200)
    category: str = Field(max_length=32)
    account_code: str = Field(max_length=20)
    pay_from_code: str = Field(max_length=20)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    counterparty_id: int | None = Field(default=None, foreign_key="counterparty.id")
    activity_id: int | None = Field(default=None, foreign_key="activity.id")
    budget_line_id: int | None = Field(default=None, foreign_key="budget_line.id")
    purpose: str | None = Field(default=None, max_length=100)
    private_note: str = Field(default="", max_length=400)
    approvals_required: int = Field(default=0)
    status: str = Field(default="pending", max_length=16)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: str = Field(max_length=32)
    entry_id: int | None = Field(default=None, foreign_key="entry.id")


class ExpenseDecision(_Table, table=True):
    """One approver's approval or rejection (with its reason) of an expense."""

    __tablename__ = "expense_decision"
    __table_args__ = (UniqueConstraint("expense_id", "user_id", name="uq_decision_once"),)

    id: int | None = Field(default=None, primary_key=True)
    expense_id: int = Field(foreign_key="expense.id", index=True)
    user_id: int = Field(foreign_key="app_user.id")
    approve: bool
    reason: str = Field(default="", max_length=400)
    at: str = Field(max_length=32)


class PointsEntry(_Table, table=True):
    """A line of a household's points ledger (积分): earned (+) for volunteering, redeemed (−)."""

    __tablename__ = "points_entry"

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    date: dt.date
    points: int
    reason: str = Field(max_length=200)
    expense_id: int | None = Field(default=None, foreign_key="expense.id")
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: str = Field(max_length=32)


class PropertyUnit(_Table, table=True):
    """A unit of a trust-property estate (楼栋-单元-房号) with its exclusive area.

    ``area_dm2`` is the area in square decimetres (0.01 m², exact); ``owner_key`` groups the
    units of one owner; ``owner_name`` is private."""

    __tablename__ = "property_unit"
    __table_args__ = (
        UniqueConstraint("book_id", "building", "unit", "room", name="uq_property_unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    building: str = Field(max_length=20)
    unit: str = Field(default="", max_length=20)
    room: str = Field(max_length=20)
    area_dm2: int
    owner_key: str = Field(max_length=64)
    owner_name: str = Field(default="", max_length=100)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    #: 建设单位尚未出卖: still the developer's; all such units count as one owner (art. 278).
    unsold: bool = Field(default=False)


class FeeBill(_Table, table=True):
    """A unit's property fee for one month (物业费账单)."""

    __tablename__ = "fee_bill"
    __table_args__ = (UniqueConstraint("unit_id", "period", name="uq_fee_bill_period"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    unit_id: int = Field(foreign_key="property_unit.id")
    period: str = Field(max_length=7)
    rate_fen_per_m2: int
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_id: int = Field(foreign_key="entry.id")


class FeeCollection(_Table, table=True):
    """Money received from a unit (收缴): ``applied_fen`` settles bills, ``prepaid_fen`` is kept
    as a prepayment (预收) for later bills."""

    __tablename__ = "fee_collection"

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    unit_id: int = Field(foreign_key="property_unit.id", index=True)
    date: dt.date
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    applied_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    prepaid_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_id: int = Field(foreign_key="entry.id")


class Remuneration(_Table, table=True):
    """The property company's remuneration (酬金) for a period: rate × basis, posted once."""

    __tablename__ = "remuneration"
    __table_args__ = (UniqueConstraint("book_id", "period", name="uq_remuneration_period"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id")
    period: str = Field(max_length=7)
    basis: str = Field(max_length=16)
    basis_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    rate_bp: int
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_id: int = Field(foreign_key="entry.id")


class Budget(_Table, table=True):
    """An open budget (开放式预算) of a book for a year: draft until approved."""

    __tablename__ = "budget"
    __table_args__ = (UniqueConstraint("book_id", "year", name="uq_budget_year"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id")
    year: int
    status: str = Field(default="draft", max_length=16)
    approved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    approved_at: str | None = Field(default=None, max_length=32)
    approval_note: str = Field(default="", max_length=400)
    #: The owners' meeting vote that approved it, when a vote did (issue 4).
    approved_by_vote_id: int | None = Field(default=None, foreign_key="vote.id")


class BudgetLine(_Table, table=True):
    """One line of an open budget, mapped to the expense account its spending is posted to."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("budget_id", "account_code", name="uq_budget_line"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    name: str = Field(max_length=100)
    account_code: str = Field(max_length=20)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))


class Transfer(_Table, table=True):
    """Money moved between two books of the ledger as one linked pair of entries (e.g. the
    property company's remuneration gift to a micro-fund), traceable from either side."""

    __tablename__ = "transfer"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    period: str = Field(default="", max_length=7)
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    from_book_id: int = Field(foreign_key="book.id")
    from_entry_id: int = Field(foreign_key="entry.id", unique=True)
    to_book_id: int = Field(foreign_key="book.id")
    to_entry_id: int = Field(foreign_key="entry.id", unique=True)
    created_at: str = Field(max_length=32)


class ExitSchedule(_Table, table=True):
    """The outside investor's capital-exit contract of a village book (one per book)."""

    __tablename__ = "exit_schedule"

    book_id: int = Field(foreign_key="book.id", primary_key=True)
    contract_start: dt.date
    years: int
    note: str = Field(default="", max_length=400)


class ExitScheduleYear(_Table, table=True):
    """The investor's share (basis points) of the profit in one contract year: the table that
    is the source of truth, whatever curve generated it."""

    __tablename__ = "exit_schedule_year"

    book_id: int = Field(foreign_key="exit_schedule.book_id", primary_key=True)
    contract_year: int = Field(primary_key=True)
    investor_bp: int


class Distribution(_Table, table=True):
    """A period's profit distribution (收益分配): the investor's share, then 3:3:3:1."""

    __tablename__ = "distribution"
    __table_args__ = (UniqueConstraint("book_id", "period", name="uq_distribution_period"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id")
    period: str = Field(max_length=7)
    date: dt.date
    profit_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    contract_year: int
    investor_bp: int
    investor_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    weights: str = Field(max_length=40)
    shareholders_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    welfare_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    reserve_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    per_capita_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    entry_id: int = Field(foreign_key="entry.id")


class DistributionShare(_Table, table=True):
    """What one household receives from a distribution: dividend by shares + per-capita part."""

    __tablename__ = "distribution_share"

    distribution_id: int = Field(foreign_key="distribution.id", primary_key=True)
    household_id: int = Field(foreign_key="household.id", primary_key=True)
    shares: int
    members: int
    dividend_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    per_capita_fen: int = Field(sa_column=Column(BigInteger, nullable=False))


# --- Resident decisions (issue 4) ---------------------------------------------------------------


class BookHousehold(_Table, table=True):
    """A household counted in a book's electorate: the residents of an estate or community, the
    households of a village (村民户). One household may belong to several books."""

    __tablename__ = "book_household"

    book_id: int = Field(foreign_key="book.id", primary_key=True)
    household_id: int = Field(foreign_key="household.id", primary_key=True, index=True)


class Vote(_Table, table=True):
    """A decision by the residents (表决): an owners' meeting (业主大会), residents' meeting
    (居民会议), village meeting (村民会议) or participatory budget (参与式预算).

    Its rules (kind, matter, ballot type, options, budget, thresholds, dates) are fixed once the
    first ballot is in. ``result`` is the result worked out when the vote was closed (JSON), so
    a later change to the register does not change a decided vote."""

    __tablename__ = "vote"

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    matter: str | None = Field(default=None, max_length=32)
    ballot_type: str = Field(max_length=16)
    rule: str | None = Field(default=None, max_length=16)
    currency: str = Field(default="CNY", max_length=8)
    budget_fen: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: For an owners' meeting on the open budget: the year of the book's budget it decides.
    budget_year: int | None = Field(default=None)
    max_length: int | None = Field(default=None)
    max_points: int | None = Field(default=None)
    quorum_num: int | None = Field(default=None)
    quorum_den: int | None = Field(default=None)
    quorum_inclusive: bool = Field(default=False)
    majority_num: int | None = Field(default=None)
    majority_den: int | None = Field(default=None)
    majority_inclusive: bool = Field(default=False)
    opens_on: dt.date
    closes_on: dt.date
    status: str = Field(default="open", max_length=16)
    source: str = Field(default="", max_length=200)
    #: The META section of an imported Pabulib file (JSON), so an export gives it back.
    meta: str = Field(default="{}")
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: str = Field(max_length=32)
    closed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    closed_at: str | None = Field(default=None, max_length=32)
    result: str = Field(default="")


class VoteOption(_Table, table=True):
    """An option of a vote, or a project of a participatory budget with its cost."""

    __tablename__ = "vote_option"
    __table_args__ = (UniqueConstraint("vote_id", "code", name="uq_vote_option_code"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    position: int
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    cost_fen: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: Other columns of an imported project (JSON), kept for export.
    fields: str = Field(default="{}")


class Ballot(_Table, table=True):
    """One voter's ballot in one vote. The unique constraint on (vote, voter) is what makes it
    one ballot per household (一户一票) — or per owner at an owners' meeting — whatever the
    program above it does.

    ``voter_key`` is the owner key (owners' meeting), ``h<household id>`` (household votes) or
    the voter id of an imported Pabulib file. ``choice`` is yes/no/abstain for a meeting;
    ``selection`` the project codes of a budget ballot (JSON list, ranked best first for an
    ordinal ballot) and ``points`` their points (cumulative). ``proxy_name`` is private."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("vote_id", "voter_key", name="uq_ballot_voter"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id")
    voter_key: str = Field(max_length=64)
    household_id: int | None = Field(default=None, foreign_key="household.id")
    choice: str | None = Field(default=None, max_length=16)
    selection: str = Field(default="[]")
    points: str = Field(default="[]")
    channel: str = Field(max_length=16)
    proxy_name: str = Field(default="", max_length=100)
    cast_on: dt.date
    #: Other columns of an imported voter (age, sex …; JSON), kept for export.
    fields: str = Field(default="{}")
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: str = Field(max_length=32)
    revision: int = Field(default=0)


class EntryImport(_Table, table=True):
    """A bulk import of entries into a book (导入批次), known by ``import_id`` — the SHA-256 of
    the book and the file's content — so that running the same import again continues where it
    stopped instead of posting twice. Entries are posted in batches, each batch in one
    transaction together with the new ``entries_done``: after a crash the count says exactly
    which entries are in the books."""

    __tablename__ = "entry_import"

    import_id: str = Field(primary_key=True, max_length=64)
    book_id: int = Field(foreign_key="book.id", index=True)
    source_name: str = Field(max_length=400)
    entries_total: int
    entries_done: int = Field(default=0)
    started_by_id: int = Field(foreign_key="app_user.id")
    started_at: str = Field(max_length=32)
    finished_at: str | None = Field(default=None, max_length=32)
