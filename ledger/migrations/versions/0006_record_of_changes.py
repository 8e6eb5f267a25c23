"""record of changes and signing keys: each user's Ed25519 key (public half, and private half
encrypted under the password); the rows of every covered table, as they are, become the first record
(``record.baseline``) so that verification can replay the record from here on

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session

from ledger.record import baseline

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("signing_key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True)
        )
    # The ledger's rows up to now are taken as they stand (nothing recorded them before);
    # every change after this is recorded as it is made.
    with Session(bind=op.get_bind()) as session:
        baseline(session)
        session.flush()


def downgrade() -> None:
    # The baseline event stays: it is a link of the audit chain, which must not be cut.
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("signing_key")
        batch_op.drop_column("public_key")
