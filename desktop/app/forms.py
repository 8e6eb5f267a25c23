"""What the forms and tables of a book's pages are made of, one of each:

- :class:`Field`, a line edit read by a parser as it is typed (an amount through the money
  parser, with its capitals 大写 beside it; a date; a required text …): a red sentence under it
  says why the text is refused, a grey note may say what a good value means;
- :class:`FormGuard`, which keeps a form's button enabled only while the role may act and every
  field is valid, its tooltip saying why not;
- :func:`table`, a read-only table of plain rows that sorts on the raw values;
- :func:`refusal` and :func:`refuse`, the one sentence that says a role may not do an action
  (named by :func:`ledger.access.action_label`), and the widgets it disables.

The services refuse whatever these widgets let through; the widgets only say it sooner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from desktop.app.models import SortProxy
from desktop.app.plain import PlainLabel
from ledger.access import Action, action_label, may
from ledger.dates import parse_date
from ledger.domain import Role
from ledger.errors import GongzhangError, InvalidInputError
from ledger.i18n import _
from ledger.money import MAX_FEN, to_capital

ERROR_STYLE = "color: #b00020;"
GOOD_STYLE = "color: #1b5e20;"
NOTE_STYLE = "color: #555555;"

#: How wide a column grows to fit its contents; longer texts (memos, names) are cut, and the
#: user may widen the column.
WIDEST_COLUMN = 260
#: The width of an amount's line edit (its capitals take the room beside it).
AMOUNT_WIDTH = 160


# --- who may not ---------------------------------------------------------------------------------


def refusal(role: Role | str, action: Action) -> str:
    """Why ``role`` may not perform ``action``, in one sentence ("Your role may not record
    entries."), or an empty string when it may."""
    if may(role, action):
        return ""
    return _("Your role may not {action}.").format(action=action_label(action))


def refuse(role: Role | str, action: Action, *widgets: QWidget) -> bool:
    """Disable ``widgets`` when ``role`` may not perform ``action``, each with the sentence of
    :func:`refusal` as its tooltip. Returns whether the role may."""
    why = refusal(role, action)
    if why:
        for widget in widgets:
            widget.setEnabled(False)
            widget.setToolTip(why)
    return not why


# --- fields --------------------------------------------------------------------------------------


def capitals_of(fen: int) -> str:
    """An amount in capitals (人民币壹拾贰元叁角肆分), or "" for one that has none (negative or
    beyond the ledger's range)."""
    return to_capital(fen) if 0 <= fen <= MAX_FEN else ""


def required_text(what: str, limit: int) -> Callable[[str], str]:
    """A parser of a text that must not be blank nor longer than ``limit`` characters; ``what``
    is a message id naming it (“The memo”)."""

    def parse(text: str) -> str:
        clean = text.strip()
        if not clean:
            raise InvalidInputError(_("{what} cannot be blank.").format(what=_(what)))
        if len(clean) > limit:
            raise InvalidInputError(
                _("{what} is {n} characters long; keep it within {max}.").format(
                    what=_(what), n=len(clean), max=limit
                )
            )
        return clean

    return parse


def _small_label(name: str, style: str) -> QLabel:
    """A wrapped, selectable sentence beside or under a field, hidden while it says nothing."""
    label = PlainLabel()
    label.setObjectName(name)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label


class Field(QWidget):
    """A line edit whose text is parsed on every change. ``parse`` turns the text into a value
    or raises a :class:`GongzhangError` whose one sentence shows under the field (``error``).

    ``value`` is the parsed value (None while the text is blank or refused) and ``problem``
    why the field is not valid yet (None when it is). A blank required field says “Fill in
    “label”.” (“Required.” without a label), under the field only once the user has typed in it
    (``touched``), so that an untouched form is not covered in red. With ``capitals`` the field
    is an amount in fen: right-aligned, its capitals 大写 beside it (``capitals``). ``describe``
    turns a good value into the grey note under the field (``note``)."""

    changed = Signal()

    def __init__(
        self,
        parse: Callable[[str], Any],
        *,
        label: str = "",
        text: str = "",
        placeholder: str = "",
        required: bool = True,
        capitals: bool = False,
        describe: Callable[[Any], str] | None = None,
        show_error: bool = True,
    ) -> None:
        super().__init__()
        self.parse = parse
        self.label = label
        self.required = required
        self.describe = describe
        self.show_error = show_error
        self.shows_capitals = capitals
        self.touched = False
        self.value: Any = None
        self.problem: str | None = None
        if capitals and not placeholder:
            placeholder = _("e.g. 1,234.50")
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setToolTip(placeholder)  # in full, where the field is too narrow for it
        if label:
            self.edit.setAccessibleName(label)
        self.capitals = _small_label("capitals", NOTE_STYLE)
        self.capitals.setParent(self)
        self.capitals.setToolTip(_("In capitals"))
        self.error = _small_label("error", ERROR_STYLE)
        self.note = _small_label("note", NOTE_STYLE)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(2)
        self.grid.addWidget(self.edit, 0, 0)
        self.grid.addWidget(self.error, 1, 0)
        self.grid.addWidget(self.note, 2, 0)
        self.grid.setColumnStretch(0, 1)
        if capitals:
            self.edit.setMaximumWidth(AMOUNT_WIDTH)
            self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.capitals.setVisible(True)
            self.add_beside(self.capitals)
            self.grid.setColumnStretch(0, 0)
            self.grid.setColumnStretch(1, 1)
        self.edit.textEdited.connect(self._edited)
        self.edit.textChanged.connect(self.check)
        self.check()

    def _edited(self) -> None:
        if not self.touched:
            self.touched = True
            self.check()

    def add_beside(self, widget: QWidget) -> None:
        """Put ``widget`` (the capitals, a button …) beside the edit; the sentences under the
        edit then run under both."""
        self.grid.addWidget(widget, 0, 1)
        for row, label in ((1, self.error), (2, self.note)):
            self.grid.removeWidget(label)
            self.grid.addWidget(label, row, 0, 1, 2)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def clear(self) -> None:
        """Empty the field for the next entry, as if it had not been touched."""
        self.touched = False
        if self.edit.text():
            self.edit.setText("")
        else:
            self.check()

    def set_required(self, required: bool) -> None:
        self.required = required
        self.check()

    def check(self) -> bool:
        """Parse the text again, say what it means or why it is refused; whether it is valid."""
        text = self.edit.text()
        self.value, self.problem, shown = None, None, ""
        if not text.strip():
            if self.required:
                self.problem = (
                    _("Fill in “{field}”.").format(field=self.label)
                    if self.label
                    else _("Required.")
                )
                shown = self.problem if self.touched else ""
        else:
            try:
                self.value = self.parse(text)
            except GongzhangError as exc:
                self.problem = shown = str(exc)
        self.error.setText(shown)
        self.error.setVisible(bool(shown) and self.show_error)
        fen = self.value
        self.capitals.setText(capitals_of(fen) if self.shows_capitals and type(fen) is int else "")
        described = self.describe(self.value) if self.describe and self.value is not None else ""
        self.note.setText(described)
        self.note.setVisible(bool(described))
        self.changed.emit()
        return self.problem is None


def date_field(
    label: str, *, text: str = "", required: bool = True, placeholder: str = "YYYY-MM-DD"
) -> Field:
    """A field of a date as people write it (2024-03-05, 2024年3月5日 …)."""
    return Field(parse_date, label=label, text=text, required=required, placeholder=placeholder)


class FormGuard(QObject):
    """Keeps a form's button enabled only while the role may act (``refusal`` is empty), every
    field is valid, the form's own check (``extra``) has nothing to say and no work is under
    way (``busy``). The button's tooltip says why it is disabled; ``say``, a label of the form,
    shows what no field already shows under itself.

    ``fields`` is the list of fields, or a function giving the fields that count now (whose
    ``changed`` signals the form then connects to :meth:`update` itself)."""

    def __init__(
        self,
        button: QAbstractButton,
        fields: Sequence[Field] | Callable[[], Sequence[Field]],
        *,
        refusal: str = "",
        extra: Callable[[], str | None] | None = None,
        say: QLabel | None = None,
    ) -> None:
        super().__init__(button)
        self.button = button
        self._fields = fields
        self.refusal = refusal
        self.extra = extra
        self.say = say
        self.busy = False
        if not callable(fields):
            for field in fields:
                field.changed.connect(self.update)
        self.update()

    def fields(self) -> Sequence[Field]:
        return self._fields() if callable(self._fields) else self._fields

    def form_problem(self) -> str | None:
        """Why the form cannot be sent yet, in one sentence (None when it can), whoever asks:
        a typed text that is refused first, then a blank field, then the form's own check."""
        fields = self.fields()
        typed = next((f.problem for f in fields if f.problem and f.text().strip()), None)
        blank = next((f.problem for f in fields if f.problem), None)
        if typed or blank:
            return typed or blank
        return self.extra() if self.extra is not None else None

    def problem(self) -> str | None:
        """Why the button is disabled (the role's refusal first), or None."""
        return self.refusal or self.form_problem()

    def update(self) -> None:
        problem = self.problem()
        self.button.setEnabled(problem is None and not self.busy)
        self.button.setToolTip(problem or "")
        if self.say is not None:
            said = self.form_problem()
            under_a_field = any(
                said == field.problem and not field.error.isHidden() for field in self.fields()
            )
            self.say.setText("" if said is None or under_a_field else said)


# --- tables --------------------------------------------------------------------------------------


def table(
    model: QAbstractItemModel, *, sortable: bool = True, stretch: int | None = None
) -> tuple[QTableView, SortProxy]:
    """A read-only table of ``model`` seen through a :class:`SortProxy` (which filters, and
    sorts on the raw values when ``sortable``: rows keep the model's order until a header is
    clicked). One row is chosen at a time. Whenever the rows are replaced the columns fit their
    contents, up to :data:`WIDEST_COLUMN`; the ``stretch`` column (else the last) takes the
    room left."""
    proxy = SortProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    proxy.setParent(view)
    view.setModel(proxy)
    view.setSortingEnabled(sortable)
    if sortable:
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    proxy.modelReset.connect(lambda: fit_columns(view))
    fit_columns(view)
    return view, proxy


def fit_columns(view: QTableView, widest: int = WIDEST_COLUMN) -> None:
    """Columns as wide as their contents, long texts capped at ``widest``."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for column in range(header.count()):
        if header.sectionSize(column) > widest:
            header.resizeSection(column, widest)


def fit_rows(view: QTableView, rows: int) -> None:
    """Make a short table exactly as tall as its header and ``rows`` rows."""
    header = view.horizontalHeader().sizeHint().height()
    height = header + rows * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth()
    view.setFixedHeight(height)
