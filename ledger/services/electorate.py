"""The electorate register (业主名册 / 住户名册): the units and owners of a trust-style property
book, the households of a village or community book, imported from an Excel workbook in one go.

A treasurer fills in one row per unit (trust books) or per household (village and micro-fund
books) — ``reports.electorate_xlsx.electorate_template`` gives a blank workbook with the
right header row — and :func:`import_electorate` registers every row through the ordinary services
(:func:`ledger.services.property.add_unit`, :func:`ledger.services.households.add_household`,
:func:`ledger.services.households.enrol_household`), so each row is checked and audited exactly
as if it had been typed in.

Decisions where the issue left a choice:

* **All or nothing.** The first bad row stops the import with a message that names its row
  number (as Excel shows it); the caller's unit of work is rolled back, so nothing of the file
  is kept. This module never commits.
* **Headers.** The first non-empty row is the header. Columns are recognised by their Chinese
  or English names (:data:`TRUST_COLUMNS`, :data:`HOUSEHOLD_COLUMNS`), ignoring case, spaces,
  full-width forms and a bracketed unit such as ``面积（m²）``. Unknown columns (备注 …) are
  ignored and listed in the summary, so a typo in an optional header does not pass unseen.
* **Areas are exact.** Text cells go to :func:`ledger.rules.property.parse_area` as typed. A
  number cell is read as the decimal Excel shows, to its 15 significant digits (89.56 stays
  ``"89.56"``, never 89.5600000000000023); more than two decimals (89.555) is refused.
* **Households.** On a unit's row, a household label names the household living there: an
  existing household of that label is reused (and enrolled in the book if it is not yet), else
  it is registered. A village or community row registers its household, or enrols an existing
  one of that label. A number of members or shares that contradicts a registered household is
  refused rather than silently ignored: change the household itself, or leave the cell empty.
* **Owners** are counted by :func:`ledger.rules.meetings.owners_electorate` over all the units
  of the book (one owner with several units counts once; the developer's unsold units count
  as one owner), see :func:`owners_register`.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.domain import BookKind
from ledger.errors import GongzhangError, InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Book, Household
from ledger.rules.meetings import Electorate, UnitRow, owners_electorate
from ledger.rules.property import format_area, parse_area
from ledger.rules.text import shorten
from ledger.services.audit import record_event
from ledger.services.households import add_household, book_households, enrol_household, is_enrolled
from ledger.services.property import add_unit, list_units, unit_label

#: The most data rows one file may hold (a very large estate has a few thousand units).
MAX_ROWS = 100_000
#: ``--kind`` names accepted besides the book kinds themselves.
KIND_ALIASES = {"village_collective": BookKind.COLLECTIVE_REVENUE}


@dataclass(frozen=True, slots=True)
class Column:
    """A column the import reads: its field, the header names it is known by (the first is the
    one the template writes), whether every row must fill it, and its width in the template."""

    field: str
    names: tuple[str, ...]
    required: bool = False
    width: int = 12
    text: bool = True


#: The columns of a trust-style property book: one row per unit.
TRUST_COLUMNS: tuple[Column, ...] = (
    Column("building", ("楼栋", "楼号", "栋", "building"), required=True, width=10),
    Column("unit", ("单元", "单元号", "unit"), width=8),
    Column("room", ("房号", "房间号", "门牌号", "room"), required=True, width=10),
    Column(
        "area",
        ("专有面积（m²）", "面积", "建筑面积", "专有部分面积", "套内面积", "area"),
        required=True,
        width=16,
    ),
    Column("owner_key", ("业主编号", "业主", "业主代码", "ownerkey", "owner", "ownerid"), width=14),
    Column("owner_name", ("业主姓名", "产权人", "ownername"), width=14),
    Column("unsold", ("开发商未售", "未售", "建设单位未售", "unsold", "developerunsold"), width=12),
    Column("household", ("住户", "户", "户名", "household"), width=20),
    Column("members", ("人数", "人口", "家庭人数", "members", "people"), width=8, text=False),
)

#: The columns of a village (or micro-fund) book: one row per household.
HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("household", ("户名", "户", "住户", "household"), required=True, width=24),
    Column("head", ("户主", "户主姓名", "head", "headname"), width=14),
    Column("members", ("人数", "人口", "家庭人数", "members", "people"), width=8, text=False),
    Column("shares", ("股数", "股份", "股份数", "持股数", "shares"), width=8, text=False),
)

_YES = frozenset({"是", "yes", "y", "true", "1", "√", "✓", "未售"})
_NO = frozenset({"否", "no", "n", "false", "0", "", "已售"})
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_IGNORED_CHARS = re.compile(r"[\s_\-.:*]+")
_UNIT_SUFFIX = re.compile(r"(m2|平方米|平米)$")
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import did. ``units_added``, ``households_created`` and ``households_enrolled``
    count this file; ``unit_count``, ``owner_count`` and ``total_area_dm2`` are the book's whole
    register after the import (zero for books without units); ``book_households`` the households
    now enrolled in the book. ``ignored_columns`` are headers the import did not recognise."""

    book_id: int
    book_name: str
    book_kind: str
    rows: int
    units_added: int
    households_created: int
    households_enrolled: int
    unit_count: int
    owner_count: int
    total_area_dm2: int
    book_households: int
    ignored_columns: tuple[str, ...]


