"""Demo rules (called by seed_demo). Idempotent: each rule is found by name, never duplicated,
and a rule staff have since edited is left as they made it."""

from __future__ import annotations

from rules.choices import RuleKind, RuleScope
from rules.models import Rule
from rules.services import rule_save


def _demo_rules(*, channels: dict, resellers: dict) -> list[dict]:
    rules = [
        {
            "name": "Dropship fee",
            "kind": RuleKind.INVOICING,
            "scope": RuleScope.GLOBAL,
            "priority": 100,
            "actions": [{"type": "dropship_fee_per_order", "amount": "2.00"}],
        },
        {
            # Priority 10 runs before the $2.00 rule and, in the same scope, keeps the fee.
            "name": "Gold tier dropship fee",
            "kind": RuleKind.INVOICING,
            "scope": RuleScope.GLOBAL,
            "priority": 10,
            "conditions": [{"field": "reseller_tag", "operator": "contains", "value": "gold"}],
            "actions": [{"type": "dropship_fee_per_order", "amount": "0.50"}],
        },
        {
            "name": "Free shipping over $500",
            "kind": RuleKind.INVOICING,
            "scope": RuleScope.GLOBAL,
            "priority": 20,
            "conditions": [{"field": "order_subtotal", "operator": "gt", "value": "500"}],
            "actions": [{"type": "shipping_free"}],
        },
        {
            "name": "Standard shipping by weight",
            "kind": RuleKind.INVOICING,
            "scope": RuleScope.GLOBAL,
            "priority": 100,
            "actions": [
                {
                    "type": "shipping_weight_tiers",
                    "tiers": [
                        {"up_to": "1", "amount": "4.95"},
                        {"up_to": "5", "amount": "8.95"},
                        {"up_to": None, "amount": "14.95"},
                    ],
                }
            ],
        },
        {
            "name": "US sales tax",
            "kind": RuleKind.INVOICING,
            "scope": RuleScope.GLOBAL,
            "priority": 100,
            "conditions": [{"field": "ship_country", "operator": "equals", "value": "US"}],
            "actions": [
                {
                    "type": "tax_percent",
                    "percent": "8.25",
                    "include_shipping": True,
                    "label": "Sales tax 8.25%",
                }
            ],
        },
        {
            "name": "Auto-capture up to $2,500",
            "kind": RuleKind.PAYMENT_CAPTURE,
            "scope": RuleScope.GLOBAL,
            "priority": 100,
            "actions": [{"type": "capture_now"}, {"type": "max_auto_capture", "amount": "2500"}],
        },
    ]
    wholesale = channels.get("wholesale")
    if wholesale is not None:
        rules.append(
            {
                "name": "Wholesale: capture on shipment",
                "kind": RuleKind.PAYMENT_CAPTURE,
                "scope": RuleScope.CHANNEL,
                "channel": wholesale,
                "priority": 100,
                "actions": [{"type": "capture_on_shipment"}],
            }
        )
    loyal = resellers.get("wholesale@example.com")
    if loyal is not None:
        rules.append(
            {
                "name": "5% loyalty credit",
                "kind": RuleKind.INVOICING,
                "scope": RuleScope.RESELLER,
                "reseller": loyal,
                "priority": 100,
                "actions": [
                    {"type": "credit_percent", "percent": "5", "label": "Loyalty credit (5%)"}
                ],
            }
        )
    on_terms = resellers.get("active@example.com")
    if on_terms is not None:
        rules.append(
            {
                "name": "Net 30 terms",
                "kind": RuleKind.PAYMENT_CAPTURE,
                "scope": RuleScope.RESELLER,
                "reseller": on_terms,
                "priority": 100,
                "actions": [{"type": "capture_deferred"}],
            }
        )
    return rules


def seed_rules(*, channels, resellers) -> None:
    """$2.00 dropship fee for everyone, $0.50 for tier "gold", weight-based shipping that is
    free over $500, 8.25% sales tax (shipping included) on US orders, a 5% credit for one
    reseller, capture on shipment for the wholesale channel, net terms for one reseller, and
    auto-capture up to $2,500. The wholesale reseller is tax-exempt (resale certificate)."""
    exempt = resellers.get("wholesale@example.com")
    if exempt is not None and not exempt.tax_exempt_note:
        exempt.tax_exempt = True
        exempt.tax_exempt_note = "Resale certificate RC-2026-0042"
        exempt.save(update_fields=["tax_exempt", "tax_exempt_note", "updated_at"])
    for spec in _demo_rules(channels=channels, resellers=resellers):
        if Rule.objects.filter(name=spec["name"]).exists():
            continue
        rule_save(rule=None, data={"enabled": True, "conditions": [], **spec}, actor=None)
