"""A book's dashboard (概览): money on hand, the latest month, what waits for approval, and the
year's income and spending month by month."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel
from ledger.i18n import N_, _
from ledger.money import format_fen
from ledger.services.dashboard import Dashboard, book_dashboard
from reports.format import amount_text

INCOME_COLOUR = QColor("#4e79a7")
SPENDING_COLOUR = QColor("#f28e2b")


class MonthChart(QWidget):
    """Income and spending per month, as pairs of bars (drawn with QPainter)."""

    def __init__(self) -> None:
        super().__init__()
        self.months: tuple[tuple[int, int, int], ...] = ()
        self.setMinimumHeight(180)

    def set_months(self, months: tuple[tuple[int, int, int], ...]) -> None:
        self.months = months
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        top, bottom, left = 24, 22, 10
        peak = max([max(i, s) for _m, i, s in self.months] + [1])
        slot = (width - left * 2) / 12
        painter.setPen(self.palette().text().color())
        painter.drawText(
            QRectF(left, 0, width, top - 4),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            _("Income (blue) and spending (orange) by month, up to {amount}").format(
                amount=format_fen(peak)
            ),
        )
        usable = height - top - bottom
        for month, income, spending in self.months:
            x = left + (month - 1) * slot
            for k, (value, colour) in enumerate(
                ((income, INCOME_COLOUR), (max(spending, 0), SPENDING_COLOUR))
            ):
                bar = usable * value / peak
                painter.fillRect(
                    QRectF(x + slot * (0.15 + 0.35 * k), top + usable - bar, slot * 0.33, bar),
                    colour,
                )
            painter.drawText(
                QRectF(x, height - bottom, slot, bottom),
                int(Qt.AlignmentFlag.AlignCenter),
                str(month),
            )
        painter.end()


_FIGURES = (
    ("money", N_("Money on hand (cash and bank)")),
    ("assets", N_("Total assets")),
    ("liabilities", N_("Total liabilities")),
    ("income", N_("Income in {month}")),
    ("spending", N_("Spending in {month}")),
    ("pending", N_("Expenses waiting for approval")),
    ("entries", N_("Entries in the book")),
    ("closed", N_("Closed through")),
)


class DashboardPage(BookPage):
    title = N_("Overview")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.data: Dashboard | None = None
        self.heading = PlainLabel()
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        box = QGroupBox(_("Key figures"))
        form = QFormLayout(box)
        self.values: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        for key, label in _FIGURES:
            self.labels[key] = PlainLabel(_(label))
            self.values[key] = PlainLabel("…")
            self.values[key].setAlignment(Qt.AlignmentFlag.AlignRight)
            self.values[key].setObjectName(f"figure_{key}")
            form.addRow(self.labels[key], self.values[key])
        self.chart = MonthChart()
        row = QHBoxLayout()
        row.addWidget(box, 1)
        row.addWidget(self.chart, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addStretch(1)

    def refresh(self) -> None:
        book_id = self.book_id
        self.database.read(lambda s: book_dashboard(s, book_id=book_id), self.show_data)

    def show_data(self, data: Dashboard) -> None:
        self.data = data
        self.heading.setText(
            f"{data.book_name}" + (f"  ·  {data.organisation}" if data.organisation else "")
        )
        self.labels["income"].setText(_("Income in {month}").format(month=data.month))
        self.labels["spending"].setText(_("Spending in {month}").format(month=data.month))
        shown = {
            "money": format_fen(data.money_fen),
            "assets": format_fen(data.assets_fen),
            "liabilities": format_fen(data.liabilities_fen),
            "income": format_fen(data.month_income_fen),
            "spending": format_fen(data.month_spending_fen),
            "pending": str(data.pending_approvals),
            "entries": f"{data.entries:,}",
            "closed": data.closed_through.isoformat() if data.closed_through else _("not yet"),
        }
        for key, text in shown.items():
            self.values[key].setText(text)
        self.chart.set_months(data.months)
        self.chart.setToolTip(
            "\n".join(f"{m:02d}: +{amount_text(i)} / -{amount_text(s)}" for m, i, s in data.months)
        )
