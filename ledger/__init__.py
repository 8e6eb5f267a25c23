"""Gongzhang 公账 ledger: money, domain rules, storage, services and verification.

This package never imports ``reports``, ``desktop`` or Qt (DESIGN.md, "Layout").
"""