# --- the register -------------------------------------------------------------------------------


def register_rows(session: Session, *, book_id: int) -> list[UnitRow]:
    """The book's units as rows of the owners' register: (unit label, owner key, area in dm²,
    unsold by the developer), in the order of :func:`ledger.services.property.list_units`."""
    return [
        (unit_label(u), u.owner_key, u.area_dm2, u.unsold)
        for u in list_units(session, book_id=book_id)
    ]


def owners_register(session: Session, *, book_id: int) -> Electorate:
    """The owners of a trust book's estate as an owners' meeting counts them (Civil Code art.
    278): one owner per owner key, the developer's unsold units as one owner, with the total
    exclusive area. Refuses a book that is not a trust book, or one without units."""
    return owners_electorate(register_rows(session, book_id=book_id))


# --- reading cells ------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    clean = unicodedata.normalize("NFKC", text).casefold()
    clean = _IGNORED_CHARS.sub("", _BRACKETED.sub("", clean))
    return _UNIT_SUFFIX.sub("", clean) or clean


def _shown(value: object) -> str:
    """A cell's value as a person would recognise it in a message."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool | int):
        return _decimal_text(value)
    return str(value)


def _decimal_text(value: object) -> str:
    """A number cell as the decimal Excel shows (15 significant digits), without exponent."""
    try:
        number = Decimal(format(value, ".15g"))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True, slots=True)
class _Row:
    """One data row of the sheet: its Excel row number and its cells by name."""

    number: int
    cells: Mapping[str, object]
    headers: Mapping[str, str]

    def _refuse(self, name: str, value: object) -> InvalidInputError:
        if isinstance(value, dt.date | dt.time):
            return InvalidInputError(
                _(
                    "Row {row}: “{column}” holds a date ({value}); Excel may have turned the "
                    "text into a date. Format the column as text and type it again."
                ).format(row=self.number, column=self.headers[name], value=shorten(_shown(value)))
            )
        return InvalidInputError(
            _("Row {row}: “{column}” cannot hold {value}.").format(
                row=self.number, column=self.headers[name], value=shorten(_shown(value))
            )
        )

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.cells.get(name)
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool):
            text = _decimal_text(value)
        else:
            raise self._refuse(name, value)
        if required and not text:
            raise InvalidInputError(
                _("Row {row}: “{column}” is empty, and every row needs it.").format(
                    row=self.number, column=self.headers[name]
                )
            )
        return text

    def count(self, name: str) -> int | None:
        """A whole number 0 or more, or None for an empty (or absent) cell."""
        value = self.cells.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = ""
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool):
            text = _decimal_text(value)
        elif isinstance(value, dt.date | dt.time):
            raise self._refuse(name, value)
        if not _DIGITS.fullmatch(text):
            raise InvalidInputError(
                _("Row {row}: “{column}” must be a whole number, 0 or more; got “{value}”.").format(
                    row=self.number, column=self.headers[name], value=shorten(_shown(value))
                )
            )
        return int(text)

    def yes_no(self, name: str) -> bool:
        value = self.cells.get(name)
        if isinstance(value, bool):
            return value
        text = "" if value is None else unicodedata.normalize("NFKC", _shown(value)).strip()
        if text.casefold() in _YES:
            return True
        if text.casefold() in _NO:
            return False
        raise InvalidInputError(
            _("Row {row}: “{column}” must say yes or no (是 or 否); got “{value}”.").format(
                row=self.number, column=self.headers[name], value=shorten(_shown(value))
            )
        )

    def area(self, name: str) -> str:
        """The area cell as text for :func:`ledger.rules.property.parse_area`."""
        value = self.cells.get(name)
        if isinstance(value, bool | dt.date | dt.time):
            raise self._refuse(name, value)
        return self.text(name, required=True)

    def refused(self, exc: GongzhangError) -> InvalidInputError:
        """A service's refusal of this row, with the row number in front."""
        return InvalidInputError(
            _("Row {row}: {message}").format(row=self.number, message=str(exc))
        )


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def columns_of(kind: BookKind) -> tuple[Column, ...]:
    if kind is BookKind.TRUST_PROPERTY:
        return TRUST_COLUMNS
    if kind is BookKind.COLLECTIVE_REVENUE:
        return HOUSEHOLD_COLUMNS
    return tuple(c for c in HOUSEHOLD_COLUMNS if c.field != "shares")


