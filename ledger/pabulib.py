"""Reading and writing Pabulib ``.pb`` files (http://pabulib.org/format), the open format of
participatory-budgeting elections. Pure: text in, values out, and back; no database.

A ``.pb`` file is ``;``-separated text in three sections, in this order::

    META                     PROJECTS                 VOTES
    key;value                project_id;cost;name     voter_id;vote
    budget;5720              44251;5000;Bloementuin   14368855578;44250
    vote_type;choose-1       …                        …

:func:`read_pb` reads the four ballot types Gongzhang tallies — ``approval``, ``choose-1``,
``cumulative`` (with a ``points`` column) and ``ordinal`` (the ``vote`` column ranked, best
first) — the way pabutools does, and refuses anything it would have to guess about with a
message naming the line: a missing or misplaced section, a bad number, a project cost above
the budget, a vote for a project that is not listed, a ballot longer than ``max_length``,
cumulative points over ``max_sum_points``/``max_points``, a project listed twice on one
ballot, a voter id or project id given twice, or ``num_projects``/``num_votes`` that do not
match the rows. Nothing is returned unless the whole file is good. Lower limits
(``min_length``, ``min_sum_points``) and ``max_sum_cost`` are not enforced: published files
break them (Mechanical Turk ballots sum to 98 points where the minimum is 100; a Warsaw 2018
ballot approves 799,769 PLN of projects where ``max_sum_cost`` is 748,772.64), and pabutools
does not enforce them either.

:func:`write_pb` writes an election back so that pabutools and :func:`read_pb` read it as it
was; with ``pseudonymous=True`` voter ids become ``v1``, ``v2`` … in ballot order.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.rules.pb import Amount
from ledger.rules.text import unkeepable_character

#: The ballot types :func:`read_pb` accepts.
VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")

_SECTIONS = ("meta", "projects", "votes")
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class PbProject:
    """A project: its id, its cost, its name (may be empty) and any other columns."""

    project_id: str
    cost: Amount
    name: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PbVote:
    """A ballot: the voter's id, the projects on it (ranked best first for ``ordinal``), their
    points (``cumulative`` only, one per project) and any other columns (age, sex …)."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Amount, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PbElection:
    """A participatory-budgeting election as a ``.pb`` file holds it."""

    meta: Mapping[str, str]
    budget: Amount
    vote_type: str
    projects: tuple[PbProject, ...]
    votes: tuple[PbVote, ...]

    def costs(self) -> dict[str, Amount]:
        """Each project's cost, by project id, in file order."""
        return {p.project_id: p.cost for p in self.projects}

    def ballots(self) -> list[tuple[str, ...]]:
        """The project ids on each ballot, in ballot order."""
        return [v.projects for v in self.votes]

    def project(self, project_id: str) -> PbProject:
        """The project with this id (``KeyError`` if there is none)."""
        for p in self.projects:
            if p.project_id == project_id:
                return p
        raise KeyError(project_id)

    @property
    def currency(self) -> str:
        return self.meta.get("currency", "")


# --- numbers ----------------------------------------------------------------------------------


def parse_amount(text: str) -> Amount | None:
    """A decimal number ≥ 0 as written in a ``.pb`` file (``5000``, ``200000.0``,
    ``748772.64``, ``1000,5``), exactly; ``None`` if it is not one.

    >>> parse_amount("748772.64"), parse_amount("200000.0"), parse_amount("-1")
    (Fraction(18719316, 25), 200000, None)
    """
    text = text.strip()
    if len(text) > _MAX_NUMBER_LENGTH or not _DECIMAL.fullmatch(text):
        return None
    value = Fraction(text.replace(",", "."))
    return value.numerator if value.denominator == 1 else value


