"""Participatory budgeting (参与式预算) rules on plain values: plurality for choose-1 ballots,
greedy by votes within the budget, and the Method of Equal Shares (MES) completed by greedy.

The rules are defined exactly as pabutools computes them, so that every outcome can be
cross-checked against it (tests/ledger/test_pb.py does, on every file of ``shared/pabulib``):

* **greedy** is ``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``. With the
  cost satisfaction a project's "welfare per unit of cost" is simply the number of ballots that
  contain it, so: take the projects by number of votes, most first, and select each one that
  still fits in what is left of the budget. Equal votes are broken by the project id in plain
  string order (pabutools' lexicographic tie-breaking: ``"10" < "9"``). A project that nobody
  voted for, or that costs nothing, counts as 0 votes (pabutools gives it density 0) and is
  still selected at the end if it fits.
* **mes** is ``completion_by_rule_combination(instance, profile, [method_of_equal_shares,
  greedy_utilitarian_welfare], [{"sat_class": Cost_Sat, "voter_budget_increment": 1},
  {"sat_class": Cost_Sat}])``: the iterated Method of Equal Shares, then greedy on what is
  left. One run of MES with a budget ``b`` per voter: every voter starts with ``b``; in each
  round, among the projects whose supporters still hold at least its cost together, the
  project whose cost can be shared with the smallest ``ρ`` is selected, where each supporter
  pays ``min(own money, ρ × cost)`` and the payments add up to the cost (with the cost
  satisfaction ``ρ × cost`` is the equal share ``t`` each supporter pays, or all of its money if
  that is less). Equal ``ρ`` is broken by project id (string order). The run ends when no
  project is affordable. Only projects that cost more than 0 and have at least one vote take
  part. The iteration starts with ``b = budget / number of ballots`` (blank ballots count) and
  raises ``b`` by one currency unit at a time; it stops at the first ``b`` whose outcome costs
  more than the budget (the outcome of ``b - 1`` is kept) or whose outcome leaves no MES project
  that would still fit in the budget (that outcome is kept). If the result leaves money that
  some project fits in, greedy completes it from the projects not yet selected.
* **plurality** (choose-1 ballots, e.g. choosing one of nine design plans): the option on the
  most ballots wins. A tie goes to the smallest project id in string order — the same order
  pabutools breaks ties with — and the result says which options were tied, so a notice can
  state that the tie was broken by id.

Only which projects a ballot contains matters: with the cost satisfaction, pabutools counts a
project on an approval, choose-1, cumulative (whatever the points) or ordinal (whatever the
rank) ballot as fully wanted by that voter, so all four ballot types are tallied by membership.

Exact arithmetic only: amounts are ``int`` or :class:`fractions.Fraction` (a Pabulib file may
have decimal costs), never binary floating point.

Speed. pabutools re-runs MES from scratch for every budget ``b0, b0 + 1, b0 + 2 …`` (1,176 runs
for Toulouse 2022, 57 for Warsaw 2018 Praga-Południe, whose 8,699 ballots make each run slow).
We compute the same sequence of outcomes, faster in three ways:

1. Each run is done *parametrically*: every voter's money is kept as an affine function
   ``value + slope × d`` of the step ``d`` ahead of the current budget, and every decision a
   round takes (who pays all they have and who pays the equal share, which project is cheapest
   per voter, which projects cannot be afforded) is a comparison of two such functions. For
   each we compute the last step for which it comes out the same. The outcome is then the same
   for every budget up to the smallest of these, so those budgets are skipped: they provably
   give the outcome already computed, so the stopping rule sees exactly what pabutools sees
   (no monotonicity is assumed). Toulouse needs 21 runs instead of 1,176.
2. The next run starts from the first round whose comparisons change, not from scratch: the
   rounds before it are provably the same, only their money moves ahead.
3. Voters who supported the same selected projects hold the same money, so they are counted
   together, and all money is an integer over one common denominator (no fraction arithmetic
   in the inner loops).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from operator import mul
from typing import NamedTuple

from ledger.errors import InvalidInputError
from ledger.i18n import _

#: An amount of the election's currency: a whole number, or an exact fraction for decimals.
Amount = int | Fraction

#: The rules this module tallies, by the name the CLI and the stored votes use.
RULES = ("greedy", "mes", "plurality")

#: Steps ahead beyond any budget a run could reach; "no limit" for the skipping arithmetic.
_FAR = 1 << 256


@dataclass(frozen=True, slots=True)
class PluralityResult:
    """The outcome of a choose-1 vote: the winner (``None`` if no ballot names any option), its
    number of votes, and every option that had that many (the winner first) when there was a
    tie."""

    winner: str | None
    votes: int
    tied: tuple[str, ...]


# --- checks ------------------------------------------------------------------------------------


def _check_amount(value: object, what: str) -> Amount:
    if type(value) is int or type(value) is Fraction:
        if value < 0:
            raise InvalidInputError(
                _("The {what} cannot be negative ({value}).").format(what=what, value=value)
            )
        return value
    raise InvalidInputError(
        _(
            "The {what} must be an exact number (a whole number or a fraction), not {value!r}."
        ).format(what=what, value=value)
    )


def _checked(
    costs: Mapping[str, Amount], ballots: Iterable[Collection[str]]
) -> tuple[dict[str, Amount], list[frozenset[str]]]:
    clean = {
        pid: _check_amount(cost, _("cost of project {id}").format(id=pid))
        for pid, cost in costs.items()
    }
    sets = []
    for ballot in ballots:
        members = frozenset(ballot)
        unknown = members - clean.keys()
        if unknown:
            raise InvalidInputError(
                _("A ballot names the project “{id}”, which is not in the election.").format(
                    id=min(unknown)
                )
            )
        sets.append(members)
    return clean, sets


def vote_counts(project_ids: Iterable[str], ballots: Iterable[Collection[str]]) -> dict[str, int]:
    """How many ballots contain each project (a project listed twice on one ballot counts once).

    >>> vote_counts(["a", "b", "c"], [["a", "b"], ["a"], []])
    {'a': 2, 'b': 1, 'c': 0}
    """
    counts = dict.fromkeys(project_ids, 0)
    for ballot in ballots:
        for pid in set(ballot):
            counts[pid] += 1
    return counts


def total_cost(costs: Mapping[str, Amount], selected: Iterable[str]) -> Amount:
    """What the selected projects cost together."""
    return sum((costs[pid] for pid in selected), 0)


# --- greedy -----------------------------------------------------------------------------------


def greedy_selection(
    costs: Mapping[str, Amount],
    ballots: Iterable[Collection[str]],
    budget: Amount,
    *,
    already: Sequence[str] = (),
) -> list[str]:
    """The projects greedy selects, in the order it selects them (after ``already``, which are
    kept as they are: this is how MES is completed).

    Projects are taken by votes, most first (equal votes: smaller id in string order first);
    each one is selected if it still fits in what is left of the budget. A project with no votes
    or no cost counts as 0 votes.

    >>> greedy_selection({"a": 60, "b": 50, "c": 40}, [["a"], ["a", "b"], ["b"], ["b", "c"]], 100)
    ['b', 'c']
    """
    clean, sets = _checked(costs, ballots)
    budget = _check_amount(budget, _("budget"))
    counts = vote_counts(clean, sets)

    def density(pid: str) -> int:
        return counts[pid] if counts[pid] > 0 and clean[pid] > 0 else 0

    chosen = set(already)
    order = sorted((pid for pid in clean if pid not in chosen), key=lambda p: (-density(p), p))
    left = budget - total_cost(clean, already)
    selected = list(already)
    for pid in order:
        if clean[pid] <= left:
            selected.append(pid)
            left -= clean[pid]
    return selected


# --- plurality --------------------------------------------------------------------------------


def plurality(project_ids: Iterable[str], ballots: Iterable[Collection[str]]) -> PluralityResult:
    """The option on the most ballots; a tie goes to the smallest project id (string order).

    Meant for choose-1 ballots (one option each); a ballot naming several options counts for
    each of them.

    >>> plurality(["p1", "p2", "p3"], [["p2"], ["p1"], ["p2"], ["p1"], ["p3"]])
    PluralityResult(winner='p1', votes=2, tied=('p1', 'p2'))
    """
    ids = list(project_ids)
    counts = vote_counts(ids, ballots)
    if not counts or max(counts.values()) == 0:
        return PluralityResult(winner=None, votes=0, tied=())
    top = max(counts.values())
    leaders = tuple(sorted(pid for pid, n in counts.items() if n == top))
    return PluralityResult(winner=leaders[0], votes=top, tied=leaders if len(leaders) > 1 else ())


# --- the Method of Equal Shares -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One election made ready for MES runs: amounts as integers over one denominator, each
    ballot as a bit mask over the MES projects (bit ``i`` for ``ids[i]``)."""

    ids: tuple[str, ...]  # the MES projects, in string order (index order = tie order)
    denominator: int  # D0: every amount × D0 is an integer
    costs: tuple[int, ...]  # cost × D0
    start: int  # (budget / number of ballots) × D0
    masks: tuple[tuple[int, ...], ...]  # per project, the ballot mask of each supporter
    distinct: tuple[int, ...]  # every different ballot mask (of ballots with MES projects)


