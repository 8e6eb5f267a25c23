"""The votes page on a copy of the demo ledger, offscreen: a residents' meeting opened from
the form; paper ballots typed at the desk by keyboard (1 yes, 2 no, 3 abstain), the fields
clearing for the next paper; a second ballot from the same household, an unknown voter and a
closed vote refused in one sentence with the typed text kept; closing shows every threshold;
the demo's owners' meeting shows the four art. 278 figures and its participatory budget greedy
and MES side by side; what a role may not do is disabled and refused anyway."""

from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.app.database import Database
from desktop.app.pages.votes import VotesPage, first_sentence
from ledger.clock import today
from ledger.services.users import get_user
from ledger.services.votes import RESIDENTS_MEETING, create_vote
from tests.desktop import test_app

# The fixtures of the app's tests: a copy of the demo ledger and its Database.
ledger_path = test_app.ledger_path
database = test_app.database
user = test_app.user

WAIT = 10000


def open_page(qtbot: QtBot, database: Database, book_id: int, kind: str, who: str) -> VotesPage:
    page = VotesPage(database, book_id, kind, user(database, who))
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    with qtbot.waitSignal(page.votes_loaded, timeout=WAIT):
        page.refresh()
    return page


def show_vote(qtbot: QtBot, page: VotesPage, vote_id: int) -> None:
    with qtbot.waitSignal(page.vote_shown, timeout=WAIT, check_params_cb=lambda v: v == vote_id):
        page.select_vote(vote_id, force=True)


