"""The current date and time, in one place so tests and imports can pin them."""

from __future__ import annotations

import datetime as dt


def utc_now_iso() -> str:
    """Now, in UTC, to the second: ``2026-11-23T08:15:00Z`` (how moments are stored)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def today() -> dt.date:
    """Today's date where the user is (local time): the default date of a new entry."""
    return dt.datetime.now().astimezone().date()
