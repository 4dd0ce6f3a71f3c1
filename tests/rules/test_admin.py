from __future__ import annotations

import json

import pytest

from rules.choices import RuleChangeAction
from rules.models import Rule, RuleChange
from tests.rules.factories import RuleFactory


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser(email="root@example.com", password="x")
    )
    return client


def admin_form(**overrides) -> dict:
    data = {
        "kind": "invoicing",
        "scope": "global",
        "name": "Admin fee",
        "priority": "100",
        "enabled": "on",
        "match": "all",
        "conditions": "[]",
        "actions": json.dumps([{"type": "dropship_fee_per_order", "amount": "1.00"}]),
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_rules_edited_in_the_admin_are_recorded_in_the_rule_history(admin_client):
    response = admin_client.post("/admin/rules/rule/add/", admin_form())
    assert response.status_code == 302
    rule = Rule.objects.get(name="Admin fee")

    admin_client.post(f"/admin/rules/rule/{rule.pk}/change/", admin_form(priority="50"))
    rule.refresh_from_db()
    assert rule.priority == 50

    admin_client.post(f"/admin/rules/rule/{rule.pk}/delete/", {"post": "yes"})
    assert not Rule.objects.filter(pk=rule.pk).exists()

    actions = list(
        RuleChange.objects.filter(rule_name="Admin fee")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [RuleChangeAction.CREATED, RuleChangeAction.UPDATED, RuleChangeAction.DELETED]


@pytest.mark.django_db
def test_bulk_delete_in_the_admin_is_recorded_too(admin_client):
    rules = RuleFactory.create_batch(2)

    admin_client.post(
        "/admin/rules/rule/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in rules], "post": "yes"},
    )

    assert not Rule.objects.exists()
    assert RuleChange.objects.filter(action=RuleChangeAction.DELETED).count() == 2


@pytest.mark.django_db
def test_a_malformed_rule_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/rules/rule/add/", admin_form(actions=json.dumps([{"type": "nonsense"}]))
    )
    assert response.status_code == 200
    assert not Rule.objects.exists()
    assert not RuleChange.objects.exists()