def _prepare(
    costs: Mapping[str, Amount], ballots: Sequence[frozenset[str]], budget: Amount
) -> _Prepared:
    counts = vote_counts(costs, ballots)
    ids = tuple(sorted(pid for pid in costs if costs[pid] > 0 and counts[pid] > 0))
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ballots)
    budget_f = Fraction(budget)
    denominator = n * budget_f.denominator
    for pid in ids:
        denominator = math.lcm(denominator, Fraction(costs[pid]).denominator)
    masks: list[list[int]] = [[] for _ in ids]
    distinct = set()
    for ballot in ballots:
        members = [index[pid] for pid in ballot if pid in index]
        mask = sum(1 << i for i in members)
        distinct.add(mask)
        for i in members:
            masks[i].append(mask)
    return _Prepared(
        ids=ids,
        denominator=denominator,
        costs=tuple(int(Fraction(costs[pid]) * denominator) for pid in ids),  # exact
        start=int(budget_f * denominator) // n,
        masks=tuple(tuple(m) for m in masks),
        distinct=tuple(sorted(distinct - {0})),
    )


class _Fill(NamedTuple):
    """A cost shared among a project's supporters, each paying ``min(own money, t)`` with
    ``t = rest / rich``: the poor (less than ``t``) pay all they have, the rich ``t`` each."""

    rest: int
    rich: int
    poor_value: int  # the poor's money, and its slope
    poor_slope: int
    patterns: list[int]  # the supporters' patterns, their numbers and money now
    weights: list[int]
    values: list[int]


