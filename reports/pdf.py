"""A notice as an A4 PDF (reportlab platypus) in the bundled CJK font, embedded as a subset.

Every page has a header (organisation · book · period) and a footer (第 x 页 共 y 页 and the
date the notice was generated). The notice ends with signature lines for the committee and the
ledger digest, as text and as a QR code. Long tables are printed in chunks of
:data:`CHUNK_ROWS` rows with the header repeated on each page, read lazily from the table's
rows, so a journal of many thousand entries prints in flat memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ledger.i18n import _
from reports import notice as n
from reports.fonts import register_font
from reports.format import amount_text, cell_text, date_text

#: Rows per printed table chunk: about a page of A4 at this font size.
CHUNK_ROWS = 40
#: Room a heading needs under it (itself and a few rows) not to be left alone at a page end.
HEADING_ROOM = 35 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
PALETTE = (
    colors.HexColor("#4e79a7"),
    colors.HexColor("#f28e2b"),
    colors.HexColor("#59a14f"),
    colors.HexColor("#e15759"),
    colors.HexColor("#76b7b2"),
    colors.HexColor("#edc948"),
    colors.HexColor("#b07aa1"),
    colors.HexColor("#ff9da7"),
    colors.HexColor("#9c755f"),
    colors.HexColor("#bab0ac"),
)
HEADER_FILL = colors.HexColor("#e8edf3")
TOTAL_FILL = colors.HexColor("#f3f3f3")
RIGHT_KINDS = ("money", "int", "percent", "area")


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        self.title = ParagraphStyle(
            "title", fontName=font, fontSize=17, leading=22, alignment=TA_CENTER, spaceAfter=2
        )
        self.subtitle = ParagraphStyle(
            "subtitle", fontName=font, fontSize=9, leading=12, alignment=TA_CENTER,
            textColor=colors.HexColor("#555555"), spaceAfter=8,
        )  # fmt: skip
        self.heading = ParagraphStyle(
            "heading", fontName=font, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4,
        )  # fmt: skip
        self.body = ParagraphStyle(
            "body", fontName=font, fontSize=9.5, leading=13.5, wordWrap="CJK", spaceBefore=4
        )
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
        self.small = ParagraphStyle(
            "small", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK",
            textColor=colors.HexColor("#444444"),
        )  # fmt: skip


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _LazyFlowables(list[Flowable]):
    """A list that platypus consumes from the front while it is filled from an iterator, so
    only the flowables near the current page are ever in memory."""

    def __init__(self, source: Iterable[Flowable]) -> None:
        super().__init__()
        self._source: Iterator[Flowable] | None = iter(source)

    def _fill(self, count: int) -> None:
        while self._source is not None and super().__len__() < count:
            try:
                self.append(next(self._source))
            except StopIteration:
                self._source = None

    def __len__(self) -> int:
        # A little lookahead, so that a heading can be kept with the table after it.
        self._fill(3)
        return super().__len__()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int) and index >= 0:
            self._fill(index + 1)
        elif isinstance(index, slice) and index.stop is not None and index.stop >= 0:
            self._fill(index.stop)
        else:
            self._fill(1 << 62)
        return super().__getitem__(index)


#: The PDF form that holds the number of pages, drawn on every page before it is known.
TOTAL_FORM = "gongzhang_page_total"


def _numbered_canvas(notice: n.Notice, font: str) -> type[Canvas]:
    """A canvas that writes 第 x 页 共 y 页 on every page as it goes. The total is a form
    (a PDF XObject) each page refers to and that is drawn once, when the document is saved:
    pages leave memory as they are finished, however many there are."""

    header = " · ".join(
        p for p in (notice.organisation, notice.book_name, notice.period_label) if p
    )
    generated = _("Generated on {date}").format(date=date_text(notice.generated_on))
    size = 8

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._decorate()
            super().showPage()

        def save(self) -> None:
            self.beginForm(TOTAL_FORM)
            self.setFont(font, size)
            self.setFillColor(colors.HexColor("#555555"))
            # The page count is the pages already shown.
            self.drawString(0, 0, str(self._pageNumber - 1) + self._tail)
            self.endForm()
            super().save()

        def _decorate(self) -> None:
            self.saveState()
            self.setFont(font, size)
            self.setFillColor(colors.HexColor("#555555"))
            top = PAGE_HEIGHT - 11 * mm
            self.drawString(MARGIN, top, header)
            self.setStrokeColor(colors.HexColor("#999999"))
            self.setLineWidth(0.4)
            self.line(MARGIN, top - 2 * mm, PAGE_WIDTH - MARGIN, top - 2 * mm)
            bottom = 10 * mm
            self.drawString(MARGIN, bottom, generated)
            # "Page {page} of {pages}" in the notice's language, cut where the total goes.
            marker = "\x00"
            text = _("Page {page} of {pages}").format(page=self._pageNumber, pages=marker)
            head, _sep, self._tail = text.partition(marker)
            left = PAGE_WIDTH - MARGIN - 30 * mm
            self.drawString(left, bottom, head)
            self.translate(left + stringWidth(head, font, size), bottom)
            self.doForm(TOTAL_FORM)
            self.restoreState()

    return NumberedCanvas


def _widths(columns: Sequence[n.Column]) -> list[float]:
    hints = [max(c.width or len(c.label) + 2, 4) for c in columns]
    scale = FRAME_WIDTH / sum(hints)
    return [h * scale for h in hints]


def _table_style(columns: Sequence[n.Column], font: str, has_total: bool) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, column in enumerate(columns):
        if column.kind in RIGHT_KINDS:
            commands.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    if has_total:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL))
    return TableStyle(commands)


def _text_width(text: str) -> float:
    """Roughly how wide ``text`` prints at 8 pt: CJK characters are square, others narrower."""
    return sum(8.0 if ord(ch) >= 0x2E80 else 4.6 for ch in text)


def _cell(value: n.Cell, kind: n.CellKind, styles: _Styles, width: float) -> Any:
    text = cell_text(value, kind)
    # Long texts wrap in a paragraph; short ones stay plain strings (much faster to lay out).
    if kind == "text" and _text_width(text) > width - 6:
        return Paragraph(_escape(text), styles.cell)
    return text


def _heading(text: str, styles: _Styles) -> Iterator[Flowable]:
    # A heading never ends a page: start a new one unless a few rows still fit under it.
    yield CondPageBreak(HEADING_ROOM)
    yield Paragraph(_escape(text), styles.heading)


def _table_flowables(table: n.Table, styles: _Styles) -> Iterator[Flowable]:
    yield from _heading(table.title, styles)
    widths = _widths(table.columns)
    header = [_cell(c.label, "text", styles, w) for c, w in zip(table.columns, widths, strict=True)]
    totals = [0 for _c in table.columns]
    chunk: list[list[Any]] = []
    count = 0

    def flush(last: bool) -> Table:
        rows = [header, *chunk]
        total_row = last and table.total_label is not None
        if total_row:
            rows.append(
                [
                    table.total_label if i == 0 else (
                        cell_text(totals[i], c.kind) if c.total else ""
                    )
                    for i, c in enumerate(table.columns)
                ]
            )  # fmt: skip
        printed = Table(rows, colWidths=widths, repeatRows=1)
        printed.setStyle(_table_style(table.columns, styles.font, total_row))
        return printed

    for row in table.rows:
        count += 1
        for i, column in enumerate(table.columns):
            value = row[i]
            if column.total and isinstance(value, int):
                totals[i] += value
        if len(chunk) == CHUNK_ROWS:
            # Printed only once the next row exists: the total row joins the last chunk.
            yield flush(last=False)
            chunk = []
        chunk.append(
            [
                _cell(v, c.kind, styles, w)
                for v, c, w in zip(row, table.columns, widths, strict=True)
            ]
        )
    if chunk or table.total_label is not None or count == 0:
        if count == 0 and table.total_label is None:
            chunk = [[_("(none)"), *["" for _c in table.columns[1:]]]]
        yield flush(last=True)
    if table.note:
        yield Spacer(1, 2)
        yield Paragraph(_escape(table.note), styles.small)


def _key_figures(section: n.KeyFigures, styles: _Styles) -> Iterator[Flowable]:
    yield from _heading(section.title, styles)
    rows = [[label, cell_text(value, kind)] for label, value, kind in section.items]
    table = Table(rows, colWidths=[FRAME_WIDTH * 0.55, FRAME_WIDTH * 0.3], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles.font),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#c0c8d0")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    yield table
    yield Spacer(1, 6)


def _fit(text: str, room: float, font: str, size: float) -> str:
    """``text`` cut with "…" to fit ``room`` points."""
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text + "…"


def _bar_label(text: str, room: float, font: str, size: float = 7) -> str:
    """A bar's label on up to two lines (split at a space, or in the middle for Chinese),
    each cut to the room under its bar."""
    if stringWidth(text, font, size) <= room:
        return text
    middle = len(text) // 2
    cut = text.rfind(" ", 0, middle + 6)
    first, rest = (text[:cut], text[cut + 1 :]) if cut > 0 else (text[:middle], text[middle:])
    return _fit(first, room, font, size) + "\n" + _fit(rest, room, font, size)


def _pie(
    drawing: Drawing, section: n.Chart, styles: _Styles, label: Callable[[float], str]
) -> None:
    height = drawing.height
    _name, series = section.series[0]
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 8, height - 30, height - 30
    pie.data = [max(v, 0) for v in series]
    pie.labels = None
    pie.slices.strokeWidth = 0.5
    pie.slices.strokeColor = colors.white
    for i in range(len(series)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    total = sum(max(v, 0) for v in series) or 1
    legend = Legend()
    legend.x, legend.y = height + 10, height - 24
    legend.fontName, legend.fontSize = styles.font, 8
    legend.alignment = "right"
    legend.columnMaximum = 10
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], f"{name}  {label(v)} ({v * 100 // total}%)")
        for i, (name, v) in enumerate(zip(section.labels, series, strict=True))
    ]
    drawing.add(legend)


def _bars(
    drawing: Drawing, section: n.Chart, styles: _Styles, label: Callable[[float], str]
) -> None:
    height = drawing.height
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 45, 28, FRAME_WIDTH - 60, height - 52
    bars.data = [list(series) for _name, series in section.series]
    room = bars.width / max(len(section.labels), 1) - 4
    bars.categoryAxis.categoryNames = [_bar_label(t, room, styles.font) for t in section.labels]
    bars.categoryAxis.labels.fontName = styles.font
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.labels.angle = 0 if len(section.labels) <= 8 else 30
    bars.categoryAxis.labels.boxAnchor = "n" if len(section.labels) <= 8 else "ne"
    bars.valueAxis.labels.fontName = styles.font
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.labelTextFormat = label
    bars.valueAxis.valueMin = 0
    for i in range(len(section.series)):
        bars.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        bars.bars[i].strokeWidth = 0
    drawing.add(bars)
    if len(section.series) > 1:
        legend = Legend()
        legend.x, legend.y = FRAME_WIDTH - 150, height - 6
        legend.fontName, legend.fontSize = styles.font, 8
        legend.columnMaximum = 1
        legend.alignment = "right"
        legend.deltax = 70
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], name) for i, (name, _s) in enumerate(section.series)
        ]
        drawing.add(legend)


def _chart(section: n.Chart, styles: _Styles) -> Iterator[Flowable]:
    values = [v for _name, series in section.series for v in series]
    if not values or not any(values):
        return
    height = 62 * mm
    drawing = Drawing(FRAME_WIDTH, height, initialFontName=styles.font)
    drawing.add(String(0, height - 10, section.title, fontName=styles.font, fontSize=10))
    label: Callable[[float], str] = (
        (lambda v: amount_text(int(v))) if section.money else (lambda v: f"{int(v):,}")
    )
    (_pie if section.kind == "pie" else _bars)(drawing, section, styles, label)
    yield Spacer(1, 4)
    yield drawing


def _closing(notice: n.Notice, styles: _Styles) -> Iterator[Flowable]:
    parts: list[Flowable] = [Spacer(1, 10)]
    if notice.signatures:
        rows = [[_("{role}:").format(role=role), "", _("Date:"), ""] for role in notice.signatures]
        sign = Table(
            rows,
            colWidths=[
                FRAME_WIDTH * 0.28,
                FRAME_WIDTH * 0.32,
                FRAME_WIDTH * 0.1,
                FRAME_WIDTH * 0.25,
            ],
            rowHeights=9 * mm,
        )
        sign.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), styles.font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (1, 0), (1, -1), 0.5, colors.black),
                    ("LINEBELOW", (3, 0), (3, -1), 0.5, colors.black),
                ]
            )
        )
        parts.append(sign)
    if notice.digest is not None:
        digest = notice.digest
        code = QrCodeWidget(digest.hash)
        left, bottom, right, top = code.getBounds()
        size = 30 * mm
        qr = Drawing(
            size,
            size,
            transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0],
            initialFontName=styles.font,
        )
        qr.add(code)
        text = Paragraph(
            "<br/>".join(
                _escape(line)
                for line in (
                    _("Ledger digest (SHA-256 of the ledger's record through operation "
                      "{seq}; the last entry this notice covers is {number}, {date}):").format(
                        seq=digest.record_seq,
                        number=digest.entry_number,
                        date=digest.entry_date.isoformat(),
                    ),
                    digest.hash,
                    _("Anyone can check that the books behind this notice were not changed: "
                      "gongzhang verify LEDGER --digest followed by this code (also in the QR "
                      "code)."),
                )
            ),
            styles.small,
        )  # fmt: skip
        box = Table([[qr, text]], colWidths=[size + 6 * mm, FRAME_WIDTH - size - 6 * mm])
        box.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), styles.font),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ]
            )
        )
        parts += [Spacer(1, 8), box]
    yield KeepTogether(parts)


def _flowables(notice: n.Notice, styles: _Styles) -> Iterator[Flowable]:
    yield Paragraph(_escape(notice.title), styles.title)
    subtitle = " · ".join(p for p in (notice.period_label, notice.subtitle) if p)
    yield Paragraph(_escape(subtitle), styles.subtitle)
    for section in notice.sections:
        if isinstance(section, n.Table):
            yield from _table_flowables(section, styles)
        elif isinstance(section, n.KeyFigures):
            yield from _key_figures(section, styles)
        elif isinstance(section, n.Chart):
            yield from _chart(section, styles)
        else:
            yield Paragraph(_escape(section.text), styles.body)
    yield from _closing(notice, styles)


def render_pdf(
    notice: n.Notice,
    out: str | Path | BinaryIO,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Print the notice to ``out`` (a path or a binary file object) as an A4 PDF;
    ``progress`` is told each page number as the page is laid out."""
    font = register_font()
    styles = _Styles(font)
    doc = SimpleDocTemplate(
        out if not isinstance(out, Path) else str(out),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 2 * mm,
        bottomMargin=MARGIN,
        title=notice.title,
        author=notice.organisation,
        subject=notice.period_label,
        creator="Gongzhang",
        # Every page starts in the bundled font: no unembedded Helvetica anywhere.
        initialFontName=font,
        initialFontSize=9,
        lang=notice.language.replace("_", "-"),
    )
    if progress is not None:
        report = progress

        def on_progress(event: str, value: int) -> None:
            if event == "PAGE":
                report(value)

        doc.setProgressCallBack(on_progress)
    doc.build(
        _LazyFlowables(_flowables(notice, styles)), canvasmaker=_numbered_canvas(notice, font)
    )
