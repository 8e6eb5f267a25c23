"""The pages of a community micro-fund (社区微基金) book: donations and their receipts, expenses
with the approval queue (maker-checker), and activities against their budgets.

Forms check what is typed as it is typed (amounts through the money parser, with the capitals
beside them; dates; required texts): a red sentence under a field says what is wrong and the
button stays disabled until all is well. What the signed-in role may not do is disabled with a
tooltip saying why; the operations refuse it anyway and the one presenter says so. Every change
is one operation of :mod:`ledger.operations.microfund` (the same the command line performs),
and the status bar shows its outcome's sentence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, select

from desktop.app.errors import presenter
from desktop.app.forms import (
    ERROR_STYLE,
    NOTE_STYLE,
    Field,
    FormGuard,
    date_field,
    refusal,
    refuse,
    required_text,
    table,
)
from desktop.app.models import ColumnSpec, RowsModel
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel
from ledger.access import Action
from ledger.charts import DONATION_INCOME_BY_SOURCE, MICRO_FUND_EXPENSE_BY_CATEGORY
from ledger.clock import today
from ledger.domain import Role
from ledger.errors import GongzhangError, InvalidAmountError, InvalidInputError
from ledger.i18n import N_, _, is_chinese
from ledger.models import Counterparty
from ledger.money import format_fen, parse_money
from ledger.operations.microfund import (
    ADD_ACTIVITY,
    APPROVE_EXPENSE,
    ATTACH_EXPENSE_RECEIPT,
    RECORD_DONATION,
    RECORD_EXPENSE,
    REJECT_EXPENSE,
    ActivityAdded,
    AddActivity,
    ApproveExpense,
    AttachExpenseReceipt,
    DonationRecorded,
    ExpenseRecorded,
    ExpenseRejected,
    RecordDonation,
    RecordExpense,
    RejectExpense,
)
from ledger.rules.microfund import (
    HARDSHIP,
    MONEY_ACCOUNTS,
    account_label,
    category_label,
    check_amount,
)
from ledger.rules.privacy import mask_name
from ledger.services.attachments import read_attachment_file
from ledger.services.counterparties import CounterpartyKind
from ledger.services.microfund import (
    MAX_MEMO_LENGTH,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    POSTED,
    list_activities,
    list_expenses,
    list_receipts,
    restricted_balances,
    status_label,
)
from ledger.services.settings import get_int


def positive_amount(what: str) -> Callable[[str], int]:
    """A check of an amount more than zero; ``what`` is a message id (“the donation”)."""

    def check(text: str) -> int:
        return check_amount(parse_money(text).fen, what=_(what))

    return check


def budget_amount(text: str) -> int:
    fen = parse_money(text).fen
    if fen < 0:
        raise InvalidAmountError(
            _("An activity's budget is an amount of zero or more; got {value}.").format(
                value=format_fen(fen)
            )
        )
    return fen


def today_field() -> Field:
    return date_field(_("Date"), text=today().isoformat())


def existing_file(text: str) -> Path:
    path = Path(text.strip()).expanduser()
    if not path.is_file():
        raise InvalidInputError(_("There is no file at “{path}”.").format(path=text.strip()))
    return path


def _money_combo() -> QComboBox:
    combo = QComboBox()
    for where, code in MONEY_ACCOUNTS.items():
        combo.addItem(account_label(code, chinese=is_chinese()), where)
    return combo


def _purpose_combo() -> QComboBox:
    """Restricted money's purpose: blank (unrestricted), an activity, or a category."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    line = combo.lineEdit()
    if line is not None:
        line.setPlaceholderText(_("unrestricted"))
    return combo


def _fill_purposes(combo: QComboBox, activities: Sequence[str]) -> None:
    text = combo.currentText()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("", None)
    for name in activities:
        combo.addItem(name, name)
    for key in MICRO_FUND_EXPENSE_BY_CATEGORY:
        combo.addItem(category_label(key, chinese=is_chinese()), key)
    combo.setEditText(text)
    combo.blockSignals(False)


def _chosen_purpose(combo: QComboBox) -> str | None:
    text = combo.currentText().strip()
    if not text:
        return None
    index = combo.findText(text, Qt.MatchFlag.MatchExactly)
    data = combo.itemData(index) if index >= 0 else None
    return str(data) if data else text


