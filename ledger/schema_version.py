"""What marks a database as a Gongzhang ledger and which schema it holds, in a module of its own
so that a command answering from the standard library's ``sqlite3`` (``ledger.quickread``) can
check them without loading SQLAlchemy."""

from __future__ import annotations

#: ``ledger_meta``'s ``app`` value in every ledger.
APP_MARKER = "gongzhang"
#: The newest schema revision (the last file in ``ledger/migrations/versions``); a test keeps it
#: equal to alembic's head. A ledger whose ``alembic_version`` holds exactly this needs no
#: migration, and opening it does not import alembic.
SCHEMA_HEAD = "0006"
#: Alembic's own table of the revisions a database is at.
VERSION_TABLE = "alembic_version"