class _Unaffordable(NamedTuple):
    value: int  # the supporters' money together, and its slope
    slope: int


def _water_fill(
    patterns: list[int],
    weights: list[int],
    value: Mapping[int, int],
    slope: Mapping[int, int] | None,
    cost: int,
) -> _Fill | _Unaffordable:
    """Share ``cost`` among supporters (``weights[i]`` of them hold the money of pattern
    ``patterns[i]``). Without ``slope``, slopes are not computed (they count as 0)."""
    values = list(map(value.__getitem__, patterns))
    total = sum(map(mul, values, weights))
    if total < cost:
        total_slope = 0
        if slope is not None:
            total_slope = sum(map(mul, map(slope.__getitem__, patterns), weights))
        return _Unaffordable(total, total_slope)
    order = sorted(range(len(values)), key=values.__getitem__)
    # Those with nothing now are poor (they pay all of nothing) …
    broke = order[: values.count(0)]
    rich = sum(weights) - sum(map(weights.__getitem__, broke))
    poor_slope = 0
    if slope is not None:
        poor_slope = sum(
            map(
                mul,
                map(weights.__getitem__, broke),
                map(slope.__getitem__, map(patterns.__getitem__, broke)),
            )
        )
    rest = cost
    poor_value = 0
    # … and so are the others with less than the share.
    for i in order[len(broke) :]:
        v = values[i]
        if rest <= v * rich:
            break
        w = weights[i]
        rest -= w * v
        rich -= w
        poor_value += w * v
        if slope is not None:
            poor_slope += w * slope[patterns[i]]
    return _Fill(rest, rich, poor_value, poor_slope, patterns, weights, values)


class _Round(NamedTuple):
    """The state of a MES run as a round begins (never changed afterwards)."""

    step: int  # the step whose money ``value``/``slope`` and ``cert`` hold
    until: int  # the last step for which every earlier round stays the same
    den: int
    value: dict[int, int]
    slope: dict[int, int]
    costs: list[int]
    cert: tuple[tuple[int, int, int], ...]
    remaining: tuple[int, ...]
    chosen: int


