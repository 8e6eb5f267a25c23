"""Settings of a book (账套设置): typed values with defaults, stored as text per book."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ledger.access import Action, require
from ledger.errors import InvalidInputError
from ledger.i18n import N_, _
from ledger.models import AppUser, BookSetting
from ledger.services.audit import record_event


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    default: int | str
    label: str  # marked for translation; shown as _(label)
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


#: Every setting a book can have. Amounts in fen, rates and shares in basis points (1% = 100).
SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "approval_threshold_fen",
            100_000,
            N_("expenses needing approval, from (fen)"),
            minimum=0,
        ),
        Setting(
            "approvals_required",
            2,
            N_("approvers needed for such an expense"),
            minimum=1,
            maximum=9,
        ),
        Setting(
            "remuneration_rate_bp",
            1500,
            N_("remuneration rate (basis points)"),
            minimum=0,
            maximum=10_000,
        ),
        Setting(
            "remuneration_basis",
            "collected",
            N_("remuneration basis"),
            choices=("collected", "billed"),
        ),
        Setting(
            "gift_share_bp",
            3000,
            N_("share of the remuneration given to the micro-fund (basis points)"),
            minimum=0,
            maximum=10_000,
        ),
        Setting("fee_rate_fen_per_m2", 0, N_("property fee per m² per month (fen)"), minimum=0),
    )
}


def _definition(key: str) -> Setting:
    try:
        return SETTINGS[key]
    except KeyError:
        raise InvalidInputError(
            _("Unknown setting “{key}”; the settings are: {keys}.").format(
                key=key, keys=", ".join(SETTINGS)
            )
        ) from None


def get_int(session: Session, book_id: int, key: str) -> int:
    """An integer setting of a book, or its default."""
    definition = _definition(key)
    row = session.get(BookSetting, (book_id, key))
    return int(row.value) if row is not None else int(definition.default)


def get_text(session: Session, book_id: int, key: str) -> str:
    definition = _definition(key)
    row = session.get(BookSetting, (book_id, key))
    return row.value if row is not None else str(definition.default)


def set_setting(
    session: Session, *, book_id: int, key: str, value: int | str, actor: AppUser
) -> None:
    """Change a setting (an audit event records who, from what, to what)."""
    require(actor.username, actor.role, Action.MANAGE_BOOKS)
    definition = _definition(key)
    if definition.choices:
        text = str(value)
        if text not in definition.choices:
            raise InvalidInputError(
                _("{setting} must be one of: {choices}.").format(
                    setting=_(definition.label), choices=", ".join(definition.choices)
                )
            )
    else:
        if type(value) is not int and not (isinstance(value, str) and value.strip().isdigit()):
            raise InvalidInputError(
                _("{setting} must be a whole number; got “{value}”.").format(
                    setting=_(definition.label), value=value
                )
            )
        number = int(value)
        low, high = definition.minimum, definition.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise InvalidInputError(
                _("{setting} must be between {low} and {high}; got {value}.").format(
                    setting=_(definition.label),
                    low=low,
                    high=high if high is not None else "∞",
                    value=number,
                )
            )
        text = str(number)
    row = session.get(BookSetting, (book_id, key))
    before = row.value if row is not None else None
    if row is None:
        row = BookSetting(book_id=book_id, key=key, value=text)
    else:
        row.value = text
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="setting.changed",
        object_type="book",
        object_id=book_id,
        detail={"book": book_id, "key": key, "from": before, "to": text},
    )