def _note_label(style: str) -> QLabel:
    """A one-sentence note under a field (an error in red, a hint in grey), hidden while
    empty."""
    label = PlainLabel()
    label.setStyleSheet(style)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _stacked(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def _top(box: QWidget) -> QWidget:
    """``box`` at the top of a column, the room below it left empty."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(box)
    layout.addStretch(1)
    return holder


def _form_box(title: str) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return box, form


def sees_names(role: str) -> bool:
    """Whether the role sees donors' names in full (staff keep the books); everyone else sees
    them masked as a notice shows them."""
    return Role(role) in (Role.ADMIN, Role.TREASURER)


# --- donations -------------------------------------------------------------------------------

#: The source a donation usually has, by the kind of its donor.
_SOURCE_BY_KIND = {
    CounterpartyKind.MERCHANT.value: "merchant",
    CounterpartyKind.VOLUNTEER.value: "volunteer",
    CounterpartyKind.PROPERTY_COMPANY.value: "remuneration_gift",
}

RECEIPT_COLUMNS = (
    ColumnSpec(N_("Receipt No.")),
    ColumnSpec(N_("Date"), "date"),
    ColumnSpec(N_("Donor")),
    ColumnSpec(N_("Source")),
    ColumnSpec(N_("Amount"), "money"),
    ColumnSpec(N_("Purpose")),
    ColumnSpec(N_("Voucher")),
    ColumnSpec(N_("Reversed by")),
)


@dataclass(frozen=True, slots=True)
class DonationValues:
    """What the donation form holds once it is valid. ``donor_id`` is None for a new donor,
    who is then added with ``new_donor`` and ``new_donor_kind``."""

    date: dt.date
    donor_id: int | None
    new_donor: str
    new_donor_kind: str
    source: str
    amount_fen: int
    pay_into: str = "bank"
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class DonationsData:
    donors: tuple[tuple[int, str, str], ...]  # id, name as the user may see it, kind
    activities: tuple[str, ...]
    receipts: tuple[tuple[Any, ...], ...]


class DonationsPage(BookPage):
    """Record a donation (a receipt numbered 捐-YYYY-NNNN is issued) and list the receipts.
    Donors' names are masked (张*明) unless the user keeps the books."""

    title = N_("Donations")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: DonationsData | None = None
        self.last_receipt: str | None = None
        self._generation = 0
        self._last_donor: str | None = None
        splitter = QSplitter()
        splitter.addWidget(_top(self._build_form()))
        splitter.addWidget(self._build_list())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._donor_changed(self.donor.currentText())

    def _build_form(self) -> QGroupBox:
        box, form = _form_box(_("Record a donation"))
        self.date = today_field()
        form.addRow(_("Date"), self.date)
        self.donor = QComboBox()
        self.donor.setEditable(True)
        self.donor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.donor.setMinimumContentsLength(14)
        self.donor.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.donor_line = self.donor.lineEdit() or QLineEdit()
        self.donor_line.setPlaceholderText(_("choose a donor or type a new name"))
        self.donor.editTextChanged.connect(self._donor_changed)
        self.donor_error = _note_label(ERROR_STYLE)
        form.addRow(_("Donor"), _stacked(self.donor, self.donor_error))
        self.kind = QComboBox()
        for kind in CounterpartyKind:
            if kind is not CounterpartyKind.PAYEE:
                self.kind.addItem(kind.label, kind.value)
        self.kind.setCurrentIndex(self.kind.findData(CounterpartyKind.RESIDENT.value))
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.new_donor_hint = _note_label(NOTE_STYLE)
        self.kind_label = PlainLabel(_("Kind of new donor"))
        form.addRow(self.kind_label, _stacked(self.kind, self.new_donor_hint))
        self.source = QComboBox()
        for source, code in DONATION_INCOME_BY_SOURCE.items():
            self.source.addItem(account_label(code, chinese=is_chinese()), source)
        form.addRow(_("Source"), self.source)
        self.amount = Field(positive_amount(N_("the donation")), label=_("Amount"), capitals=True)
        form.addRow(_("Amount"), self.amount)
        self.pay_into = _money_combo()
        form.addRow(_("Paid into"), self.pay_into)
        self.purpose = _purpose_combo()
        self.purpose.setToolTip(
            _(
                "Leave blank for unrestricted money; name an activity or a spending category "
                "if the donor restricted the gift to it."
            )
        )
        form.addRow(_("Restricted to"), self.purpose)
        self.submit_button = QPushButton(_("Record donation"))
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        form.addRow("", self.submit_button)
        refuse(
            self.user.role, Action.POST_ENTRY,
            self.date, self.donor, self.kind, self.source, self.amount, self.pay_into,
            self.purpose,
        )  # fmt: skip
        self.guard = FormGuard(
            self.submit_button,
            [self.date, self.amount],
            refusal=refusal(self.user.role, Action.POST_ENTRY),
            extra=self._donor_problem,
        )
        box.setMaximumWidth(520)
        return box

    def _build_list(self) -> QGroupBox:
        self.receipts = RowsModel(RECEIPT_COLUMNS)
        self.view, self.proxy = table(self.receipts)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.total = PlainLabel()
        listing = QGroupBox(_("Donation receipts"))
        list_layout = QVBoxLayout(listing)
        list_layout.addWidget(self.view)
        list_layout.addWidget(self.total)
        if not sees_names(self.user.role):
            note = _note_label(NOTE_STYLE)
            note.setText(
                _("Donors who are private persons are shown masked, as notices show them.")
            )
            note.setVisible(True)
            list_layout.addWidget(note)
        return listing

    # -- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._generation += 1
        generation, book_id, full = self._generation, self.book_id, sees_names(self.user.role)

        def job(session: Session) -> DonationsData:
            people = {
                cp.id: (cp.name, cp.is_individual, cp.kind)
                for cp in session.exec(select(Counterparty)).all()
                if cp.id is not None
            }

            def shown(donor_id: int) -> str:
                name, individual, _kind = people[donor_id]
                return name if full else mask_name(name, is_individual=individual)

            receipts = tuple(
                (
                    r.number,
                    r.date,
                    shown(r.donor_id),
                    r.source_label,
                    r.amount_fen,
                    r.purpose_label if r.restricted else "",
                    r.voucher_number,
                    r.reversed_by or "",
                )
                for r in list_receipts(session, book_id=book_id)
            )
            donors = tuple(
                (cp_id, shown(cp_id), kind)
                for cp_id, (_n, _i, kind) in people.items()
                if kind != CounterpartyKind.PAYEE.value
            )
            activities = tuple(a.name for a in list_activities(session, book_id=book_id))
            return DonationsData(donors, activities, receipts)

        def loaded(data: DonationsData) -> None:
            if generation == self._generation:
                self.show_data(data)

        self.database.read(job, loaded)

    def show_data(self, data: DonationsData) -> None:
        self.data = data
        typed = self.donor.currentText()
        self.donor.blockSignals(True)
        self.donor.clear()
        for donor_id, name, kind in data.donors:
            self.donor.addItem(name, donor_id)
            self.donor.setItemData(
                self.donor.count() - 1, _kind_label(kind), Qt.ItemDataRole.ToolTipRole
            )
        self.donor.setEditText(typed)
        self.donor.blockSignals(False)
        _fill_purposes(self.purpose, data.activities)
        self.receipts.set_rows(data.receipts)
        total = sum(row[4] for row in data.receipts if not row[7])
        self.total.setText(
            _("{n} receipts; {amount} received (reversed receipts not counted).").format(
                n=len(data.receipts), amount=format_fen(total)
            )
        )
        self._donor_changed(typed)

    # -- the form --------------------------------------------------------------------------

    def donor_id(self) -> int | None:
        """The existing donor whose name is in the donor box, if any."""
        text = self.donor.currentText().strip()
        index = self.donor.findText(text, Qt.MatchFlag.MatchExactly) if text else -1
        return int(self.donor.itemData(index)) if index >= 0 else None

    def _donor_changed(self, text: str) -> None:
        clean = text.strip()
        existing = self.donor_id()
        new = bool(clean) and existing is None
        self.kind.setEnabled(new and self.user.may(Action.POST_ENTRY))
        self.kind_label.setEnabled(new)
        self.new_donor_hint.setText(
            _("“{name}” is not yet a donor; they will be added with this kind.").format(
                name=clean[:40]
            )
            if new
            else ""
        )
        self.new_donor_hint.setVisible(new)
        touched = self.donor_line.isModified()
        message = (self._donor_problem() or "") if touched else ""
        self.donor_error.setText(message)
        self.donor_error.setVisible(bool(message))
        if clean != self._last_donor:
            self._last_donor = clean
            if existing is not None and self.data is not None:
                kind = next((k for i, _n, k in self.data.donors if i == existing), "")
                self._suggest_source(kind)
            elif new:
                self._suggest_source(str(self.kind.currentData()))
        self._update()

    def _donor_problem(self) -> str | None:
        if self.donor.currentText().strip():
            return None
        return _("Choose a donor or type the name of a new one.")

    def _kind_changed(self) -> None:
        if self.donor_id() is None:
            self._suggest_source(str(self.kind.currentData()))

    def _suggest_source(self, kind: str) -> None:
        index = self.source.findData(_SOURCE_BY_KIND.get(kind, "other"))
        if index >= 0:
            self.source.setCurrentIndex(index)

    def values(self) -> DonationValues | None:
        """The form's values, or None while something is missing or wrong."""
        name = self.donor.currentText().strip()
        if self.guard.form_problem() is not None:
            return None
        return DonationValues(
            date=self.date.value,
            donor_id=self.donor_id(),
            new_donor=name,
            new_donor_kind=str(self.kind.currentData()),
            source=str(self.source.currentData()),
            amount_fen=self.amount.value,
            pay_into=str(self.pay_into.currentData()),
            purpose=_chosen_purpose(self.purpose),
        )

    def _update(self) -> None:
        self.guard.update()

    def submit(self) -> None:
        values = self.values()
        if values is not None and not self.guard.busy:
            self.record_donation(values)

    def record_donation(self, values: DonationValues) -> None:
        """Add the donor if new, record the donation and issue its receipt (one operation: a
        refusal leaves nothing behind)."""
        new = values.donor_id is None
        request = RecordDonation(
            book=str(self.book_id),
            date=values.date,
            source=values.source,
            amount_fen=values.amount_fen,
            donor_id=values.donor_id,
            new_donor=values.new_donor if new else "",
            new_donor_kind=values.new_donor_kind if new else None,
            purpose=values.purpose,
            pay_into=values.pay_into,
        )
        self.guard.busy = True
        self._update()
        self.perform(RECORD_DONATION, request, then=self._recorded, failed=self._failed)

    def _recorded(self, outcome: DonationRecorded) -> None:
        self.guard.busy = False
        self.last_receipt = outcome.receipt.number
        self.amount.clear()
        self.donor.setEditText("")
        self.purpose.setEditText("")
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.guard.busy = False
        self._update()
        presenter().show(error)


def _kind_label(kind: str) -> str:
    try:
        return CounterpartyKind(kind).label
    except ValueError:
        return kind


# --- expenses and approvals ------------------------------------------------------------------

QUEUE_COLUMNS = (
    ColumnSpec(N_("No."), "int"),
    ColumnSpec(N_("Date"), "date"),
    ColumnSpec(N_("Amount"), "money"),
    ColumnSpec(N_("Recorded by")),
    ColumnSpec(N_("Approvals")),
    ColumnSpec(N_("Approved by")),
    ColumnSpec(N_("Memo")),
    ColumnSpec(N_("Category")),
)

EXPENSE_COLUMNS = (
    ColumnSpec(N_("No."), "int"),
    ColumnSpec(N_("Date"), "date"),
    ColumnSpec(N_("Amount"), "money"),
    ColumnSpec(N_("Status")),
    ColumnSpec(N_("Voucher")),
    ColumnSpec(N_("Memo")),
    ColumnSpec(N_("Category")),
    ColumnSpec(N_("Activity")),
    ColumnSpec(N_("Purpose")),
)


@dataclass(frozen=True, slots=True)
class ExpenseValues:
    date: dt.date
    category: str
    amount_fen: int
    memo: str | None
    pay_from: str = "bank"
    activity_id: int | None = None
    purpose: str | None = None
    private_note: str = ""
    receipt: Path | None = None


@dataclass(frozen=True, slots=True)
class QueueItem:
    """What decides who may approve a pending expense."""

    id: int
    recorded_by: str
    approved_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExpensesData:
    threshold_fen: int
    activities: tuple[tuple[int, str], ...]
    queue: tuple[QueueItem, ...]
    queue_rows: tuple[tuple[Any, ...], ...]
    expense_rows: tuple[tuple[Any, ...], ...]
    statuses: dict[int, str]


class ExpensesPage(BookPage):
    """Record spending (posted at once below the approval threshold, else queued), attach its
    receipt, and decide the queue: approve or reject, never one's own expense."""

    title = N_("Expenses and approvals")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: ExpensesData | None = None
        self._generation = 0
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self._build_queue())
        right.addWidget(self._build_list())
        right.setSizes([260, 400])
        splitter = QSplitter()
        splitter.addWidget(_top(self._build_form()))
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._category_changed()
        self._update_decisions()
        self._update_attach()

    def _build_form(self) -> QGroupBox:
        box, form = _form_box(_("Record an expense"))
        self.date = today_field()
        form.addRow(_("Date"), self.date)
        self.category = QComboBox()
        for key in MICRO_FUND_EXPENSE_BY_CATEGORY:
            self.category.addItem(category_label(key, chinese=is_chinese()), key)
        self.category.currentIndexChanged.connect(self._category_changed)
        form.addRow(_("Category"), self.category)
        self.amount = Field(positive_amount(N_("the expense")), label=_("Amount"), capitals=True)
        form.addRow(_("Amount"), self.amount)
        self.memo = Field(required_text(N_("The memo"), MAX_MEMO_LENGTH), label=_("Memo"))
        form.addRow(_("Memo"), self.memo)
        self.private_note = Field(
            required_text(N_("The private note"), MAX_NOTE_LENGTH),
            label=_("Private note"),
            required=False,
        )
        self.private_note.edit.setToolTip(
            _("Kept in the ledger only, never in a notice: for hardship help, who was helped.")
        )
        form.addRow(_("Private note"), self.private_note)
        self.pay_from = _money_combo()
        form.addRow(_("Paid from"), self.pay_from)
        self.activity = QComboBox()
        form.addRow(_("Activity"), self.activity)
        self.purpose = _purpose_combo()
        self.purpose.setToolTip(
            _("Leave blank to pay from unrestricted money; name the purpose to use money "
              "donors restricted to it.")
        )  # fmt: skip
        form.addRow(_("Restricted money of"), self.purpose)
        self.receipt = Field(
            existing_file, label=_("Receipt file"), required=False, placeholder=_("optional")
        )
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        self.receipt.add_beside(browse)
        self.receipt_note = _note_label(ERROR_STYLE)
        self.receipt.grid.addWidget(self.receipt_note, 3, 0, 1, 2)
        form.addRow(_("Receipt file"), self.receipt)
        self.submit_button = QPushButton(_("Record expense"))
        self.submit_button.clicked.connect(self.submit)
        form.addRow("", self.submit_button)
        fields = (self.date, self.amount, self.memo, self.private_note, self.receipt)
        self.guard = FormGuard(
            self.submit_button,
            fields,
            refusal=refusal(self.user.role, Action.POST_ENTRY),
            extra=lambda: self.receipt_problem() or None,
        )
        for field in fields:
            field.changed.connect(self._update)
        refuse(
            self.user.role, Action.POST_ENTRY,
            self.date, self.category, self.amount, self.memo, self.private_note,
            self.pay_from, self.activity, self.purpose, self.receipt,
        )  # fmt: skip
        box.setMaximumWidth(520)
        return box

    def _build_queue(self) -> QGroupBox:
        queue_box = QGroupBox(_("Waiting for approval"))
        self.queue = RowsModel(QUEUE_COLUMNS)
        self.queue_view, self.queue_proxy = table(self.queue)
        self.queue_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.queue_view.selectionModel().selectionChanged.connect(self._update_decisions)
        self.approve_button = QPushButton(_("Approve"))
        self.approve_button.clicked.connect(self._approve_selected)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("reason for rejecting (required)"))
        self.reason.textChanged.connect(self._update_decisions)
        self.reject_button = QPushButton(_("Reject"))
        self.reject_button.clicked.connect(self._reject_selected)
        self.decision_note = _note_label(NOTE_STYLE)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.reject_button)
        queue_layout = QVBoxLayout(queue_box)
        queue_layout.addWidget(self.queue_view)
        queue_layout.addLayout(buttons)
        queue_layout.addWidget(self.decision_note)
        return queue_box

    def _build_list(self) -> QGroupBox:
        all_box = QGroupBox(_("Expenses"))
        self.expenses = RowsModel(EXPENSE_COLUMNS)
        self.expense_view, self.expense_proxy = table(self.expenses)
        self.expense_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.expense_view.selectionModel().selectionChanged.connect(self._update_attach)
        self.attach_button = QPushButton(_("Attach a receipt…"))
        self.attach_button.clicked.connect(self._attach_selected)
        attach_row = QHBoxLayout()
        attach_row.addStretch(1)
        attach_row.addWidget(self.attach_button)
        all_layout = QVBoxLayout(all_box)
        all_layout.addWidget(self.expense_view)
        all_layout.addLayout(attach_row)
        return all_box

    # -- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._generation += 1
        generation, book_id = self._generation, self.book_id

        def job(session: Session) -> ExpensesData:
            every = list_expenses(session, book_id=book_id)
            pending = [e for e in every if e.status == "pending"]
            return ExpensesData(
                threshold_fen=get_int(session, book_id, "approval_threshold_fen"),
                activities=tuple((a.id, a.name) for a in list_activities(session, book_id=book_id)),
                queue=tuple(QueueItem(e.id, e.recorded_by, e.approved_by) for e in pending),
                queue_rows=tuple(
                    (
                        e.id,
                        e.date,
                        e.amount_fen,
                        e.recorded_by,
                        f"{len(e.approved_by)}/{e.approvals_required}",
                        ", ".join(e.approved_by),
                        e.memo,
                        e.category_label,
                    )
                    for e in pending
                ),
                expense_rows=tuple(
                    (
                        e.id,
                        e.date,
                        e.amount_fen,
                        status_label(e.status),
                        e.voucher_number or "",
                        e.memo,
                        e.category_label,
                        e.activity,
                        e.purpose_label if e.purpose is not None else "",
                    )
                    for e in every
                ),
                statuses={e.id: e.status for e in every},
            )

        def loaded(data: ExpensesData) -> None:
            if generation == self._generation:
                self.show_data(data)

        self.database.read(job, loaded)

    def show_data(self, data: ExpensesData) -> None:
        self.data = data
        chosen = self.activity.currentData()
        self.activity.clear()
        self.activity.addItem(_("(none)"), None)
        for activity_id, name in data.activities:
            self.activity.addItem(name, activity_id)
        self.activity.setCurrentIndex(max(self.activity.findData(chosen), 0))
        _fill_purposes(self.purpose, [name for _i, name in data.activities])
        self.queue.set_rows(data.queue_rows)
        self.expenses.set_rows(data.expense_rows)
        self._update()
        self._update_decisions()
        self._update_attach()

    # -- recording -------------------------------------------------------------------------

    def _category_changed(self) -> None:
        hardship = self.category.currentData() == HARDSHIP
        if hardship:
            self.memo.clear()
            self.memo.edit.setPlaceholderText(_("written by the ledger"))
        else:
            self.memo.edit.setPlaceholderText("")
        self.memo.edit.setEnabled(not hardship and self.user.may(Action.POST_ENTRY))
        self.memo.set_required(not hardship)
        self.private_note.set_required(hardship)
        self.private_note.edit.setPlaceholderText(
            _("required: who was helped") if hardship else _("optional")
        )
        self._update()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the receipt"),
            "",
            _("Receipts (*.pdf *.jpg *.jpeg *.png);;All files (*)"),
        )
        if path:
            self.receipt.set_text(path)

    def receipt_problem(self) -> str:
        """Why the receipt file cannot go with this expense now (it would wait for approval,
        and receipts are attached to posted entries), or an empty string."""
        if self.receipt.value is None or self.amount.value is None or self.data is None:
            return ""
        if self.amount.value >= self.data.threshold_fen:
            return _(
                "Expenses of {threshold} or more wait for approval; attach the receipt once "
                "this one is posted."
            ).format(threshold=format_fen(self.data.threshold_fen))
        return ""

    def values(self) -> ExpenseValues | None:
        if self.guard.form_problem() is not None:
            return None
        return ExpenseValues(
            date=self.date.value,
            category=str(self.category.currentData()),
            amount_fen=self.amount.value,
            memo=self.memo.value,
            pay_from=str(self.pay_from.currentData()),
            activity_id=self.activity.currentData(),
            purpose=_chosen_purpose(self.purpose),
            private_note=self.private_note.value or "",
            receipt=self.receipt.value,
        )

    def _update(self) -> None:
        problem = self.receipt_problem()
        self.receipt_note.setText(problem)
        self.receipt_note.setVisible(bool(problem))
        self.guard.update()

    def submit(self) -> None:
        values = self.values()
        if values is not None and not self.guard.busy:
            self.record_expense(values)

    def record_expense(self, values: ExpenseValues) -> None:
        """Record the expense and, if it is posted at once, attach its receipt (one operation:
        if the receipt cannot be kept, the expense is not recorded either)."""
        name = data = None
        if values.receipt is not None:
            try:
                name, data = read_attachment_file(values.receipt)
            except GongzhangError as error:
                presenter().show(error)
                return
        request = RecordExpense(
            book=str(self.book_id),
            date=values.date,
            category=values.category,
            amount_fen=values.amount_fen,
            memo=values.memo,
            pay_from=values.pay_from,
            activity=values.activity_id,
            purpose=values.purpose,
            private_note=values.private_note,
            receipt_name=name,
            receipt_data=data,
        )
        self.guard.busy = True
        self._update()
        self.perform(RECORD_EXPENSE, request, then=self._recorded, failed=self._failed)

    def _recorded(self, _outcome: ExpenseRecorded) -> None:
        self.guard.busy = False
        for field in (self.amount, self.memo, self.private_note, self.receipt):
            field.clear()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.guard.busy = False
        self._update()
        presenter().show(error)

    # -- the queue -------------------------------------------------------------------------

    def selected_expense(self) -> int | None:
        rows = self.queue_view.selectionModel().selectedRows()
        if not rows:
            return None
        source = self.queue_proxy.mapToSource(rows[0])
        return int(self.queue.row(source.row())[0])

    def select_expense(self, expense_id: int) -> bool:
        """Select a pending expense in the queue (as a click would)."""
        for row in range(self.queue.rowCount()):
            if self.queue.row(row)[0] == expense_id:
                index = self.queue_proxy.mapFromSource(self.queue.index(row, 0))
                self.queue_view.selectionModel().select(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return True
        return False

    def why_not_decide(self, expense_id: int | None) -> str:
        """Why the user may not approve or reject the expense, in one sentence (or "")."""
        if not self.user.may(Action.APPROVE):
            return refusal(self.user.role, Action.APPROVE)
        if expense_id is None:
            return _("Choose an expense in the queue first.")
        item = next((q for q in self.data.queue if q.id == expense_id), None) if self.data else None
        if item is None:
            return ""
        if item.recorded_by == self.user.username:
            return _("You recorded this expense; another approver must decide.")
        if self.user.username in item.approved_by:
            return _("You have already approved this expense; other approvers must decide.")
        return ""

    def _update_decisions(self) -> None:
        expense_id = self.selected_expense()
        why = self.why_not_decide(expense_id)
        self.approve_button.setEnabled(not why)
        self.approve_button.setToolTip(why)
        needs_reason = "" if self.reason.text().strip() else _("Give a reason for rejecting.")
        self.reject_button.setEnabled(not why and not needs_reason)
        self.reject_button.setToolTip(why or needs_reason)
        self.reason.setEnabled(self.user.may(Action.APPROVE))
        note = why if expense_id is not None else ""
        self.decision_note.setText(note)
        self.decision_note.setVisible(bool(note))

    def _approve_selected(self) -> None:
        expense_id = self.selected_expense()
        if expense_id is not None:
            self.approve(expense_id)

    def _reject_selected(self) -> None:
        expense_id = self.selected_expense()
        if expense_id is not None:
            self.reject(expense_id, self.reason.text())

    def approve(self, expense_id: int) -> None:
        """Approve as the signed-in user (the operation refuses a self-approval and roles that
        may not approve; the refusal reaches the presenter)."""
        request = ApproveExpense(book=str(self.book_id), expense_id=expense_id)
        self.perform(APPROVE_EXPENSE, request, then=lambda _outcome: self.refresh())

    def reject(self, expense_id: int, reason: str) -> None:
        def done(_outcome: ExpenseRejected) -> None:
            self.reason.clear()
            self.refresh()

        request = RejectExpense(book=str(self.book_id), expense_id=expense_id, reason=reason)
        self.perform(REJECT_EXPENSE, request, then=done)

    # -- receipts of posted expenses -------------------------------------------------------

    def selected_posted(self) -> int | None:
        rows = self.expense_view.selectionModel().selectedRows()
        if not rows or self.data is None:
            return None
        expense_id = int(self.expenses.row(self.expense_proxy.mapToSource(rows[0]).row())[0])
        return expense_id if self.data.statuses.get(expense_id) == POSTED else None

    def _update_attach(self) -> None:
        why = refusal(self.user.role, Action.ATTACH_FILE)
        if not why and self.selected_posted() is None:
            why = _("Choose a posted expense in the list first.")
        self.attach_button.setEnabled(not why)
        self.attach_button.setToolTip(why)

    def _attach_selected(self) -> None:
        expense_id = self.selected_posted()
        if expense_id is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the receipt"),
            "",
            _("Receipts (*.pdf *.jpg *.jpeg *.png);;All files (*)"),
        )
        if path:
            self.attach_receipt(expense_id, Path(path))

    def attach_receipt(self, expense_id: int, path: Path) -> None:
        try:
            name, data = read_attachment_file(path)
        except GongzhangError as error:
            presenter().show(error)
            return
        request = AttachExpenseReceipt(
            book=str(self.book_id), expense_id=expense_id, filename=name, data=data
        )
        self.perform(ATTACH_EXPENSE_RECEIPT, request)


