"""Participatory budgets in and out of Pabulib files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from fractions import Fraction

from sqlalchemy import insert
from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import today, utc_now_iso
from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.models import AppUser, Ballot, Vote
from ledger.money import MAX_FEN
from ledger.pabulib import PbElection, PbProject, PbVote, format_amount
from ledger.record import note_rows
from ledger.services.audit import record_event
from ledger.services.votes._common import (
    MAX_TITLE_LENGTH,
    PARTICIPATORY_BUDGET,
    ProjectSpec,
    _book,
    kind_label,
)
from ledger.services.votes.finding import find_vote, vote_ballots, vote_options
from ledger.services.votes.setup import create_vote


def _whole_fen(amount: int | Fraction, what: str) -> int:
    value = Fraction(amount) * 100
    if value.denominator != 1:
        raise InvalidInputError(
            _("{what} {amount} has more than two decimals; it cannot be kept in cents.").format(
                what=what, amount=format_amount(amount)
            )
        )
    if abs(value.numerator) > MAX_FEN:
        raise InvalidInputError(
            _("{what} {amount} is beyond the largest amount the ledger keeps.").format(
                what=what, amount=format_amount(amount)
            )
        )
    return value.numerator


def _whole(value: int | Fraction, what: str) -> int:
    if Fraction(value).denominator != 1:
        raise InvalidInputError(
            _("{what} must be whole numbers; got {value}.").format(
                what=what, value=format_amount(value)
            )
        )
    return int(value)


def import_pb(
    session: Session,
    *,
    book_id: int,
    election: PbElection,
    actor: AppUser,
    title: str | None = None,
    rule: str | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Vote:
    """A Pabulib election as a participatory-budget vote of a micro-fund book, with all its
    ballots (recorded as ``import``, voters by their file ids). Its rules are fixed by the
    ballots, so it is ready to close. Amounts are kept in hundredths of the file's currency.

    ``progress(ballots_done, ballots_total)`` is told as the ballots are written; if it raises,
    the import stops with that error and the caller's unit of work is rolled back (that is how
    a cancel works)."""
    require(actor.username, actor.role, Action.MANAGE_VOTES)
    require(actor.username, actor.role, Action.RECORD_BALLOTS)
    meta = dict(election.meta)
    max_length = meta.get("max_length")
    max_points = _import_max_points(election)
    dates = [_iso_date(meta.get(k, "")) for k in ("date_begin", "date_end")]
    opens_on = dates[0] or dates[1] or today()
    closes_on = dates[1] or opens_on
    projects = [
        ProjectSpec(
            p.project_id,
            p.name,
            _whole_fen(p.cost, _("The cost of project {id}").format(id=p.project_id)),
        )
        for p in election.projects
    ]
    vote = create_vote(
        session,
        book_id=book_id,
        kind=PARTICIPATORY_BUDGET,
        title=_import_title(title or meta.get("description", "") or source or _("Imported vote")),
        opens_on=min(opens_on, closes_on),
        closes_on=closes_on,
        actor=actor,
        ballot_type=election.vote_type,
        rule=rule or ("plurality" if election.vote_type == "choose-1" else "mes"),
        projects=projects,
        budget_fen=_whole_fen(election.budget, _("The budget")),
        # A choose-1 file may say max_length 1 (Amsterdam's do): that is what choose-1 means.
        max_length=(
            int(max_length)
            if max_length and max_length.strip().isdigit() and election.vote_type != "choose-1"
            else None
        ),
        max_points=max_points,
        imported=True,
    )
    vote.currency = (meta.get("currency", "") or "CNY").strip().upper()[:8]
    vote.source = source[:200]
    vote.meta = json.dumps(meta, ensure_ascii=False)
    session.add(vote)
    for option, project in zip(
        vote_options(session, vote_id=vote.id or 0), election.projects, strict=True
    ):
        if len(project.name) <= 200:
            option.name = project.name  # as the file spells it, so an export gives it back
        option.fields = json.dumps(dict(project.fields), ensure_ascii=False)
        session.add(option)
    now = utc_now_iso()
    rows = [
        {
            "vote_id": vote.id,
            "voter_key": v.voter_id[:64],
            "household_id": None,
            "choice": None,
            "selection": json.dumps(list(v.projects), ensure_ascii=False),
            "points": json.dumps([_whole(x, _("Points")) for x in v.points]),
            "channel": "import",
            "proxy_name": "",
            "cast_on": closes_on,
            "fields": json.dumps(dict(v.fields), ensure_ascii=False),
            "recorded_by_id": actor.id,
            "recorded_at": now,
            "revision": 0,
        }
        for v in election.votes
    ]
    if len({row["voter_key"] for row in rows}) != len(rows):
        raise InvalidInputError(
            _("Two voters of the file share the same first 64 characters of their ids.")
        )
    chunk = max(100, len(rows) // 100)  # at most about a hundred steps of progress
    if progress is not None:
        progress(0, len(rows))
    for start in range(0, len(rows), chunk):
        session.execute(insert(Ballot), rows[start : start + chunk])
        if progress is not None:
            progress(min(start + chunk, len(rows)), len(rows))
    session.flush()
    # A bulk insert passes by the unit of work: name its rows for the record of changes.
    note_rows(
        session,
        "ballot",
        ((i,) for i in session.exec(select(Ballot.id).where(col(Ballot.vote_id) == vote.id))),
    )
    record_event(
        session,
        actor=actor,
        action="vote.imported",
        object_type="vote",
        object_id=vote.id or 0,
        detail={
            "book": book_id,
            "source": vote.source,
            "projects": len(projects),
            "ballots": len(rows),
            "currency": vote.currency,
        },
    )
    return vote


def _import_title(text: str) -> str:
    """A file's description as a vote's title, shortened with "…" if it is too long."""
    clean = " ".join(text.split())
    return clean if len(clean) <= MAX_TITLE_LENGTH else clean[: MAX_TITLE_LENGTH - 1] + "…"


def _import_max_points(election: PbElection) -> int | None:
    """The most points in all on a cumulative ballot: the file's ``max_sum_points``; without
    it (``max_points`` limits each project, not the ballot), the most any ballot gives."""
    if election.vote_type != "cumulative":
        return None
    stated = election.meta.get("max_sum_points", "").strip()
    if stated:
        return _whole(Fraction(stated.replace(",", ".")), _("Points"))
    totals = (sum(_whole(x, _("Points")) for x in v.points) for v in election.votes)
    return max(totals, default=0) or 1


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def export_pb(session: Session, *, vote_id: int) -> PbElection:
    """A participatory-budget vote as a Pabulib election, ready for
    :func:`ledger.pabulib.write_pb` (write it with ``pseudonymous=True``: voters are ``v1``,
    ``v2`` … in the order their ballots were recorded)."""
    vote = find_vote(session, vote_id=vote_id)
    if vote.kind != PARTICIPATORY_BUDGET:
        raise InvalidInputError(
            _(
                "Vote {id} ({kind}) is not a participatory budget; only those are Pabulib "
                "elections."
            ).format(id=vote.id, kind=kind_label(vote.kind))
        )
    meta: dict[str, str] = json.loads(vote.meta or "{}")
    book = _book(session, vote.book_id)
    meta.setdefault("description", vote.title)
    meta.setdefault("country", "China")
    meta.setdefault("unit", book.organisation or book.name)
    meta.setdefault("instance", str(vote.opens_on.year))
    meta.setdefault("currency", vote.currency)
    meta.setdefault(
        "rule", {"mes": "equalshares", "greedy": "greedy"}.get(vote.rule or "", "plurality")
    )
    meta.setdefault("date_begin", vote.opens_on.isoformat())
    meta.setdefault("date_end", vote.closes_on.isoformat())
    if vote.max_length is not None:
        meta.setdefault("max_length", str(vote.max_length))
    if vote.max_points is not None:
        meta.setdefault("max_sum_points", str(vote.max_points))
    projects = tuple(
        PbProject(
            o.code,
            Fraction(o.cost_fen or 0, 100),
            o.name,
            json.loads(o.fields or "{}"),
        )
        for o in vote_options(session, vote_id=vote.id or 0)
    )
    votes = tuple(
        PbVote(
            b.voter_key,
            tuple(json.loads(b.selection)),
            tuple(json.loads(b.points)),
            json.loads(b.fields or "{}"),
        )
        for b in vote_ballots(session, vote_id=vote.id or 0)
    )
    return PbElection(
        meta=meta,
        budget=_exact(Fraction(vote.budget_fen or 0, 100)),
        vote_type=vote.ballot_type,
        projects=tuple(
            PbProject(p.project_id, _exact(Fraction(p.cost)), p.name, p.fields) for p in projects
        ),
        votes=votes,
    )


def _exact(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value
