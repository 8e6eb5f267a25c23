"""The pages of a trust-style property book (信托制物业): its units, fee billing and collections
with the arrears, the company's remuneration, and the open budget with its execution.

Owners' names never reach these pages: units show their owner key only, arrears show units and
amounts. Forms are made of the shared widgets of :mod:`desktop.app.forms`; the few parsers and
layout helpers here serve the village pages too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, col, select

from desktop.app.forms import (
    ERROR_STYLE,
    NOTE_STYLE,
    Field,
    FormGuard,
    capitals_of,
    date_field,
    fit_rows,
    refusal,
    table,
)
from desktop.app.models import ColumnSpec, RowsModel
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel
from ledger.access import Action
from ledger.charts import TRUST_EXPENSE_BY_BUDGET_LINE
from ledger.clock import today
from ledger.errors import GongzhangError, InvalidAmountError, InvalidInputError, NotFoundError
from ledger.i18n import N_, _
from ledger.models import Account, AppUser, AuditEvent, Book, Budget, FeeBill, Household
from ledger.money import format_fen, parse_money
from ledger.operations.property import (
    APPROVE_BUDGET,
    BILL_PERIOD,
    COLLECT_FEES,
    CREATE_BUDGET,
    POST_REMUNERATION,
    ApproveBudget,
    BillPeriod,
    BudgetApproved,
    BudgetDrafted,
    CollectFees,
    CreateBudget,
    FeesCollected,
    PostRemuneration,
    RemunerationPosted,
)
from ledger.rules.property import format_area, format_bp, monthly_fee, parse_period
from ledger.services.property import (
    REMUNERATION_BASIS_KEY,
    REMUNERATION_RATE_KEY,
    arrears,
    arrears_by_building,
    budget_execution,
    collection_rate,
    fee_rate,
    get_budget,
    list_remunerations,
    list_units,
    remuneration_owed,
    unit_accounts,
    unit_label,
)
from ledger.services.settings import get_int, get_text
from reports.format import amount_text
from reports.notices.common import account_name

# --- parsers and layout helpers (shared with the village pages) ----------------------------------


def positive_money(what: str) -> Callable[[str], int]:
    """A parser of an amount above zero (``what`` names it in the refusal: “A payment”)."""

    def parse(text: str) -> int:
        fen = parse_money(text).fen
        if fen <= 0:
            raise InvalidAmountError(
                _("{what} must be more than zero; got {amount}.").format(
                    what=what, amount=format_fen(fen)
                )
            )
        return fen

    return parse


def a_month(text: str) -> str:
    return parse_period(text)


def a_year(text: str) -> int:
    clean = text.strip()
    if not (clean.isascii() and clean.isdigit() and len(clean) == 4):
        raise InvalidInputError(
            _("“{year}” is not a year; write it with four digits, like 2024.").format(year=text)
        )
    return int(clean)


def budget_amount(text: str) -> int:
    """A budget line's amount: 0 or more."""
    fen = parse_money(text).fen
    if fen < 0:
        raise InvalidAmountError(
            _("A budget line takes 0 or more; got {amount}.").format(amount=format_fen(fen))
        )
    return fen


def plain_text(text: str) -> str:
    return text.strip()


def scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


def heading(text: str = "") -> QLabel:
    label = PlainLabel(text)
    label.setStyleSheet("font-size: 13pt; font-weight: bold;")
    label.setWordWrap(True)
    return label


# --- units ---------------------------------------------------------------------------------------

UNIT_COLUMNS = (
    ColumnSpec(N_("Unit")),
    ColumnSpec(N_("Building")),
    ColumnSpec(N_("Area (m²)"), "area"),
    ColumnSpec(N_("Owner key")),
    ColumnSpec(N_("Unsold")),
    ColumnSpec(N_("Household")),
)


@dataclass(frozen=True, slots=True)
class UnitsData:
    rows: list[tuple[str, str, int, str, str, str]]
    area_dm2: int
    owners: int