# --- activities ------------------------------------------------------------------------------

ACTIVITY_COLUMNS = (
    ColumnSpec(N_("Date"), "date"),
    ColumnSpec(N_("Activity")),
    ColumnSpec(N_("Budget"), "money"),
    ColumnSpec(N_("Spent"), "money"),
    ColumnSpec(N_("Remaining"), "money"),
    ColumnSpec(N_("Used"), "percent"),
    ColumnSpec(N_("Waiting for approval"), "money"),
    ColumnSpec(N_("Participants"), "int"),
    ColumnSpec(N_("Restricted donations"), "money"),
    ColumnSpec(N_("Restricted money left"), "money"),
)

RESTRICTED_COLUMNS = (
    ColumnSpec(N_("Purpose")),
    ColumnSpec(N_("Donated"), "money"),
    ColumnSpec(N_("Spent"), "money"),
    ColumnSpec(N_("Balance"), "money"),
    ColumnSpec(N_("Waiting for approval"), "money"),
)


@dataclass(frozen=True, slots=True)
class ActivitiesData:
    activities: tuple[tuple[Any, ...], ...]
    restricted: tuple[tuple[Any, ...], ...]


class ActivitiesPage(BookPage):
    """The book's activities against their budgets (spent is posted spending; reversed
    expenses do not count), the money donors restricted to a purpose, and a form to plan an
    activity."""

    title = N_("Activities")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: ActivitiesData | None = None
        self._generation = 0
        self.activities = RowsModel(ACTIVITY_COLUMNS)
        self.view, self.proxy = table(self.activities)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.restricted = RowsModel(RESTRICTED_COLUMNS)
        self.restricted_view, self.restricted_proxy = table(self.restricted)
        self.restricted_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        box, form = _form_box(_("Plan an activity"))
        self.name = Field(
            required_text(N_("An activity's name"), MAX_NAME_LENGTH), label=_("Activity")
        )
        form.addRow(_("Activity"), self.name)
        self.date = today_field()
        form.addRow(_("Date"), self.date)
        self.budget = Field(budget_amount, label=_("Budget"), capitals=True)
        form.addRow(_("Budget"), self.budget)
        self.note = Field(
            required_text(N_("The note"), MAX_NOTE_LENGTH), label=_("Note"), required=False
        )
        form.addRow(_("Note"), self.note)
        self.submit_button = QPushButton(_("Add activity"))
        self.submit_button.clicked.connect(self.submit)
        form.addRow("", self.submit_button)
        fields = (self.name, self.date, self.budget, self.note)
        self.guard = FormGuard(
            self.submit_button, fields, refusal=refusal(self.user.role, Action.POST_ENTRY)
        )
        refuse(self.user.role, Action.POST_ENTRY, *fields)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        activities_box = QGroupBox(_("Activities and their budgets"))
        activities_layout = QVBoxLayout(activities_box)
        activities_layout.addWidget(self.view)
        restricted_box = QGroupBox(_("Restricted money by purpose"))
        restricted_layout = QVBoxLayout(restricted_box)
        restricted_layout.addWidget(self.restricted_view)
        bottom = QHBoxLayout()
        bottom.addWidget(restricted_box, 3)
        bottom.addWidget(_top(box), 2)
        layout = QVBoxLayout(self)
        layout.addWidget(activities_box, 3)
        layout.addLayout(bottom, 2)
        self._update()

    def refresh(self) -> None:
        self._generation += 1
        generation, book_id = self._generation, self.book_id

        def job(session: Session) -> ActivitiesData:
            return ActivitiesData(
                activities=tuple(
                    (
                        a.date,
                        a.name,
                        a.budget_fen,
                        a.actual_fen,
                        a.remaining_fen,
                        Fraction(a.used_bp, 10_000) if a.used_bp is not None else None,
                        a.pending_fen,
                        a.participants,
                        a.restricted_donations_fen or None,
                        a.restricted_left_fen if a.restricted_donations_fen else None,
                    )
                    for a in list_activities(session, book_id=book_id)
                ),
                restricted=tuple(
                    (b.label, b.donated_fen, b.spent_fen, b.balance_fen, b.pending_fen)
                    for b in restricted_balances(session, book_id=book_id)
                ),
            )

        def loaded(data: ActivitiesData) -> None:
            if generation == self._generation:
                self.show_data(data)

        self.database.read(job, loaded)

    def show_data(self, data: ActivitiesData) -> None:
        self.data = data
        self.activities.set_rows(data.activities)
        self.restricted.set_rows(data.restricted)

    def _update(self) -> None:
        self.guard.update()

    def submit(self) -> None:
        if self.guard.problem() is not None or self.guard.busy:
            return
        self.add_activity(
            self.name.value, self.date.value, self.budget.value, self.note.value or ""
        )

    def add_activity(self, name: str, date: dt.date, budget_fen: int, note: str = "") -> None:
        def done(_outcome: ActivityAdded) -> None:
            self.guard.busy = False
            for field in (self.name, self.budget, self.note):
                field.clear()
            self._update()
            self.refresh()

        def failed(error: BaseException) -> None:
            self.guard.busy = False
            self._update()
            presenter().show(error)

        request = AddActivity(
            book=str(self.book_id), name=name, date=date, budget_fen=budget_fen, note=note
        )
        self.guard.busy = True
        self._update()
        self.perform(ADD_ACTIVITY, request, then=done, failed=failed)
