"""Commands for Village revenue sharing (3331) books."""

from __future__ import annotations

from desktop.cli_common import Commands


def register(commands: Commands) -> None:
    """Add this kind of book's commands to the parser."""
