"""The vote result notice (表决结果公示) of the demo's three votes: every figure of the result
stored when the vote was closed is printed — counts, every test with its exact fraction,
percentage, threshold and verdict — with the outcome and what the vote did in the books; the
participatory budget's projects, the selected ones and the money used and left; and no voter,
owner key, household or proxy is ever named."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from ledger.db import Ledger, open_ledger
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _, set_language
from ledger.models import Activity, AppUser, Ballot, Book, Household, Vote
from ledger.rules.meetings import fraction_percent
from ledger.rules.property import format_area
from ledger.services.households import book_households
from ledger.services.votes import (
    RESIDENTS_MEETING,
    create_vote,
    figure_from_json,
    record_ballot,
)
from reports.format import amount_text
from reports.notice import Chart, KeyFigures, Notice, Paragraph, Table
from reports.notices.common import ReportOptions, parse_report_period
from reports.notices.votes import build_vote_result
from reports.pdf import render_pdf
from reports.xlsx import HEADER_ROW, render_xlsx
from tests.reports.conftest import pdf_fonts, pdf_text

ANY_PERIOD = parse_report_period("2024-12")
OWNERS_VOTE, BUDGET_VOTE, VILLAGE_VOTE = 1, 2, 3
OWNER_KEY = re.compile(r"\bO\d{3}\b")
HOUSEHOLD_KEY = re.compile(r"\bh\d+\b")


def _row(text: str, *cells: object) -> bool:
    """Whether the cells are printed one after the other, as the PDF's text gives a table row
    or a key figure: one line per cell (a blank cell prints no line)."""
    lines = [line.strip() for line in text.splitlines()]
    wanted = [str(c) for c in cells]
    return any(lines[i : i + len(wanted)] == wanted for i in range(len(lines)))


def _flat(text: str) -> str:
    """The text with its line breaks as spaces, to find a sentence a paragraph wrapped."""
    return " ".join(text.split())


def _stored(s: Session, vote_id: int) -> dict[str, Any]:
    """The result as stored in the vote when it was closed — straight from the database."""
    vote = s.get(Vote, vote_id)
    assert vote is not None and vote.status == "closed"
    result: dict[str, Any] = json.loads(vote.result)
    return result


def _book_of(s: Session, vote_id: int) -> Book:
    vote = s.get(Vote, vote_id)
    assert vote is not None
    book = s.get(Book, vote.book_id)
    assert book is not None
    return book


def _render(notice_factory: Any) -> tuple[Notice, bytes, bytes]:
    """Build the notice twice (a table's rows may be consumed once) and print it both ways."""
    pdf, xlsx = io.BytesIO(), io.BytesIO()
    notice = notice_factory()
    render_pdf(notice, pdf)
    render_xlsx(notice_factory(), xlsx)
    return notice, pdf.getvalue(), xlsx.getvalue()


@dataclass
class Printed:
    notice: Notice
    pdf: bytes
    text: str
    xlsx: bytes
    result: dict[str, Any]


def _vote_notice(demo: Ledger, vote_id: int) -> Printed:
    with demo.read() as s:
        book = _book_of(s, vote_id)
        notice, pdf, xlsx = _render(
            lambda: build_vote_result(s, book, ANY_PERIOD, ReportOptions(vote=vote_id))
        )
        result = _stored(s, vote_id)
    return Printed(notice, pdf, pdf_text(pdf), xlsx, result)


def _no_voter_named(demo: Ledger, text: str, vote_id: int) -> None:
    with demo.read() as s:
        vote = s.get(Vote, vote_id)
        assert vote is not None
        proxies = {
            b.proxy_name
            for b in s.exec(select(Ballot).where(col(Ballot.vote_id) == vote_id))
            if b.proxy_name
        }
        households = book_households(s, book_id=vote.book_id)
        labels = [h.label for h in households] + [h.head_name for h in households if h.head_name]
    assert OWNER_KEY.search(text) is None
    assert HOUSEHOLD_KEY.search(text) is None
    for name in proxies:
        assert name not in text
    for label in labels:
        assert label not in text


def _figures_printed(text: str, result: dict[str, Any]) -> None:
    """Every test of the stored result: what was counted, the exact fraction with its
    percentage, the threshold and the verdict, on one line of the table."""
    assert result["figures"]
    for stored in result["figures"]:
        figure = figure_from_json(stored)
        part, whole = stored["part"], stored["whole"]
        counted = (
            f"{format_area(part)} / {format_area(whole)} m²"
            if stored["unit"] == "dm2"
            else f"{part} / {whole}"
        )
        bound = figure.threshold.bound
        threshold = (
            f"{'≥' if stored['inclusive'] else '>'} {bound.numerator}/{bound.denominator} "
            f"({fraction_percent(bound)})"
        )
        verdict = "passed" if stored["passed"] else "not reached"
        assert figure.text == stored["share"]
        assert _row(text, counted, stored["share"], threshold, verdict), stored


def test_the_owners_meeting_notice_prints_every_figure_of_the_stored_result(
    demo: Ledger,
) -> None:
    printed = _vote_notice(demo, OWNERS_VOTE)
    notice, text, xlsx, result = printed.notice, printed.text, printed.xlsx, printed.result
    assert notice.title == "Vote result notice" and notice.title in text
    assert "Voting days 2024-12-01 to 2024-12-15" in text
    assert f"Put to the vote: {result['title']}" in text
    assert "Matter: Ordinary matter" in text
    _figures_printed(text, result)
    # The ballots: yes, no and abstain with owners and area, and who took part.
    for key, label in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")):
        owners, area = result[key]["owners"], result[key]["area_dm2"]
        assert _row(
            text,
            label,
            owners,
            format_area(area),
            fraction_percent(Fraction(owners, result["participating_owners"])),
            fraction_percent(Fraction(area, result["participating_area_dm2"])),
        ), key
    assert _row(
        text,
        "Took part",
        result["participating_owners"],
        format_area(result["participating_area_dm2"]),
    )
    figures = next(s for s in notice.sections if isinstance(s, KeyFigures))
    items = {label: value for label, value, _kind in figures.items}
    assert items["Ballots"] == result["ballots"] == result["participating_owners"]
    assert (
        items[f"Owners ({result['units']} units; an owner of several counts once)"]
        == (result["owners"])
    )
    assert items["Total exclusive area (m²)"] == result["total_area_dm2"]
    assert items["Turnout"] * result["owners"] == result["ballots"]
    assert _row(text, "Turnout", fraction_percent(items["Turnout"]))
    # The outcome, and what it did: the 2025 budget was approved by this vote.
    assert result["outcome"] == "passed"
    assert "Outcome: Passed" in text
    assert result["effects"] == {"budget_approved": 2025}
    assert "The 2025 open budget is approved by this vote." in text
    # Proxies are counted, never named.
    with demo.read() as s:
        proxies = len(
            s.exec(
                select(Ballot).where(
                    col(Ballot.vote_id) == OWNERS_VOTE, col(Ballot.channel) == "proxy"
                )
            ).all()
        )
    assert proxies and _row(text, "of which by proxy", proxies)
    _no_voter_named(demo, text, OWNERS_VOTE)
    # The digest is of the last entry up to the day the vote was closed.
    assert notice.digest is not None and notice.digest.entry_date <= dt.date(2024, 12, 15)
    assert notice.digest.hash in text
    # The workbook: the ballots' total row adds exactly the three choices.
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb["Ballots"]
    total_row = HEADER_ROW + 4
    assert ws.cell(total_row, 2).value == f"=SUM(B{HEADER_ROW + 1}:B{HEADER_ROW + 3})"
    assert sum(ws.cell(r, 2).value for r in range(HEADER_ROW + 1, total_row)) == result["ballots"]
    area = sum(Decimal(str(ws.cell(r, 3).value)) for r in range(HEADER_ROW + 1, total_row))
    assert area * 100 == result["participating_area_dm2"]


def test_the_village_meeting_notice(demo: Ledger) -> None:
    printed = _vote_notice(demo, VILLAGE_VOTE)
    notice, text, result = printed.notice, printed.text, printed.result
    assert notice.title == "Vote result notice" and notice.title in text
    assert "Voting day 2024-12-01" in text
    _figures_printed(text, result)
    for key, label in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")):
        share = fraction_percent(Fraction(result[key], result["ballots"]))
        assert _row(text, label, result[key], share)
    assert _row(text, "Took part", result["ballots"])
    assert _row(text, "Households in the register", result["households"])
    assert "Outcome: Passed" in text
    assert "Closing this vote changed nothing in the books by itself." in _flat(text)
    assert "Matter:" not in text
    _no_voter_named(demo, text, VILLAGE_VOTE)
    assert not any(isinstance(s, Chart) for s in notice.sections)


def test_the_participatory_budget_notice(demo: Ledger) -> None:
    printed = _vote_notice(demo, BUDGET_VOTE)
    notice, text, xlsx, result = printed.notice, printed.text, printed.xlsx, printed.result
    projects = {p["code"]: p for p in result["projects"]}
    greedy = result["by_rule"]["greedy"]["selected"]
    mes = result["by_rule"]["mes"]["selected"]
    assert result["rule"] == "mes" and result["selected"] == mes
    assert "Rule: Method of Equal Shares, completed by greedy" in text
    # Every project: id, name, cost, votes and the order in which each rule takes it.
    for code, p in projects.items():
        orders = [r.index(code) + 1 for r in (greedy, mes) if code in r]
        assert _row(text, code, p["name"], amount_text(p["cost_fen"]), p["votes"], *orders)
    table = next(t for t in notice.tables() if t.sheet == "Projects")
    assert [tuple(row)[4:] for row in table.rows] == [
        tuple(r.index(c) + 1 if c in r else None for r in (greedy, mes)) for c in projects
    ]
    # The selected projects in order, the budget, used and left.
    for n, code in enumerate(mes, start=1):
        p = projects[code]
        assert _row(text, n, code, p["name"], p["votes"], amount_text(p["cost_fen"]))
    used = sum(projects[c]["cost_fen"] for c in mes)
    assert used == result["used_fen"]
    assert result["used_fen"] + result["left_fen"] == result["budget_fen"]
    assert _row(text, "Budget (yuan)", amount_text(result["budget_fen"]))
    assert _row(text, "Used by the selected projects (yuan)", amount_text(result["used_fen"]))
    assert _row(text, "Left (yuan)", amount_text(result["left_fen"]))
    assert _row(text, "Total used", amount_text(result["used_fen"]))
    assert "Outcome: projects selected" in text
    greedy_used = result["by_rule"]["greedy"]["used_fen"]
    assert _row(
        text,
        "greedy by votes",
        "for comparison",
        len(greedy),
        amount_text(greedy_used),
        amount_text(result["budget_fen"] - greedy_used),
    )
    # The activities the vote created, as in the books.
    with demo.read() as s:
        activities = [
            (a.id, a.name, a.budget_fen)
            for a in s.exec(select(Activity).where(col(Activity.vote_id) == BUDGET_VOTE))
        ]
    assert sorted(a for a, _name, _fen in activities) == sorted(
        m["activity"] for m in result["effects"]["activities"]
    )
    for activity, name, fen in activities:
        code = next(m["code"] for m in result["effects"]["activities"] if m["activity"] == activity)
        assert _row(text, activity, code, name, amount_text(fen))
    # The bar chart: votes per project.
    chart = next(s for s in notice.sections if isinstance(s, Chart))
    assert chart.kind == "bar" and not chart.money
    assert chart.series[0][1] == tuple(p["votes"] for p in result["projects"])
    _no_voter_named(demo, text, BUDGET_VOTE)
    with demo.read() as s:
        people = s.exec(select(Household.label, Household.head_name)).all()
    assert not any(label in text or (head and head in text) for label, head in people)
    # The workbook's selected-projects total is a SUM of exactly the selected rows = used.
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb["Selected"]
    first, last = HEADER_ROW + 1, HEADER_ROW + len(mes)
    assert ws.cell(last + 1, 5).value == f"=SUM(E{first}:E{last})"
    assert sum(Decimal(str(ws.cell(r, 5).value)) for r in range(first, last + 1)) * 100 == used


def test_a_vote_of_another_book_is_refused(demo: Ledger) -> None:
    with demo.read() as s:
        fund = _book_of(s, BUDGET_VOTE)
        trust_name = _book_of(s, OWNERS_VOTE).name
        with pytest.raises(InvalidInputError) as caught:
            build_vote_result(s, fund, ANY_PERIOD, ReportOptions(vote=OWNERS_VOTE))
        message = str(caught.value)
        assert "Vote 1" in message and fund.name in message and trust_name in message
        # Nor is a vote that does not exist.
        with pytest.raises(NotFoundError):
            build_vote_result(s, fund, ANY_PERIOD, ReportOptions(vote=999))


def test_an_open_vote_is_printed_as_provisional(demo_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "open.sqlite"
    shutil.copy(demo_path, path)
    with open_ledger(path) as ledger, ledger.write() as s:
        book = _book_of(s, BUDGET_VOTE)
        committee = s.exec(select(AppUser).where(col(AppUser.role) == "committee")).one()
        treasurer = s.exec(select(AppUser).where(col(AppUser.role) == "treasurer")).one()
        opens = dt.date(2025, 1, 1)
        vote = create_vote(
            s,
            book_id=book.id or 0,
            kind=RESIDENTS_MEETING,
            title="更换楼道门禁",
            opens_on=opens,
            closes_on=dt.date(2099, 12, 31),
            actor=committee,
        )
        households = book_households(s, book_id=book.id or 0)
        labels = [h.label for h in households]
        for household, choice in zip(households[:3], ("yes", "yes", "no"), strict=True):
            record_ballot(
                s,
                vote_id=vote.id or 0,
                voter=household.label,
                choice=choice,
                cast_on=opens,
                actor=treasurer,
            )
        notice, pdf, _xlsx = _render(
            lambda: build_vote_result(s, book, ANY_PERIOD, ReportOptions(vote=vote.id))
        )
    text = pdf_text(pdf)
    assert "PROVISIONAL — the vote is still open (ballots until 2099-12-31)" in _flat(text)
    assert any(isinstance(s, Paragraph) and "PROVISIONAL" in s.text for s in notice.sections)
    assert "provisional" in notice.subtitle
    assert _row(text, "Households in the register", len(households))
    assert _row(text, "Yes", 2, "66.67%") and _row(text, "No", 1, "33.33%")
    assert _row(text, "Took part", 3)
    # Nothing was carried into the books yet.
    assert "changed nothing" not in text and "approved by this vote" not in text
    assert notice.digest is not None and notice.digest.entry_date <= dt.date.today()
    assert not any(label in text for label in labels)


def test_the_chinese_notice(demo: Ledger) -> None:
    set_language("zh")
    printed = _vote_notice(demo, OWNERS_VOTE)
    notice, text, result = printed.notice, printed.text, printed.result
    assert notice.language == "zh_CN"
    fonts = pdf_fonts(printed.pdf)
    assert any("WenQuanYi" in name and embedded for name, embedded in fonts.items())
    assert "结果：通过" in text  # the outcome, in words the catalog already has
    approved = _("The {year} open budget is approved by this vote.").format(year=2025)
    assert approved != "The 2025 open budget is approved by this vote." and approved in text
    assert result["title"] in text
    for stored in result["figures"]:
        assert stored["share"] in text
    tables = [s for s in notice.sections if isinstance(s, Table)]
    assert tables and all(t.title for t in tables)
    if _("Vote result notice") == "Vote result notice":
        pytest.xfail("the title awaits its Chinese translation in the catalog (表决结果公示)")
    assert "表决结果公示" in text
