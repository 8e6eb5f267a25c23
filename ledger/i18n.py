"""Translation of user-visible text (gettext, catalogs managed by babel).

Message ids are English; Chinese (``zh_CN``) is the default language of the app.
The catalogs live in ``resources/translations/<locale>/LC_MESSAGES/gongzhang.po``
and are compiled to ``.mo`` by ``pybabel compile`` (the set-up scripts do it).
"""

from __future__ import annotations

import gettext
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

DOMAIN = "gongzhang"
DEFAULT_LANGUAGE = "zh_CN"
#: Languages the app ships, by the code the CLI and GUI accept.
LANGUAGES = {"zh": "zh_CN", "zh_CN": "zh_CN", "en": "en"}

_current = DEFAULT_LANGUAGE


def translations_dir() -> str:
    """The folder holding the ``<locale>/LC_MESSAGES`` catalogs."""
    import resources  # noqa: PLC0415 - the data package, located only when first needed

    return str(Path(resources.__file__).with_name("translations"))


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, translations_dir(), languages=[language], fallback=True)


def normalize_language(code: str | None) -> str:
    """Map ``zh``/``zh_CN``/``zh-CN.UTF-8``/``en_US`` … to a shipped language, else Chinese."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.split(".")[0].replace("-", "_")
    if base in LANGUAGES:
        return LANGUAGES[base]
    if base.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def system_language() -> str:
    """The language of the user's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else Chinese.

    The C/POSIX locale says nothing about the user's language, so it counts as unset (Python's
    own locale module would call it American English)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").split(":")[0]
        if value and value not in {"C", "POSIX"} and not value.startswith("C."):
            return normalize_language(value)
    return DEFAULT_LANGUAGE


def set_language(code: str | None) -> str:
    """Switch the language of every later message; returns the language now in force."""
    global _current  # noqa: PLW0603 - one process-wide interface language, switched at runtime
    _current = normalize_language(code)
    return _current


_local = threading.local()


def _language() -> str:
    """The language of this thread: its own (:func:`thread_language`), else the app's."""
    own: str | None = getattr(_local, "language", None)
    return own or _current


@contextmanager
def thread_language(code: str | None) -> Iterator[str]:
    """Use ``code`` for the messages of this thread only, for the ``with`` block: a notice is
    built in its own language on the desktop's worker while the window keeps the user's."""
    previous = getattr(_local, "language", None)
    _local.language = normalize_language(code)
    try:
        yield _local.language
    finally:
        _local.language = previous


def current_language() -> str:
    return _language()


def is_chinese() -> bool:
    """Whether messages (on this thread) are in Chinese."""
    return _language() == "zh_CN"


def in_language(zh: str, en: str) -> str:
    """Of a name kept in both languages (an account's name_zh/name_en), the current one."""
    return zh if is_chinese() else en


def babel_locale() -> str:
    """The babel locale for number and date formats in the current language."""
    return "zh_CN" if _language() == "zh_CN" else "en"


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _catalog(_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog(_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for extraction without translating it now."""
    return message