def _map_header(
    number: int, header: Sequence[object], columns: Sequence[Column]
) -> tuple[dict[str, int], dict[str, str], tuple[str, ...]]:
    """Which cell index holds each field, the header text of each field, the ignored headers."""
    by_name = {_header_key(name): c for c in columns for name in c.names}
    index: dict[str, int] = {}
    shown: dict[str, str] = {}
    ignored: list[str] = []
    for i, cell in enumerate(header):
        if _is_blank(cell):
            continue
        text = _shown(cell).strip()
        column = by_name.get(_header_key(text))
        if column is None:
            ignored.append(text)
            continue
        if column.field in index:
            raise InvalidInputError(
                _(
                    "The header row (row {row}) has two columns for the same thing: “{first}” "
                    "and “{second}”; keep one of them."
                ).format(row=number, first=shown[column.field], second=text)
            )
        index[column.field] = i
        shown[column.field] = text
    for column in columns:
        if column.required and column.field not in index:
            raise InvalidInputError(
                _(
                    "The header row (row {row}) has no column “{column}”, which every row needs "
                    "(it may also be headed {names}). The columns read are: {expected}."
                ).format(
                    row=number,
                    column=column.names[0],
                    names=" / ".join(column.names[1:]),
                    expected=", ".join(c.names[0] for c in columns),
                )
            )
    return index, shown, tuple(ignored)


def _book_kind(session: Session, book_id: int) -> tuple[Book, BookKind]:
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    return book, BookKind(book.kind)


# --- importing ----------------------------------------------------------------------------------


def _existing_household(session: Session, row: _Row, label: str) -> Household | None:
    """The registered household of that label, if any; a retired one is refused."""
    household = session.exec(select(Household).where(col(Household.label) == label)).first()
    if household is not None and not household.active:
        raise InvalidInputError(
            _("Row {row}: household “{label}” is no longer active; use another label.").format(
                row=row.number, label=household.label
            )
        )
    return household


def _check_holding(row: _Row, household: Household, name: str, given: int | None) -> None:
    registered = household.members if name == "members" else household.shares
    if given is not None and given != registered:
        raise InvalidInputError(
            _(
                "Row {row}: household “{label}” is registered with {registered} under "
                "“{column}”; this row says {value}. Change the household itself, or leave the "
                "cell empty."
            ).format(
                row=row.number,
                label=household.label,
                registered=registered,
                column=row.headers[name],
                value=given,
            )
        )


