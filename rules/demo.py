from __future__ import annotations


def seed_rules(*, channels, resellers) -> None:
    """Demo invoicing and payment-capture rules (filled in by the rules engine work)."""
