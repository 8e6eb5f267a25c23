"""Votes (表决) of a book: the list of its votes; a form to open one (owners' meeting,
residents' or village meeting, participatory budget); a ballot desk to type a stack of paper
ballots by keyboard; closing; and the result with every threshold — for a participatory budget,
the projects with the order in which greedy and MES select them, side by side.

Every database job returns plain values (:class:`VoteInfo`, :class:`VoteDetail`, the result's
JSON dict). Opening a vote, recording a ballot and closing are the operations of
:mod:`ledger.operations.votes`, performed as the signed-in user — the same the command line
performs, deciding and refusing exactly as there."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, col, select

from desktop.app.errors import message_of, presenter
from desktop.app.forms import (
    ERROR_STYLE,
    GOOD_STYLE,
    NOTE_STYLE,
    Field,
    FormGuard,
    date_field,
    refusal,
    refuse,
    table,
)
from desktop.app.models import SORT_ROLE, ColumnSpec, RowsModel
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel, plain_box, plain_tip
from ledger.access import Action
from ledger.clock import today
from ledger.errors import GongzhangError, InvalidInputError
from ledger.i18n import N_, _
from ledger.models import PropertyUnit
from ledger.money import parse_money
from ledger.operations.votes import (
    CLOSE_VOTE,
    CREATE_VOTE,
    RECORD_BALLOT,
    BallotRecorded,
    CloseVote,
    CreateVote,
    RecordBallot,
    VoteClosed,
    VoteOpened,
    share_text,
)
from ledger.rules.ballots import (
    BUDGET_BALLOT_TYPES,
    check_budget_ballot,
    check_choice,
    parse_fraction,
)
from ledger.rules.meetings import Matter
from ledger.services.households import book_households
from ledger.services.property import unit_label
from ledger.services.votes import (
    CHANNELS,
    MAX_TITLE_LENGTH,
    OWNERS_MEETING,
    PARTICIPATORY_BUDGET,
    RESIDENTS_MEETING,
    VILLAGE_MEETING,
    BudgetPart,
    ProjectSpec,
    RuleTally,
    VoteResult,
    VoteStatus,
    ballot_count,
    channel_label,
    describe_result,
    find_vote,
    kind_label,
    list_votes,
    rule_label,
    vote_money,
    vote_options,
    vote_result_value,
)

#: The kinds of vote a book of each kind may hold (the service refuses the others).
KINDS_FOR_BOOK = {
    "micro_fund": (PARTICIPATORY_BUDGET, RESIDENTS_MEETING),
    "trust_property": (OWNERS_MEETING, RESIDENTS_MEETING),
    "collective_revenue": (VILLAGE_MEETING, RESIDENTS_MEETING),
}
#: A meeting ballot typed at the desk: 1 yes, 2 no, 3 abstain.
DESK_CHOICES = {"1": "yes", "2": "no", "3": "abstain"}
CHOICE_LABELS = {"yes": N_("Yes"), "no": N_("No"), "abstain": N_("Abstain")}
BALLOT_TYPE_LABELS = {
    "choose-1": N_("choose one project"),
    "approval": N_("approval (each voter ticks the projects they support)"),
    "cumulative": N_("cumulative (each voter shares out points)"),
    "ordinal": N_("ranked (each voter ranks projects, best first)"),
}
RULE_NAMES = {"greedy": N_("Greedy"), "mes": N_("MES"), "plurality": N_("Plurality")}

VOTE_COLUMNS = (
    ColumnSpec(N_("No."), "int"),
    ColumnSpec(N_("Kind")),
    ColumnSpec(N_("Title")),
    ColumnSpec(N_("Voting days")),
    ColumnSpec(N_("Ballots"), "int"),
    ColumnSpec(N_("Status")),
)
FIGURE_COLUMNS = (
    ColumnSpec(N_("Test")),
    ColumnSpec(N_("Counted")),
    ColumnSpec(N_("Fraction")),
    ColumnSpec(N_("Percentage"), "percent"),
    ColumnSpec(N_("Required")),
    ColumnSpec(N_("Result")),
)
PROJECT_COLUMNS = (
    ColumnSpec(N_("Project id")),
    ColumnSpec(N_("Project")),
    ColumnSpec(N_("Cost"), "money"),
)
RECENT_COLUMNS = (
    ColumnSpec(N_("No."), "int"),
    ColumnSpec(N_("Voter")),
    ColumnSpec(N_("Vote cast")),
)


# --- plain values crossing from the worker ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoteInfo:
    """A vote as the page shows it (no ORM object)."""

    id: int
    kind: str
    title: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    ballots: int
    ballot_type: str
    max_length: int | None
    max_points: int | None
    currency: str
    #: (code, name, cost in fen) of each option or project.
    options: tuple[tuple[str, str, int | None], ...]

    @property
    def is_open(self) -> bool:
        return self.status == VoteStatus.OPEN

    @property
    def is_meeting(self) -> bool:
        return self.kind != PARTICIPATORY_BUDGET


@dataclass(frozen=True, slots=True)
class VoteDetail:
    """What the desk and the result view need of one vote."""

    vote_id: int
    #: Voters the desk completes (units, owner keys or household labels); None if not loaded.
    voters: tuple[str, ...] | None
    result: VoteResult
    lines: tuple[str, ...]


def _vote_info(session: Session, vote_id: int) -> VoteInfo:
    vote = find_vote(session, vote_id=vote_id)
    return VoteInfo(
        id=vote.id or 0,
        kind=vote.kind,
        title=vote.title,
        opens_on=vote.opens_on,
        closes_on=vote.closes_on,
        status=vote.status,
        ballots=ballot_count(session, vote_id=vote.id or 0),
        ballot_type=vote.ballot_type,
        max_length=vote.max_length,
        max_points=vote.max_points,
        currency=vote.currency,
        options=tuple(
            (o.code, o.name, o.cost_fen) for o in vote_options(session, vote_id=vote.id or 0)
        ),
    )


def book_votes(session: Session, book_id: int) -> list[VoteInfo]:
    return [_vote_info(session, v.id or 0) for v in list_votes(session, book_id=book_id)]


def register_of(session: Session, vote_id: int) -> tuple[str, ...]:
    """Who may vote, as the desk types them: units (1-2-301) and owner keys at an owners'
    meeting, household labels otherwise."""
    vote = find_vote(session, vote_id=vote_id)
    if vote.kind == OWNERS_MEETING:
        units = list(
            session.exec(select(PropertyUnit).where(col(PropertyUnit.book_id) == vote.book_id))
        )
        labels = sorted({unit_label(u) for u in units})
        keys = sorted({u.owner_key for u in units} - set(labels))
        return tuple(labels + keys)
    return tuple(h.label for h in book_households(session, book_id=vote.book_id))


# --- parsing what is typed ---------------------------------------------------------------------


def parse_title(text: str) -> str:
    clean = " ".join(text.split())
    if not clean or len(clean) > MAX_TITLE_LENGTH:
        raise InvalidInputError(
            _("A vote needs a title of 1 to {max} characters.").format(max=MAX_TITLE_LENGTH)
        )
    return clean


def parse_budget(text: str) -> int:
    fen = parse_money(text).fen
    if fen <= 0:
        raise InvalidInputError(_("A participatory budget needs a budget above zero."))
    return fen


def parse_cost(text: str) -> int:
    fen = parse_money(text).fen
    if fen < 0:
        raise InvalidInputError(_("A cost is zero or more; got {cost}.").format(cost=text.strip()))
    return fen


def positive_int(what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        clean = text.strip()
        if not (clean.isascii() and clean.isdigit()) or int(clean) <= 0:
            raise InvalidInputError(
                _("{what} must be a whole number above 0; got {value}.").format(
                    what=_(what), value=clean
                )
            )
        return int(clean)

    return parse


def parse_year(text: str) -> int:
    clean = text.strip()
    if not (clean.isascii() and clean.isdigit() and len(clean) == 4):
        raise InvalidInputError(
            _("Write the year as four digits, like 2025; got “{text}”.").format(text=clean)
        )
    return int(clean)


def parse_project_code(text: str) -> str:
    code = text.strip()
    if not code or len(code) > 64 or "," in code or ";" in code or " " in code:
        raise InvalidInputError(
            _("A project id takes 1 to 64 characters without “,” or “;”; got “{code}”.").format(
                code=code
            )
        )
    return code


def parse_meeting_choice(text: str) -> str:
    """``1``/``2``/``3`` as typed from a paper ballot, or yes/no/abstain (同意/反对/弃权)."""
    clean = text.strip()
    if clean in DESK_CHOICES:
        return DESK_CHOICES[clean]
    try:
        return check_choice(clean)
    except InvalidInputError:
        raise InvalidInputError(
            _("Type 1 for yes, 2 for no or 3 for abstain; got “{text}”.").format(text=clean)
        ) from None


_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_budget_ballot(text: str, info: VoteInfo) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Project ids as typed (``p1 p3`` or ``p1,p3``; ``p1:3 p2:2`` with points on a cumulative
    ballot), checked against the vote's projects and limits."""
    codes = {code.lower(): code for code, _name, _cost in info.options}
    selection: list[str] = []
    points: list[int] = []
    for part in _SEPARATORS.split(text.strip()):
        if not part:
            continue
        code = part
        if info.ballot_type == "cumulative":
            code, sep, given = _split_points(part)
            if not sep or not (given.isascii() and given.isdigit()):
                raise InvalidInputError(
                    _(
                        "On a cumulative ballot give each project with its points, like "
                        "p1:3 p2:2; got “{text}”."
                    ).format(text=part)
                )
            points.append(int(given))
        selection.append(codes.get(code.lower(), code))
    if not selection:
        raise InvalidInputError(_("Type the project ids on the ballot, like p1 p3."))
    return check_budget_ballot(
        info.ballot_type,
        {code for code, _name, _cost in info.options},
        selection,
        points,
        max_length=info.max_length,
        max_points=info.max_points,
    )