@dataclass
class _Import:
    """One import under way: where it writes, who acts, what it has done so far."""

    session: Session
    book_id: int
    actor: AppUser
    units: int = 0
    created: int = 0
    enrolled: int = 0
    seen_units: dict[tuple[str, str, str], int] = field(default_factory=dict)
    seen_households: dict[str, int] = field(default_factory=dict)

    def enrol(self, household: Household) -> None:
        household_id = household.id or 0
        if not is_enrolled(self.session, book_id=self.book_id, household_id=household_id):
            enrol_household(
                self.session, book_id=self.book_id, household_id=household_id, actor=self.actor
            )
            self.enrolled += 1

    def household_of_unit(self, row: _Row) -> Household | None:
        label = row.text("household")
        members = row.count("members")
        if not label:
            if members is not None:
                raise InvalidInputError(
                    _(
                        "Row {row}: “{column}” is filled in, but the row names no household; "
                        "give the household's label too, or leave the cell empty."
                    ).format(row=row.number, column=row.headers["members"])
                )
            return None
        household = _existing_household(self.session, row, label)
        if household is not None:
            _check_holding(row, household, "members", members)
        try:
            if household is None:
                household = add_household(
                    self.session,
                    label=label,
                    actor=self.actor,
                    members=1 if members is None else members,
                )
                self.created += 1
            self.enrol(household)
        except GongzhangError as exc:
            raise row.refused(exc) from exc
        return household

    def unit(self, row: _Row) -> None:
        """A row of a trust book: register the unit, and its household if it names one."""
        building = row.text("building", required=True)
        unit = row.text("unit")
        room = row.text("room", required=True)
        area = row.area("area")
        try:
            parse_area(area)  # refuse a bad area before anything of the row is registered
        except GongzhangError as exc:
            raise row.refused(exc) from exc
        unsold = row.yes_no("unsold")
        owner_key = row.text("owner_key")
        owner_name = row.text("owner_name")
        key = (building, unit, room)
        if key in self.seen_units:
            raise InvalidInputError(
                _("Row {row}: unit {unit} is also on row {first}; list each unit once.").format(
                    row=row.number, unit="-".join(p for p in key if p), first=self.seen_units[key]
                )
            )
        self.seen_units[key] = row.number
        household = self.household_of_unit(row)
        try:
            add_unit(
                self.session,
                book_id=self.book_id,
                building=building,
                unit=unit,
                room=room,
                area=area,
                owner_key=owner_key,
                owner_name=owner_name,
                household_id=None if household is None else household.id,
                unsold=unsold,
                actor=self.actor,
            )
        except GongzhangError as exc:
            raise row.refused(exc) from exc
        self.units += 1

    def household(self, row: _Row) -> None:
        """A row of a village or micro-fund book: register the household (or take the one of
        that label) and enrol it in the book."""
        label = row.text("household", required=True)
        head = row.text("head")
        members = row.count("members")
        shares = row.count("shares")
        if label in self.seen_households:
            raise InvalidInputError(
                _(
                    "Row {row}: household “{label}” is also on row {first}; list each household "
                    "once."
                ).format(row=row.number, label=label, first=self.seen_households[label])
            )
        self.seen_households[label] = row.number
        household = _existing_household(self.session, row, label)
        if household is not None:
            _check_holding(row, household, "members", members)
            _check_holding(row, household, "shares", shares)
        try:
            if household is None:
                household = add_household(
                    self.session,
                    label=label,
                    actor=self.actor,
                    head_name=head,
                    members=1 if members is None else members,
                    shares=0 if shares is None else shares,
                )
                self.created += 1
            enrol_household(
                self.session,
                book_id=self.book_id,
                household_id=household.id or 0,
                actor=self.actor,
            )
        except GongzhangError as exc:
            raise row.refused(exc) from exc
        self.enrolled += 1


