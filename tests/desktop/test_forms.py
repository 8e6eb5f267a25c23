"""The shared form widgets, offscreen: a field says why what is typed is refused (the parser's own
sentence) and shows an amount's capitals; the guard enables a form's button only when every field
is valid and says why not; a role that may not act sees the access module's name of the action;
tables sort on the raw values."""

from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.app.forms import (
    WIDEST_COLUMN,
    Field,
    FormGuard,
    date_field,
    refusal,
    refuse,
    required_text,
    table,
)
from desktop.app.models import ColumnSpec, RowsModel
from ledger.access import Action, action_label
from ledger.dates import parse_date
from ledger.domain import Role
from ledger.errors import GongzhangError
from ledger.money import parse_money


def refused(parse, text: str) -> str:  # type: ignore[no-untyped-def]
    """The sentence ``parse`` refuses ``text`` with."""
    with pytest.raises(GongzhangError) as raised:
        parse(text)
    return str(raised.value)


def fen(text: str) -> int:
    return parse_money(text).fen


def shown(qtbot: QtBot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    return widget


# --- the field -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["12.345", "abc"])
def test_an_amount_field_refuses_with_the_parsers_sentence(qtbot: QtBot, typed: str) -> None:
    field = Field(fen, label="Amount", capitals=True)
    shown(qtbot, field)
    field.edit.setText("10")
    assert field.ok and field.value == 1_000
    field.edit.clear()
    qtbot.keyClicks(field.edit, typed)
    assert not field.ok and field.value is None
    assert field.problem == refused(parse_money, typed)
    assert field.error.text() == refused(parse_money, typed)
    assert field.error.isVisible()
    assert field.capitals.text() == ""


def test_an_amount_field_shows_its_capitals_beside_it(qtbot: QtBot) -> None:
    field = Field(fen, label="Amount", capitals=True)
    shown(qtbot, field)
    qtbot.keyClicks(field.edit, "12.34")
    assert field.value == 1_234
    assert field.capitals.text() == "人民币壹拾贰元叁角肆分"
    assert field.capitals.isVisible() and not field.error.isVisible()
    assert field.edit.alignment() & Qt.AlignmentFlag.AlignRight
    field.set_text("1,000")
    assert field.capitals.text() == "人民币壹仟元整"


def test_a_field_that_is_not_an_amount_has_no_capitals(qtbot: QtBot) -> None:
    field = Field(fen, label="Code")
    shown(qtbot, field)
    field.set_text("12")
    assert field.value == 1_200 and field.capitals.text() == ""
    assert not field.capitals.isVisible()


def test_a_blank_required_field_says_so_once_touched(qtbot: QtBot) -> None:
    field = Field(required_text("The memo", 10), label="Memo")
    shown(qtbot, field)
    # Untouched: not valid yet, but the form is not covered in red.
    assert field.problem == "Fill in “Memo”."
    assert not field.error.isVisible()
    qtbot.keyClicks(field.edit, "x")
    assert field.ok and field.value == "x"
    field.edit.backspace()
    assert field.error.text() == "Fill in “Memo”." and field.error.isVisible()
    field.set_text("x" * 11)
    assert field.error.text() == "The memo is 11 characters long; keep it within 10."
    field.clear()  # ready for the next entry: untouched again
    assert field.problem == "Fill in “Memo”." and not field.error.isVisible()
    # Without a label the field says only that it is needed.
    nameless = Field(fen)
    assert nameless.problem == "Required."


def test_an_optional_field_may_stay_blank_and_can_become_required(qtbot: QtBot) -> None:
    field = Field(fen, label="Amount", required=False)
    shown(qtbot, field)
    assert field.ok and field.value is None
    field.set_required(True)
    assert field.problem == "Fill in “Amount”."


def test_a_date_field_and_the_note_of_a_good_value(qtbot: QtBot) -> None:
    field = date_field("Date", text="2024-03-05")
    shown(qtbot, field)
    assert field.value == dt.date(2024, 3, 5)
    field.set_text("2024-13-01")
    assert field.error.text() == refused(parse_date, "2024-13-01")
    described = Field(parse_date, label="Date", describe=lambda d: f"a {d:%A}")
    shown(qtbot, described)
    described.set_text("2024-03-05")
    assert described.note.text() == "a Tuesday" and described.note.isVisible()
    described.set_text("x")
    assert described.note.text() == "" and not described.note.isVisible()


# --- the guard -------------------------------------------------------------------------------------


def test_the_guard_enables_the_button_only_when_every_field_is_valid(qtbot: QtBot) -> None:
    holder = QWidget()
    amount = Field(fen, label="Amount", capitals=True)
    memo = Field(required_text("The memo", 20), label="Memo")
    note = Field(required_text("The note", 20), label="Note", required=False)
    button = QPushButton("Record", holder)
    for widget in (amount, memo, note):
        widget.setParent(holder)
    shown(qtbot, holder)
    guard = FormGuard(button, [amount, memo, note])
    assert not button.isEnabled()
    assert button.toolTip() == "Fill in “Amount”."
    amount.set_text("12.34")
    assert not button.isEnabled() and button.toolTip() == "Fill in “Memo”."
    memo.set_text("大米")
    assert button.isEnabled() and button.toolTip() == ""
    # What is typed wrong is said before what is still blank.
    memo.set_text("")
    amount.set_text("abc")
    assert button.toolTip() == refused(parse_money, "abc")
    amount.set_text("12.34")
    memo.set_text("大米")
    assert button.isEnabled()
    guard.busy = True  # a write under way
    guard.update()
    assert not button.isEnabled()
    guard.busy = False
    guard.update()
    assert button.isEnabled()


def test_the_guard_asks_the_form_and_says_what_no_field_says(qtbot: QtBot) -> None:
    holder = QWidget()
    opens = date_field("Opens", text="2025-03-10")
    closes = date_field("Closes", text="2025-03-01")
    say = QLabel(holder)
    button = QPushButton("Open", holder)
    for widget in (opens, closes):
        widget.setParent(holder)
    shown(qtbot, holder)

    def in_order() -> str | None:
        return "It closes before it opens." if closes.value < opens.value else None

    FormGuard(button, [opens, closes], extra=in_order, say=say)
    assert not button.isEnabled()
    assert button.toolTip() == say.text() == "It closes before it opens."
    closes.set_text("2025-03-12")
    assert button.isEnabled() and say.text() == ""
    # A field's own refusal shows under it, not again in the form's label.
    qtbot.keyClicks(closes.edit, "x")
    assert button.toolTip() == closes.error.text() != ""
    assert say.text() == ""


def test_the_guard_puts_the_roles_refusal_first(qtbot: QtBot) -> None:
    amount = Field(fen, label="Amount")
    button = QPushButton("Record")
    guard = FormGuard(button, [amount], refusal=refusal(Role.AUDITOR, Action.POST_ENTRY))
    amount.set_text("1")
    assert not button.isEnabled()
    assert button.toolTip() == "Your role may not record entries."
    # What the form says of itself leaves the role to the service.
    assert guard.form_problem() is None


# --- who may not -----------------------------------------------------------------------------------


def test_the_refusal_disables_and_names_the_action(qtbot: QtBot) -> None:
    button, edit = QPushButton("Approve"), QLineEdit()
    assert not refuse(Role.TREASURER, Action.APPROVE, button, edit)
    for widget in (button, edit):
        assert not widget.isEnabled()
        assert widget.toolTip() == "Your role may not approve entries."
    allowed = QPushButton("Record")
    assert refuse(Role.TREASURER, Action.POST_ENTRY, allowed)
    assert allowed.isEnabled() and allowed.toolTip() == ""
    assert refusal("treasurer", Action.POST_ENTRY) == ""


def test_one_sentence_per_action_named_by_the_access_module() -> None:
    for action in Action:  # the auditor is read-only: refused everything
        assert refusal(Role.AUDITOR, action) == f"Your role may not {action_label(action)}."


# --- tables ----------------------------------------------------------------------------------------


def test_a_table_sorts_on_raw_values_and_fits_its_columns(qtbot: QtBot) -> None:
    model = RowsModel(
        [ColumnSpec("Memo"), ColumnSpec("Amount", "money"), ColumnSpec("Note")],
        [("a", 5_000_000_000, ""), ("b", 900, ""), ("c", 3_000_000_001, "")],
    )
    view, proxy = table(model, stretch=2)
    shown(qtbot, view)
    # The model's order until a header is clicked.
    assert [proxy.index(r, 0).data() for r in range(3)] == ["a", "b", "c"]
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # fen beyond 32 bits
    assert [proxy.index(r, 0).data() for r in range(3)] == ["b", "c", "a"]
    assert view.isSortingEnabled()
    model.set_rows([("x" * 300, 1, "")])  # a long memo is cut at the widest column
    header = view.horizontalHeader()
    assert header.sectionSize(0) == WIDEST_COLUMN
    assert header.sectionResizeMode(2) == header.ResizeMode.Stretch
    fixed, _proxy = table(model, sortable=False)
    assert not fixed.isSortingEnabled()