class _MesRuns:
    """The MES runs at ``budget / n + step`` per voter for ``step = 0, …``, each done
    *parametrically*.

    A voter's money depends only on which of the projects selected so far it supported (its
    *pattern*), so money is kept per pattern, as integers over a common denominator ``den``:
    pattern ``P`` holds ``(value[P] + slope[P] × d) / den`` at ``d`` steps ahead. Each
    comparison a round makes also yields the last ``d`` for which its result stays the same;
    ``far`` is the smallest. A run's outcome is therefore the same for every step up to
    ``far`` ahead; and the next run, ``far + 1`` steps ahead, starts from the first round whose
    comparisons change, with the money of that round moved ahead (every earlier round is
    provably the same).
    """

    def __init__(self, prep: _Prepared) -> None:
        self.prep = prep
        m = len(prep.ids)
        den = prep.denominator
        # How many supporters of q have each pattern, once the projects ``chosen`` are
        # selected: the same for every step that selects them, so kept.
        self.groups: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        # The patterns voters have once p is selected after ``chosen`` (those without p).
        self.kept: dict[tuple[int, int], list[int]] = {}
        first = _Round(
            step=0,
            until=_FAR,
            den=den,
            value={0: prep.start},
            slope={0: den},
            costs=list(prep.costs),
            # A certificate that q's equal share t_q is at least something: for a set A of
            # its supporters, c_q ≤ money(A) + others × t_q, kept as (money(A), its slope,
            # others). At first A is empty.
            cert=tuple((0, 0, len(prep.masks[q])) for q in range(m)),
            remaining=tuple(range(m)),
            chosen=0,
        )
        self.rounds: list[_Round] = []
        self.selected: list[int] = []
        self.step = 0
        self.far = 0
        self._run(first)

    def outcome(self) -> tuple[list[int], int]:
        """The projects the current run selects, in order, and how many further steps are
        certain to give the same outcome."""
        return list(self.selected), self.far

    def advance(self, steps: int) -> None:
        """Move the budget per voter ``steps`` ahead (at most ``far + 1``) and run MES."""
        self.step += steps
        start = max(r for r, state in enumerate(self.rounds) if state.until >= self.step)
        state = self.rounds[start]
        del self.rounds[start:]
        del self.selected[start:]
        ahead = self.step - state.step
        self._run(
            state._replace(
                step=self.step,
                value={p: v + state.slope[p] * ahead for p, v in state.value.items()},
                cert=tuple((a + b * ahead, b, others) for a, b, others in state.cert),
            )
        )

    def supporters(self, chosen: int, q: int) -> tuple[list[int], list[int]]:
        """The patterns of q's supporters once ``chosen`` are selected, and how many have
        each."""
        key = (chosen, q)
        found = self.groups.get(key)
        if found is None:
            counts = Counter(map(chosen.__and__, self.prep.masks[q]))
            found = self.groups[key] = (list(counts), list(counts.values()))
        return found

    def patterns_kept(self, chosen: int, bit: int) -> list[int]:
        """The patterns voters have once ``bit`` is selected after ``chosen``, except those of
        its supporters (they get new ones)."""
        key = (chosen, bit)
        found = self.kept.get(key)
        if found is None:
            after = chosen | bit
            found = self.kept[key] = [
                pattern
                for pattern in set(map(after.__and__, self.prep.distinct))
                if not pattern & bit
            ]
        return found

    def _run(self, state: _Round) -> None:
        step = self.step
        far = _FAR if state.until >= _FAR else state.until - step
        den, value, costs = state.den, state.value, state.costs
        # Once no later step can be the same (far = 0), slopes are no longer needed.
        slope: dict[int, int] | None = state.slope if far else None
        cert, chosen = list(state.cert), state.chosen
        remaining = list(state.remaining)

        def lower(q: int) -> Fraction:  # a lower bound of ρ_q, from its certificate
            a_value, _slope, others = cert[q]
            return Fraction(max(costs[q] - a_value, 0), others * costs[q])

        while True:
            if slope is not None:  # (a round after far = 0 is never started from again)
                until = _FAR if far >= _FAR else step + far
                self.rounds.append(
                    _Round(
                        step, until, den, value, slope, costs, tuple(cert), tuple(remaining), chosen
                    )
                )
            bounds = {q: lower(q) for q in remaining}
            remaining.sort(key=lambda q: (bounds[q], q))
            best: Fraction | None = None
            best_q = -1
            best_fill: _Fill | None = None
            for q in list(remaining):
                if best is not None and bounds[q] > best:
                    break
                fill = _water_fill(*self.supporters(chosen, q), value, slope, costs[q])
                if isinstance(fill, _Unaffordable):
                    # Unaffordable now, so for the rest of this run; the same holds ahead
                    # until its supporters' money reaches the cost.
                    if far and fill.slope > 0:
                        far = min(far, (costs[q] - fill.value - 1) // fill.slope)
                    remaining.remove(q)
                    continue
                rho = Fraction(fill.rest, fill.rich * costs[q])
                cert[q] = (fill.poor_value, fill.poor_slope, fill.rich)
                if best is None or rho < best or (rho == best and q < best_q):
                    best, best_q, best_fill = rho, q, fill
            if best_fill is None:
                self.far = far
                return

            p, fill = best_q, best_fill
            if far and slope is not None:
                far = min(
                    far,
                    _payment_bound(fill, slope),
                    _rivals_bound(
                        p,
                        fill,
                        remaining=remaining,
                        costs=costs,
                        cert=cert,
                        supporters=partial(self.supporters, chosen),
                        value=value,
                        slope=slope,
                        far=far,
                    ),
                )

            bit = 1 << p
            kept = self.patterns_kept(chosen, bit)
            factor, value, slope = _pay(fill, bit, kept, value, slope if far else None)
            if factor > 1:
                den *= factor
                costs = [c * factor for c in costs]
                cert = [(a * factor, b * factor, others) for a, b, others in cert]
            chosen |= bit
            remaining.remove(p)
            self.selected.append(p)


def _pay(
    fill: _Fill,
    bit: int,
    kept: list[int],
    value: Mapping[int, int],
    slope: Mapping[int, int] | None,
) -> tuple[int, dict[int, int], dict[int, int] | None]:
    """The money after the selected project (``bit``) is paid for: the poor pay all they have
    and hold nothing from then on, the rich pay the share. Everything is brought onto a
    denominator ``factor`` times finer, on which the share is a whole number; new dicts are
    made (a round's snapshot keeps the old ones). Returns ``(factor, value, slope)``."""
    rich, share, share_slope = fill.rich, fill.rest, -fill.poor_slope
    factor = rich // math.gcd(rich, share, share_slope)
    t_value = share * factor // rich
    t_slope = share_slope * factor // rich
    new_value = {pattern: value[pattern] * factor for pattern in kept}
    for pattern, v in zip(fill.patterns, fill.values, strict=True):
        new_value[pattern | bit] = 0 if v * rich < share else v * factor - t_value
    if slope is None:
        return factor, new_value, None
    new_slope = {pattern: slope[pattern] * factor for pattern in kept}
    for pattern, v in zip(fill.patterns, fill.values, strict=True):
        new_slope[pattern | bit] = 0 if v * rich < share else slope[pattern] * factor - t_slope
    return factor, new_value, new_slope


def _payment_bound(fill: _Fill, slope: Mapping[int, int]) -> int:
    """The last step ahead for which the same supporters are poor (pay all they have) and the
    same are rich (pay the share ``t = (share + share_slope × d) / rich``, over ``den``)."""
    far = _FAR
    rich, share, share_slope = fill.rich, fill.rest, -fill.poor_slope
    for pattern, v in zip(fill.patterns, fill.values, strict=True):
        s = slope[pattern]
        if v == 0 and s == 0:
            continue  # holds nothing, whatever the step
        if v * rich < share:  # poor: v(d) ≤ t(d)
            rate = rich * s - share_slope
            if rate > 0:
                far = min(far, (share - rich * v) // rate)
        else:  # rich: t(d) ≤ v(d) (holds ahead in practice: money grows, the share does not)
            rate = share_slope - rich * s
            if rate > 0:
                far = min(far, (rich * v - share) // rate)
    return far


def _rivals_bound(
    p: int,
    fill: _Fill,
    *,
    remaining: list[int],
    costs: list[int],
    cert: list[tuple[int, int, int]],
    supporters: Callable[[int], tuple[list[int], list[int]]],
    value: Mapping[int, int],
    slope: Mapping[int, int],
    far: int,
) -> int:
    """The last step ahead (at most ``far``) for which no other project becomes cheaper per
    voter than ``p`` (or as cheap with a smaller id): q's share must stay at least ``x_q = t ×
    c_q / c_p``. First from q's stored certificate; if that ends too soon, from a fresh one."""
    rich, share, share_slope, cost_p = fill.rich, fill.rest, -fill.poor_slope, costs[p]
    for q in remaining:
        if q == p:
            continue
        cost_q = costs[q]
        strict = int(q < p)
        a_value, a_slope, others = cert[q]
        f0 = a_value * rich * cost_p + others * share * cost_q
        f1 = a_slope * rich * cost_p + others * share_slope * cost_q
        limit = cost_q * rich * cost_p - strict
        bound = -1 if f0 > limit else _FAR if f1 <= 0 else (limit - f0) // f1
        if bound < far:
            fresh = _fresh_bound(
                *supporters(q), value, slope, (cost_q, cost_p, rich, share, share_slope, strict)
            )
            # Today's decision was computed exactly, so the bound is never below 0.
            far = min(far, max(bound, fresh, 0))
            if not far:
                break
    return far


def _fresh_bound(
    patterns: list[int],
    weights: list[int],
    value: Mapping[int, int],
    slope: Mapping[int, int],
    terms: tuple[int, int, int, int, int, int],
) -> int:
    """A fresh, tight certificate that a project ``q`` does not beat the selected ``p``: with A
    the supporters of ``q`` holding at most ``x = t × c_q / c_p`` now, ``money(A) + others ×
    x ≤ c_q`` (``<`` if ``q`` wins ties) proves that ``q``'s share is at least ``x``. Returns the
    last step it holds for, or, if later, the last step ``q`` stays unaffordable (``-1``: none).

    ``terms`` is ``(c_q, c_p, rich, share, share_slope, strict)`` with ``t = (share +
    share_slope × d) / rich``."""
    cost_q, cost_p, rich, share, share_slope, strict = terms
    a_value = a_slope = others = tot_value = tot_slope = 0
    threshold = share * cost_q
    scale = rich * cost_p
    for pattern, w in zip(patterns, weights, strict=True):
        v, s = value[pattern], slope[pattern]
        tot_value += w * v
        tot_slope += w * s
        if v * scale <= threshold:
            a_value += w * v
            a_slope += w * s
        else:
            others += w
    best = -1
    if tot_value < cost_q:
        best = _FAR if tot_slope <= 0 else (cost_q - tot_value - 1) // tot_slope
    if others:
        f0 = a_value * scale + others * share * cost_q
        f1 = a_slope * scale + others * share_slope * cost_q
        limit = cost_q * scale - strict
        if f0 <= limit:
            best = max(best, _FAR if f1 <= 0 else (limit - f0) // f1)
    return best


@dataclass(frozen=True, slots=True)
class MesRun:
    """One computed run of MES: with ``budget / ballots + step`` per voter, for every ``step``
    from ``first_step`` to ``last_step`` (``None``: every later step too), MES selects
    ``selected``, in this order."""

    first_step: int
    last_step: int | None
    selected: tuple[str, ...]


def equal_shares_runs(
    costs: Mapping[str, Amount], ballots: Iterable[Collection[str]], budget: Amount
) -> Iterator[MesRun]:
    """The MES runs the iteration computes, one per range of budgets with the same outcome, in
    order, without end (the caller stops). Nothing if there is no ballot or no project that
    costs something and has a vote.

    >>> runs = equal_shares_runs({"a": 50, "b": 50, "c": 30}, [["a", "c"], ["b", "c"]], 100)
    >>> next(runs), next(runs)
    (MesRun(first_step=0, last_step=14, selected=('c',)), MesRun(first_step=15, last_step=None, \
selected=('c', 'a', 'b')))
    """
    clean, sets = _checked(costs, ballots)
    return _runs(clean, sets, _check_amount(budget, _("budget")))


def _runs(
    costs: Mapping[str, Amount], ballots: Sequence[frozenset[str]], budget: Amount
) -> Iterator[MesRun]:
    if not ballots:
        return
    prep = _prepare(costs, ballots, budget)
    if not prep.ids:
        return
    runs = _MesRuns(prep)
    while True:
        outcome, same_until = runs.outcome()
        yield MesRun(
            first_step=runs.step,
            last_step=None if same_until >= _FAR else runs.step + same_until,
            selected=tuple(prep.ids[q] for q in outcome),
        )
        if same_until >= _FAR:
            return
        runs.advance(same_until + 1)


def _equal_shares_core(
    costs: Mapping[str, Amount], ballots: Sequence[frozenset[str]], budget: Amount
) -> list[str]:
    """pabutools' iteration: stop at the first budget whose outcome costs more than the budget
    (keep the one before) or leaves no MES project that would still fit (keep it)."""
    counts = vote_counts(costs, ballots)
    mes_projects = [pid for pid, cost in costs.items() if cost > 0 and counts[pid] > 0]
    previous: tuple[str, ...] = ()
    for run in _runs(costs, ballots, budget):
        spent = total_cost(costs, run.selected)
        if spent > budget:
            return list(previous)
        chosen = set(run.selected)
        if all(spent + costs[pid] > budget for pid in mes_projects if pid not in chosen):
            return list(run.selected)
        if run.last_step is None:  # pragma: no cover - a run with more money selects more
            raise AssertionError("MES outcome cannot stay the same for every budget")
        previous = run.selected
    return []


def equal_shares_core(
    costs: Mapping[str, Amount], ballots: Iterable[Collection[str]], budget: Amount
) -> list[str]:
    """The iterated Method of Equal Shares alone (without the greedy completion), as
    ``method_of_equal_shares(…, sat_class=Cost_Sat, voter_budget_increment=1)``: the selected
    projects in the order MES selects them.

    >>> equal_shares_core({"a": 60, "b": 50, "c": 40}, [["a"], ["a", "b"], ["b", "c"], ["c"]], 100)
    ['a', 'c']
    """
    clean, sets = _checked(costs, ballots)
    return _equal_shares_core(clean, sets, _check_amount(budget, _("budget")))


def equal_shares_selection(
    costs: Mapping[str, Amount], ballots: Iterable[Collection[str]], budget: Amount
) -> list[str]:
    """The Method of Equal Shares completed by greedy: MES's projects in the order it selects
    them, then those greedy adds with what is left of the budget (only if some project still
    fits, as ``completion_by_rule_combination`` does).

    >>> equal_shares_selection({"a": 60, "b": 50, "c": 40, "d": 1},
    ...                        [["a"], ["a", "b"], ["b", "c"], ["c"]], 100)
    ['a', 'c']
    """
    clean, sets = _checked(costs, ballots)
    budget = _check_amount(budget, _("budget"))
    core = _equal_shares_core(clean, sets, budget)
    spent, chosen = total_cost(clean, core), set(core)
    if all(spent + clean[pid] > budget for pid in clean if pid not in chosen):
        return core
    return greedy_selection(clean, sets, budget, already=core)


@dataclass(frozen=True, slots=True)
class PbTally:
    """What a rule selects: the projects in the order it selects them, what they cost together
    (``used``) out of ``budget``, every project's votes (ballots naming it) and, for
    plurality, the options tied for the most votes (the winner first)."""

    rule: str
    selected: tuple[str, ...]
    used: Amount
    budget: Amount
    votes: Mapping[str, int]
    tied: tuple[str, ...] = ()

    @property
    def left(self) -> Amount:
        return self.budget - self.used


def tally(
    rule: str, costs: Mapping[str, Amount], ballots: Iterable[Collection[str]], budget: Amount
) -> PbTally:
    """Tally the ballots by ``rule`` (``greedy``, ``mes`` or ``plurality``).

    >>> t = tally("greedy", {"a": 60, "b": 50, "c": 40}, [["a"], ["a", "b"], ["b", "c"]], 100)
    >>> t.selected, t.used, t.left, t.votes
    (('a', 'c'), 100, 0, {'a': 2, 'b': 2, 'c': 1})
    """
    clean, sets = _checked(costs, ballots)
    budget = _check_amount(budget, _("budget"))
    tied: tuple[str, ...] = ()
    if rule == "greedy":
        selected = greedy_selection(clean, sets, budget)
    elif rule == "mes":
        selected = equal_shares_selection(clean, sets, budget)
    elif rule == "plurality":
        result = plurality(clean, sets)
        selected = [] if result.winner is None else [result.winner]
        tied = result.tied
    else:
        raise InvalidInputError(
            _("Unknown rule “{rule}”: use one of {rules}.").format(
                rule=rule, rules=", ".join(RULES)
            )
        )
    return PbTally(
        rule=rule,
        selected=tuple(selected),
        used=total_cost(clean, selected),
        budget=budget,
        votes=vote_counts(clean, sets),
        tied=tied,
    )
