"""The pages of a village collective revenue book (3331): the enrolled households with their
shares and members, the investor's capital-exit schedule, and the distributions of the profit
with what each household receives.

Households are shown by their public label only; the head's name never reaches these pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from desktop.app.forms import (
    NOTE_STYLE,
    Field,
    FormGuard,
    date_field,
    fit_rows,
    refusal,
    table,
)
from desktop.app.models import ColumnSpec, RowsModel
from desktop.app.pages.base import BookPage
from desktop.app.pages.property import heading, positive_money, scrolling
from desktop.app.plain import PlainLabel
from ledger.access import Action
from ledger.chain import voucher_number
from ledger.charts import COLLECTIVE_SPLIT_ACCOUNTS
from ledger.clock import today
from ledger.errors import GongzhangError, InvalidInputError
from ledger.i18n import N_, _
from ledger.models import Entry
from ledger.money import format_fen
from ledger.operations.village import (
    ADD_VILLAGE_HOUSEHOLD,
    DISTRIBUTE,
    SET_HOUSEHOLD_HOLDING,
    AddVillageHousehold,
    Distribute,
    ProfitDistributed,
    SetHouseholdHolding,
    VillageHouseholdAdded,
)
from ledger.periods import MONTH_OR_YEAR, Period
from ledger.rules.sharing import (
    BP_WHOLE,
    DEFAULT_WEIGHTS,
    PART_LABELS,
    SPLIT_PARTS,
    format_bp,
    parse_weights,
)
from ledger.services.sharing import (
    DistributionReport,
    distribution_report,
    get_exit_schedule,
    list_distributions,
    period_profit,
    village_book,
    village_households,
)

MAX_COUNT = 1_000_000

# --- households ----------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS = (
    ColumnSpec(N_("No."), "int"),
    ColumnSpec(N_("Household")),
    ColumnSpec(N_("Shares"), "int"),
    ColumnSpec(N_("Members"), "int"),
)


@dataclass(frozen=True, slots=True)
class HouseholdsData:
    book_name: str
    rows: list[tuple[int, str, int, int]]


def load_households(session: Session, book_id: int) -> HouseholdsData:
    book = village_book(session, book_id=book_id)
    rows = [
        (h.id or 0, h.label, h.shares, h.members)
        for h in village_households(session, book_id=book_id)
    ]
    return HouseholdsData(book.name, rows)


def counter(maximum: int = MAX_COUNT, value: int = 0) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setValue(value)
    box.setGroupSeparatorShown(True)
    return box


class HouseholdsPage(BookPage):
    """The households enrolled in the village with their shares and members; add a household,
    change one's shares and members."""

    title = N_("Households and shares")
    loaded = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: HouseholdsData | None = None
        self.refusal = refusal(self.user.role, Action.MANAGE_COUNTERPARTIES)
        self.model = RowsModel(HOUSEHOLD_COLUMNS)
        self.view, self.proxy = table(self.model, stretch=1)
        self.view.selectionModel().selectionChanged.connect(self._row_chosen)
        self.totals = PlainLabel()
        privacy = PlainLabel(
            _("Households are shown by their label only; heads' names stay private.")
        )
        privacy.setStyleSheet(NOTE_STYLE)
        privacy.setWordWrap(True)

        add_box = self._add_box()
        change_box = self._change_box()

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(change_box)
        side_layout.addWidget(add_box)
        side_layout.addStretch(1)
        side_area = scrolling(side)
        side_area.setMinimumWidth(340)
        side_area.setMaximumWidth(420)
        left = QVBoxLayout()
        left.addWidget(self.view, 1)
        left.addWidget(self.totals)
        left.addWidget(privacy)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(side_area)

    def _add_box(self) -> QGroupBox:
        self.label = Field(
            self._new_label,
            label=_("Household"),
            placeholder=_("how neighbours know it, e.g. 一组 03户"),
        )
        self.new_shares = counter()
        self.new_members = counter(value=1)
        self.add_button = QPushButton(_("Add the household"))
        self.add_button.clicked.connect(self.submit_add)
        self.add_guard = FormGuard(self.add_button, [self.label], refusal=self.refusal)
        add_box = QGroupBox(_("Add a household"))
        form = QFormLayout(add_box)
        form.addRow(_("Household"), self.label)
        form.addRow(_("Shares"), self.new_shares)
        form.addRow(_("Members"), self.new_members)
        form.addRow(self.add_button)
        return add_box

    def _change_box(self) -> QGroupBox:
        self.chosen = QComboBox()
        self.chosen.currentIndexChanged.connect(self._household_chosen)
        self.shares = counter()
        self.members = counter()
        self.save_button = QPushButton(_("Save the change"))
        self.save_button.clicked.connect(self.submit_change)
        self.shares.valueChanged.connect(self._check_change)
        self.members.valueChanged.connect(self._check_change)
        change_box = QGroupBox(_("Change shares and members"))
        form = QFormLayout(change_box)
        form.addRow(_("Household"), self.chosen)
        form.addRow(_("Shares"), self.shares)
        form.addRow(_("Members"), self.members)
        form.addRow(self.save_button)
        self._check_change()
        return change_box

    def refresh(self) -> None:
        book_id = self.book_id
        self.database.read(lambda s: load_households(s, book_id), self.show_data)

    def show_data(self, data: HouseholdsData) -> None:
        kept = self.chosen.currentData()
        self.data = data
        self.model.set_rows(data.rows)
        self.totals.setText(
            _("{n} households, {shares} shares, {members} members.").format(
                n=len(data.rows),
                shares=sum(r[2] for r in data.rows),
                members=sum(r[3] for r in data.rows),
            )
        )
        self.chosen.blockSignals(True)
        self.chosen.clear()
        for hid, label, _shares, _members in data.rows:
            self.chosen.addItem(f"{hid} {label}", hid)
        index = self.chosen.findData(kept) if kept is not None else -1
        self.chosen.setCurrentIndex(max(index, 0) if data.rows else -1)
        self.chosen.blockSignals(False)
        self._household_chosen()
        self.label.check()
        self.loaded.emit()

    # -- choosing ------------------------------------------------------------------------------

    def _row(self, household_id: int) -> tuple[int, str, int, int] | None:
        if self.data is None:
            return None
        return next((r for r in self.data.rows if r[0] == household_id), None)

    def _row_chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            row = self.model.row(self.proxy.mapToSource(indexes[0]).row())
            self.choose(int(row[0]))

    def choose(self, household_id: int) -> None:
        """Show ``household_id`` in the change form."""
        index = self.chosen.findData(household_id)
        if index >= 0:
            self.chosen.setCurrentIndex(index)

    def _household_chosen(self) -> None:
        row = self._row(self.chosen.currentData()) if self.chosen.count() else None
        for box, value in (
            (self.shares, row[2] if row else 0),
            (self.members, row[3] if row else 0),
        ):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self._check_change()

    def _check_change(self) -> None:
        row = self._row(self.chosen.currentData()) if self.chosen.count() else None
        problem: str | None = None
        if self.refusal:
            problem = self.refusal
        elif row is None:
            problem = _("Choose a household first.")
        elif (self.shares.value(), self.members.value()) == (row[2], row[3]):
            problem = _("Nothing has changed yet.")
        self.save_button.setEnabled(problem is None)
        self.save_button.setToolTip(problem or "")

    def _new_label(self, text: str) -> str:
        clean = text.strip()
        if not clean or len(clean) > 100:
            raise InvalidInputError(_("A household needs a label of 1 to 100 characters."))
        if self.data is not None and any(r[1] == clean for r in self.data.rows):
            raise InvalidInputError(
                _("There is already a household “{label}”.").format(label=clean)
            )
        return clean

    # -- actions -------------------------------------------------------------------------------

    def submit_add(self) -> None:
        if self.label.value is not None:
            self.add(self.label.value, self.new_shares.value(), self.new_members.value())

    def add(self, label: str, shares: int, members: int) -> None:
        def done(_added: VillageHouseholdAdded) -> None:
            self.label.clear()
            self.new_shares.setValue(0)
            self.new_members.setValue(1)
            self.refresh()

        request = AddVillageHousehold(self.book_id, label, shares=shares, members=members)
        self.perform(ADD_VILLAGE_HOUSEHOLD, request, then=done)

    def submit_change(self) -> None:
        household_id = self.chosen.currentData()
        if household_id is not None:
            self.change(int(household_id), self.shares.value(), self.members.value())

    def change(self, household_id: int, shares: int | None, members: int | None) -> None:
        request = SetHouseholdHolding(self.book_id, household_id, shares=shares, members=members)
        self.perform(SET_HOUSEHOLD_HOLDING, request, then=lambda _set: self.refresh())


