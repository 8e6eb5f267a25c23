"""Reports (公示) of a book: choose the notice, the period, the notice's language (independent
of the app's), PDF or Excel, and the receipt or vote when the notice is about one; preview the
notice's text, print the preview through the system's printer dialog, or export the file.

The export runs on the database worker (``reports.write.write_notice``: a temporary file
beside the target, moved into place only when complete) with a progress bar; Cancel makes the
next progress report raise, and ``write_notice`` removes the temporary file on the way out, so
a cancelled export leaves no file at all."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, col, func, select

from desktop.app.errors import message_of, presenter
from desktop.app.forms import ERROR_STYLE, GOOD_STYLE, NOTE_STYLE, Field
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel
from desktop.progress import Progress
from ledger import i18n
from ledger.errors import GongzhangError, InvalidInputError
from ledger.i18n import N_, _
from ledger.models import DonationReceipt, Entry
from ledger.periods import Period
from ledger.rules.microfund import parse_receipt_number, receipt_number
from ledger.services.books import find_book
from ledger.services.microfund import find_receipt
from ledger.services.votes import find_vote, list_votes
from reports.format import cell_text
from reports.notice import CellKind, Chart, KeyFigures, Notice, Paragraph, Table
from reports.notices.common import ReportOptions
from reports.notices.registry import KINDS, build_notice, kinds_for
from reports.write import write_notice

#: The notice's own language, whatever the app's (names as each language writes itself).
NOTICE_LANGUAGES = (("zh", "中文"), ("en", "English"))
FORMATS = (("pdf", N_("PDF")), ("xlsx", N_("Excel workbook")))
#: Rows of each table the preview shows (the file has them all).
PREVIEW_ROWS = 20


class ExportCancelled(Exception):  # noqa: N818 - a request, not an error
    """Raised on the worker when the user cancelled the export."""


@contextmanager
def notice_language(code: str) -> Iterator[None]:
    """Build and print a notice in ``code`` on this (the worker's) thread only: the window
    keeps the user's language meanwhile (``ledger.i18n.thread_language``)."""
    with i18n.thread_language(code):
        yield


class _Relay(QObject):
    """Carries the worker's progress (a number) to the UI thread."""

    progress = Signal(int)


class _CancellableProgress(Progress):
    """``write_notice``'s progress: tells the page, and raises once the user cancelled."""

    def __init__(self, relay: _Relay, cancel: threading.Event) -> None:
        super().__init__("")
        self.enabled = False
        self.relay = relay
        self.cancel = cancel

    def update(self, done: int, label: str | None = None) -> None:
        del label
        if self.cancel.is_set():
            raise ExportCancelled
        self.relay.progress.emit(done)

    def finish(self) -> None:
        """Nothing to clear: the page hides its bar."""


def check_subject(session: Session, book_id: int, options: ReportOptions) -> None:
    """Refuse a receipt or vote that is not there — in the app's language, before the job
    switches to the notice's (a refusal reads like the rest of the app)."""
    if options.receipt:
        find_receipt(session, book_id=book_id, number=options.receipt)
    if options.vote is not None:
        find_vote(session, vote_id=options.vote)


# --- the notice as simple HTML, for the preview and the printer --------------------------------


def _cells(row: Any, table: Table, *, bold: bool = False) -> str:
    tags = []
    for value, column in zip(row, table.columns, strict=False):
        align = ' align="right"' if column.kind in ("money", "int", "percent", "area") else ""
        text = html.escape(cell_text(value, column.kind))
        tags.append(f"<td{align}>{f'<b>{text}</b>' if bold else text}</td>")
    return "<tr>" + "".join(tags) + "</tr>"


def _table_html(table: Table) -> list[str]:
    parts = [f"<h3>{html.escape(table.title)}</h3>"]
    parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%">')
    parts.append(
        "<tr>" + "".join(f"<th>{html.escape(c.label)}</th>" for c in table.columns) + "</tr>"
    )
    totals = [0] * len(table.columns)
    count = 0
    for row in table.rows:
        count += 1
        if count <= PREVIEW_ROWS:
            parts.append(_cells(row, table))
        for n, column in enumerate(table.columns):
            value = row[n] if n < len(row) else None
            if column.total and isinstance(value, int):
                totals[n] += value
    if count > PREVIEW_ROWS:
        parts.append(
            f'<tr><td colspan="{len(table.columns)}"><i>'
            + html.escape(
                _("… and {n} more rows in the exported file.").format(n=count - PREVIEW_ROWS)
            )
            + "</i></td></tr>"
        )
    if table.total_label and any(c.total for c in table.columns):
        total_row: list[Any] = [
            totals[n] if column.total else None for n, column in enumerate(table.columns)
        ]
        total_row[0] = table.total_label
        parts.append(_cells(total_row, table, bold=True))
    parts.append("</table>")
    if table.note:
        parts.append(f"<p><small>{html.escape(table.note)}</small></p>")
    return parts


def _figures_html(figures: KeyFigures) -> list[str]:
    parts = [f"<h3>{html.escape(figures.title)}</h3>", '<table cellpadding="2">']
    for label, value, kind in figures.items:
        parts.append(
            f"<tr><td>{html.escape(label)}</td>"
            f'<td align="right"><b>{html.escape(cell_text(value, kind))}</b></td></tr>'
        )
    parts.append("</table>")
    return parts


def _chart_html(chart: Chart) -> list[str]:
    kind: CellKind = "money" if chart.money else "int"
    parts = [f"<h3>{html.escape(chart.title)}</h3>", '<table border="1" cellspacing="0" '
             'cellpadding="3">']  # fmt: skip
    parts.append(
        "<tr><th></th>"
        + "".join(f"<th>{html.escape(name)}</th>" for name, _values in chart.series)
        + "</tr>"
    )
    for n, label in enumerate(chart.labels):
        values = "".join(
            f'<td align="right">{html.escape(cell_text(v[n], kind))}</td>'
            for _name, v in chart.series
            if n < len(v)
        )
        parts.append(f"<tr><td>{html.escape(label)}</td>{values}</tr>")
    parts.append("</table>")
    return parts


def notice_html(notice: Notice) -> str:
    """The notice as simple HTML: title, frame, key figures, the first rows of each table,
    paragraphs, signature lines and the digest (in the notice's language, built on the worker
    while that language is in force)."""
    parts = [
        f"<h2 align='center'>{html.escape(notice.title)}</h2>",
        "<p align='center'>"
        + html.escape(" · ".join(dict.fromkeys((notice.organisation, notice.book_name))))
        + "<br>"
        + html.escape(notice.period_label)
        + (f"<br><small>{html.escape(notice.subtitle)}</small>" if notice.subtitle else "")
        + "</p>",
    ]
    for section in notice.sections:
        if isinstance(section, KeyFigures):
            parts += _figures_html(section)
        elif isinstance(section, Table):
            parts += _table_html(section)
        elif isinstance(section, Chart):
            parts += _chart_html(section)
        elif isinstance(section, Paragraph):
            parts.append(f"<p>{html.escape(section.text)}</p>")
    if notice.signatures:
        parts.append(
            "<p>"
            + "&nbsp;&nbsp;&nbsp;&nbsp;".join(
                f"{html.escape(role)}: ________" for role in notice.signatures
            )
            + "</p>"
        )
    if notice.digest is not None:
        parts.append(
            "<p><small>"
            + html.escape(
                _("Ledger digest {hash} (through entry {number} of {date}).").format(
                    hash=notice.digest.hash,
                    number=notice.digest.entry_number,
                    date=notice.digest.entry_date.isoformat(),
                )
            )
            + "</small></p>"
        )
    return "\n".join(parts)


# --- the page ----------------------------------------------------------------------------------


class ReportsPage(BookPage):
    title = N_("Reports")
    #: The choices (votes, receipts, the default period) are loaded.
    loaded = Signal()
    #: The preview shows the chosen notice.
    preview_ready = Signal()
    #: The export wrote this file / was cancelled, leaving no file / failed (the sentence).
    exported = Signal(str)
    export_cancelled = Signal()
    export_failed = Signal(str)
    #: Progress of the running export (pages of a PDF, rows of a workbook).
    progress = Signal(int)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._relay = _Relay()
        self._relay.progress.connect(self._progressed)
        self._cancel: threading.Event | None = None
        self._progress_text = ""
        self._cancelling_text = ""
        self._printer: Any = None
        self._print_dialog: Any = None
        self._build_choices()
        self._lay_out()
        self._running(False)
        self._notice_changed()
        for signal in (
            self.notice.currentIndexChanged,
            self.period.changed,
            self.language.currentIndexChanged,
            self.receipt.changed,
            self.vote.currentIndexChanged,
        ):
            signal.connect(self._forget_preview)

    def _build_choices(self) -> None:
        self.notice = QComboBox()
        for kind in kinds_for(self.book_kind):
            self.notice.addItem(_(kind.label), kind.key)
        self.notice.currentIndexChanged.connect(self._notice_changed)
        self.period = Field(Period.parse, placeholder="2024-11, 2024-Q4, 2024")
        self.period.changed.connect(self.validate)
        self.language = QComboBox()
        for code, name in NOTICE_LANGUAGES:
            self.language.addItem(name, code)
        self.format = QComboBox()
        for code, label in FORMATS:
            self.format.addItem(_(label), code)
        self.receipt = Field(parse_receipt_number, placeholder="捐-2024-0001")
        self.receipt.changed.connect(self.validate)
        self.receipts = QStringListModel()
        completer = QCompleter(self.receipts, self.receipt.edit)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.receipt.edit.setCompleter(completer)
        self.vote = QComboBox()
        self.vote.currentIndexChanged.connect(self.validate)

        self.preview_button = QPushButton(_("Preview"))
        self.preview_button.clicked.connect(self.show_preview)
        self.print_button = QPushButton(_("Print…"))
        self.print_button.clicked.connect(self.print_preview)
        self.print_button.setEnabled(False)
        self.export_button = QPushButton(_("Export…"))
        self.export_button.clicked.connect(self.choose_file)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_export)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar_label = PlainLabel()
        self.status = PlainLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_label = PlainLabel()
        self.problem_label.setStyleSheet(ERROR_STYLE)
        self.problem_label.setWordWrap(True)

    def _lay_out(self) -> None:
        self.form = QFormLayout()
        self.form.addRow(_("Notice"), self.notice)
        self.form.addRow(_("Period"), self.period)
        self.form.addRow(_("Receipt No."), self.receipt)
        self.form.addRow(_("Vote"), self.vote)
        self.form.addRow(_("Language of the notice"), self.language)
        self.form.addRow(_("Format"), self.format)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.print_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        running = QHBoxLayout()
        running.addWidget(self.bar, 1)
        running.addWidget(self.bar_label)
        running.addWidget(self.cancel_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addLayout(self.form)
        column.addWidget(self.problem_label)
        column.addLayout(buttons)
        column.addLayout(running)
        column.addWidget(self.status)
        column.addStretch(1)
        hint = PlainLabel(
            _(
                "The notice is written in its own language, whatever the language of the app. "
                "Names of individuals are masked as on the public board."
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(NOTE_STYLE)
        column.addWidget(hint)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setPlaceholderText(_("Choose a notice and press Preview to see it here."))
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([360, 560])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # -- choices -------------------------------------------------------------------------------

    def refresh(self) -> None:
        book_id = self.book_id

        def job(s: Session) -> tuple[Any, list[tuple[int, str]], list[str]]:
            latest = s.exec(
                select(func.max(col(Entry.date))).where(col(Entry.book_id) == book_id)
            ).one()
            votes = [(v.id or 0, v.title) for v in list_votes(s, book_id=book_id)]
            receipts = [
                receipt_number(year, seq)
                for year, seq in s.exec(
                    select(col(DonationReceipt.year), col(DonationReceipt.seq))
                    .where(col(DonationReceipt.book_id) == book_id)
                    .order_by(col(DonationReceipt.year), col(DonationReceipt.seq))
                )
            ]
            return latest, votes, receipts

        self.database.read(job, self._loaded)

    def _loaded(self, loaded: tuple[Any, list[tuple[int, str]], list[str]]) -> None:
        latest, votes, receipts = loaded
        if not self.period.text().strip() and latest is not None:
            self.period.set_text(f"{latest.year}-{latest.month:02d}")
        chosen = self.vote.currentData()
        self.vote.blockSignals(True)
        self.vote.clear()
        for vote_id, title in votes:
            self.vote.addItem(f"{vote_id} · {title}", vote_id)
        index = self.vote.findData(chosen)
        self.vote.setCurrentIndex(index if index >= 0 else self.vote.count() - 1)
        self.vote.blockSignals(False)
        self.receipts.setStringList(receipts)
        if not self.receipt.text().strip() and receipts:
            self.receipt.set_text(receipts[-1])
        self.validate()
        self.loaded.emit()

    def _needs(self) -> str:
        kind = KINDS.get(self.notice.currentData() or "")
        return kind.needs if kind is not None else ""

    def _periodic(self) -> bool:
        kind = KINDS.get(self.notice.currentData() or "")
        return kind is not None and kind.periodic

    def _notice_changed(self) -> None:
        needs = self._needs()
        self.form.setRowVisible(self.period, self._periodic())
        self.form.setRowVisible(self.receipt, needs == "receipt")
        self.form.setRowVisible(self.vote, needs == "vote")
        self.validate()

    def problem(self) -> str | None:
        """Why the chosen notice cannot be made, in one sentence (None when it can)."""
        needs = self._needs()
        if self._periodic() and not self.period.ok:
            return self.period.problem or _("Say which period: 2024-11, 2024-Q4 or 2024.")
        if needs == "receipt" and not self.receipt.ok:
            return self.receipt.problem or None
        if needs == "vote" and self.vote.currentData() is None:
            return _("This book has no vote yet.")
        return None

    def validate(self) -> bool:
        problem = self.problem()
        shown = problem if problem not in (self.period.problem, self.receipt.problem) else None
        # A field's own error shows under it; an empty period is explained here.
        if problem is not None and not self.period.text().strip() and self._periodic():
            shown = problem
        self.problem_label.setText(shown or "")
        idle = self._cancel is None
        for button in (self.preview_button, self.export_button):
            button.setEnabled(problem is None and idle)
            button.setToolTip(problem or "")
        return problem is None

    def request(self) -> tuple[str, Period, ReportOptions, str, str]:
        """What to print: notice, period, options, language, format."""
        problem = self.problem()
        if problem is not None:
            raise InvalidInputError(problem)
        kind = str(self.notice.currentData())
        needs = self._needs()
        period = self.period.value if self._periodic() else Period.parse("1900")
        options = ReportOptions(
            receipt=self.receipt.text().strip() if needs == "receipt" else None,
            vote=self.vote.currentData() if needs == "vote" else None,
        )
        return (
            kind,
            period,
            options,
            str(self.language.currentData()),
            str(self.format.currentData()),
        )

    def suggested_name(self) -> str:
        kind, period, options, _language, fmt = self.request()
        tail = (
            f"vote-{options.vote}"
            if options.vote is not None
            else options.receipt
            if options.receipt
            else period.text
        )
        return f"{self.book_id}-{kind}-{tail}.{fmt}"

    # -- preview and print ---------------------------------------------------------------------

    def show_preview(self) -> None:
        """Show the chosen notice's text (in its language) beside the form."""
        try:
            kind, period, options, language, _fmt = self.request()
        except GongzhangError as exc:
            self._say(str(exc), good=False)
            return
        book_id = self.book_id

        def job(s: Session) -> str:
            book = find_book(s, book_id)
            check_subject(s, book_id, options)
            with notice_language(language):
                notice = build_notice(s, book=book, kind=kind, period=period, options=options)
                return notice_html(notice)

        def shown(text: str) -> None:
            self.preview.setHtml(text)
            self.print_button.setEnabled(True)
            self.preview_ready.emit()

        def failed(error: BaseException) -> None:
            self._say(message_of(error), good=False)
            if not isinstance(error, GongzhangError):
                presenter().show(error)

        self.database.read(job, shown, failed)

    def _forget_preview(self) -> None:
        """Another notice is chosen: the preview (and what Print… prints) no longer shows it."""
        if self.print_button.isEnabled():
            self.preview.clear()
            self.print_button.setEnabled(False)

    def print_preview(self) -> None:
        """The system's printer dialog, printing the preview (window-modal, never blocking)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # noqa: PLC0415 - on demand

        if self._printer is None:
            self._printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(self._printer, self)
        dialog.setWindowTitle(_("Print the notice"))
        dialog.accepted.connect(self._print_accepted)
        self._print_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()

    def _print_accepted(self) -> None:
        from PySide6.QtPrintSupport import QPrinter  # noqa: PLC0415 - on demand

        self.preview.document().print_(self._printer)
        if self._printer.printerState() == QPrinter.PrinterState.Error:
            self._say(_("The printer did not take the notice; check the printer and try again."),
                      good=False)  # fmt: skip
        else:
            self._say(_("Sent the notice to the printer."), good=True)

    # -- export --------------------------------------------------------------------------------

    def choose_file(self) -> None:
        try:
            name = self.suggested_name()
        except GongzhangError as exc:
            self._say(str(exc), good=False)
            return
        fmt = str(self.format.currentData())
        pattern = _("PDF files (*.pdf)") if fmt == "pdf" else _("Excel workbooks (*.xlsx)")
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the notice to"), name, pattern)
        if path:
            if not path.lower().endswith(f".{fmt}"):
                path += f".{fmt}"
            self.export_to(path)

    def export_to(self, path: str | Path) -> None:
        """Write the chosen notice to ``path`` on the database worker, with progress; Cancel
        stops it and leaves no file."""
        if self._cancel is not None:
            return
        try:
            kind, period, options, language, fmt = self.request()
        except GongzhangError as exc:
            self._say(str(exc), good=False)
            self.export_failed.emit(str(exc))
            return
        out = Path(path)
        cancel = threading.Event()
        self._cancel = cancel
        ticker = _CancellableProgress(self._relay, cancel)
        book_id = self.book_id
        # Texts shown while the worker holds the notice's language are prepared now.
        self._progress_text = _("page {n}") if fmt == "pdf" else _("{n} rows")
        self._cancelling_text = _("Cancelling…")
        self.bar_label.setText(_("Preparing…"))
        self._running(True)
        self._say(_("Exporting to {file}…").format(file=out.name), good=True)

        def job(s: Session) -> str:
            book = find_book(s, book_id)
            check_subject(s, book_id, options)

            def make() -> Notice:
                if cancel.is_set():
                    raise ExportCancelled
                notice = build_notice(s, book=book, kind=kind, period=period, options=options)
                if cancel.is_set():
                    raise ExportCancelled
                return notice

            with notice_language(language):
                write_notice(make, out, fmt, ticker)
            return str(out)

        self.database.read(job, self._exported, self._export_stopped)

    def cancel_export(self) -> None:
        """Stop the running export: the next progress report raises and the temporary file
        is removed."""
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.bar_label.setText(self._cancelling_text)

    def _progressed(self, done: int) -> None:
        if self._cancel is not None and not self._cancel.is_set():
            self.bar_label.setText(self._progress_text.format(n=done))
        self.progress.emit(done)

    def _exported(self, path: str) -> None:
        late = self._cancel is not None and self._cancel.is_set()
        self._cancel = None
        self._running(False)
        text = (
            _("The export had finished before it could be cancelled; {file} is complete.")
            if late
            else _("Wrote {file}.")
        ).format(file=path)
        self._say(text, good=True)
        self.message.emit(text)
        self.exported.emit(path)

    def _export_stopped(self, error: BaseException) -> None:
        self._cancel = None
        self._running(False)
        if isinstance(error, ExportCancelled):
            text = _("Export cancelled; no file was written.")
            self._say(text, good=True)
            self.message.emit(text)
            self.export_cancelled.emit()
            return
        text = message_of(error)
        self._say(text, good=False)
        self.message.emit(text)
        self.export_failed.emit(text)
        if not isinstance(error, GongzhangError):
            presenter().show(error)

    def _running(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.bar_label.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        for widget in (self.notice, self.period, self.language, self.format):
            widget.setEnabled(not running)
        self.validate()

    def _say(self, text: str, *, good: bool) -> None:
        self.status.setStyleSheet(GOOD_STYLE if good else ERROR_STYLE)
        self.status.setText(text)
