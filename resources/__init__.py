"""Bundled resources: fonts, icons, translations and demo data (no code)."""
