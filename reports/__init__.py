"""Public disclosures (公示) built from ledger queries: PDF and Excel."""
