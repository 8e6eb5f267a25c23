"""Commands for participatory budgeting (参与式预算): tally a Pabulib ``.pb`` file by plurality,
greedy or the Method of Equal Shares, or greedy and MES side by side. No ledger is needed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_common import EXIT_OK, Commands, emit_json
from desktop.texttable import display_width, render_table
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from ledger.pabulib import PbElection
    from ledger.rules.pb import Amount, PbTally

#: What ``--rule`` accepts; ``both`` is greedy and MES side by side.
RULE_CHOICES = ("greedy", "mes", "plurality", "both")


#: How wide a project's name may be in a table before it is shortened with "…".
NAME_WIDTH = 48


def short_name(name: str) -> str:
    """A project's name cut to :data:`NAME_WIDTH` display columns (Chinese counts double)."""
    if display_width(name) <= NAME_WIDTH:
        return name
    kept = ""
    for char in name:
        if display_width(kept + char) > NAME_WIDTH - 1:
            break
        kept += char
    return kept + "…"


def show_amount(amount: Amount) -> str:
    """An amount for people: ``748,772.64`` (two decimals unless it needs more)."""
    from ledger.pabulib import format_amount

    exact = format_amount(amount)
    whole, _dot, part = exact.partition(".")
    return f"{int(whole):,}.{part.ljust(2, '0')}"


def amount_fen(amount: Amount) -> int:
    """An amount in hundredths of the currency unit (fen for yuan), for JSON."""
    from fractions import Fraction

    from ledger.pabulib import format_amount

    hundredths = Fraction(amount) * 100
    if hundredths.denominator != 1:
        raise InvalidInputError(
            _(
                "The amount {amount} has more than two decimals and cannot be given in fen; "
                "leave out --json."
            ).format(amount=format_amount(amount))
        )
    return hundredths.numerator


def _selected_json(election: PbElection, result: PbTally) -> list[dict[str, Any]]:
    return [
        {
            "project_id": pid,
            "name": election.project(pid).name,
            "cost_fen": amount_fen(election.project(pid).cost),
            "votes": result.votes[pid],
        }
        for pid in result.selected
    ]


def _result_json(election: PbElection, result: PbTally) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": result.rule,
        "selected": _selected_json(election, result),
        "used_fen": amount_fen(result.used),
        "left_fen": amount_fen(result.left),
    }
    if result.rule == "plurality":
        data["tied"] = list(result.tied)
    return data


def _heading(path: str, election: PbElection) -> list[str]:
    description = election.meta.get("description", "") or Path(path).name
    return [
        _("{description} ({file})").format(description=description, file=Path(path).name),
        _(
            "Budget {budget} {currency} · {ballots} ballots ({vote_type}) · {projects} projects"
        ).format(
            budget=show_amount(election.budget),
            currency=election.currency,
            ballots=f"{len(election.votes):,}",
            vote_type=election.vote_type,
            projects=len(election.projects),
        ),
    ]


def _used_line(result: PbTally, currency: str) -> str:
    from ledger.services.votes import rule_label

    return _("{rule}: {count} projects, {used} of {budget} {currency} used, {left} left.").format(
        rule=rule_label(result.rule),
        count=len(result.selected),
        used=show_amount(result.used),
        budget=show_amount(result.budget),
        currency=currency,
        left=show_amount(result.left),
    )


def _print_one(election: PbElection, result: PbTally) -> None:
    from ledger.services.votes import rule_label

    print(_("Rule: {rule}").format(rule=rule_label(result.rule)))
    rows = [
        [
            str(n),
            pid,
            short_name(election.project(pid).name),
            str(result.votes[pid]),
            show_amount(election.project(pid).cost),
        ]
        for n, pid in enumerate(result.selected, start=1)
    ]
    print(
        render_table(
            ["#", _("Project id"), _("Project"), _("Votes"), _("Cost")], rows, right=(0, 3, 4)
        )
    )
    if result.tied:
        print(
            _("Tied for the most votes: {options}; the tie goes to the smallest id.").format(
                options=", ".join(result.tied)
            )
        )
    print(_used_line(result, election.currency))


def _print_side_by_side(election: PbElection, greedy: PbTally, mes: PbTally) -> None:
    order = {pid: n for n, pid in enumerate(election.costs())}
    either = sorted(
        set(greedy.selected) | set(mes.selected), key=lambda pid: (-greedy.votes[pid], order[pid])
    )

    def mark(result: PbTally, pid: str) -> str:
        return str(result.selected.index(pid) + 1) if pid in result.selected else ""

    rows = [
        [
            pid,
            short_name(election.project(pid).name),
            str(greedy.votes[pid]),
            show_amount(election.project(pid).cost),
            mark(greedy, pid),
            mark(mes, pid),
        ]
        for pid in either
    ]
    print(
        render_table(
            [_("Project id"), _("Project"), _("Votes"), _("Cost"), _("Greedy"), _("MES")],
            rows,
            right=(2, 3, 4, 5),
        )
    )
    print(_("The Greedy and MES columns give the order in which each rule selects a project."))
    print(_used_line(greedy, election.currency))
    print(_used_line(mes, election.currency))


def cmd_pb_tally(args: argparse.Namespace) -> int:
    from ledger.pabulib import read_pb_file
    from ledger.rules.pb import tally

    election = read_pb_file(args.file)
    rules = ["greedy", "mes"] if args.rule == "both" else [args.rule]
    if "plurality" in rules and election.vote_type != "choose-1":
        raise InvalidInputError(
            _(
                "Plurality is for choose-1 votes; this file's vote type is {vote_type}: use "
                "--rule greedy, mes or both."
            ).format(vote_type=election.vote_type)
        )
    costs, ballots = election.costs(), election.ballots()
    results = [tally(rule, costs, ballots, election.budget) for rule in rules]
    if args.json:
        emit_json(
            {
                "file": str(args.file),
                "description": election.meta.get("description", ""),
                "currency": election.currency,
                "vote_type": election.vote_type,
                "ballots": len(election.votes),
                "projects": len(election.projects),
                "budget_fen": amount_fen(election.budget),
                "results": {r.rule: _result_json(election, r) for r in results},
            }
        )
        return EXIT_OK
    for line in _heading(args.file, election):
        print(line)
    if len(results) == 2:
        _print_side_by_side(election, results[0], results[1])
    else:
        _print_one(election, results[0])
    return EXIT_OK


def register(commands: Commands) -> Commands:
    """Add ``pb tally``; returns the ``pb`` group for the commands that need a ledger."""
    pb = commands.group(
        "pb", _("participatory budgeting: tally, import and export Pabulib .pb files")
    )
    p = pb.add("tally", cmd_pb_tally, _("tally a Pabulib .pb file by a rule"))
    p.add_argument("file", metavar="FILE.pb", help=_("the Pabulib file"))
    p.add_argument(
        "--rule",
        required=True,
        choices=RULE_CHOICES,
        help=_(
            "greedy (by votes), mes (Method of Equal Shares, completed by greedy), plurality "
            "(choose-1 votes) or both (greedy and MES side by side)"
        ),
    )
    return pb
