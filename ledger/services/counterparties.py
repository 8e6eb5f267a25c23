"""Donors and payees (捐赠人/收款方). Their contact data is private; notices show a masked name."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import utc_now_iso
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import N_, _
from ledger.models import AppUser, Counterparty
from ledger.rules.privacy import mask_name
from ledger.rules.text import check_keepable, shorten, unkeepable_character
from ledger.services.audit import record_event

#: The longest contact information or note kept (the columns hold 400 characters).
MAX_NOTE_LENGTH = 400


class CounterpartyKind(StrEnum):
    MERCHANT = "merchant"  # 爱心商家
    VOLUNTEER = "volunteer"  # 志愿者
    RESIDENT = "resident"  # 居民
    ORGANISATION = "organisation"  # 单位/组织
    PROPERTY_COMPANY = "property_company"  # 物业公司
    PAYEE = "payee"  # 收款方 (supplier, service provider)

    @property
    def label(self) -> str:
        return _(_LABELS[self])

    @property
    def is_individual(self) -> bool:
        """Whether a counterparty of this kind is normally a person (masked in notices)."""
        return self in (CounterpartyKind.VOLUNTEER, CounterpartyKind.RESIDENT)


_LABELS = {
    CounterpartyKind.MERCHANT: N_("Local business"),
    CounterpartyKind.VOLUNTEER: N_("Volunteer"),
    CounterpartyKind.RESIDENT: N_("Resident"),
    CounterpartyKind.ORGANISATION: N_("Organisation"),
    CounterpartyKind.PROPERTY_COMPANY: N_("Property company"),
    CounterpartyKind.PAYEE: N_("Payee"),
}


def add_counterparty(
    session: Session,
    *,
    kind: CounterpartyKind | str,
    name: str,
    actor: AppUser,
    is_individual: bool | None = None,
    contact: str = "",
    note: str = "",
) -> Counterparty:
    """Register a donor or payee. ``contact`` (phone, address) never appears in a notice."""
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    try:
        kind = CounterpartyKind(kind)
    except ValueError:
        raise InvalidInputError(
            _("Unknown kind of donor or payee “{kind}”; choose one of: {choices}.").format(
                kind=shorten(kind), choices=", ".join(k.value for k in CounterpartyKind)
            )
        ) from None
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise InvalidInputError(_("A donor or payee needs a name of 1 to 200 characters."))
    check_keepable(clean, _("The name of a donor or payee"))
    contact = check_keepable(contact.strip(), _("The contact information"))
    note = check_keepable(note.strip(), _("The note"))
    for text, what in ((contact, _("The contact information")), (note, _("The note"))):
        if len(text) > MAX_NOTE_LENGTH:
            raise InvalidInputError(
                _("{what} is {n} characters long; keep it within {max}.").format(
                    what=what, n=len(text), max=MAX_NOTE_LENGTH
                )
            )
    person = kind.is_individual if is_individual is None else is_individual
    cp = Counterparty(
        kind=kind.value,
        name=clean,
        is_individual=person,
        contact=contact,
        note=note,
        created_at=utc_now_iso(),
    )
    session.add(cp)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="counterparty.added",
        object_type="counterparty",
        object_id=cp.id or 0,
        detail={"kind": kind.value, "name": display_name(cp)},
    )
    return cp


def display_name(cp: Counterparty) -> str:
    """The name a public notice may show (people masked: 张*明)."""
    return mask_name(cp.name, is_individual=cp.is_individual)


def find_counterparty(session: Session, ref: str | int) -> Counterparty:
    """A donor or payee by number or exact name."""
    text = str(ref).strip()
    cp = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        cp = session.get(Counterparty, int(text))
    if cp is None and unkeepable_character(text) is None:
        cp = session.exec(select(Counterparty).where(col(Counterparty.name) == text)).first()
    if cp is None:
        raise NotFoundError(_("There is no donor or payee “{ref}”.").format(ref=shorten(text)))
    return cp
