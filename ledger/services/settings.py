"""Settings of a book (账套设置): typed values with defaults, stored as text per book.

Amounts (keys ending ``_fen``) are kept in fen and shown as money; rates and shares (keys ending
``_bp``) are kept in basis points and shown as percentages (1500 → 15.00%). People type them the
way they are shown: :func:`parse_setting` reads ``1,000.00`` as an amount and ``15%`` as a rate.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session

from ledger.access import Action, require
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import N_, _
from ledger.models import AppUser, Book, BookSetting
from ledger.money import format_fen, parse_money
from ledger.rules.property import format_bp
from ledger.services.audit import record_event


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    default: int | str
    label: str  # marked for translation; shown as _(label)
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    #: What each choice is called (marked for translation), in the order of ``choices``.
    choice_labels: tuple[str, ...] = ()
    #: The kinds of book it belongs to (every kind when empty): the remuneration is a
    #: trust-property book's, not a micro-fund's.
    kinds: tuple[BookKind, ...] = ()

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def choice_label(self, value: str) -> str:
        """A choice as people read it, in the interface language."""
        if value in self.choices and self.choice_labels:
            return _(self.choice_labels[self.choices.index(value)])
        return value


_TRUST = (BookKind.TRUST_PROPERTY,)


#: Every setting a book can have. Amounts in fen, rates and shares in basis points (1% = 100).
SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "approval_threshold_fen",
            100_000,
            N_("expenses needing approval, from"),
            minimum=0,
        ),
        Setting(
            "approvals_required",
            2,
            N_("approvers needed for such an expense"),
            minimum=1,
            maximum=9,
            kinds=(BookKind.MICRO_FUND,),
        ),
        Setting(
            "remuneration_rate_bp",
            1500,
            N_("remuneration rate"),
            minimum=0,
            maximum=10_000,
            kinds=_TRUST,
        ),
        Setting(
            "remuneration_basis",
            "collected",
            N_("remuneration basis"),
            choices=("collected", "billed"),
            choice_labels=(N_("fees collected"), N_("fees billed")),
            kinds=_TRUST,
        ),
        Setting(
            "gift_share_bp",
            3000,
            N_("share of the remuneration given to the micro-fund"),
            minimum=0,
            maximum=10_000,
            kinds=_TRUST,
        ),
        Setting(
            "fee_rate_fen_per_m2",
            0,
            N_("property fee per m² per month"),
            minimum=0,
            kinds=_TRUST,
        ),
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


@dataclass(frozen=True, slots=True)
class SettingRow:
    """A book's setting as people see it: ``value`` and ``default`` are formatted (money,
    percentages, choices by their value); ``stored`` and ``default_stored`` are the typed
    values (fen, basis points, whole numbers, choice values)."""

    key: str
    label: str  # translated
    value: str
    default: str
    is_default: bool
    stored: int | str
    default_stored: int | str


def _is_amount(key: str) -> bool:
    """Whether a setting is an amount of money in fen (``…_fen``, ``…_fen_per_m2``)."""
    return key.endswith("_fen") or "_fen_" in key


def format_setting(key: str, value: int | str) -> str:
    """A setting's value as people read it: an amount as money, basis points as a percentage
    (``15.00%``), a whole number or a choice as it is."""
    definition = _definition(key)
    if definition.choices:
        return definition.choice_label(str(value))
    number = int(value)
    if _is_amount(key):
        return format_fen(number)
    if key.endswith("_bp"):
        return format_bp(number)
    return str(number)


_PERCENT = re.compile(r"(?P<whole>[0-9]{1,6})(?:\.(?P<frac>[0-9]{1,2}))?\s*%")


def parse_setting(key: str, text: str) -> int | str:
    """Read a setting's value as a person types it: an amount as money (``1,000.00`` →
    100000 fen), a rate as a percentage (``15%``, ``15.5%``) or whole basis points
    (``1500``), a choice by its value. Whole numbers are checked by :func:`set_setting`."""
    definition = _definition(key)
    clean = unicodedata.normalize("NFKC", str(text)).strip()
    if definition.choices:
        # A choice by its value (``billed``) or by its name as shown (``fees billed``).
        named = {definition.choice_label(c): c for c in definition.choices}
        return named.get(clean, clean)
    if _is_amount(key):
        return parse_money(clean).fen
    if key.endswith("_bp") and clean.endswith("%"):
        match = _PERCENT.fullmatch(clean)
        if match is None:
            raise InvalidInputError(
                _(
                    "{setting} must be a percentage such as {example} (or whole basis points "
                    "such as 1500); got “{value}”."
                ).format(setting=_(definition.label), example="15.5%", value=text)
            )
        return int(match["whole"]) * 100 + int((match["frac"] or "").ljust(2, "0"))
    return clean


def stored_value(session: Session, book_id: int, key: str) -> int | str:
    """A setting of a book, typed: an int, or the text of a choice."""
    if _definition(key).choices:
        return get_text(session, book_id, key)
    return get_int(session, book_id, key)


def _kind_of(session: Session, book_id: int) -> str:
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    return book.kind


def book_settings(session: Session, book_id: int) -> list[SettingRow]:
    """Every setting of a book's kind, in the order of :data:`SETTINGS`, with its default."""
    kind = _kind_of(session, book_id)
    rows = []
    for key, definition in SETTINGS.items():
        if not definition.applies_to(kind):
            continue
        stored = stored_value(session, book_id, key)
        rows.append(
            SettingRow(
                key=key,
                label=_(definition.label),
                value=format_setting(key, stored),
                default=format_setting(key, definition.default),
                is_default=stored == definition.default,
                stored=stored,
                default_stored=definition.default,
            )
        )
    return rows


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
    kind = _kind_of(session, book_id)
    if not definition.applies_to(kind):
        raise InvalidInputError(
            _("“{setting}” is not a setting of a {kind} book; its settings are: {keys}.").format(
                setting=_(definition.label),
                kind=BookKind(kind).label,
                keys=", ".join(k for k, d in SETTINGS.items() if d.applies_to(kind)),
            )
        )
    if definition.choices:
        text = str(value)
        if text not in definition.choices:
            raise InvalidInputError(
                _("{setting} must be one of: {choices}.").format(
                    setting=_(definition.label),
                    choices=", ".join(
                        f"{c} ({definition.choice_label(c)})" for c in definition.choices
                    ),
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
            shown = {
                "setting": _(definition.label),
                "low": format_setting(key, low or 0),
                "value": format_setting(key, number),
            }
            if high is None:
                raise InvalidInputError(
                    _("{setting} must be at least {low}; got {value}.").format(**shown)
                )
            raise InvalidInputError(
                _("{setting} must be between {low} and {high}; got {value}.").format(
                    high=format_setting(key, high), **shown
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
