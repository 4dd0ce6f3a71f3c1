from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from rules.choices import RuleKind, RuleScope
from rules.models import Rule


class RuleFactory(DjangoModelFactory):
    """A saved rule; conditions and actions are stored as given (use rule_save to validate)."""

    class Meta:
        model = Rule

    name = factory.Sequence(lambda n: f"Rule {n}")
    kind = RuleKind.INVOICING
    scope = RuleScope.GLOBAL
    priority = 100
    enabled = True
    conditions = factory.LazyFunction(list)
    actions = factory.LazyFunction(lambda: [{"type": "dropship_fee_per_order", "amount": "2.00"}])
