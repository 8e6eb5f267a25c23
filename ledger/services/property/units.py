"""The estate's units (房屋): registering, listing and finding them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Household, PropertyUnit
from ledger.rules.property import format_area, parse_area
from ledger.rules.text import check_keepable, shorten
from ledger.services.audit import record_event
from ledger.services.property._common import _natural_key, _trust_book

#: The owner key of the developer's unsold units when none is given (建设单位).
DEVELOPER_OWNER_KEY = "建设单位"


def unit_label(unit: PropertyUnit) -> str:
    """How neighbours and notices name a unit: ``1-2-301`` (building-unit-room), ``5-102``."""
    parts = [unit.building, unit.unit, unit.room] if unit.unit else [unit.building, unit.room]
    return "-".join(parts)


def _clean_part(value: str, message: str, *, required: bool) -> str:
    clean = str(value).strip()
    if (required and not clean) or len(clean) > 20 or "-" in clean:
        raise InvalidInputError(message.format(value=shorten(value)))
    return clean


def add_unit(
    session: Session,
    *,
    book_id: int,
    building: str,
    room: str,
    area: str,
    actor: AppUser,
    unit: str = "",
    owner_key: str = "",
    owner_name: str = "",
    household_id: int | None = None,
    unsold: bool = False,
) -> PropertyUnit:
    """Register a unit (楼栋-单元-房号) with its exclusive area typed in m² (``"89.56"``).

    ``owner_key`` groups the units of one owner (default: the unit itself); ``owner_name`` is
    private: no notice, list or audit event shows it. ``unsold`` marks a unit the developer has
    not sold yet (建设单位尚未出卖): at an owners' meeting all of them count as one owner.
    """
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    book = _trust_book(session, book_id)
    building_text = _clean_part(
        building,
        _("A building needs a name of 1 to 20 characters without “-”; got “{value}”."),
        required=True,
    )
    unit_text = _clean_part(
        unit,
        _("A unit (单元) takes at most 20 characters without “-”; got “{value}”."),
        required=False,
    )
    room_text = _clean_part(
        room,
        _("A room needs a number of 1 to 20 characters without “-”; got “{value}”."),
        required=True,
    )
    area_dm2 = parse_area(area)
    if household_id is not None:
        household = session.get(Household, household_id) if type(household_id) is int else None
        if household is None or not household.active:
            raise NotFoundError(_("There is no household “{ref}”.").format(ref=household_id))
    candidate = PropertyUnit(
        book_id=book_id,
        building=building_text,
        unit=unit_text,
        room=room_text,
        area_dm2=area_dm2,
        owner_key="",
        owner_name=owner_name.strip()[:100],
        household_id=household_id,
        unsold=bool(unsold),
    )
    label = check_keepable(unit_label(candidate), _("The unit's building, unit or room"))
    check_keepable(candidate.owner_name, _("The owner's name"))
    key = owner_key.strip() or (DEVELOPER_OWNER_KEY if candidate.unsold else label)
    if len(key) > 64:
        raise InvalidInputError(_("An owner key takes at most 64 characters."))
    check_keepable(key, _("The owner key"))
    if candidate.unsold:
        developer = session.exec(
            select(PropertyUnit.owner_key).where(
                col(PropertyUnit.book_id) == book_id, col(PropertyUnit.unsold)
            )
        ).first()
        if developer is not None and developer != key:
            raise InvalidInputError(
                _(
                    "The developer's unsold units of “{book}” carry the owner key “{key}”; "
                    "they count as one owner, so give unit {unit} the same key."
                ).format(book=book.name, key=developer, unit=label)
            )
    candidate.owner_key = key
    clash = session.exec(
        select(PropertyUnit.id).where(
            col(PropertyUnit.book_id) == book_id,
            col(PropertyUnit.building) == building_text,
            col(PropertyUnit.unit) == unit_text,
            col(PropertyUnit.room) == room_text,
        )
    ).first()
    if clash is not None:
        raise InvalidInputError(
            _("Unit {unit} is already registered in “{book}”.").format(unit=label, book=book.name)
        )
    session.add(candidate)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="property_unit.added",
        object_type="property_unit",
        object_id=candidate.id or 0,
        detail={
            "book": book_id,
            "unit": label,
            "area_m2": format_area(area_dm2),
            "unsold": candidate.unsold,
        },
    )
    return candidate


def list_units(session: Session, *, book_id: int) -> list[PropertyUnit]:
    """The units of a trust book, by building, unit and room (natural order)."""
    _trust_book(session, book_id)
    units = session.exec(select(PropertyUnit).where(col(PropertyUnit.book_id) == book_id)).all()
    return sorted(
        units, key=lambda u: (_natural_key(u.building), _natural_key(u.unit), _natural_key(u.room))
    )


def find_unit(session: Session, *, book_id: int, ref: str | int) -> PropertyUnit:
    """A unit of the book by its label (``1-2-301``) or its number."""
    text = str(ref).strip()
    for unit in list_units(session, book_id=book_id):
        if unit_label(unit) == text:
            return unit
    if text.isascii() and text.isdigit() and len(text) <= 9:
        found = session.get(PropertyUnit, int(text))
        if found is not None and found.book_id == book_id:
            return found
    raise NotFoundError(
        _(
            "There is no unit “{ref}” in this book; name it as building-unit-room, like 1-2-301."
        ).format(ref=shorten(text))
    )
