"""Pure rule functions on plain values: no database, no I/O. Each is tested on real cases."""