# --- the capital-exit schedule -------------------------------------------------------------------

SCHEDULE_COLUMNS = (
    ColumnSpec(N_("Year"), "int"),
    ColumnSpec(N_("From"), "date"),
    ColumnSpec(N_("To"), "date"),
    ColumnSpec(N_("Investor"), "percent"),
    ColumnSpec(N_("Collective"), "percent"),
    ColumnSpec(N_("Used by distribution")),
)


@dataclass(frozen=True, slots=True)
class ScheduleData:
    start: dt.date | None
    years: int
    note: str
    rows: list[tuple[int, dt.date, dt.date, Fraction, Fraction, str]]
    #: The contract year today falls in (None before the start or without a schedule).
    current: int | None
    missing: str | None = None


def load_schedule(session: Session, book_id: int, on: dt.date) -> ScheduleData:
    try:
        view = get_exit_schedule(session, book_id=book_id)
    except GongzhangError as exc:
        return ScheduleData(None, 0, "", [], None, str(exc))
    rows = [
        (
            r.contract_year,
            r.starts,
            r.ends,
            Fraction(r.investor_bp, BP_WHOLE),
            Fraction(BP_WHOLE - r.investor_bp, BP_WHOLE),
            ", ".join(r.used_by),
        )
        for r in view.rows
    ]
    current = next((r[0] for r in rows if r[1] <= on <= r[2]), None)
    return ScheduleData(view.contract_start, view.years, view.note, rows, current)