def _split_points(part: str) -> tuple[str, str, str]:
    for sep in (":", "=", "："):
        if sep in part:
            code, _sep, given = part.partition(sep)
            return code, sep, given
    return part, "", ""


_SENTENCE_END = re.compile(r"。|\.(?=\s+[A-Z“\"(])")


def first_sentence(text: str) -> str:
    """The first sentence of a service's message: what the desk shows of a refusal (the rest
    is advice for the command line, kept in the tooltip)."""
    match = _SENTENCE_END.search(text)
    return text[: match.end()] if match else text


# --- the page ----------------------------------------------------------------------------------


class VotesPage(BookPage):
    #: Not "Votes", whose translation (票数) is the count of votes in a table column.
    title = N_("Resident votes")
    #: The list of votes has been (re)loaded.
    votes_loaded = Signal()
    #: The desk and result of a vote are shown (its number).
    vote_shown = Signal(int)
    #: A ballot went in (ballots so far) / was refused (the sentence).
    ballot_recorded = Signal(int)
    ballot_refused = Signal(str)
    #: A vote was opened (its number) / the form's submission was refused (the sentence).
    vote_created = Signal(int)
    create_refused = Signal(str)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.votes: dict[int, VoteInfo] = {}
        self.current: VoteInfo | None = None
        self.detail: VoteDetail | None = None
        self.voters: tuple[str, ...] = ()
        self._generation = 0
        self._want: int | None = None
        self._register_vote: int | None = None
        self.may_manage = self.user.may(Action.MANAGE_VOTES)
        self.may_record = self.user.may(Action.RECORD_BALLOTS)

        # The list of votes.
        self.model = RowsModel(VOTE_COLUMNS)
        self.view, self.proxy = table(self.model, stretch=2)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.new_button = QPushButton(_("New vote…"))
        self.new_button.clicked.connect(self.show_form)
        self.close_button = QPushButton(_("Close the vote…"))
        self.close_button.clicked.connect(self.ask_close)
        self.count = PlainLabel()
        refuse(self.user.role, Action.MANAGE_VOTES, self.new_button, self.close_button)
        top = QWidget()
        bar = QHBoxLayout()
        bar.addWidget(self.count, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.close_button)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.view)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_desk(), _("Ballot desk"))
        self.tabs.addTab(self._build_result(), _("Result"))
        self.tabs.addTab(self._build_form(), _("New vote"))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([170, 480])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._show_vote(None)

    # -- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        book_id = self.book_id
        self.database.read(lambda s: book_votes(s, book_id), self._votes_loaded)

    def _votes_loaded(self, votes: list[VoteInfo]) -> None:
        keep = self._want if self._want is not None else (self.current.id if self.current else None)
        self._want = None
        self.votes = {v.id: v for v in votes}
        status = {s.value: s.label for s in VoteStatus}
        self.model.set_rows(
            [
                (
                    v.id,
                    kind_label(v.kind),
                    v.title,
                    f"{v.opens_on.isoformat()} – {v.closes_on.isoformat()}",
                    v.ballots,
                    status.get(v.status, v.status),
                )
                for v in votes
            ]
        )
        self.count.setText(
            _("Votes: {n} · open: {open}").format(n=len(votes), open=sum(v.is_open for v in votes))
        )
        if keep not in self.votes and votes:
            opened = [v.id for v in votes if v.is_open]
            keep = opened[-1] if opened else votes[-1].id
        if keep in self.votes:
            self.select_vote(keep, force=True)
        else:
            self._show_vote(None)
        self.votes_loaded.emit()

    def select_vote(self, vote_id: int, *, force: bool = False) -> None:
        """Choose a vote in the list (its desk and result follow)."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(SORT_ROLE) == vote_id:
                if self.view.currentIndex().row() == row and not force:
                    return
                self.view.selectionModel().blockSignals(True)
                self.view.setCurrentIndex(index)
                self.view.selectRow(row)
                self.view.selectionModel().blockSignals(False)
                self._show_vote(self.votes.get(vote_id))
                return

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self._show_vote(None)
            return
        vote_id = self.proxy.index(current.row(), 0).data(SORT_ROLE)
        self._show_vote(self.votes.get(vote_id))

    def _show_vote(self, info: VoteInfo | None) -> None:
        changed = info is None or self.current is None or info.id != self.current.id
        self.current = info
        self.close_button.setEnabled(self.may_manage and info is not None and info.is_open)
        self._update_desk(changed)
        if info is None:
            self.detail = None
            self.summary.setText(_("Choose a vote in the list above."))
            self.figures.set_rows([])
            self.projects_view.hide()
            self.figures_view.hide()
            return
        if changed and not info.is_open and self.tabs.currentIndex() == 0:
            self.tabs.setCurrentIndex(1)  # a closed vote takes no ballots: show its result
        self._generation += 1
        generation, vote_id = self._generation, info.id
        need_register = self._register_vote != vote_id

        def job(s: Session) -> VoteDetail:
            result = vote_result_value(s, vote_id=vote_id)
            # The tests against thresholds are in the table below the summary.
            tests = {f.describe() for f in result.figures}
            return VoteDetail(
                vote_id=vote_id,
                voters=register_of(s, vote_id) if need_register else None,
                result=result,
                lines=tuple(line for line in describe_result(result) if line not in tests),
            )

        def shown(detail: VoteDetail) -> None:
            if generation != self._generation:
                return
            if detail.voters is not None:
                self._register_vote = detail.vote_id
                self.voters = detail.voters
                self.completions.setStringList(list(detail.voters))
            self.detail = detail
            self._show_result(detail)
            self.vote_shown.emit(detail.vote_id)

        self.database.read(job, shown)

    # -- the form that opens a vote ------------------------------------------------------------

    def _build_form(self) -> QWidget:
        self.kind = QComboBox()
        for kind in KINDS_FOR_BOOK.get(self.book_kind, (RESIDENTS_MEETING,)):
            self.kind.addItem(kind_label(kind), kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        start = today()
        self.vote_title = Field(
            parse_title, label=_("Title"), placeholder=_("the question or motion")
        )
        self.opens = date_field(_("First day of voting"), text=start.isoformat())
        self.closes = date_field(
            _("Last day of voting"), text=(start + dt.timedelta(days=14)).isoformat()
        )
        self.matter = QComboBox()
        for matter in Matter:
            self.matter.addItem(_(matter.label), matter.value)
        self.budget_year = Field(
            parse_year,
            label=_("Open budget it approves (year)"),
            required=False,
            placeholder=_("none"),
        )
        self.quorum = Field(
            parse_fraction,
            label=_("Quorum: households present"),
            text="1/2",
            placeholder="1/2, 2/3, 50%",
        )
        self.quorum_rule = QComboBox()
        self.majority = Field(
            parse_fraction,
            label=_("Majority: yes of those present"),
            text="1/2",
            placeholder="1/2, 2/3, 50%",
        )
        self.majority_rule = QComboBox()
        for combo in (self.quorum_rule, self.majority_rule):
            combo.addItem(_("more than"), False)
            combo.addItem(_("at least"), True)
        self.budget = Field(parse_budget, label=_("Budget"), placeholder="20000.00", capitals=True)
        self.ballot_type = QComboBox()
        for ballot_type in BUDGET_BALLOT_TYPES:
            self.ballot_type.addItem(_(BALLOT_TYPE_LABELS[ballot_type]), ballot_type)
        self.ballot_type.setCurrentIndex(BUDGET_BALLOT_TYPES.index("approval"))
        self.ballot_type.currentIndexChanged.connect(self._ballot_type_changed)
        self.rule = QComboBox()
        self.max_length = Field(
            positive_int(N_("The most projects on a ballot")),
            label=_("Most projects on a ballot"),
            required=False,
            placeholder="3",
        )
        self.max_points = Field(
            positive_int(N_("The most points on a ballot")),
            label=_("Most points on a ballot"),
            required=False,
            placeholder="10",
        )
        self.projects_row = self._build_projects()
        return self._lay_out_form()

    def _build_projects(self) -> QWidget:
        """Projects: typed one by one into a row of fields, listed in a table."""
        self.project_code = Field(
            parse_project_code, label=_("Project id"), placeholder="p1", show_error=False
        )
        self.project_name = QLineEdit()
        self.project_name.setPlaceholderText(_("name"))
        self.project_cost = Field(
            parse_cost, label=_("Cost"), placeholder="8000", capitals=True, show_error=False
        )
        self.project_error = PlainLabel()
        self.project_error.setStyleSheet(ERROR_STYLE)
        self.project_error.setWordWrap(True)
        self.add_project_button = QPushButton(_("Add project"))
        self.add_project_button.clicked.connect(self.add_project)
        self.project_cost.edit.returnPressed.connect(self.add_project)
        self.remove_project_button = QPushButton(_("Remove project"))
        self.remove_project_button.clicked.connect(self.remove_project)
        self.projects = RowsModel(PROJECT_COLUMNS)
        self.projects_table, self.projects_table_proxy = table(
            self.projects, sortable=False, stretch=1
        )
        self.projects_table.setMinimumHeight(110)
        entry = QHBoxLayout()
        entry.addWidget(self.project_code, 1)
        entry.addWidget(self.project_name, 3)
        entry.addWidget(self.project_cost, 3)
        entry.addWidget(self.add_project_button, 0, Qt.AlignmentFlag.AlignTop)
        projects = QWidget()
        projects_layout = QVBoxLayout(projects)
        projects_layout.setContentsMargins(0, 0, 0, 0)
        projects_layout.addLayout(entry)
        projects_layout.addWidget(self.project_error)
        projects_layout.addWidget(self.projects_table)
        projects_layout.addWidget(self.remove_project_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.project_guard = FormGuard(
            self.add_project_button, [self.project_code, self.project_cost]
        )
        self.project_code.changed.connect(self._check_project_entry)
        self.project_cost.changed.connect(self._check_project_entry)
        self._check_project_entry()
        return projects

    def _lay_out_form(self) -> QWidget:
        self.form_error = PlainLabel()
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.create_button = QPushButton(_("Open the vote"))
        self.create_button.clicked.connect(self.create_vote)
        self.create_guard = FormGuard(
            self.create_button,
            self._form_fields,
            refusal=refusal(self.user.role, Action.MANAGE_VOTES),
            extra=self._form_extra,
            say=self.form_error,
        )

        self.form = QFormLayout()
        self.form.addRow(_("Kind"), self.kind)
        self.form.addRow(_("Title"), self.vote_title)
        self.form.addRow(_("First day of voting"), self.opens)
        self.form.addRow(_("Last day of voting"), self.closes)
        self.form.addRow(_("Matter (Civil Code art. 278)"), self.matter)
        self.form.addRow(_("Open budget it approves (year)"), self.budget_year)
        self.quorum_row = self._pair(self.quorum_rule, self.quorum)
        self.majority_row = self._pair(self.majority_rule, self.majority)
        self.form.addRow(_("Quorum: households present"), self.quorum_row)
        self.form.addRow(_("Majority: yes of those present"), self.majority_row)
        self.form.addRow(_("Budget"), self.budget)
        self.form.addRow(_("Ballot type"), self.ballot_type)
        self.form.addRow(_("Rule"), self.rule)
        self.form.addRow(_("Most projects on a ballot"), self.max_length)
        self.form.addRow(_("Most points on a ballot"), self.max_points)
        self.form.addRow(_("Projects"), self.projects_row)
        for field in (
            self.vote_title,
            self.opens,
            self.closes,
            self.budget_year,
            self.quorum,
            self.majority,
            self.budget,
            self.max_length,
            self.max_points,
        ):
            field.changed.connect(self.validate_form)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(self.form)
        column.addWidget(self.form_error)
        column.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self._ballot_type_changed()
        return scroll

    @staticmethod
    def _pair(combo: QComboBox, field: Field) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(combo, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(field, 1)
        return box

    def show_form(self) -> None:
        self.tabs.setCurrentIndex(2)
        self.vote_title.edit.setFocus()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        meeting = kind in (RESIDENTS_MEETING, VILLAGE_MEETING)
        budget = kind == PARTICIPATORY_BUDGET
        owners = kind == OWNERS_MEETING
        for widget, visible in (
            (self.matter, owners),
            (self.budget_year, owners),
            (self.quorum_row, meeting),
            (self.majority_row, meeting),
            (self.budget, budget),
            (self.ballot_type, budget),
            (self.rule, budget),
            (self.max_length, budget and self.ballot_type.currentData() != "choose-1"),
            (self.max_points, budget and self.ballot_type.currentData() == "cumulative"),
            (self.projects_row, budget),
        ):
            self.form.setRowVisible(widget, visible)
        # The law's defaults: a village meeting needs at least 2/3 of the households present.
        village = kind == VILLAGE_MEETING
        self.quorum.set_text("2/3" if village else "1/2")
        self.quorum_rule.setCurrentIndex(1 if village else 0)
        self.majority.set_text("1/2")
        self.majority_rule.setCurrentIndex(0)
        self.validate_form()

    def _ballot_type_changed(self) -> None:
        ballot_type = self.ballot_type.currentData()
        rules = ("plurality", "greedy", "mes") if ballot_type == "choose-1" else ("mes", "greedy")
        self.rule.clear()
        for rule in rules:
            self.rule.addItem(rule_label(rule), rule)
        if getattr(self, "form", None) is not None:
            self._kind_changed()

    def _check_project_entry(self) -> None:
        """Under the row of project fields: the refusal of what is typed in them (a blank
        field is only disabling the button, whose tooltip names it)."""
        fields = (self.project_code, self.project_cost)
        self.project_error.setText(
            next((f.problem or "" for f in fields if f.problem and f.text().strip()), "")
        )

    def add_project(self) -> None:
        """Add the project typed in the row of fields to the vote's projects."""
        if not (self.project_code.check() and self.project_cost.check()):
            return
        code = self.project_code.value
        if any(row[0] == code for row in self.projects.rows):
            self.project_error.setText(
                _("Project id {code} is given twice; each project needs its own id.").format(
                    code=code
                )
            )
            return
        name = " ".join(self.project_name.text().split())
        self.projects.set_rows([*self.projects.rows, (code, name, self.project_cost.value)])
        for field in (self.project_code, self.project_cost):
            field.clear()
        self.project_name.clear()
        self._check_project_entry()
        self.project_code.edit.setFocus()
        self.validate_form()

    def remove_project(self) -> None:
        index = self.projects_table.currentIndex()
        if index.isValid():
            rows = list(self.projects.rows)
            del rows[self.projects_table_proxy.mapToSource(index).row()]
            self.projects.set_rows(rows)
            self.validate_form()

    def _form_fields(self) -> list[Field]:
        kind = self.kind.currentData()
        fields = [self.vote_title, self.opens, self.closes]
        if kind == OWNERS_MEETING:
            fields.append(self.budget_year)
        elif kind == PARTICIPATORY_BUDGET:
            fields += [self.budget, self.max_length, self.max_points]
        else:
            fields += [self.quorum, self.majority]
        return fields

    def form_problem(self) -> str | None:
        """Why the form cannot be submitted yet, in one sentence (None when it can); the
        service decides whether the user's role may."""
        return self.create_guard.form_problem()

    def _form_extra(self) -> str | None:
        """What the form says once every field is valid: the days in order, the projects."""
        opens, closes = self.opens.value, self.closes.value
        if closes < opens:
            return _("The vote would close on {closes}, before it opens on {opens}.").format(
                closes=closes.isoformat(), opens=opens.isoformat()
            )
        if self.kind.currentData() == PARTICIPATORY_BUDGET:
            return self._budget_problem()
        return None

    def _budget_problem(self) -> str | None:
        ballot_type = self.ballot_type.currentData()
        rows = self.projects.rows
        problem = None
        if not rows:
            problem = _("A participatory budget needs its projects, each with a cost.")
        elif ballot_type == "choose-1" and len(rows) < 2:
            problem = _("A choose-1 vote needs at least two options.")
        elif ballot_type == "cumulative" and self.max_points.value is None:
            problem = _("A cumulative vote needs the most points a voter may give.")
        for code, _name, cost in rows:
            if problem is None and cost > self.budget.value:
                problem = _(
                    "Project {code} costs {cost}, more than the whole budget of {budget}; "
                    "it could never be funded. Check the cost or the budget."
                ).format(code=code, cost=vote_money(cost), budget=vote_money(self.budget.value))
        return problem

    def validate_form(self) -> bool:
        if getattr(self, "create_guard", None) is None:
            return False
        # A field's own error shows under it; the form says only what no field says.
        self.create_guard.update()
        return self.form_problem() is None

    def form_values(self) -> dict[str, Any]:
        """The keyword arguments of ``create_vote`` as the form holds them."""
        kind = self.kind.currentData()
        values: dict[str, Any] = {
            "kind": kind,
            "title": self.vote_title.value,
            "opens_on": self.opens.value,
            "closes_on": self.closes.value,
        }
        if kind == OWNERS_MEETING:
            values["matter"] = self.matter.currentData()
            values["budget_year"] = self.budget_year.value
        elif kind == PARTICIPATORY_BUDGET:
            ballot_type = self.ballot_type.currentData()
            values.update(
                ballot_type=ballot_type,
                rule=self.rule.currentData(),
                budget_fen=self.budget.value,
                max_length=None if ballot_type == "choose-1" else self.max_length.value,
                max_points=self.max_points.value if ballot_type == "cumulative" else None,
                projects=[ProjectSpec(c, n, cost) for c, n, cost in self.projects.rows],
            )
        else:
            values.update(
                quorum=self.quorum.value,
                quorum_inclusive=bool(self.quorum_rule.currentData()),
                majority=self.majority.value,
                majority_inclusive=bool(self.majority_rule.currentData()),
            )
        return values

    def create_request(self) -> CreateVote:
        """The request to open the vote the form describes."""
        values = self.form_values()
        for share in ("quorum", "majority"):
            if share in values:
                values[share] = share_text(values[share])
        if "projects" in values:
            values["projects"] = tuple(values["projects"])
        return CreateVote(book=self.book_id, **values)

    def create_vote(self) -> None:
        """Open the vote the form describes (the operation checks it all again)."""
        problem = self.form_problem()
        if problem is not None:
            self._create_refused(InvalidInputError(problem))
            return

        def created(outcome: VoteOpened) -> None:
            vote_id = outcome.vote.id
            self.vote_title.clear()
            self.projects.set_rows([])
            self.validate_form()
            self._want = vote_id
            self.tabs.setCurrentIndex(0)
            self.refresh()
            self.vote_created.emit(vote_id)

        self.perform(CREATE_VOTE, self.create_request(), created, self._create_refused)

    def _create_refused(self, error: BaseException) -> None:
        text = message_of(error)
        self.form_error.setText(text)
        self.message.emit(text)
        self.create_refused.emit(text)
        if not isinstance(error, GongzhangError):
            presenter().show(error)

    # -- the ballot desk -----------------------------------------------------------------------

    def _build_desk(self) -> QWidget:
        self.desk_title = PlainLabel()
        self.desk_title.setWordWrap(True)
        self.desk_title.setStyleSheet("font-weight: bold;")
        self.counter = PlainLabel()
        self.counter.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.counter.setObjectName("ballot_counter")
        self.voter = QLineEdit()
        self.voter.setPlaceholderText(_("unit 1-2-301, owner key or household"))
        self.completions = QStringListModel()
        completer = QCompleter(self.completions, self.voter)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.voter.setCompleter(completer)
        self.voter.returnPressed.connect(self._voter_entered)
        self.voter_hint = PlainLabel()
        self.voter_hint.setStyleSheet(NOTE_STYLE)
        self.voter.textChanged.connect(self._voter_changed)
        self.choice = QLineEdit()
        self.choice.returnPressed.connect(self.record_ballot)
        self.choice.textChanged.connect(self._choice_changed)
        self.choice_hint = PlainLabel()
        self.choice_hint.setWordWrap(True)
        self.cast_on = date_field(_("Cast on"))
        self.cast_on.changed.connect(self._choice_changed)
        self.channel = QComboBox()
        for channel in CHANNELS:
            if channel != "import":
                self.channel.addItem(channel_label(channel), channel)
        self.proxy_name = QLineEdit()
        self.proxy_name.setPlaceholderText(_("who held the proxy (kept private)"))
        self.proxy_name.setEnabled(False)
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.proxy_name.textChanged.connect(self._choice_changed)
        self.record_button = QPushButton(_("Record ballot (Enter)"))
        self.record_button.clicked.connect(self.record_ballot)
        self.desk_message = PlainLabel()
        self.desk_message.setWordWrap(True)
        self.desk_message.setObjectName("desk_message")
        self.recent = RowsModel(RECENT_COLUMNS)
        self.recent_view, _proxy = table(self.recent, sortable=False, stretch=2)
        return self._lay_out_desk()

    def _lay_out_desk(self) -> QWidget:
        form = QFormLayout()
        voter_row = QHBoxLayout()
        voter_row.addWidget(self.voter, 2)
        voter_row.addWidget(self.voter_hint, 1)
        choice_row = QHBoxLayout()
        choice_row.addWidget(self.choice, 2)
        choice_row.addWidget(self.choice_hint, 1)
        how = QHBoxLayout()
        how.addWidget(self.channel)
        how.addWidget(self.proxy_name, 1)
        form.addRow(_("Voter"), voter_row)
        form.addRow(_("Vote cast"), choice_row)
        form.addRow(_("Cast on"), self.cast_on)
        form.addRow(_("Came in"), how)
        left = QVBoxLayout()
        left.addWidget(self.desk_title)
        left.addWidget(self.counter)
        left.addLayout(form)
        left.addWidget(self.record_button, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.desk_message)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(PlainLabel(_("Recorded at this desk, latest first")))
        right.addWidget(self.recent_view)
        desk = QWidget()
        row = QHBoxLayout(desk)
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        self.setTabOrder(self.voter, self.choice)
        self.setTabOrder(self.choice, self.record_button)
        return desk

    def _update_desk(self, vote_changed: bool) -> None:
        info = self.current
        usable = info is not None and info.is_open
        for widget in (self.voter, self.choice, self.cast_on, self.channel, self.record_button):
            widget.setEnabled(usable and self.may_record)
        self.proxy_name.setEnabled(
            usable and self.may_record and self.channel.currentData() == "proxy"
        )
        if info is None:
            self.desk_title.setText(_("Choose a vote in the list above."))
            self.counter.setText("")
            return
        self.desk_title.setText(
            _("Vote {id} ({kind}): {title}").format(
                id=info.id, kind=kind_label(info.kind), title=info.title
            )
            + "\n"
            + _("Ballots from {opens} to {closes}.").format(
                opens=info.opens_on.isoformat(), closes=info.closes_on.isoformat()
            )
        )
        self.show_count(info.ballots)
        if vote_changed:
            self.recent.set_rows([])
            self.voter.clear()
            self.choice.clear()
            self.desk_message.clear()
            day = today()
            self.cast_on.set_text((min(day, info.closes_on)).isoformat())
            self.choice.setPlaceholderText(
                _("1 yes · 2 no · 3 abstain")
                if info.is_meeting
                else _("project ids, like p1 p3")
                if info.ballot_type != "cumulative"
                else _("project ids with points, like p1:3 p2:2")
            )
        if not info.is_open:
            self._desk_says(
                _("Vote {id} is closed; no more ballots can be recorded.").format(id=info.id),
                good=False,
            )
        elif not self.may_record:
            self._desk_says(refusal(self.user.role, Action.RECORD_BALLOTS), good=False)
            refuse(
                self.user.role, Action.RECORD_BALLOTS, self.voter, self.choice, self.record_button
            )
        elif vote_changed:
            self.desk_message.clear()
        self._choice_changed()

    def show_count(self, ballots: int) -> None:
        self.counter.setText(_("Ballots so far: {n}").format(n=ballots))

    def _desk_says(self, text: str, *, good: bool) -> None:
        self.desk_message.setToolTip("")
        self.desk_message.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)
        self.desk_message.setText(text)

    def _channel_changed(self) -> None:
        self._update_desk(False)

    def _voter_changed(self) -> None:
        text = self.voter.text().strip()
        if not text:
            self.voter_hint.setText("")
        elif text in self.voters:
            self.voter_hint.setText("✓ " + _("in the register"))
        else:
            self.voter_hint.setText(_("not in the list; Enter to go on"))
        self._choice_changed()

    def _voter_entered(self) -> None:
        if self.voter.text().strip():
            self.choice.setFocus()
            self.choice.selectAll()

    def parse_choice(self) -> tuple[str | None, tuple[str, ...], tuple[int, ...]]:
        """The ballot as typed: a meeting's choice, or a budget ballot's projects (and points);
        raises with one sentence when it cannot be read."""
        info = self.current
        if info is None:
            raise InvalidInputError(_("Choose a vote in the list above."))
        text = self.choice.text()
        if info.is_meeting:
            return parse_meeting_choice(text), (), ()
        selection, points = parse_budget_ballot(text, info)
        return None, selection, points

    def _choice_changed(self) -> None:
        info = self.current
        text = self.choice.text().strip()
        valid = False
        if info is None or not text:
            self.choice_hint.setText("")
        else:
            try:
                choice, selection, points = self.parse_choice()
            except GongzhangError as exc:
                self.choice_hint.setStyleSheet(ERROR_STYLE)
                self.choice_hint.setText(str(exc))
            else:
                valid = True
                self.choice_hint.setStyleSheet(GOOD_STYLE)
                self.choice_hint.setText("= " + self._ballot_text(choice, selection, points))
        ready = (
            valid
            and bool(self.voter.text().strip())
            and self.cast_on.ok
            and (self.channel.currentData() != "proxy" or bool(self.proxy_name.text().strip()))
        )
        self.record_button.setEnabled(
            ready and self.may_record and info is not None and info.is_open
        )

    def _ballot_text(
        self, choice: str | None, selection: Sequence[str], points: Sequence[int]
    ) -> str:
        if choice is not None:
            return _(CHOICE_LABELS[choice])
        names = {code: name for code, name, _cost in self.current.options} if self.current else {}
        parts = []
        for n, code in enumerate(selection):
            label = f"{code} {names.get(code, '')}".strip()
            parts.append(f"{label} ({points[n]})" if points else label)
        return ", ".join(parts)

    def record_ballot(self) -> None:
        """Record the ballot typed at the desk; on success the fields clear for the next paper,
        on a refusal the sentence shows and the typed text stays."""
        info = self.current
        if info is None:
            return
        voter = self.voter.text().strip()
        try:
            if not voter:
                raise InvalidInputError(
                    _("Type whose ballot this is: a unit, an owner key or a household.")
                )
            choice, selection, points = self.parse_choice()
            if not self.cast_on.ok:
                raise InvalidInputError(self.cast_on.problem or "")
        except GongzhangError as exc:
            self._ballot_refused(exc)
            return
        vote_id = info.id
        shown = self._ballot_text(choice, selection, points)
        request = RecordBallot(
            vote=vote_id,
            voter=voter,
            choice=choice,
            selection=selection,
            points=points,
            channel=str(self.channel.currentData()),
            proxy_name=self.proxy_name.text(),
            cast_on=self.cast_on.value,
        )

        def recorded(outcome: BallotRecorded) -> None:
            ballot_id, label, ballots = outcome.ballot, outcome.voter_label, outcome.ballots
            self._set_ballots(vote_id, ballots)
            if self.current is not None and self.current.id == vote_id:
                self.recent.set_rows([(ballot_id, label, shown), *self.recent.rows][:200])
                self.show_count(ballots)
                self._desk_says(outcome.sentence(), good=True)
                self.voter.clear()
                self.choice.clear()
                self.voter.setFocus()
            self.ballot_recorded.emit(ballots)

        self.perform(RECORD_BALLOT, request, recorded, self._ballot_refused)

    def _set_ballots(self, vote_id: int, ballots: int) -> None:
        """Show the new count in the list at once (the page reloads it after every write)."""
        info = self.votes.get(vote_id)
        if info is None:
            return
        self.votes[vote_id] = replace(info, ballots=ballots)
        if self.current is not None and self.current.id == vote_id:
            self.current = self.votes[vote_id]
        for row, cells in enumerate(self.model.rows):
            if cells[0] == vote_id:
                self.model.rows[row] = (*cells[:4], ballots, *cells[5:])
                self.model.dataChanged.emit(self.model.index(row, 4), self.model.index(row, 4))

    def _ballot_refused(self, error: BaseException) -> None:
        full = message_of(error)
        text = first_sentence(full)
        self._desk_says(text, good=False)
        self.desk_message.setToolTip(plain_tip(full) if full != text else "")
        self.message.emit(full)
        self.ballot_refused.emit(text)
        if not isinstance(error, GongzhangError):
            presenter().show(error)
        self.voter.setFocus()
        self.voter.selectAll()

    # -- closing -------------------------------------------------------------------------------

    def ask_close(self) -> None:
        info = self.current
        if info is None:
            return
        box = plain_box(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(_("Close the vote"))
        box.setText(
            _(
                "Close vote {id} “{title}” with {n} ballots? No more ballots can be recorded; "
                "the result is decided and carried into the books."
            ).format(id=info.id, title=info.title, n=info.ballots)
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        yes = QMessageBox.StandardButton.Yes
        box.buttonClicked.connect(
            lambda button: self.close_selected() if box.standardButton(button) == yes else None
        )
        box.open()

    def close_selected(self, on: dt.date | None = None) -> None:
        """Close the chosen vote (today, unless ``on``): the result is decided and stored."""
        info = self.current
        if info is None:
            return
        vote_id = info.id

        def closed(_outcome: VoteClosed) -> None:
            self._want = vote_id
            self.tabs.setCurrentIndex(1)
            self.refresh()

        self.perform(CLOSE_VOTE, CloseVote(vote=vote_id, on=on), closed)

    # -- the result ----------------------------------------------------------------------------

    def _build_result(self) -> QWidget:
        self.summary = PlainLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.figures = RowsModel(FIGURE_COLUMNS)
        self.figures_view, _proxy = table(self.figures, sortable=False, stretch=0)
        self.projects_result = RowsModel(PROJECT_COLUMNS)
        self.projects_view, self.projects_proxy = table(self.projects_result, stretch=1)
        self.result_note = PlainLabel()
        self.result_note.setWordWrap(True)
        self.result_note.setStyleSheet(NOTE_STYLE)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addWidget(self.summary)
        layout.addWidget(self.figures_view, 1)
        layout.addWidget(self.projects_view, 1)
        layout.addWidget(self.result_note)
        return box

    def _show_result(self, detail: VoteDetail) -> None:
        result = detail.result
        self.summary.setText("\n".join(detail.lines))
        if result.budget is not None:
            self.figures_view.hide()
            self.figures.set_rows([])
            self._show_projects(result.budget)
            self.projects_view.show()
            return
        self.projects_view.hide()
        self.figures_view.show()
        self.figures.set_rows(figure_rows(result))
        self.result_note.setText(
            _(
                "Each share is compared with its threshold exactly, as a fraction; “≥” is at "
                "least, “>” more than."
            )
        )

    def _show_projects(self, result: BudgetPart) -> None:
        columns, rows = project_rows(result)
        model = RowsModel(columns, rows)
        self.projects_proxy.setSourceModel(model)
        self.projects_result = model
        self.projects_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        by_rule = result.by_rule or {}
        currency = result.currency or "CNY"
        budget = result.budget_fen
        lines = [
            _("{rule}: {n} projects, used {used}, left {left}.").format(
                rule=_("{rule} (decides)").format(rule=_(RULE_NAMES.get(rule, rule)))
                if rule == result.rule and len(by_rule) > 1
                else _(RULE_NAMES.get(rule, rule)),
                n=len(chosen.selected),
                used=vote_money(chosen.used_fen, currency),
                left=vote_money(budget - chosen.used_fen, currency),
            )
            for rule, chosen in by_rule.items()
        ]
        if len(by_rule) > 1:
            lines.append(
                _("The Greedy and MES columns give the order in which each rule selects a project.")
            )
        self.result_note.setText("\n".join(lines))


def figure_rows(result: VoteResult) -> list[tuple[Any, ...]]:
    """Every test of a meeting's result: what, counted, fraction, percentage, threshold,
    verdict."""
    rows = []
    for figure in result.figures:
        value: Fraction | None = figure.value
        rows.append(
            (
                _(figure.label),
                figure.counts_text,
                "—" if value is None else f"{value.numerator}/{value.denominator}",
                value,
                figure.threshold.text,
                _("passed") if figure.passed else _("not reached"),
            )
        )
    return rows


def project_rows(result: BudgetPart) -> tuple[list[ColumnSpec], list[tuple[Any, ...]]]:
    """A participatory budget's projects with their votes and, side by side, the order in
    which each rule (greedy, MES; or plurality) selects them."""
    currency = result.currency or "CNY"
    by_rule: Mapping[str, RuleTally] = result.by_rule or {
        result.rule: RuleTally(selected=result.selected, used_fen=result.used_fen)
    }
    columns = [
        ColumnSpec(N_("Project id")),
        ColumnSpec(N_("Project")),
        ColumnSpec(N_("Cost"), "money" if currency == "CNY" else "text"),
        ColumnSpec(N_("Votes"), "int"),
        *(ColumnSpec(RULE_NAMES.get(rule, rule), "int") for rule in by_rule),
    ]
    rows = []
    for project in result.projects:
        cost = project.cost_fen or 0
        rows.append(
            (
                project.code,
                project.name or project.code,
                cost if currency == "CNY" else vote_money(cost, currency),
                project.votes,
                *(
                    chosen.selected.index(project.code) + 1
                    if project.code in chosen.selected
                    else None
                    for chosen in by_rule.values()
                ),
            )
        )
    return columns, rows
