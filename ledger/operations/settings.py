"""Operations on a book's settings (账套设置): change one (administrator)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.i18n import _
from ledger.operations import Operation

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser


@dataclass(frozen=True, slots=True)
class ChangeSetting:
    """Set ``key`` of ``book`` (number or name) to ``value`` as a person types it: an amount
    as money (``1,000.00``), a rate as a percentage (``15%``) or basis points, a choice by its
    value."""

    book: str | int
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class SettingChanged:
    book: str
    key: str
    label: str  # the English message id; translated when shown
    before: int | str
    after: int | str

    def sentence(self) -> str:
        from ledger.services.settings import format_setting  # noqa: PLC0415

        return _("“{book}”: {setting} changed from {before} to {after}.").format(
            book=self.book,
            setting=_(self.label),
            before=format_setting(self.key, self.before),
            after=format_setting(self.key, self.after),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "book": self.book,
            "key": self.key,
            "label": _(self.label),
            "before": self.before,
            "after": self.after,
        }


def _change_setting(session: Session, actor: AppUser, request: ChangeSetting) -> SettingChanged:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.settings import (  # noqa: PLC0415
        SETTINGS,
        parse_setting,
        set_setting,
        stored_value,
    )

    book = find_book(session, request.book)
    book_id = book.id or 0
    value = parse_setting(request.key, request.value)  # an unknown key is refused here
    before = stored_value(session, book_id, request.key)
    set_setting(session, book_id=book_id, key=request.key, value=value, actor=actor)
    after = stored_value(session, book_id, request.key)
    return SettingChanged(book.name, request.key, SETTINGS[request.key].label, before, after)


CHANGE_SETTING: Operation[ChangeSetting, SettingChanged] = Operation(
    "setting.change", Action.MANAGE_BOOKS, _change_setting
)
