"""ledger identity: a random ledger_id in ledger_meta, so that a backup of another ledger is
told apart from a backup of this one

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new ledger gets its id here, and so does an existing one the first time it is opened
    # for writing by this version (a copy made earlier has none: see ledger.backup).
    bind = op.get_bind()
    known = bind.execute(sa.text("SELECT value FROM ledger_meta WHERE key = 'ledger_id'")).first()
    if known is None:
        bind.execute(
            sa.text("INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', :value)"),
            {"value": uuid.uuid4().hex},
        )


def downgrade() -> None:
    op.execute("DELETE FROM ledger_meta WHERE key = 'ledger_id'")
