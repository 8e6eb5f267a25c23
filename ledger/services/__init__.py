"""Use cases of the ledger. Every function takes a ``Session`` and never opens, commits or rolls it
back: the caller owns the unit of work (``with ledger.write() as session:``), so a refusal anywhere
leaves nothing half-written."""