def import_electorate(
    session: Session,
    *,
    book_id: int,
    rows: Iterable[tuple[int, Sequence[object]]],
    actor: AppUser,
    source_sha256: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Register the units (trust books) or households (village and micro-fund books) of a
    sheet's non-empty rows, given with their row numbers (``reports.electorate_xlsx`` reads
    them from an Excel workbook); see the module's description for the columns.

    ``progress(rows_done, rows_total)`` is told as rows are registered (the rows are read in
    full first, to know the total); if it raises, the import stops with that error and the
    caller's unit of work is rolled back (that is how a cancel works).

    Raises :class:`InvalidInputError` for the first bad row, naming its row number, for a
    missing required column, an empty sheet or a file that is not an .xlsx workbook. The
    caller's unit of work must then be rolled back (``with ledger.write()`` does): nothing of
    the file is to be kept."""
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    book, kind = _book_kind(session, book_id)
    work = _Import(session=session, book_id=book_id, actor=actor)
    rest = iter(rows)
    first = next(rest, None)
    if first is None:
        raise InvalidInputError(
            _(
                "The first sheet of the workbook is empty: it needs a header row, then one "
                "row per unit or household."
            )
        )
    header_row, header = first
    index, headers, ignored = _map_header(header_row, header, columns_of(kind))
    total = step = 0
    if progress is not None:
        body: list[tuple[int, Sequence[object]]] = []
        for item in rest:  # the total, for a percentage (more than MAX_ROWS is refused below)
            body.append(item)
            if len(body) > MAX_ROWS:
                break
        rest = iter(body)
        total, step = len(body), max(1, len(body) // 200)
        progress(0, total)
    data_rows = 0
    for number, cells in rest:
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise InvalidInputError(
                _("The sheet has more than {max} rows; split it into smaller files.").format(
                    max=MAX_ROWS
                )
            )
        row = _Row(
            number=number,
            cells={f: cells[i] if i < len(cells) else None for f, i in index.items()},
            headers=headers,
        )
        if kind is BookKind.TRUST_PROPERTY:
            work.unit(row)
        else:
            work.household(row)
        if progress is not None and (data_rows % step == 0 or data_rows == total):
            progress(data_rows, total)
    if data_rows == 0:
        raise InvalidInputError(
            _(
                "The sheet has a header row (row {row}) but no rows under it: nothing to import."
            ).format(row=header_row)
        )
    electorate = owners_register(session, book_id=book_id) if work.units else None
    detail: dict[str, object] = {
        "book": book_id,
        "rows": data_rows,
        "units_added": work.units,
        "households_created": work.created,
        "households_enrolled": work.enrolled,
        "file_sha256": source_sha256,
    }
    if electorate is not None:
        detail |= {
            "units": electorate.unit_count,
            "owners": electorate.owner_count,
            "area_m2": format_area(electorate.total_area_dm2),
        }
    record_event(
        session,
        actor=actor,
        action="electorate.imported",
        object_type="book",
        object_id=book_id,
        detail=detail,
    )
    return ImportSummary(
        book_id=book_id,
        book_name=book.name,
        book_kind=kind.value,
        rows=data_rows,
        units_added=work.units,
        households_created=work.created,
        households_enrolled=work.enrolled,
        unit_count=electorate.unit_count if electorate else 0,
        owner_count=electorate.owner_count if electorate else 0,
        total_area_dm2=electorate.total_area_dm2 if electorate else 0,
        book_households=len(book_households(session, book_id=book_id)),
        ignored_columns=ignored,
    )


# --- the template -------------------------------------------------------------------------------


def book_kind_of(kind: BookKind | str) -> BookKind:
    """A book kind by its value (``trust_property`` …) or ``village_collective``."""
    if isinstance(kind, BookKind):
        return kind
    text = str(kind).strip()
    if text in KIND_ALIASES:
        return KIND_ALIASES[text]
    try:
        return BookKind(text)
    except ValueError:
        raise InvalidInputError(
            _("“{kind}” is not a kind of book; use one of: {kinds}.").format(
                kind=text, kinds=", ".join([k.value for k in BookKind] + list(KIND_ALIASES))
            )
        ) from None
