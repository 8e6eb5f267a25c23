"""The project's error types: one per kind of refusal, each with a message a person can act on.

Services raise these when work cannot go on; the CLI prints the message as one line and the GUI
shows it through its one error presenter. Findings of verification are values, not errors.
"""

from __future__ import annotations


class GongzhangError(Exception):
    """Base of every refusal. ``str(error)`` is the whole user-facing message, translated."""


class InvalidAmountError(GongzhangError, ValueError):
    """An amount of money that cannot be read or is out of range."""


class InvalidInputError(GongzhangError, ValueError):
    """A value a person typed that the ledger cannot accept (date, memo, name, option …)."""


class UnbalancedEntryError(GongzhangError):
    """An entry whose debits and credits do not match, or with too few or zero postings."""


class AccountError(GongzhangError):
    """An account code that does not exist in the book, or belongs to another book."""


class ClosedPeriodError(GongzhangError):
    """A posting dated inside a period that has been closed (结账)."""


class AlreadyReversedError(GongzhangError):
    """An entry that has already been reversed, or is itself a reversal."""


class NotFoundError(GongzhangError):
    """A book, entry, user … that does not exist."""


class PermissionDeniedError(GongzhangError):
    """The acting user's role does not allow this action."""


class LedgerFileError(GongzhangError):
    """A file that does not exist, or is not a Gongzhang ledger."""


class SchemaTooNewError(LedgerFileError):
    """A ledger written by a newer version of Gongzhang than this one."""


class ReadOnlyLedgerError(GongzhangError):
    """A change asked of a ledger that is open read-only."""


class LedgerBusyError(GongzhangError):
    """Another program kept the ledger locked for longer than we were willing to wait."""


class CancelledError(GongzhangError):
    """The user cancelled long work; whatever it had done was rolled back or removed."""