class ExitSchedulePage(BookPage):
    """The investor's share of the profit by contract year (资本退出)."""

    title = N_("Exit schedule")
    loaded = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: ScheduleData | None = None
        self.summary = heading()
        self.note = PlainLabel()
        self.note.setWordWrap(True)
        self.model = RowsModel(SCHEDULE_COLUMNS)
        self.view, _proxy = table(self.model, sortable=False, stretch=5)
        after = PlainLabel(_("After the last contract year the investor's share is 0%."))
        after.setStyleSheet(NOTE_STYLE)
        self.current = PlainLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(self.current)
        layout.addWidget(self.view, 1)
        layout.addWidget(after)

    def refresh(self) -> None:
        book_id, on = self.book_id, today()
        self.database.read(lambda s: load_schedule(s, book_id, on), self.show_data)

    def show_data(self, data: ScheduleData) -> None:
        self.data = data
        self.model.set_rows(data.rows)
        if data.start is None:
            self.summary.setText(data.missing or "")
            self.note.setText("")
            self.current.setText("")
        else:
            self.summary.setText(
                _("The investor's contract from {start}, {years} years.").format(
                    start=data.start.isoformat(), years=data.years
                )
            )
            self.note.setText(data.note)
            row = next((r for r in data.rows if r[0] == data.current), None)
            self.current.setText(
                _("This is contract year {year}: the investor's share is {share}.").format(
                    year=row[0], share=format_bp(int(row[3] * BP_WHOLE))
                )
                if row is not None
                else ""
            )
        years = [r[0] for r in data.rows]
        if data.current in years:
            self.view.selectRow(years.index(data.current))
        self.loaded.emit()


# --- distributions -------------------------------------------------------------------------------