def format_amount(value: Amount) -> str:
    """An exact amount as the shortest decimal that is exactly it (``748772.64``, ``5000``).

    >>> format_amount(Fraction(18719316, 25)), format_amount(Fraction(10, 2)), format_amount(7)
    ('748772.64', '5', '7')
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise InvalidInputError(
            _("The amount {value} cannot be written as a decimal number.").format(value=value)
        )
    digits = max(twos, fives)
    scaled = abs(value.numerator * 10**digits // value.denominator)
    whole, part = divmod(scaled, 10**digits)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}.{part:0{digits}d}".rstrip("0")


# --- reading ----------------------------------------------------------------------------------


#: How much of a value from the file a message quotes.
_QUOTE_LIMIT = 60
#: The longest number read: a budget or cost of 10**30 is no real election, and Python
#: refuses to read integers of more than 4,300 digits at all.
_MAX_NUMBER_LENGTH = 40


def _q(text: str) -> str:
    """A value from the file as a message quotes it: a long one is shortened with “…”."""
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"


def _error(line: int, problem: str) -> InvalidInputError:
    return InvalidInputError(
        _("Line {line} of the .pb file: {problem}").format(line=line, problem=problem)
    )


class _Reader:
    """The state of one :func:`read_pb` call."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.budget: Amount = 0
        self.vote_type = ""
        self.projects: dict[str, PbProject] = {}
        self.votes: list[PbVote] = []
        self.voter_lines: dict[str, int] = {}

    # META ---------------------------------------------------------------------------------

    def meta_row(self, line: int, row: list[str]) -> None:
        key = row[0].strip()
        if len(row) < 2:
            raise _error(
                line, _("a META line is “key;value”, but “{key}” has no value.").format(key=_q(key))
            )
        if not key:
            raise _error(line, _("a META line has an empty key."))
        if key in self.meta:
            raise _error(
                line,
                _("the META key “{key}” is given twice (first on line {first}).").format(
                    key=_q(key), first=self.meta_lines[key]
                ),
            )
        self.meta[key] = ";".join(row[1:]).strip()
        self.meta_lines[key] = line

    def meta_number(self, key: str, *, whole: bool = False) -> Amount | None:
        text = self.meta.get(key)
        if text is None:
            return None
        value = parse_amount(text)
        if value is None or (whole and not _WHOLE.fullmatch(text.strip())):
            kind = _("a whole number") if whole else _("a number")
            raise _error(
                self.meta_lines[key],
                _("the META value {key} must be {kind} ≥ 0, not “{text}”.").format(
                    key=_q(key), kind=kind, text=_q(text)
                ),
            )
        return value

    def close_meta(self, line: int) -> None:
        for key in ("budget", "vote_type"):
            if key not in self.meta:
                raise _error(line, _("the META section has no “{key}”.").format(key=_q(key)))
        budget = self.meta_number("budget")
        if not budget:
            raise _error(
                self.meta_lines["budget"],
                _("the budget must be more than 0, not “{text}”.").format(
                    text=_q(self.meta["budget"])
                ),
            )
        self.budget = budget
        self.vote_type = self.meta["vote_type"].strip().lower()
        if self.vote_type not in VOTE_TYPES:
            raise _error(
                self.meta_lines["vote_type"],
                _("the vote type “{type}” is not one Gongzhang reads ({types}).").format(
                    type=_q(self.meta["vote_type"]), types=", ".join(VOTE_TYPES)
                ),
            )
        for key in ("num_projects", "num_votes", "max_length"):
            self.meta_number(key, whole=True)
        for key in ("max_sum_points", "max_points"):
            self.meta_number(key)

    # PROJECTS -----------------------------------------------------------------------------

    def project_row(self, line: int, header: list[str], row: list[str]) -> None:
        values = _fields(line, header, row)
        pid = values.pop("project_id", "")
        if not pid:
            raise _error(line, _("a project has no project_id."))
        if pid.lower() in _SECTIONS:
            raise _error(line, _("“{id}” cannot be a project id.").format(id=_q(pid)))
        if pid in self.projects:
            raise _error(line, _("the project id “{id}” is given twice.").format(id=_q(pid)))
        text = values.pop("cost", "")
        cost = parse_amount(text)
        if cost is None:
            raise _error(
                line,
                _("the cost of project “{id}” must be a number ≥ 0, not “{text}”.").format(
                    id=_q(pid), text=_q(text)
                ),
            )
        if cost > self.budget:
            raise _error(
                line,
                _("project “{id}” costs {cost}, more than the whole budget of {budget}.").format(
                    id=_q(pid), cost=format_amount(cost), budget=format_amount(self.budget)
                ),
            )
        name = values.pop("name", "")
        self.projects[pid] = PbProject(project_id=pid, cost=cost, name=name, fields=values)

    # VOTES --------------------------------------------------------------------------------

    def vote_row(self, line: int, header: list[str], row: list[str]) -> None:
        values = _fields(line, header, row)
        voter = values.pop("voter_id", "")
        if not voter:
            raise _error(line, _("a ballot has no voter_id."))
        if voter.lower() in _SECTIONS:
            raise _error(line, _("“{id}” cannot be a voter id.").format(id=_q(voter)))
        if voter in self.voter_lines:
            raise _error(
                line,
                _("the voter id “{id}” is given twice (first on line {first}).").format(
                    id=_q(voter), first=self.voter_lines[voter]
                ),
            )
        listed = [p.strip() for p in values.pop("vote", "").split(",")]
        projects = tuple(p for p in listed if p)
        for pid in projects:
            if pid not in self.projects:
                raise _error(
                    line,
                    _(
                        "the ballot of voter “{voter}” names project “{id}”, which is not in "
                        "the PROJECTS section."
                    ).format(voter=_q(voter), id=_q(pid)),
                )
        if len(set(projects)) != len(projects):
            twice = next(p for p in projects if projects.count(p) > 1)
            raise _error(
                line,
                _("the ballot of voter “{voter}” names project “{id}” twice.").format(
                    voter=_q(voter), id=_q(twice)
                ),
            )
        self.check_length(line, voter, projects)
        points: tuple[Amount, ...] = ()
        if self.vote_type == "cumulative":
            points = self.read_points(line, voter, projects, values.pop("points", ""))
        self.voter_lines[voter] = line
        self.votes.append(PbVote(voter_id=voter, projects=projects, points=points, fields=values))

    def check_length(self, line: int, voter: str, projects: tuple[str, ...]) -> None:
        longest = self.meta_number("max_length", whole=True)
        if self.vote_type == "choose-1":
            longest = 1 if longest is None else min(longest, 1)
        if longest is not None and len(projects) > longest:
            raise _error(
                line,
                _(
                    "the ballot of voter “{voter}” names {count} projects; at most {limit} are "
                    "allowed."
                ).format(voter=_q(voter), count=len(projects), limit=longest),
            )

    def read_points(
        self, line: int, voter: str, projects: tuple[str, ...], text: str
    ) -> tuple[Amount, ...]:
        items = [t.strip() for t in text.split(",")] if text.strip() else []
        if len(items) != len(projects):
            raise _error(
                line,
                _(
                    "the ballot of voter “{voter}” names {count} projects but gives {points} "
                    "points values."
                ).format(voter=_q(voter), count=len(projects), points=len(items)),
            )
        points = []
        for item in items:
            value = parse_amount(item)
            if value is None:
                raise _error(
                    line,
                    _("the points of voter “{voter}” must be numbers ≥ 0, not “{text}”.").format(
                        voter=_q(voter), text=_q(item)
                    ),
                )
            points.append(value)
        each = self.meta_number("max_points")
        if each is not None and any(p > each for p in points):
            raise _error(
                line,
                _(
                    "the ballot of voter “{voter}” gives {points} points to one project; at most "
                    "{limit} are allowed."
                ).format(
                    voter=_q(voter), points=format_amount(max(points)), limit=format_amount(each)
                ),
            )
        limit = self.meta_number("max_sum_points")
        total = sum(points, 0)
        if limit is not None and total > limit:
            raise _error(
                line,
                _(
                    "the ballot of voter “{voter}” gives {total} points in all; at most {limit} "
                    "are allowed."
                ).format(voter=_q(voter), total=format_amount(total), limit=format_amount(limit)),
            )
        return tuple(points)

    def check_counts(self, last_line: int) -> None:
        for key, count in (("num_projects", len(self.projects)), ("num_votes", len(self.votes))):
            stated = self.meta_number(key, whole=True)
            if stated is not None and stated != count:
                raise _error(
                    self.meta_lines[key],
                    _(
                        "META says {key} is {stated}, but the file has {count} (it ends on line "
                        "{last})."
                    ).format(key=_q(key), stated=stated, count=count, last=last_line),
                )