def load_units(session: Session, book_id: int) -> UnitsData:
    households = dict(session.exec(select(Household.id, Household.label)).all())
    rows = [
        (
            unit_label(u),
            u.building,
            u.area_dm2,
            u.owner_key,
            "✓" if u.unsold else "",
            households.get(u.household_id, "") if u.household_id else "",
        )
        for u in list_units(session, book_id=book_id)
    ]
    return UnitsData(rows, sum(r[2] for r in rows), len({r[3] for r in rows}))


class UnitsPage(BookPage):
    """The estate's units: area, owner key (never the owner's name), unsold, household."""

    title = N_("Units and owners")
    loaded = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: UnitsData | None = None
        self.model = RowsModel(UNIT_COLUMNS)
        self.view, self.proxy = table(self.model, stretch=5)
        self.filter = QLineEdit(placeholderText=_("Find a unit, building or owner key"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.summary = PlainLabel()
        privacy = PlainLabel(
            _("Owners are shown by their owner key only; their names stay private.")
        )
        privacy.setStyleSheet(NOTE_STYLE)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        layout.addWidget(privacy)

    def refresh(self) -> None:
        book_id = self.book_id
        self.database.read(lambda s: load_units(s, book_id), self.show_data)

    def show_data(self, data: UnitsData) -> None:
        self.data = data
        self.model.set_rows(data.rows)
        self.summary.setText(
            _("{n} units, {area} m² in all.").format(
                n=len(data.rows), area=format_area(data.area_dm2)
            )
            + "  "
            + _("{n} owners.").format(n=data.owners)
        )
        self.loaded.emit()


# --- fees and collections ------------------------------------------------------------------------

BUILDING_COLUMNS = (
    ColumnSpec(N_("Building")),
    ColumnSpec(N_("Units"), "int"),
    ColumnSpec(N_("Owing"), "int"),
    ColumnSpec(N_("Billed"), "money"),
    ColumnSpec(N_("Owed"), "money"),
    ColumnSpec(N_("Prepaid"), "money"),
)
OWING_COLUMNS = (
    ColumnSpec(N_("Unit")),
    ColumnSpec(N_("Owed"), "money"),
    ColumnSpec(N_("Unpaid months"), "int"),
    ColumnSpec(N_("Oldest unpaid month")),
)


@dataclass(frozen=True, slots=True)
class FeesData:
    rate_fen: int
    #: label → (unit id, monthly fee, owed fen, unpaid months)
    units: dict[str, tuple[int, int, int, int]]
    billed_periods: list[str]
    buildings: list[tuple[str, int, int, int, int, int]]
    owing: list[tuple[str, int, int, str]]
    rate_period: str | None
    #: (billed, collected, fraction, percent text) of ``rate_period``, or the refusal.
    rate: tuple[int, int, Fraction, str] | str | None


def load_fees(session: Session, book_id: int, rate_period: str | None) -> FeesData:
    rate = fee_rate(session, book_id=book_id)
    accounts = {a.unit_id: a for a in unit_accounts(session, book_id=book_id)}
    units = {
        unit_label(u): (
            u.id or 0,
            monthly_fee(u.area_dm2, rate) if rate > 0 else 0,
            accounts[u.id or 0].owed_fen if u.id in accounts else 0,
            len(accounts[u.id or 0].unpaid_periods) if u.id in accounts else 0,
        )
        for u in list_units(session, book_id=book_id)
    }
    periods = sorted(
        str(p)
        for p in session.exec(
            select(FeeBill.period).where(col(FeeBill.book_id) == book_id).distinct()
        )
    )
    buildings = [
        (b.building, b.units, b.units_owing, b.billed_fen, b.owed_fen, b.prepaid_fen)
        for b in arrears_by_building(session, book_id=book_id)
    ]
    owing = [
        (a.unit, a.owed_fen, len(a.unpaid_periods), a.unpaid_periods[0] if a.unpaid_periods else "")
        for a in arrears(session, book_id=book_id)
    ]
    chosen = rate_period or (periods[-1] if periods else None)
    shown: tuple[int, int, Fraction, str] | str | None = None
    if chosen is not None:
        try:
            r = collection_rate(session, book_id=book_id, period=chosen)
            shown = (r.billed_fen, r.collected_fen, r.fraction, r.percent)
        except GongzhangError as exc:
            shown = str(exc)
    return FeesData(rate, units, periods, buildings, owing, chosen, shown)


class FeesPage(BookPage):
    """Bill a month, record a collection, a month's collection rate and the arrears."""

    title = N_("Fees and collections")
    loaded = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: FeesData | None = None
        self.rate_label = heading()
        forms = QWidget()
        left = QVBoxLayout(forms)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self._rate_box())
        left.addWidget(self._collect_box())
        left.addWidget(self._bill_box())
        left.addStretch(1)
        forms_area = scrolling(forms)
        forms_area.setMinimumWidth(360)
        forms_area.setMaximumWidth(440)

        # Arrears.
        self.buildings = RowsModel(BUILDING_COLUMNS)
        self.buildings_view, _proxy = table(self.buildings)
        self.buildings_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        fit_rows(self.buildings_view, 5)
        self.owing = RowsModel(OWING_COLUMNS)
        self.owing_view, _proxy = table(self.owing, stretch=3)
        self.owed_total = PlainLabel()
        right = QVBoxLayout()
        right.addWidget(PlainLabel(_("Arrears by building")))
        right.addWidget(self.buildings_view)
        right.addWidget(self.owed_total)
        right.addWidget(PlainLabel(_("Units that owe (units and amounts only)")))
        right.addWidget(self.owing_view, 1)

        body = QHBoxLayout()
        body.addWidget(forms_area)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rate_label)
        layout.addLayout(body, 1)

    def _bill_box(self) -> QGroupBox:
        self.bill_period = Field(
            self._billable,
            label=_("Month"),
            placeholder=_("YYYY-MM, e.g. 2025-01"),
            describe=self._bill_note,
        )
        self.bill_date = date_field(
            _("Date"),
            placeholder=_("YYYY-MM-DD (default: the 1st of the month)"),
            required=False,
        )
        self.bill_button = QPushButton(_("Bill the month"))
        self.bill_button.clicked.connect(self.submit_bill)
        box = QGroupBox(_("Bill a month"))
        form = QFormLayout(box)
        form.addRow(_("Month"), self.bill_period)
        form.addRow(_("Date"), self.bill_date)
        form.addRow(self.bill_button)
        self.bill_guard = FormGuard(
            self.bill_button,
            [self.bill_period, self.bill_date],
            refusal=refusal(self.user.role, Action.POST_ENTRY),
        )
        return box

    def _collect_box(self) -> QGroupBox:
        self.unit = Field(
            self._unit, label=_("Unit"), placeholder=_("e.g. 1-2-301"), describe=self._unit_note
        )
        self.unit_labels = QStringListModel()
        self.completer = QCompleter(self.unit_labels, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.unit.edit.setCompleter(self.completer)
        self.collect_date = date_field(_("Date"), text=today().isoformat())
        self.amount = Field(
            positive_money(_("A payment")),
            label=_("Amount"),
            placeholder=_("e.g. 223.90"),
            capitals=True,
        )
        self.memo = Field(
            plain_text,
            label=_("Memo"),
            placeholder=_("optional; default: property fees received from the unit"),
            required=False,
        )
        self.collect_button = QPushButton(_("Record the collection"))
        self.collect_button.clicked.connect(self.submit_collection)
        box = QGroupBox(_("Record a collection"))
        form = QFormLayout(box)
        form.addRow(_("Unit"), self.unit)
        form.addRow(_("Date"), self.collect_date)
        form.addRow(_("Amount"), self.amount)
        form.addRow(_("Memo"), self.memo)
        form.addRow(self.collect_button)
        self.collect_guard = FormGuard(
            self.collect_button,
            [self.unit, self.collect_date, self.amount, self.memo],
            refusal=refusal(self.user.role, Action.POST_ENTRY),
        )
        return box

    def _rate_box(self) -> QGroupBox:
        self.rate_period = Field(
            a_month,
            label=_("Month"),
            placeholder=_("YYYY-MM (default: the latest month billed)"),
            required=False,
        )
        self.rate_period.edit.returnPressed.connect(self.refresh)
        show_rate = QPushButton(_("Show"))
        show_rate.clicked.connect(self.refresh)
        self.rate_text = PlainLabel()
        self.rate_text.setWordWrap(True)
        box = QGroupBox(_("Collection rate of a month"))
        grid = QGridLayout(box)
        grid.addWidget(self.rate_period, 0, 0)
        grid.addWidget(show_rate, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.rate_text, 1, 0, 1, 2)
        return box

    # -- data ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        book_id = self.book_id
        chosen = self.rate_period.value
        self.database.read(lambda s: load_fees(s, book_id, chosen), self.show_data)

    def show_data(self, data: FeesData) -> None:
        self.data = data
        self.rate_label.setText(
            _("Property fee: {rate} per m² per month.").format(rate=format_fen(data.rate_fen))
            if data.rate_fen > 0
            else _("No property fee rate is set yet.")
        )
        self.unit_labels.setStringList(list(data.units))
        self.buildings.set_rows(data.buildings)
        fit_rows(self.buildings_view, max(len(data.buildings), 1))
        self.owing.set_rows(data.owing)
        self.owed_total.setText(
            _("Owed in all: {amount}.").format(amount=format_fen(sum(b[4] for b in data.buildings)))
        )
        if isinstance(data.rate, tuple):
            billed, collected, _fraction, percent = data.rate
            self.rate_text.setText(
                _("Collection rate of {period}: {collected} of {billed} = {percent}.").format(
                    period=data.rate_period,
                    collected=format_fen(collected),
                    billed=format_fen(billed),
                    percent=percent,
                )
            )
            self.rate_text.setStyleSheet("font-weight: bold;")
        else:
            self.rate_text.setText(data.rate or _("No month has been billed yet."))
            self.rate_text.setStyleSheet(ERROR_STYLE if data.rate else NOTE_STYLE)
        for field in (self.unit, self.bill_period):
            field.check()
        self.loaded.emit()

    def owed_of(self, unit: str) -> int:
        """What ``unit`` owes as the page shows it (0 when it owes nothing)."""
        for row in self.owing.rows:
            if row[0] == unit:
                return int(row[1])
        return 0

    # -- validation ----------------------------------------------------------------------------

    def _billable(self, text: str) -> str:
        period = parse_period(text)
        if self.data is not None and period in self.data.billed_periods:
            raise InvalidInputError(
                _("{period} has already been billed; a month is billed once.").format(period=period)
            )
        return period

    def _bill_note(self, period: str) -> str:
        if self.data is None or self.data.rate_fen <= 0:
            return ""
        return _("Bills {period}: {units} units at {rate} per m², {total} in all.").format(
            period=period,
            units=len(self.data.units),
            rate=format_fen(self.data.rate_fen),
            total=format_fen(sum(u[1] for u in self.data.units.values())),
        )

    def _unit(self, text: str) -> str:
        label = text.strip()
        if self.data is not None and label not in self.data.units:
            raise NotFoundError(
                _(
                    "There is no unit “{ref}” in this book; name it as building-unit-room, "
                    "like 1-2-301."
                ).format(ref=label)
            )
        return label

    def _unit_note(self, label: str) -> str:
        if self.data is None or label not in self.data.units:
            return ""
        _uid, fee, owed, months = self.data.units[label]
        if owed <= 0:
            return _("Owes nothing; the monthly fee is {fee}.").format(fee=format_fen(fee))
        return _("Owes {amount} for {n} months; the monthly fee is {fee}.").format(
            amount=format_fen(owed), n=months, fee=format_fen(fee)
        )

    # -- actions -------------------------------------------------------------------------------

    def submit_bill(self) -> None:
        """Bill the month typed (the service bills every unit, once)."""
        period = self.bill_period.value
        if period is None:
            return
        self.bill(period, self.bill_date.value)

    def bill(self, period: str, date: dt.date | None = None) -> None:
        self.perform(
            BILL_PERIOD,
            BillPeriod(self.book_id, period, date),
            then=lambda _outcome: self.refresh(),
        )

    def submit_collection(self) -> None:
        """Record the collection typed in the form."""
        fields = (self.unit, self.collect_date, self.amount)
        if self.data is None or any(f.value is None for f in fields):
            return
        unit_id = self.data.units[self.unit.value][0]
        self.record_collection(
            unit_id, self.collect_date.value, self.amount.value, self.memo.value or None
        )

    def record_collection(
        self, unit_id: int, date: dt.date, amount_fen: int, memo: str | None = None
    ) -> None:
        def done(_outcome: FeesCollected) -> None:
            self.amount.clear()
            self.memo.clear()
            self.refresh()

        self.perform(
            COLLECT_FEES, CollectFees(self.book_id, unit_id, date, amount_fen, memo), then=done
        )


# --- remuneration --------------------------------------------------------------------------------

REMUNERATION_COLUMNS = (
    ColumnSpec(N_("Month")),
    ColumnSpec(N_("Basis"), "money"),
    ColumnSpec(N_("Rate"), "percent"),
    ColumnSpec(N_("Remuneration"), "money"),
    ColumnSpec(N_("Voucher")),
    ColumnSpec(N_("Gift"), "money"),
    ColumnSpec(N_("Gift voucher")),
)


@dataclass(frozen=True, slots=True)
class RemunerationData:
    rows: list[tuple[str, int, Fraction, int, str, int | None, str]]
    owed_fen: int
    rate_bp: int
    basis: str
    next_period: str | None


def _next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def load_remuneration(session: Session, book_id: int) -> RemunerationData:
    rows = [
        (
            r.period,
            r.basis_fen,
            Fraction(r.rate_bp, 10_000),
            r.amount_fen,
            r.number,
            r.gift_fen or None,
            r.gift_number or "",
        )
        for r in list_remunerations(session, book_id=book_id)
    ]
    return RemunerationData(
        rows,
        remuneration_owed(session, book_id=book_id),
        get_int(session, book_id, REMUNERATION_RATE_KEY),
        get_text(session, book_id, REMUNERATION_BASIS_KEY),
        _next_month(rows[-1][0]) if rows else None,
    )


class RemunerationPage(BookPage):
    """Each month's remuneration: basis × rate = amount, the gift made from it; post a month's."""

    title = N_("Remuneration")
    loaded = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: RemunerationData | None = None
        self.rule = heading()
        self.model = RowsModel(REMUNERATION_COLUMNS)
        self.view, _proxy = table(self.model, sortable=False)
        self.totals = PlainLabel()
        self.totals.setWordWrap(True)
        self.period = Field(a_month, label=_("Month"), placeholder=_("YYYY-MM, e.g. 2025-01"))
        self.date = date_field(
            _("Date"),
            placeholder=_("YYYY-MM-DD (default: the last day of the month)"),
            required=False,
        )
        self.post_button = QPushButton(_("Post the month's remuneration"))
        self.post_button.clicked.connect(self.submit)
        self.guard = FormGuard(
            self.post_button,
            [self.period, self.date],
            refusal=refusal(self.user.role, Action.POST_ENTRY),
        )
        box = QGroupBox(_("Post a month's remuneration"))
        form = QFormLayout(box)
        form.addRow(_("Month"), self.period)
        form.addRow(_("Date"), self.date)
        form.addRow(self.post_button)
        explain = PlainLabel(
            _(
                "The company is paid only its remuneration, a share of the fees; it is posted "
                "once a month, after the month has ended."
            )
        )
        explain.setWordWrap(True)
        explain.setStyleSheet(NOTE_STYLE)
        side = QVBoxLayout()
        side.addWidget(box)
        side.addWidget(explain)
        side.addStretch(1)
        holder = QWidget()
        holder.setLayout(side)
        holder.setMaximumWidth(400)
        body = QHBoxLayout()
        table_side = QVBoxLayout()
        table_side.addWidget(self.view, 1)
        table_side.addWidget(self.totals)
        body.addLayout(table_side, 1)
        body.addWidget(holder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rule)
        layout.addLayout(body, 1)

    def refresh(self) -> None:
        book_id = self.book_id
        self.database.read(lambda s: load_remuneration(s, book_id), self.show_data)

    def show_data(self, data: RemunerationData) -> None:
        self.data = data
        basis = _("fees collected") if data.basis == "collected" else _("fees billed")
        self.rule.setText(
            _("Remuneration: {rate} of the {basis} each month.").format(
                rate=format_bp(data.rate_bp), basis=basis
            )
        )
        self.model.set_rows(data.rows)
        self.totals.setText(
            _("Total: basis {basis}, remuneration {amount}, gifts {gift}.").format(
                basis=format_fen(sum(r[1] for r in data.rows)),
                amount=format_fen(sum(r[3] for r in data.rows)),
                gift=format_fen(sum(r[5] or 0 for r in data.rows)),
            )
            + "  "
            + _("Still owed to the company: {amount}.").format(amount=format_fen(data.owed_fen))
        )
        if not self.period.text() and data.next_period:
            self.period.set_text(data.next_period)
        self.loaded.emit()

    def submit(self) -> None:
        if self.period.value is not None:
            self.post(self.period.value, self.date.value)

    def post(self, period: str, date: dt.date | None = None) -> None:
        """Post ``period``'s remuneration (the operation refuses a role that may not)."""

        def done(_outcome: RemunerationPosted) -> None:
            self.period.clear()
            self.refresh()

        self.perform(POST_REMUNERATION, PostRemuneration(self.book_id, period, date), then=done)


# --- the open budget -----------------------------------------------------------------------------

BUDGET_COLUMNS = (
    ColumnSpec(N_("Code")),
    ColumnSpec(N_("Budget line")),
    ColumnSpec(N_("Budget"), "money"),
    ColumnSpec(N_("Actual"), "money"),
    ColumnSpec(N_("Used"), "percent"),
    ColumnSpec(N_("Remaining"), "money"),
)


@dataclass(frozen=True, slots=True)
class BudgetData:
    book_name: str
    years: list[int]
    year: int | None
    status: str
    approved_by: str | None
    vote_id: int | None
    note: str
    drafter_id: int | None
    drafter: str | None
    rows: list[tuple[str, str, int, int, Fraction | None, int]]
    #: account code → name, for the editor's lines
    names: dict[str, str]


def _drafter(session: Session, budget_id: int) -> tuple[int | None, str | None]:
    """Who drafted a budget: the actor of its ``budget.created`` audit event."""
    actor_id = session.exec(
        select(AuditEvent.actor_id).where(
            col(AuditEvent.action) == "budget.created",
            col(AuditEvent.object_type) == "budget",
            col(AuditEvent.object_id) == str(budget_id),
        )
    ).first()
    user = session.get(AppUser, actor_id) if actor_id is not None else None
    return actor_id, user.username if user is not None else None


def load_budget(session: Session, book_id: int, year: int | None) -> BudgetData:
    book = session.get(Book, book_id)
    years = sorted(
        int(y) for y in session.exec(select(Budget.year).where(col(Budget.book_id) == book_id))
    )
    names = {
        code: account_name(zh, en)
        for code, zh, en in session.exec(
            select(Account.code, Account.name_zh, Account.name_en).where(
                col(Account.book_id) == book_id
            )
        )
    }
    if year not in years:
        current = today().year
        earlier = [y for y in years if y <= current]
        year = earlier[-1] if earlier else (years[0] if years else None)
    if year is None:
        return BudgetData(
            book.name if book else "", years, None, "", None, None, "", None, None, [], names
        )
    budget = get_budget(session, book_id=book_id, year=year)
    ex = budget_execution(session, book_id=book_id, year=year)
    drafter_id, drafter = _drafter(session, budget.id or 0)
    rows = [
        (
            line.account_code,
            account_name(line.name_zh, line.name_en),
            line.budget_fen,
            line.actual_fen,
            Fraction(line.actual_fen, line.budget_fen) if line.budget_fen else None,
            line.remaining_fen,
        )
        for line in ex.lines
    ]
    return BudgetData(
        book.name if book else "",
        years,
        year,
        ex.status,
        ex.approved_by,
        budget.approved_by_vote_id,
        budget.approval_note,
        drafter_id,
        drafter,
        rows,
        names,
    )


class BudgetPage(BookPage):
    """The open budget: a year's lines with budget, actual, % used and remaining; a small
    editor to draft a new year's budget, and its approval by someone other than the drafter."""

    title = N_("Open budget")
    loaded = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: BudgetData | None = None
        self.year_choice = QComboBox()
        self.year_choice.activated.connect(
            lambda _i: self.show_year(self.year_choice.currentData())
        )
        self.status = PlainLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-weight: bold;")
        self.model = RowsModel(BUDGET_COLUMNS)
        self.view, _proxy = table(self.model, stretch=1)
        self.totals = PlainLabel()
        self.approve_note = Field(
            plain_text,
            label=_("Note"),
            placeholder=_("optional, e.g. the owners' vote that decided it"),
            required=False,
        )
        self.approve_button = QPushButton(_("Approve this budget"))
        self.approve_button.clicked.connect(self.submit_approval)
        self.approve_guard = FormGuard(
            self.approve_button,
            [self.approve_note],
            refusal=refusal(self.user.role, Action.APPROVE),
            extra=self._approval_problem,
        )
        approve_row = QHBoxLayout()
        approve_row.addWidget(self.approve_note, 1)
        approve_row.addWidget(self.approve_button, 0, Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.addWidget(PlainLabel(_("Budget year")))
        top.addWidget(self.year_choice)
        top.addWidget(self.status, 1)
        execution = QVBoxLayout()
        execution.addLayout(top)
        execution.addWidget(self.view, 1)
        execution.addWidget(self.totals)
        execution.addLayout(approve_row)

        editor = self._editor()
        editor_area = scrolling(editor)
        editor_area.setMinimumWidth(360)
        editor_area.setMaximumWidth(430)
        layout = QHBoxLayout(self)
        layout.addLayout(execution, 1)
        layout.addWidget(editor_area)
        self._show_total()

    def _editor(self) -> QGroupBox:
        """The editor of a new year's budget, line by line."""
        self.new_year = Field(self._new_year, label=_("Budget year"), placeholder=_("e.g. 2026"))
        self.lines: dict[str, Field] = {}
        self.line_labels: dict[str, QLabel] = {}
        editor = QGroupBox(_("Draft a new year's budget"))
        grid = QGridLayout(editor)
        grid.addWidget(PlainLabel(_("Budget year")), 0, 0)
        grid.addWidget(self.new_year, 0, 1)
        for row, (key, code) in enumerate(TRUST_EXPENSE_BY_BUDGET_LINE.items(), start=1):
            field = Field(
                budget_amount, label=key, placeholder="0.00", required=False, capitals=True
            )
            field.changed.connect(self._show_total)
            label = PlainLabel(f"{code} {key}")
            label.setWordWrap(True)
            self.lines[key] = field
            self.line_labels[key] = label
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(field, row, 1)
        self.new_total = PlainLabel()
        self.new_total.setWordWrap(True)
        copy = QPushButton(_("Copy the year shown"))
        copy.clicked.connect(self.copy_shown)
        self.draft_button = QPushButton(_("Draft the budget"))
        self.draft_button.clicked.connect(self.submit_draft)
        buttons = QHBoxLayout()
        buttons.addWidget(copy)
        buttons.addStretch(1)
        buttons.addWidget(self.draft_button)
        last = len(self.lines) + 1
        grid.addWidget(self.new_total, last, 0, 1, 2)
        grid.addLayout(buttons, last + 1, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.draft_guard = FormGuard(
            self.draft_button,
            [self.new_year, *self.lines.values()],
            refusal=refusal(self.user.role, Action.POST_ENTRY),
            extra=self._draft_problem,
        )
        return editor

    # -- data ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.show_year(self.data.year if self.data is not None else None)

    def show_year(self, year: int | None) -> None:
        book_id = self.book_id
        self.database.read(lambda s: load_budget(s, book_id, year), self.show_data)

    def show_data(self, data: BudgetData) -> None:
        self.data = data
        self.year_choice.clear()
        for year in data.years:
            self.year_choice.addItem(str(year), year)
        if data.year is not None:
            self.year_choice.setCurrentIndex(data.years.index(data.year))
        self.model.set_rows(data.rows)
        self.status.setText(self.status_text())
        budget = sum(r[2] for r in data.rows)
        actual = sum(r[3] for r in data.rows)
        self.totals.setText(
            _("Total: budget {budget}, actual {actual}, remaining {remaining}.").format(
                budget=format_fen(budget),
                actual=format_fen(actual),
                remaining=format_fen(budget - actual),
            )
            if data.year is not None
            else ""
        )
        for key, code in TRUST_EXPENSE_BY_BUDGET_LINE.items():
            name = data.names.get(code)
            self.line_labels[key].setText(f"{code} {name}" if name else f"{code} {key}")
            self.lines[key].label = name or key
        self.new_year.check()
        self.approve_guard.update()
        self.loaded.emit()

    def status_text(self) -> str:
        data = self.data
        if data is None or data.year is None:
            return _("There is no budget yet; draft one on the right.")
        if data.status == "approved":
            if data.vote_id is not None:
                text = _("Approved by the owners' meeting vote {vote}.").format(vote=data.vote_id)
            else:
                text = _("Approved by {user}.").format(user=data.approved_by or "?")
            if data.note:
                text += " " + _("Note: {note}").format(note=data.note)
            return text
        return _("Draft by {user}: it needs the approval of someone else.").format(
            user=data.drafter or "?"
        )

    # -- approval ------------------------------------------------------------------------------

    def _approval_problem(self) -> str | None:
        data = self.data
        if data is None or data.year is None:
            return _("There is no budget to approve.")
        if data.status == "approved":
            return _("The {year} budget is already approved.").format(year=data.year)
        if data.drafter_id == self.user.user_id:
            return _("You drafted the {year} budget; someone else must approve it.").format(
                year=data.year
            )
        return None

    def submit_approval(self) -> None:
        if self.data is not None and self.data.year is not None:
            self.approve(self.data.year, self.approve_note.value or "")

    def approve(self, year: int, note: str = "") -> None:
        """Approve ``year``'s draft (the operation refuses the drafter and roles that may not)."""

        def done(approved: BudgetApproved) -> None:
            self.approve_note.clear()
            self.show_year(approved.year)

        self.perform(APPROVE_BUDGET, ApproveBudget(self.book_id, year, note), then=done)

    # -- drafting ------------------------------------------------------------------------------

    def _new_year(self, text: str) -> int:
        year = a_year(text)
        if not 1900 <= year <= 9999:
            raise InvalidInputError(
                _("“{year}” is not a year; write it with four digits, like 2024.").format(year=text)
            )
        if self.data is not None and year in self.data.years:
            raise InvalidInputError(
                _("“{book}” already has a budget for {year}.").format(
                    book=self.data.book_name, year=year
                )
            )
        return year

    def draft_lines(self) -> dict[str, int]:
        """The lines typed in the editor (blank lines are left out)."""
        return {key: f.value for key, f in self.lines.items() if f.value is not None}

    def _draft_problem(self) -> str | None:
        if not self.draft_lines():
            return _("A budget needs at least one line.")
        return None

    def _show_total(self) -> None:
        total = sum(self.draft_lines().values())
        self.new_total.setText(
            _("Total: {amount}").format(amount=format_fen(total)) + f"  {capitals_of(total)}"
        )

    def copy_shown(self) -> None:
        """Fill the editor with the lines of the year shown (to change a few)."""
        if self.data is None:
            return
        shown = {row[0]: row[2] for row in self.data.rows}
        for key, field in self.lines.items():
            fen = shown.get(key)
            field.set_text("" if fen is None else amount_text(fen))

    def submit_draft(self) -> None:
        if self.new_year.value is not None and self.draft_lines():
            self.draft(self.new_year.value, self.draft_lines())

    def draft(self, year: int, lines: dict[str, int]) -> None:
        def done(drafted: BudgetDrafted) -> None:
            self.new_year.clear()
            for field in self.lines.values():
                field.clear()
            self.show_year(drafted.year)

        self.perform(
            CREATE_BUDGET, CreateBudget(self.book_id, year, tuple(lines.items())), then=done
        )