LIST_COLUMNS = (
    ColumnSpec(N_("Period")),
    ColumnSpec(N_("Date"), "date"),
    ColumnSpec(N_("Voucher")),
    ColumnSpec(N_("Profit"), "money"),
)
PART_COLUMNS = (
    ColumnSpec(N_("Part")),
    ColumnSpec(N_("Weight"), "int"),
    ColumnSpec(N_("Code")),
    ColumnSpec(N_("Amount"), "money"),
)
SHARE_COLUMNS = (
    ColumnSpec(N_("Household")),
    ColumnSpec(N_("Shares"), "int"),
    ColumnSpec(N_("Members"), "int"),
    ColumnSpec(N_("Dividend"), "money"),
    ColumnSpec(N_("Per capita"), "money"),
    ColumnSpec(N_("Total"), "money"),
)


@dataclass(frozen=True, slots=True)
class DistributionsData:
    book_name: str
    periods: list[tuple[str, dt.date, str, int]]
    report: DistributionReport | None


def load_distributions(session: Session, book_id: int, period: str | None) -> DistributionsData:
    book = village_book(session, book_id=book_id)
    periods = []
    for d in list_distributions(session, book_id=book_id):
        entry = session.get(Entry, d.entry_id)
        number = voucher_number(entry.year, entry.seq) if entry is not None else ""
        periods.append((d.period, d.date, number, d.profit_fen))
    names = [p[0] for p in periods]
    chosen = period if period in names else (names[-1] if names else None)
    report = distribution_report(session, book_id=book_id, period=chosen) if chosen else None
    return DistributionsData(book.name, periods, report)


def a_period(text: str) -> Period:
    return Period.parse(text, allow=MONTH_OR_YEAR)


def weights_of(text: str) -> tuple[int, int, int, int]:
    return parse_weights(text)


