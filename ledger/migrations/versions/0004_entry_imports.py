"""entry imports: resumable bulk imports known by an import id; the audit trail's newest event
kept in ledger_meta

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entry_import",
        sa.Column("import_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("entries_total", sa.Integer(), nullable=False),
        sa.Column("entries_done", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(["book_id"], ["book.id"]),
        sa.ForeignKeyConstraint(["started_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("import_id"),
    )
    with op.batch_alter_table("entry_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_import_book_id"), ["book_id"], unique=False)
    # Where the audit trail ends, kept outside it (verification compares the two).
    bind = op.get_bind()
    newest = bind.execute(
        sa.text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    ).first()
    bind.execute(sa.text("DELETE FROM ledger_meta WHERE key = 'audit_head'"))
    if newest is not None:
        bind.execute(
            sa.text("INSERT INTO ledger_meta (key, value) VALUES ('audit_head', :value)"),
            {"value": f"{newest[0]} {newest[1]}"},
        )


def downgrade() -> None:
    op.execute("DELETE FROM ledger_meta WHERE key = 'audit_head'")
    with op.batch_alter_table("entry_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_import_book_id"))
    op.drop_table("entry_import")