def cell(model, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    return str(model.index(row, column).data())


def column_of(model, label: str) -> int:  # type: ignore[no-untyped-def]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return headers.index(label)


def type_text(widget: QWidget, text: str) -> None:
    """Key presses carrying each character, as an input method delivers Chinese (QTest's
    keyClicks takes ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def type_ballot(qtbot: QtBot, page: VotesPage, voter: str, choice: str) -> None:
    """As the desk clerk does: the voter, Enter, the choice, Enter."""
    type_text(page.voter, voter)
    qtbot.keyClick(page.voter, Qt.Key.Key_Return)
    assert page.choice.hasFocus()
    type_text(page.choice, choice)
    qtbot.keyClick(page.choice, Qt.Key.Key_Return)


def test_the_page_opens_on_every_book_and_its_models_pass(
    qtmodeltester,  # type: ignore[no-untyped-def]
    qtbot: QtBot,
    database: Database,
) -> None:
    for book_id, kind, vote_id in ((1, "micro_fund", 2), (2, "trust_property", 1), (3, "collective_revenue", 3)):  # fmt: skip
        page = open_page(qtbot, database, book_id, kind, "admin")
        assert page.model.rowCount() == 1
        assert cell(page.model, 0, 0) == str(vote_id)
        qtbot.waitUntil(lambda p=page: p.detail is not None, timeout=WAIT)
        for model in (page.model, page.proxy, page.figures, page.projects_result, page.recent):
            qtmodeltester.check(model)
        qtmodeltester.check(page.projects)


def test_a_residents_meeting_takes_paper_ballots_by_keyboard_and_closes_with_thresholds(
    qtbot: QtBot, database: Database
) -> None:
    page = open_page(qtbot, database, 1, "micro_fund", "zhao.weiyuan")
    page.show_form()
    page.kind.setCurrentIndex(page.kind.findData(RESIDENTS_MEETING))
    assert page.quorum.text() == "1/2"
    type_text(page.vote_title.edit, "增设楼道扶手")
    page.opens.set_text((today() - dt.timedelta(days=2)).isoformat())
    page.closes.set_text(today().isoformat())
    assert page.create_button.isEnabled(), page.form_error.text()
    with qtbot.waitSignal(page.vote_created, timeout=WAIT) as created:
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    vote_id = created.args[0]
    qtbot.waitUntil(
        lambda: page.current is not None and page.current.id == vote_id and bool(page.voters),
        timeout=WAIT,
    )
    assert page.tabs.currentIndex() == 0  # straight to the desk
    assert "碧鸡桥1组1号" in page.voters
    assert page.counter.text() == "Ballots so far: 0"

    with qtbot.waitSignal(page.ballot_recorded, timeout=WAIT):
        type_ballot(qtbot, page, "碧鸡桥1组1号", "1")
    assert page.counter.text() == "Ballots so far: 1"
    assert page.voter.text() == "" and page.choice.text() == ""  # ready for the next paper
    assert page.voter.hasFocus()
    with qtbot.waitSignal(page.ballot_recorded, timeout=WAIT):
        type_ballot(qtbot, page, "碧鸡桥1组2号", "2")
    assert page.counter.text() == "Ballots so far: 2"
    assert [page.recent.rows[r][1:] for r in range(2)] == [
        ("碧鸡桥1组2号", "No"),
        ("碧鸡桥1组1号", "Yes"),
    ]

    # The same household again: refused in one sentence, the typed text stays.
    with qtbot.waitSignal(page.ballot_refused, timeout=WAIT) as refused:
        type_ballot(qtbot, page, "碧鸡桥1组1号", "3")
    sentence = refused.args[0]
    assert sentence.startswith("碧鸡桥1组1号 already has a ballot in vote")
    assert sentence.endswith("one ballot per household.")
    assert sentence.count(". ") == 0 and "\n" not in sentence
    assert page.desk_message.text() == sentence
    assert page.voter.text() == "碧鸡桥1组1号" and page.choice.text() == "3"
    assert page.counter.text() == "Ballots so far: 2"

    # An unknown voter, likewise.
    page.voter.setText("碧鸡桥9组9号")
    with qtbot.waitSignal(page.ballot_refused, timeout=WAIT) as refused:
        qtbot.keyClick(page.choice, Qt.Key.Key_Return)
    assert refused.args[0].startswith("No household “碧鸡桥9组9号” in the register of this book")
    assert page.voter.text() == "碧鸡桥9组9号"

    # A choice that is not 1, 2 or 3 is explained as it is typed, and nothing is sent.
    page.choice.setText("4")
    assert "Type 1 for yes, 2 for no or 3 for abstain" in page.choice_hint.text()
    assert not page.record_button.isEnabled()

    # Closing: the result view shows the quorum and the majority against their thresholds.
    assert page.close_button.isEnabled()
    with qtbot.waitSignal(page.vote_shown, timeout=WAIT, check_params_cb=lambda v: v == vote_id):
        page.close_selected()
    qtbot.waitUntil(lambda: page.current is not None and not page.current.is_open, timeout=WAIT)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.result.status == "closed")
    assert page.tabs.currentIndex() == 1
    figures = page.figures
    assert figures.rowCount() == 2
    assert cell(figures, 0, 0) == "Households present, of all households"
    assert cell(figures, 0, 1) == "2 / 40"
    assert cell(figures, 0, 2) == "1/20"
    assert cell(figures, 0, 3) == "5.00%"
    assert cell(figures, 0, 4) == "> 1/2 (50.00%)"
    assert cell(figures, 0, 5) == "not reached"
    assert cell(figures, 1, 0) == "Households voting yes, of those present"
    assert cell(figures, 1, 2) == "1/2"
    assert cell(figures, 1, 5) == "not reached"  # exactly half is not more than half
    assert "Outcome: Quorum not reached" in page.summary.text()
    assert not page.close_button.isEnabled()
    # The desk of a closed vote says so and takes nothing more.
    assert not page.voter.isEnabled()
    assert page.desk_message.text() == f"Vote {vote_id} is closed; no more ballots can be recorded."


def test_a_closed_vote_refuses_a_ballot_in_one_sentence(qtbot: QtBot, database: Database) -> None:
    page = open_page(qtbot, database, 3, "collective_revenue", "admin")
    show_vote(qtbot, page, 3)
    page.voter.setText(page.voters[3])
    page.choice.setText("1")
    with qtbot.waitSignal(page.ballot_refused, timeout=WAIT) as refused:
        page.record_ballot()
    assert refused.args[0] == "Vote 3 is closed; no more ballots can be recorded."
    assert page.voter.text() == page.voters[3] and page.choice.text() == "1"


def test_the_demo_owners_meeting_shows_the_four_art_278_figures(
    qtmodeltester,  # type: ignore[no-untyped-def]
    qtbot: QtBot,
    database: Database,
) -> None:
    page = open_page(qtbot, database, 2, "trust_property", "chen.shenji")
    show_vote(qtbot, page, 1)
    figures = page.figures
    qtmodeltester.check(figures)
    rows = [tuple(cell(figures, r, c) for c in range(6)) for r in range(figures.rowCount())]
    assert rows == [
        (
            "Area of the owners taking part, of the total area",
            "8486.54 / 10812.58 m²",
            "424327/540629",
            "78.49%",
            "≥ 2/3 (66.67%)",
            "passed",
        ),
        ("Owners taking part, of all owners", "92 / 115", "4/5", "80.00%", "≥ 2/3 (66.67%)", "passed"),
        (
            "Area voting yes, of the area taking part",
            "6999.18 / 8486.54 m²",
            "349959/424327",
            "82.47%",
            "> 1/2 (50.00%)",
            "passed",
        ),
        ("Owners voting yes, of the owners taking part", "77 / 92", "77/92", "83.70%", "> 1/2 (50.00%)", "passed"),
    ]  # fmt: skip
    assert [figures.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "Test", "Counted", "Fraction", "Percentage", "Required", "Result",
    ]  # fmt: skip
    assert "Outcome: Passed" in page.summary.text()
    assert "The 2025 open budget is approved by this vote." in page.summary.text()
    assert page.tabs.currentIndex() == 1  # a closed vote opens on its result
    assert page.figures_view.isVisible() and not page.projects_view.isVisible()


def test_the_demo_budget_shows_greedy_and_mes_side_by_side(
    qtmodeltester,  # type: ignore[no-untyped-def]
    qtbot: QtBot,
    database: Database,
) -> None:
    page = open_page(qtbot, database, 1, "micro_fund", "admin")
    show_vote(qtbot, page, 2)
    assert page.projects_view.isVisible() and not page.figures_view.isVisible()
    model = page.projects_result
    qtmodeltester.check(model)
    qtmodeltester.check(page.projects_proxy)
    greedy, mes = column_of(model, "Greedy"), column_of(model, "MES")
    order = {
        cell(model, r, 0): (cell(model, r, greedy), cell(model, r, mes))
        for r in range(model.rowCount())
    }
    assert order == {
        "p1": ("1", "1"),
        "p2": ("2", ""),
        "p3": ("", "2"),
        "p4": ("", ""),
        "p5": ("3", "3"),
    }
    assert cell(model, 0, 2) == "6,800.00"
    assert cell(model, 0, 3) == "19"
    note = page.result_note.text()
    assert "Greedy: 3 projects, used CN¥19,100.00, left CN¥900.00." in note
    assert "MES (decides): 3 projects, used CN¥15,300.00, left CN¥4,700.00." in note


def test_a_budget_vote_from_the_form_takes_project_ids_at_the_desk(
    qtbot: QtBot, database: Database
) -> None:
    page = open_page(qtbot, database, 1, "micro_fund", "admin")
    page.show_form()
    assert page.kind.currentData() == "participatory_budget"
    page.vote_title.set_text("小区微更新项目")
    page.opens.set_text(today().isoformat())
    page.closes.set_text(today().isoformat())
    qtbot.keyClicks(page.budget.edit, "10000")
    assert page.budget.capitals.text() == "人民币壹万元整"  # the capitals, live
    assert not page.create_button.isEnabled()
    assert page.form_error.text() == "A participatory budget needs its projects, each with a cost."
    for code, name, cost in (("a1", "单元门禁维修", "6000"), ("a2", "休闲长椅", "3000.50")):
        page.project_code.set_text(code)
        page.project_name.setText(name)
        page.project_cost.set_text(cost)
        page.add_project()
    assert page.projects.rows == [("a1", "单元门禁维修", 600_000), ("a2", "休闲长椅", 300_050)]
    # A project dearer than the budget is explained before anything is sent.
    page.budget.set_text("5000")
    assert page.form_error.text().startswith("Project a1 costs CN¥6,000.00, more than the whole")
    assert not page.create_button.isEnabled()
    page.budget.set_text("10000")
    assert page.create_button.isEnabled(), page.form_error.text()
    with qtbot.waitSignal(page.vote_created, timeout=WAIT) as created:
        page.create_vote()
    vote_id = created.args[0]
    qtbot.waitUntil(lambda: page.current is not None and page.current.id == vote_id)
    page.choice.setText("a9")
    assert page.choice_hint.text().startswith("There is no project “a9” in this vote")
    with qtbot.waitSignal(page.ballot_recorded, timeout=WAIT):
        type_ballot(qtbot, page, "碧鸡桥2组3号", "A1 a2")
    assert page.recent.rows[0][1:] == ("碧鸡桥2组3号", "a1 单元门禁维修, a2 休闲长椅")
    assert page.counter.text() == "Ballots so far: 1"


def test_form_fields_explain_what_is_wrong_as_it_is_typed(qtbot: QtBot, database: Database) -> None:
    page = open_page(qtbot, database, 3, "collective_revenue", "admin")
    page.show_form()
    assert page.kind.currentData() == "village_meeting"
    assert (page.quorum.text(), page.quorum_rule.currentData()) == ("2/3", True)  # at least 2/3
    page.vote_title.set_text("修缮村道")
    page.opens.set_text("2025-02-30")
    assert (
        page.opens.error.text()
        == "“2025-02-30” is not a date; write it as YYYY-MM-DD, for example 2024-03-05."
    )
    assert not page.create_button.isEnabled()
    page.opens.set_text("2025-03-10")
    page.closes.set_text("2025-03-01")
    assert (
        page.form_error.text()
        == "The vote would close on 2025-03-01, before it opens on 2025-03-10."
    )
    page.closes.set_text("2025-03-12")
    page.quorum.set_text("3/2")
    assert "at most 1 (100%)" in page.quorum.error.text()
    assert not page.create_button.isEnabled()
    page.quorum.set_text("60%")
    assert page.create_button.isEnabled()


def test_an_auditor_may_not_open_close_or_record_and_the_service_refuses_anyway(
    qtbot: QtBot, database: Database
) -> None:
    with database.ledger.write() as s:
        vote = create_vote(
            s,
            book_id=1,
            kind=RESIDENTS_MEETING,
            title="测试表决",
            opens_on=today(),
            closes_on=today(),
            actor=get_user(s, "admin"),
        )
        vote_id = vote.id or 0
    page = open_page(qtbot, database, 1, "micro_fund", "chen.shenji")
    show_vote(qtbot, page, vote_id)
    for widget in (page.new_button, page.close_button, page.create_button):
        assert not widget.isEnabled()
    assert page.new_button.toolTip() == "Your role may not open, change or close votes."
    assert page.create_button.toolTip() == "Your role may not open, change or close votes."
    assert not page.voter.isEnabled() and not page.record_button.isEnabled()
    assert page.desk_message.text() == "Your role may not record ballots."
    page.voter.setText("碧鸡桥1组1号")
    page.choice.setText("1")
    with qtbot.waitSignal(page.ballot_refused, timeout=WAIT) as refused:
        page.record_ballot()
    assert refused.args[0].startswith("chen.shenji (")
    assert "may not record ballots" in refused.args[0]
    with qtbot.waitSignal(page.create_refused, timeout=WAIT):
        page.kind.setCurrentIndex(page.kind.findData(RESIDENTS_MEETING))
        page.vote_title.set_text("再来一次")
        page.create_vote()


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("A; b. To change it, do c (gongzhang vote correct).", "A; b."),
        ("甲；乙。如需更改，丙。", "甲；乙。"),
        ("Ordinary matter of art. 278; open it.", "Ordinary matter of art. 278; open it."),
    ],
)
def test_the_desk_shows_the_first_sentence(text: str, first: str) -> None:
    assert first_sentence(text) == first
