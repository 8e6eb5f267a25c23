"""Users and their roles (用户与角色); passwords hashed with scrypt, a memory-hard KDF."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlmodel import Session, col, func, select

from ledger import signing
from ledger.access import Action, require
from ledger.clock import utc_now_iso
from ledger.domain import Role
from ledger.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ledger.i18n import _
from ledger.models import AppUser
from ledger.rules.text import check_keepable, shorten, unkeepable_character
from ledger.services.audit import record_event

# scrypt with N=2**15, r=8: 32 MiB of memory per guess (the tests lower N; each hash names its
# own parameters, so stored hashes always check).
SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
MIN_PASSWORD_LENGTH = 8
MAX_DISPLAY_NAME_LENGTH = 100


def hash_password(password: str) -> str:
    """A self-describing scrypt hash: ``scrypt$N$r$p$salt$key`` (base64)."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        maxmem=64 * 1024 * 1024,
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(key).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _validate_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise InvalidInputError(
            _("A user name needs 1 to 64 characters and no spaces; got “{name}”.").format(
                name=shorten(username)
            )
        )
    return check_keepable(name, _("The user name"))


def _validate_display_name(display_name: str | None, username: str) -> str:
    text = (display_name or username).strip() or username
    if len(text) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInputError(
            _("{what} is {n} characters long; keep it within {max}.").format(
                what=_("The display name"), n=len(text), max=MAX_DISPLAY_NAME_LENGTH
            )
        )
    return check_keepable(text, _("The display name"))


def _validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            _("A password needs at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
        )
    check_keepable(password, _("The password"))


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AppUser)).one()


def create_user(
    session: Session,
    *,
    username: str,
    role: Role | str,
    display_name: str | None = None,
    password: str | None = None,
    actor: AppUser | None,
) -> AppUser:
    """Add a user. Only an administrator may, except for the very first user (the first-run
    administrator of a new ledger), who must be an administrator."""
    name = _validate_username(username)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInputError(
            _("Unknown role “{role}”; choose one of: {choices}.").format(
                role=shorten(role), choices=", ".join(r.value for r in Role)
            )
        ) from None
    if actor is None:
        if count_users(session) > 0:
            raise PermissionDeniedError(_("Only an administrator may add users."))
        if role != Role.ADMIN:
            raise InvalidInputError(_("The first user of a ledger must be an administrator."))
    else:
        require(actor.username, actor.role, Action.MANAGE_USERS)
    if session.exec(select(AppUser).where(col(AppUser.username) == name)).first():
        raise InvalidInputError(_("There is already a user called “{name}”.").format(name=name))
    shown = _validate_display_name(display_name, name)
    if password is None:
        raise InvalidInputError(
            _("A new user needs a password (at least {n} characters).").format(
                n=MIN_PASSWORD_LENGTH
            )
        )
    _validate_password(password)
    public, sealed = signing.new_key_pair(password)
    user = AppUser(
        username=name,
        display_name=shown,
        role=role.value,
        password_hash=hash_password(password),
        public_key=public,
        signing_key=sealed,
        created_at=utc_now_iso(),
    )
    session.add(user)
    session.flush()
    if actor is None:  # the ledger's first user, making itself: it signs its own making
        signing.unlock(user.signing_key, password)
    record_event(
        session,
        actor=actor or user,
        action="user.created",
        object_type="user",
        object_id=user.id or 0,
        detail={"username": name, "role": role.value},
    )
    return user


def get_user(session: Session, username: str) -> AppUser:
    # A name no user can have (a lone surrogate from undecodable command-line bytes) is not
    # looked up: the database could not even take it as a parameter.
    user = (
        session.exec(select(AppUser).where(col(AppUser.username) == username)).first()
        if unkeepable_character(username) is None
        else None
    )
    if user is None or not user.active:
        raise NotFoundError(_("There is no user called “{name}”.").format(name=shorten(username)))
    return user


#: Passwords this process has already checked, as an HMAC under a key that lives only in this
#: process, by the stored hash and sealed key they opened: a long import that signs its user in
#: for each of its batches pays scrypt (about 0.1 s, twice) once, not once per batch.
_PROCESS_KEY = secrets.token_bytes(32)
_proven: dict[tuple[str, str | None], bytes] = {}


def _proof(password: str) -> bytes:
    return hmac.new(_PROCESS_KEY, password.encode("utf-8"), hashlib.sha256).digest()


