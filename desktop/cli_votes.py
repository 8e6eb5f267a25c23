"""Commands for resident decisions (表决): open a vote, record ballots from paper, in person or
by proxy, correct a slip, close it and print the result with every threshold; import a Pabulib
``.pb`` file as a participatory-budget vote and export one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_choices import BUDGET_BALLOT_TYPES, BUDGET_RULES, CHANNELS, MATTERS, VOTE_KINDS
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    book_arg,
    emit_json,
    ledger_arg,
    open_from,
    outcome_of,
    perform,
    read_file,
)
from desktop.cli_pb import short_name
from desktop.texttable import render_table
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from ledger.models import Vote
    from ledger.services.votes import ProjectSpec

THRESHOLD_RULES = ("more-than", "at-least")


def parse_project(text: str) -> ProjectSpec:
    """``CODE:NAME:COST`` (the name may hold colons; the cost is an amount in yuan)."""
    from ledger.money import parse_money
    from ledger.services.votes import ProjectSpec

    code, sep, rest = text.partition(":")
    name, sep2, cost = rest.rpartition(":")
    if not sep or not sep2:
        raise InvalidInputError(
            _(
                "Give a project as ID:NAME:COST, for example “p1:楼道灯更换:8000”; got “{text}”."
            ).format(text=text)
        )
    return ProjectSpec(code.strip(), name.strip(), parse_money(cost).fen)


def parse_option(text: str) -> ProjectSpec:
    """A choose-1 option, ``CODE:NAME`` or ``CODE:NAME:COST``."""
    from ledger.services.votes import ProjectSpec

    if text.count(":") >= 2:
        return parse_project(text)
    code, _sep, name = text.partition(":")
    return ProjectSpec(code.strip(), name.strip(), 0)


def _split(text: str | None) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _points(text: str | None) -> list[int]:
    values = []
    for part in _split(text):
        if not (part.isascii() and part.isdigit()):
            raise InvalidInputError(
                _("Points are whole numbers separated by commas, like 3,2,1; got “{text}”.").format(
                    text=text
                )
            )
        values.append(int(part))
    return values


def _limit(value: str | None, rule: str | None) -> tuple[str | None, bool | None]:
    """A share as typed (checked here, read again by the operation) and its rule."""
    from ledger.rules.ballots import parse_fraction

    if value is None:
        if rule is not None:
            raise InvalidInputError(_("Give the share too, like --quorum 2/3."))
        return None, None
    parse_fraction(value)
    return value, None if rule is None else rule == "at-least"


def _vote_json(vote: Vote, ballots: int) -> dict[str, Any]:
    from ledger.operations.votes import vote_json

    return vote_json(vote, ballots)


def cmd_vote_create(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.votes import CREATE_VOTE, CreateVote

    projects = [parse_project(p) for p in args.project or []]
    projects += [parse_option(o) for o in args.option or []]
    quorum, quorum_inclusive = _limit(args.quorum, args.quorum_rule)
    majority, majority_inclusive = _limit(args.majority, args.majority_rule)
    request = CreateVote(
        book=args.book,
        kind=args.kind,
        title=args.title,
        opens_on=parse_date(args.opens),
        closes_on=parse_date(args.closes),
        matter=args.matter,
        ballot_type=args.ballot_type,
        rule=args.rule,
        projects=tuple(projects),
        budget_fen=parse_money(args.budget).fen if args.budget is not None else None,
        budget_year=args.budget_year,
        max_length=args.max_length,
        max_points=args.max_points,
        quorum=quorum,
        quorum_inclusive=quorum_inclusive,
        majority=majority,
        majority_inclusive=majority_inclusive,
    )
    return perform(args, CREATE_VOTE, request)


def cmd_vote_list(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from ledger.services.votes import VoteStatus, ballot_count, kind_label, list_votes

    with open_from(args) as ledger, ledger.read() as s:
        book_id = find_book(s, args.book).id if args.book else None
        rows = [
            _vote_json(v, ballot_count(s, vote_id=v.id or 0))
            for v in list_votes(s, book_id=book_id)
        ]
    if args.json:
        emit_json(rows)
        return EXIT_OK
    if not rows:
        print(_("No votes yet."))
        return EXIT_OK
    status = {s.value: s.label for s in VoteStatus}
    print(
        render_table(
            [
                _("No."),
                _("Book"),
                _("Kind"),
                _("Title"),
                _("Voting days"),
                _("Ballots"),
                _("Status"),
            ],
            [
                [
                    str(r["id"]),
                    str(r["book"]),
                    kind_label(r["kind"]),
                    r["title"],
                    f"{r['opens_on']} – {r['closes_on']}",
                    str(r["ballots"]),
                    status.get(r["status"], r["status"]),
                ]
                for r in rows
            ],
            right=(0, 1, 5),
        )
    )
    return EXIT_OK


def cmd_vote_show(args: argparse.Namespace) -> int:
    from ledger.rules.meetings import Matter
    from ledger.services.votes import (
        ballot_count,
        find_vote,
        kind_label,
        status_label,
        vote_money,
        vote_options,
    )

    with open_from(args) as ledger, ledger.read() as s:
        vote = find_vote(s, vote_id=args.vote)
        data = _vote_json(vote, ballot_count(s, vote_id=vote.id or 0))
        data["options"] = [
            {"code": o.code, "name": o.name, "cost_fen": o.cost_fen}
            for o in vote_options(s, vote_id=vote.id or 0)
        ]
    if args.json:
        emit_json(data)
        return EXIT_OK
    print(
        _("Vote {id} ({kind}): {title}").format(
            id=data["id"], kind=kind_label(data["kind"]), title=data["title"]
        )
    )
    print(
        _("Voting days {opens} – {closes}; {ballots} ballots; {status}.").format(
            opens=data["opens_on"],
            closes=data["closes_on"],
            ballots=data["ballots"],
            status=status_label(data["status"]),
        )
    )
    if data["matter"]:
        print(_("Matter: {matter}").format(matter=_(Matter(data["matter"]).label)))
    if data["options"]:
        print(
            render_table(
                [_("Project id"), _("Project"), _("Cost")],
                [
                    [o["code"], o["name"], vote_money(o["cost_fen"] or 0, data["currency"])]
                    for o in data["options"]
                ],
                right=(2,),
            )
        )
        print(
            _("Budget {budget}; ballot type {type}; rule {rule}.").format(
                budget=vote_money(data["budget_fen"] or 0, data["currency"]),
                type=data["ballot_type"],
                rule=data["rule"],
            )
        )
    return EXIT_OK


def cmd_vote_amend(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.votes import AMEND_VOTE, AmendVote

    request = AmendVote(
        vote=args.vote,
        title=args.title,
        closes_on=parse_date(args.closes) if args.closes else None,
        budget_fen=parse_money(args.budget).fen if args.budget is not None else None,
        add_projects=tuple(parse_project(p) for p in args.add_project or []),
        remove_projects=tuple(args.remove_project or []),
    )
    return perform(args, AMEND_VOTE, request)


def cmd_vote_ballot(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.votes import RECORD_BALLOT, RecordBallot

    request = RecordBallot(
        vote=args.vote,
        voter=args.voter,
        choice=args.choice,
        selection=tuple(_split(args.projects)),
        points=tuple(_points(args.points)),
        channel=args.channel,
        proxy_name=args.proxy or "",
        cast_on=parse_date(args.date) if args.date else None,
    )
    return perform(args, RECORD_BALLOT, request)


def cmd_vote_correct(args: argparse.Namespace) -> int:
    from ledger.operations.votes import CORRECT_BALLOT, CorrectBallot

    request = CorrectBallot(
        vote=args.vote,
        voter=args.voter,
        reason=args.reason,
        choice=args.choice,
        selection=tuple(_split(args.projects)),
        points=tuple(_points(args.points)),
    )
    return perform(args, CORRECT_BALLOT, request)


def _print_result(data: dict[str, Any]) -> None:
    from ledger.services.votes import VoteResult, describe_result, vote_money

    result = VoteResult.from_json(data)
    for line in describe_result(result):
        print(line)
    budget = result.budget
    by_rule = (budget.by_rule if budget is not None else None) or {}
    if budget is not None and len(by_rule) == 2:
        projects = {p.code: p for p in budget.projects}
        greedy, mes = by_rule["greedy"].selected, by_rule["mes"].selected
        either = sorted(set(greedy) | set(mes), key=lambda c: -projects[c].votes)
        print(
            render_table(
                [_("Project id"), _("Project"), _("Votes"), _("Cost"), _("Greedy"), _("MES")],
                [
                    [
                        c,
                        short_name(projects[c].name),
                        str(projects[c].votes),
                        vote_money(projects[c].cost_fen or 0, budget.currency),
                        str(greedy.index(c) + 1) if c in greedy else "",
                        str(mes.index(c) + 1) if c in mes else "",
                    ]
                    for c in either
                ],
                right=(2, 3, 4, 5),
            )
        )
        print(_("The Greedy and MES columns give the order in which each rule selects a project."))


def cmd_vote_close(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.votes import CLOSE_VOTE, CloseVote

    request = CloseVote(vote=args.vote, on=parse_date(args.date) if args.date else None)
    closed = outcome_of(args, CLOSE_VOTE, request)
    if args.json:
        emit_json(closed.as_json())
    else:  # the whole result with every threshold, as ``vote result`` prints it
        _print_result(closed.as_json())
    return EXIT_OK


def cmd_vote_result(args: argparse.Namespace) -> int:
    from ledger.services.votes import find_vote, vote_result

    with open_from(args) as ledger, ledger.read() as s:
        result = vote_result(s, vote_id=find_vote(s, vote_id=args.vote).id or 0)
    if args.json:
        emit_json(result)
    else:
        _print_result(result)
    return EXIT_OK


def cmd_pb_import(args: argparse.Namespace) -> int:
    from ledger.operations.votes import IMPORT_PB, ImportPb

    request = ImportPb(
        book=args.book,
        file=Path(args.file).name,
        data=read_file(args.file),
        title=args.title,
        rule=args.rule,
    )
    return perform(args, IMPORT_PB, request)


def cmd_pb_export(args: argparse.Namespace) -> int:
    from ledger.pabulib import write_pb
    from ledger.services.votes import export_pb, find_vote

    with open_from(args) as ledger, ledger.read() as s:
        election = export_pb(s, vote_id=find_vote(s, vote_id=args.vote).id or 0)
    text = write_pb(election, pseudonymous=True)
    out = Path(args.output)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            _("Cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)
        ) from exc
    if args.json:
        emit_json(
            {"file": str(out), "projects": len(election.projects), "ballots": len(election.votes)}
        )
    else:
        print(
            _(
                "Wrote {path}: {projects} projects, {ballots} ballots (voter ids pseudonymous)."
            ).format(path=out, projects=len(election.projects), ballots=len(election.votes))
        )
    return EXIT_OK


def _vote_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("vote", metavar="VOTE", help=_("the vote's number"))


def _ballot_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--choice", help=_("a meeting ballot: yes, no or abstain (同意, 反对, 弃权)")
    )
    parser.add_argument(
        "--projects",
        help=_("a budget ballot: project ids separated by commas, best first for ordinal ballots"),
    )
    parser.add_argument("--points", help=_("a cumulative ballot: points per project, like 3,2,1"))


def _create_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", required=True, choices=VOTE_KINDS)
    p.add_argument("--title", required=True, help=_("the question or motion"))
    p.add_argument("--opens", required=True, help=_("first day of voting, YYYY-MM-DD"))
    p.add_argument("--closes", required=True, help=_("last day of voting, YYYY-MM-DD"))
    p.add_argument(
        "--matter",
        choices=MATTERS,
        help=_("owners' meeting: the matter of Civil Code art. 278"),
    )
    p.add_argument(
        "--budget-year", type=int, help=_("owners' meeting: the draft open budget it decides")
    )
    p.add_argument("--quorum", help=_("meetings: share of households present, like 1/2 or 2/3"))
    p.add_argument("--quorum-rule", choices=THRESHOLD_RULES)
    p.add_argument("--majority", help=_("meetings: share of those present voting yes, like 1/2"))
    p.add_argument("--majority-rule", choices=THRESHOLD_RULES)
    p.add_argument("--ballot-type", choices=BUDGET_BALLOT_TYPES, help=_("participatory budget"))
    p.add_argument("--rule", choices=BUDGET_RULES, help=_("participatory budget: how to tally"))
    p.add_argument("--budget", help=_("participatory budget: the money to share out"))
    p.add_argument(
        "--project", action="append", help=_("a project as ID:NAME:COST (repeat for each)")
    )
    p.add_argument(
        "--option", action="append", help=_("a choose-1 option as ID:NAME (repeat for each)")
    )
    p.add_argument("--max-length", type=int, help=_("most projects on one ballot"))
    p.add_argument("--max-points", type=int, help=_("cumulative ballots: most points in all"))


def register(commands: Commands) -> None:
    vote = commands.group(
        "vote",
        _("resident decisions: owners', residents' and village meetings, participatory budgets"),
    )
    p = vote.add("create", cmd_vote_create, _("open a vote with its rules"))
    ledger_arg(p)
    book_arg(p)
    _create_args(p)

    p = vote.add("list", cmd_vote_list, _("list the votes"))
    ledger_arg(p)
    p.add_argument("--book", help=_("only this book's votes"))

    p = vote.add("show", cmd_vote_show, _("show a vote's rules and options"))
    ledger_arg(p)
    _vote_arg(p)

    p = vote.add("amend", cmd_vote_amend, _("change a vote's rules before its first ballot"))
    ledger_arg(p)
    _vote_arg(p)
    p.add_argument("--title")
    p.add_argument("--closes", help=_("new last day of voting"))
    p.add_argument("--budget")
    p.add_argument("--add-project", action="append", help=_("ID:NAME:COST"))
    p.add_argument("--remove-project", action="append", help=_("project id"))

    p = vote.add("ballot", cmd_vote_ballot, _("record one ballot"))
    ledger_arg(p)
    _vote_arg(p)
    p.add_argument(
        "--voter",
        required=True,
        help=_("owners' meeting: unit (1-2-301) or owner key; otherwise the household"),
    )
    _ballot_args(p)
    p.add_argument(
        "--channel",
        choices=[c for c in CHANNELS if c != "import"],
        default="paper",
        help=_("how the ballot came in (default: paper)"),
    )
    p.add_argument("--proxy", help=_("a proxy ballot: who held the proxy (kept private)"))
    p.add_argument("--date", help=_("the day the ballot was cast (default: today)"))

    p = vote.add(
        "correct", cmd_vote_correct, _("correct a ballot recorded wrongly (kept for audit)")
    )
    ledger_arg(p)
    _vote_arg(p)
    p.add_argument("--voter", required=True)
    p.add_argument("--reason", required=True, help=_("why the ballot is corrected"))
    _ballot_args(p)

    p = vote.add(
        "close", cmd_vote_close, _("close a vote, decide it and carry the result into the books")
    )
    ledger_arg(p)
    _vote_arg(p)
    p.add_argument("--date", help=_("the day of closing (default: today)"))

    p = vote.add("result", cmd_vote_result, _("the result with every threshold (so far, if open)"))
    ledger_arg(p)
    _vote_arg(p)


def register_pb(pb: Commands) -> None:
    """``pb import`` and ``pb export``, beside ``pb tally`` (desktop/cli_pb.py)."""
    p = pb.add("import", cmd_pb_import, _("import a Pabulib .pb file as a vote with its ballots"))
    ledger_arg(p)
    p.add_argument("file", metavar="FILE.pb", help=_("the Pabulib file"))
    book_arg(p)
    p.add_argument("--title", help=_("the vote's title (default: the file's description)"))
    p.add_argument("--rule", choices=BUDGET_RULES)

    p = pb.add(
        "export", cmd_pb_export, _("export a participatory-budget vote as a Pabulib .pb file")
    )
    ledger_arg(p)
    _vote_arg(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT.pb")
