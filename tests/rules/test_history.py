"""Typed rule history: each change keeps its action and parameters (what changed, the priority
moved from and to); the sentence shown is rendered from them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rules.choices import RuleChangeAction
from rules.models import RuleChange
from rules.services import rule_reorder, rule_save, rule_set_enabled
from tests.rules.test_services import base

pytestmark = pytest.mark.django_db


def test_changes_carry_their_parameters_and_render_a_sentence(staff):
    first = rule_save(data=base(name="First", priority=10), actor=staff)
    rule = rule_save(data=base(name="Fee", priority=20), actor=staff)
    rule_save(rule=rule, data={"name": "Handling fee", "priority": 20}, actor=staff)
    rule_set_enabled(rule=rule, enabled=False, actor=staff)
    rule_reorder(rule=rule, direction="up", actor=staff)

    rows = [(c.action, c.params, c.sentence) for c in rule.changes.order_by("id")]
    assert rows == [
        (RuleChangeAction.CREATED, {}, "Created."),
        (RuleChangeAction.UPDATED, {"changed": ["name"]}, "Updated: name."),
        (RuleChangeAction.DISABLED, {}, "Disabled."),
        (
            RuleChangeAction.MOVED,
            {"from_priority": 20, "to_priority": 10},
            "Priority changed: 20 → 10.",
        ),
    ]
    assert first.changes.get().sentence == "Created."


def test_the_rule_page_shows_the_rendered_history(staff_client, staff):
    rule = rule_save(data=base(), actor=staff)
    rule_save(
        rule=rule,
        data={"actions": [{"type": "extra_fee", "label": "X", "amount": "1"}]},
        actor=staff,
    )

    page = staff_client.get(reverse("backoffice:rule_edit", args=[rule.pk]))

    assert "Updated: actions." in page.content.decode()
    assert RuleChange.objects.count() == 2
