"""Text people type into names, memos and notes: which characters the ledger cannot keep.

Two kinds of character are refused wherever a service stores text a person typed:

* **control characters** other than tab, line feed and carriage return (NUL, backspace,
  escape …): no worksheet cell may hold them (an Excel disclosure with such a name could not be
  written at all), and a printed notice would show nothing or garbage in their place;
* **lone surrogates** (U+D800–U+DFFF on their own) and the non-characters U+FFFE and U+FFFF:
  they are not text at all; a command line makes them of bytes it cannot decode, and the
  database cannot store them.
"""

from __future__ import annotations

import re

from ledger.errors import InvalidInputError
from ledger.i18n import _

#: How much of a refused value a message quotes back.
QUOTE_LIMIT = 60

_UNKEEPABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


#: The first unkeepable character's match in a text, or None (for hot loops; see below).
find_unkeepable = _UNKEEPABLE.search


def unkeepable_character(text: str) -> str | None:
    """The first character of ``text`` the ledger cannot keep, as ``U+0008``; None if none.

    >>> unkeepable_character("王\\x08芳"), unkeepable_character("line one\\nline two")
    ('U+0008', None)
    """
    found = _UNKEEPABLE.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_keepable(text: str, what: str) -> str:
    """``text`` itself if the ledger can keep every character of it; else a refusal naming
    ``what`` (already translated: “The memo”, “A donor's name” …) and the character."""
    char = unkeepable_character(text)
    if char is not None:
        raise InvalidInputError(
            _(
                "{what} contains a character that cannot be stored or printed ({char}, a "
                "control character or a broken one); type it again without it."
            ).format(what=what, char=char)
        )
    return text


def shorten(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as a message quotes it: whatever a person pasted, at most ``limit`` characters
    (a longer one ends in “…”), so that a refusal stays one readable line.

    >>> shorten("9" * 100)[-3:], len(shorten("9" * 100)), shorten(42)
    ('99…', 60, '42')
    """
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
