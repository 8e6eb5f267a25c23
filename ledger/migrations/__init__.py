"""Alembic migrations of the ledger schema, applied when a ledger is opened (ledger.db)."""