def _fields(line: int, header: list[str], row: list[str]) -> dict[str, str]:
    if len(row) > len(header):
        raise _error(
            line,
            _("this line has {count} fields but the section's header has {header}.").format(
                count=len(row), header=len(header)
            ),
        )
    return {key: row[i].strip() if i < len(row) else "" for i, key in enumerate(header) if key}


def _next_section(section: str) -> str:
    """The section that must come after ``section`` (``""`` before the first, none after the
    last)."""
    if not section:
        return _SECTIONS[0]
    position = _SECTIONS.index(section) + 1
    return _SECTIONS[position] if position < len(_SECTIONS) else ""


def read_pb(text: str) -> PbElection:  # noqa: PLR0912
    """Read a whole ``.pb`` file. Raises :class:`InvalidInputError` naming the line of the
    first problem; nothing is returned unless the whole file is good.

    >>> e = read_pb("META\\nkey;value\\nbudget;100\\nvote_type;approval\\n"
    ...             "PROJECTS\\nproject_id;cost\\na;60\\nb;50\\nVOTES\\nvoter_id;vote\\n1;a,b\\n")
    >>> e.budget, e.costs(), e.ballots()
    (100, {'a': 60, 'b': 50}, [('a', 'b')])
    """
    state = _Reader()
    lines = text.removeprefix("\ufeff").splitlines()
    for number, content in enumerate(lines, start=1):
        char = unkeepable_character(content)
        if char is not None:
            raise _error(
                number,
                _(
                    "it holds a character that cannot be stored or printed ({char}, a control "
                    "character or a broken one); a .pb file is plain UTF-8 text."
                ).format(char=char),
            )
    reader = csv.reader(lines, delimiter=";")
    section = ""
    header: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            first = row[0].strip().lower()
            if first in _SECTIONS:
                expected = _next_section(section)
                if first != expected:
                    raise _error(
                        line,
                        _(
                            "the {found} section comes where {expected}; a .pb file has META, "
                            "PROJECTS and VOTES, once each and in this order."
                        ).format(
                            found=first.upper(),
                            expected=_("the {section} section should begin").format(
                                section=expected.upper()
                            )
                            if expected
                            else _("no section may follow VOTES"),
                        ),
                    )
                if section == "meta":
                    state.close_meta(line)
                section = first
                header = [h.strip() for h in next(reader, [])]
                if not any(header):
                    raise _error(
                        line + 1,
                        _("the {section} section has no header line.").format(
                            section=section.upper()
                        ),
                    )
                for needed in {
                    "projects": ("project_id", "cost"),
                    "votes": ("voter_id", "vote"),
                }.get(section, ()):
                    if needed not in header:
                        raise _error(
                            reader.line_num,
                            _("the {section} header has no “{column}” column.").format(
                                section=section.upper(), column=needed
                            ),
                        )
                continue
            if not section:
                raise _error(
                    line,
                    _("a .pb file begins with a META section, not “{text}”.").format(
                        text=";".join(row)[:60]
                    ),
                )
            if section == "meta":
                state.meta_row(line, row)
            elif section == "projects":
                state.project_row(line, header, row)
            else:
                state.vote_row(line, header, row)
    except csv.Error as exc:
        raise _error(
            reader.line_num, _("the line cannot be read ({reason}).").format(reason=exc)
        ) from exc
    end = max(len(lines), 1)
    if section != "votes":
        raise _error(
            end,
            _(
                "the file ends without a {missing} section; a .pb file has META, PROJECTS and "
                "VOTES, in this order."
            ).format(missing=_next_section(section).upper()),
        )
    state.check_counts(end)
    return PbElection(
        meta=state.meta,
        budget=state.budget,
        vote_type=state.vote_type,
        projects=tuple(state.projects.values()),
        votes=tuple(state.votes),
    )