def _proven_before(user: AppUser, password: str) -> bool:
    assert user.password_hash is not None
    known = _proven.get((user.password_hash, user.signing_key))
    if known is None or not hmac.compare_digest(known, _proof(password)):
        return False
    # A key dropped since (signing out) must be opened again.
    return user.signing_key is None or signing.key_of(user.public_key) is not None


def authenticate(session: Session, username: str, password: str | None) -> AppUser:
    """The user, if the password is right; their signing key is unlocked for this process,
    so that what they do from now on is signed (:mod:`ledger.signing`)."""
    user = get_user(session, username)
    if user.password_hash is not None and password is not None and _proven_before(user, password):
        return user
    if user.password_hash is None:
        raise PermissionDeniedError(
            _(
                "User “{name}” has no password yet; an administrator must set one (reset password)."
            ).format(name=shorten(username))
        )
    if password is None or not check_password(password, user.password_hash):
        raise PermissionDeniedError(
            _("Wrong password for user “{name}”.").format(name=shorten(username))
        )
    signing.unlock(user.signing_key, password)
    _proven[(user.password_hash, user.signing_key)] = _proof(password)
    return user


def give_signing_key(session: Session, user: AppUser, password: str) -> bool:
    """A user of a ledger from before signing keys, who has just proven their password in a
    writing transaction, gets a key pair now (sealed under that password), so that what they do
    from now on is signed and verification requires it. False when they had one already."""
    if user.public_key is not None and user.signing_key is not None:
        return False
    user.public_key, user.signing_key = signing.new_key_pair(password)
    _save_credentials(session, user, actor=user, action="user.key_made")
    signing.unlock(user.signing_key, password)
    return True


def _save_credentials(session: Session, user: AppUser, *, actor: AppUser, action: str) -> None:
    """Write a user's changed password hash or keys and say so in the audit trail."""
    session.add(user)
    session.flush()
    record_event(
        session, actor=actor, action=action, object_type="user",
        object_id=user.id or 0, detail={"username": user.username},
    )  # fmt: skip


def change_password(session: Session, user: AppUser, old: str, new: str) -> AppUser:
    """A user changes their own password (修改密码): the old one proves it is them; their
    signing key is sealed again under the new one (the key itself stays)."""
    if user.password_hash is None or not check_password(old, user.password_hash):
        raise PermissionDeniedError(
            _("Wrong password for user “{name}”.").format(name=shorten(user.username))
        )
    _validate_password(new)
    key = signing.open_sealed(user.signing_key, old) if user.signing_key else None
    user.password_hash = hash_password(new)
    if key is None:  # a user from before signing keys: gets one now
        user.public_key, user.signing_key = signing.new_key_pair(new)
    else:
        user.signing_key = signing.seal(key, new)
    _save_credentials(session, user, actor=user, action="user.password_changed")
    signing.unlock(user.signing_key, new)
    return user


def reset_password(session: Session, actor: AppUser, username: str, new: str) -> AppUser:
    """An administrator sets a new password for a user who forgot theirs (重置密码). The old
    signing key cannot be opened without the old password, so the user gets a new key pair;
    what they signed before stays checked against the key registered then."""
    require(actor.username, actor.role, Action.MANAGE_USERS)
    user = get_user(session, username)
    _validate_password(new)
    user.password_hash = hash_password(new)
    user.public_key, user.signing_key = signing.new_key_pair(new)
    _save_credentials(session, user, actor=actor, action="user.password_reset")
    return user


def disable_user(session: Session, actor: AppUser, username: str) -> AppUser:
    """An administrator disables a user (停用): they can no longer sign in or act; what they
    did stays in the books under their name."""
    require(actor.username, actor.role, Action.MANAGE_USERS)
    user = get_user(session, username)
    if user.id == actor.id:
        raise InvalidInputError(_("You cannot disable yourself; ask another administrator."))
    if user.role == Role.ADMIN.value:
        admins = session.exec(
            select(func.count())
            .select_from(AppUser)
            .where(col(AppUser.role) == Role.ADMIN.value, col(AppUser.active))
        ).one()
        if admins <= 1:
            raise InvalidInputError(_("The last administrator cannot be disabled."))
    user.active = False
    session.add(user)
    session.flush()
    record_event(
        session, actor=actor, action="user.disabled", object_type="user",
        object_id=user.id or 0, detail={"username": user.username},
    )  # fmt: skip
    return user


def list_users(session: Session) -> list[AppUser]:
    return list(session.exec(select(AppUser).where(col(AppUser.active)).order_by(col(AppUser.id))))