class DistributionsPage(BookPage):
    """A period's distribution: the profit, the investor's share, the 3:3:3:1 parts and what
    each household receives; a form to distribute a period's profit.

    The page asks the worker and shows the answers as they come back; only the answer to its
    latest question of a kind is shown (each question has a number, an answer to an older one
    is dropped), so a slow answer never replaces a newer one. ``loaded`` and ``profit_known``
    are emitted once the answer is on screen."""

    title = N_("Distributions")
    #: The distribution asked for last is shown.
    loaded = Signal()
    #: The book's profit of the period typed now is shown under the period.
    profit_known = Signal()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: DistributionsData | None = None
        self.book_profit: tuple[str, int] | None = None
        #: The period whose distribution was asked for last (None: the latest one).
        self._wanted: str | None = None
        #: The numbers of the latest load and of the latest profit look-up asked for.
        self._loads = 0
        self._profit_asks = 0
        self.periods = RowsModel(LIST_COLUMNS)
        self.periods_view, self.periods_proxy = table(self.periods, sortable=False, stretch=2)
        fit_rows(self.periods_view, 3)
        self.periods_view.selectionModel().selectionChanged.connect(self._period_chosen)
        self.summary = heading()
        self.figures = PlainLabel()
        self.figures.setWordWrap(True)
        self.parts = RowsModel(PART_COLUMNS)
        self.parts_view, _proxy = table(self.parts, sortable=False, stretch=0)
        fit_rows(self.parts_view, len(SPLIT_PARTS) + 2)
        self.households = RowsModel(SHARE_COLUMNS)
        self.households_view, _proxy = table(self.households, stretch=0)
        self.household_totals = PlainLabel()
        report = QVBoxLayout()
        report.addWidget(PlainLabel(_("Distributions made")))
        report.addWidget(self.periods_view)
        report.addWidget(self.summary)
        report.addWidget(self.figures)
        report.addWidget(self.parts_view)
        report.addWidget(PlainLabel(_("What each household receives")))
        report.addWidget(self.households_view, 1)
        report.addWidget(self.household_totals)
        layout = QHBoxLayout(self)
        layout.addLayout(report, 1)
        form_area = scrolling(self._form())
        form_area.setMinimumWidth(340)
        form_area.setMaximumWidth(420)
        layout.addWidget(form_area)

    def _form(self) -> QWidget:
        self.period = Field(
            a_period,
            label=_("Period"),
            placeholder=_("YYYY or YYYY-MM"),
            describe=self._period_note,
        )
        self.period.changed.connect(self._ask_profit)
        self.date = date_field(
            _("Date"),
            placeholder=_("YYYY-MM-DD (default: the period's last day)"),
            required=False,
        )
        self.profit = Field(
            positive_money(_("The profit")),
            label=_("Profit"),
            placeholder=_("blank: the book's income − expenses"),
            required=False,
            capitals=True,
        )
        self.weights = Field(
            weights_of,
            label=_("Split"),
            text=":".join(str(w) for w in DEFAULT_WEIGHTS),
            describe=lambda _w: _("shareholders : public welfare : project reserve : per capita"),
        )
        self.distribute_button = QPushButton(_("Distribute the profit"))
        self.distribute_button.clicked.connect(self.submit)
        self.guard = FormGuard(
            self.distribute_button,
            [self.period, self.date, self.profit, self.weights],
            refusal=refusal(self.user.role, Action.POST_ENTRY),
            extra=self._form_problem,
        )
        box = QGroupBox(_("Distribute a period's profit"))
        form = QFormLayout(box)
        form.addRow(_("Period"), self.period)
        form.addRow(_("Date"), self.date)
        form.addRow(_("Profit"), self.profit)
        form.addRow(_("Split"), self.weights)
        form.addRow(self.distribute_button)
        explain = PlainLabel(
            _(
                "The investor takes its share for the contract year first; the rest is split "
                "between the shareholders, the public-welfare fund, the project reserve and "
                "all villagers. It is posted as one entry and cannot be made twice."
            )
        )
        explain.setWordWrap(True)
        explain.setStyleSheet(NOTE_STYLE)
        holder = QWidget()
        side = QVBoxLayout(holder)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(box)
        side.addWidget(explain)
        side.addStretch(1)
        return holder

    # -- data ----------------------------------------------------------------------------------

    def refresh(self, period: str | None = None) -> None:
        """Load the page again, showing ``period``'s distribution (default: the one asked for
        last, whether it is shown yet or still on its way)."""
        book_id = self.book_id
        if period is None:
            period = self._wanted
        self._wanted = period
        self._loads += 1
        load = self._loads

        def loaded(data: DistributionsData) -> None:
            if load == self._loads:  # else a newer load is on its way: this one is outdated
                self.show_data(data)

        self.database.read(lambda s: load_distributions(s, book_id, period), loaded)

    def show_period(self, period: str) -> None:
        self.refresh(period)

    def show_data(self, data: DistributionsData) -> None:
        self.data = data
        self._wanted = data.report.period if data.report is not None else None
        self.book_profit = None  # the books may have changed: ask again
        self._ask_profit()
        self.guard.update()
        self.periods_view.selectionModel().blockSignals(True)
        self.periods.set_rows(data.periods)
        r = data.report
        if r is not None:
            self.periods_view.selectRow([p[0] for p in data.periods].index(r.period))
        self.periods_view.selectionModel().blockSignals(False)
        if r is None:
            self.summary.setText(_("No profit has been distributed in this book yet."))
            self.figures.setText("")
            self.parts.set_rows([])
            self.households.set_rows([])
            self.household_totals.setText("")
            self.loaded.emit()
            return
        self.summary.setText(
            _("Profit distribution {period} of “{book}” ({number}, {date})").format(
                period=r.period, book=data.book_name, number=r.entry_number, date=r.date.isoformat()
            )
        )
        self.figures.setText(
            "\n".join(
                (
                    _("Profit: {amount}").format(amount=format_fen(r.profit_fen)),
                    _("Contract year {year}: the investor's share is {share}, {amount}.").format(
                        year=r.contract_year,
                        share=format_bp(r.investor_bp),
                        amount=format_fen(r.investor_fen),
                    ),
                    _("The collective's part, {share}: {amount}, shared {weights}:").format(
                        share=format_bp(BP_WHOLE - r.investor_bp),
                        amount=format_fen(r.collective_fen),
                        weights=":".join(str(w) for w in r.weights),
                    ),
                )
            )
        )
        self.parts.set_rows(
            [
                (_(PART_LABELS[part]), weight, COLLECTIVE_SPLIT_ACCOUNTS[part], r.parts[part])
                for part, weight in zip(SPLIT_PARTS, r.weights, strict=True)
            ]
            + [
                (_("Investor"), None, "", r.investor_fen),
                (_("Total"), None, "", r.profit_fen),
            ]
        )
        self.households.set_rows(
            [
                (h.label, h.shares, h.members, h.dividend_fen, h.per_capita_fen, h.total_fen)
                for h in r.households
            ]
        )
        self.household_totals.setText(
            _("{n} households share {dividends} in dividends and {per_capita} per capita.").format(
                n=len(r.households),
                dividends=format_fen(r.parts["shareholders"]),
                per_capita=format_fen(r.parts["per_capita"]),
            )
        )
        self.loaded.emit()

    def _period_chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes and self.data is not None:
            period = self.periods.row(self.periods_proxy.mapToSource(indexes[0]).row())[0]
            if self.data.report is None or self.data.report.period != period:
                self.show_period(period)

    # -- the form ------------------------------------------------------------------------------

    def _period_note(self, span: Period) -> str:
        text = _("From {start} to {end}.").format(
            start=span.start.isoformat(), end=span.end.isoformat()
        )
        if self.book_profit is not None and self.book_profit[0] == span.name:
            text += " " + _("The book's profit for it: {amount}.").format(
                amount=format_fen(self.book_profit[1])
            )
        return text

    def _ask_profit(self) -> None:
        """Look up the book's profit of the period typed (shown under the period). Whatever
        was asked before is outdated now: its answer, when it comes, is dropped."""
        self._profit_asks += 1
        span = self.period.value
        if span is None or (self.book_profit is not None and self.book_profit[0] == span.name):
            return
        book_id, name, ask = self.book_id, span.name, self._profit_asks

        def shown(fen: int) -> None:
            if ask != self._profit_asks:  # the period typed has changed since, or the books
                return
            self.book_profit = (name, fen)
            self.period.check()  # shows it under the period
            self.profit_known.emit()

        self.database.read(lambda s: period_profit(s, book_id=book_id, period=name), shown)

    def _form_problem(self) -> str | None:
        span = self.period.value
        if span is None or self.data is None:
            return None
        for name, *_rest in self.data.periods:
            if Period.parse(name, allow=MONTH_OR_YEAR).overlaps(span):
                return (
                    _("The profit of {period} has already been distributed.")
                    if name == span.name
                    else _("{period} overlaps {done}, whose profit has already been distributed.")
                ).format(period=span.name, done=name)
        known = self.book_profit
        blank = self.profit.value is None
        if blank and known is not None and known[0] == span.name and known[1] <= 0:
            return _(
                "The profit of {period} is {amount} — a loss or zero profit: nothing is "
                "distributed."
            ).format(period=span.name, amount=format_fen(known[1]))
        date = self.date.value
        if date is not None and date < span.end:
            return _(
                "The profit of {period} is distributed once the period is over: date it on or "
                "after {end}, not {date}."
            ).format(period=span.name, end=span.end.isoformat(), date=date.isoformat())
        return None

    def submit(self) -> None:
        span = self.period.value
        if span is None or self.weights.value is None:
            return
        self.distribute(span.name, self.date.value, self.profit.value, self.weights.value)

    def distribute(
        self,
        period: str,
        date: dt.date | None = None,
        profit_fen: int | None = None,
        weights: tuple[int, ...] = DEFAULT_WEIGHTS,
    ) -> None:
        """Distribute ``period``'s profit (default: the book's income − expenses of it)."""
        span = Period.parse(period, allow=MONTH_OR_YEAR)

        def done(distributed: ProfitDistributed) -> None:
            for field in (self.period, self.date, self.profit):
                field.clear()
            self.refresh(distributed.report.period)

        request = Distribute(
            self.book_id, span.name, date=date, profit_fen=profit_fen, weights=tuple(weights)
        )
        self.perform(DISTRIBUTE, request, then=done)