# --- writing ----------------------------------------------------------------------------------


def write_pb(election: PbElection, *, pseudonymous: bool = False) -> str:
    """The election as ``.pb`` text. ``num_projects``, ``num_votes``, ``budget`` and
    ``vote_type`` are written from the election itself; other META keys and columns as they are.
    With ``pseudonymous=True`` the voter ids become ``v1``, ``v2`` … in ballot order."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    written = {
        "num_projects": str(len(election.projects)),
        "num_votes": str(len(election.votes)),
        "budget": format_amount(election.budget),
        "vote_type": election.vote_type,
    }
    for key, value in written.items():
        # Keep the file's own spelling (``400000.0``, ``Approval``) when it says the same.
        same = parse_amount(meta[key]) == parse_amount(value) if key in meta else False
        if key == "vote_type":
            same = meta.get(key, "").strip().lower() == value
        if not same:
            meta[key] = value
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        _check_first_cell(key)
        writer.writerow([key, value])

    extra = _columns(p.fields for p in election.projects)
    has_name = any(p.name for p in election.projects)
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", *(["name"] if has_name else []), *extra])
    for p in election.projects:
        _check_first_cell(p.project_id)
        writer.writerow(
            [
                p.project_id,
                format_amount(p.cost),
                *([p.name] if has_name else []),
                *(p.fields.get(key, "") for key in extra),
            ]
        )

    cumulative = election.vote_type == "cumulative"
    extra = _columns(v.fields for v in election.votes)
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", *(["points"] if cumulative else []), *extra])
    for number, v in enumerate(election.votes, start=1):
        voter = f"v{number}" if pseudonymous else v.voter_id
        _check_first_cell(voter)
        points = [",".join(format_amount(x) for x in v.points)] if cumulative else []
        writer.writerow(
            [voter, ",".join(v.projects), *points, *(v.fields.get(key, "") for key in extra)]
        )
    return out.getvalue()


def _columns(rows: Iterable[Mapping[str, str]]) -> list[str]:
    seen: dict[str, None] = {}
    for fields in rows:
        for key in fields:
            seen.setdefault(key, None)
    return list(seen)


def _check_first_cell(text: str) -> None:
    if not text.strip() or text.strip().lower() in _SECTIONS:
        raise InvalidInputError(
            _("“{text}” cannot begin a line of a .pb file (it is empty or a section name).").format(
                text=_q(text)
            )
        )


def read_pb_file(path: str) -> PbElection:
    """Read a ``.pb`` file from disk (UTF-8, with or without a byte-order mark)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    return read_pb_bytes(data, path)


def read_pb_bytes(data: bytes, path: str) -> PbElection:
    """Read a ``.pb`` file's bytes (UTF-8, with or without a byte-order mark); ``path`` names
    the file in a refusal."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            _("{path} is not UTF-8 text (byte {position}); a .pb file is UTF-8.").format(
                path=path, position=exc.start
            )
        ) from exc
    return read_pb(text)
