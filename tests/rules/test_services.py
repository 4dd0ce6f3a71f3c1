from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rules.choices import RuleChangeAction
from rules.exceptions import RuleMoveNotPossible, RuleValidationError, UnknownField
from rules.models import Rule, RuleChange
from rules.selectors import rule_list_for_reseller, rules_in_scope
from rules.services import rule_delete, rule_reorder, rule_save, rule_set_enabled
from tests.factories import ApprovedResellerFactory, ChannelFactory
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db

FEE = {"type": "dropship_fee_per_order", "amount": "2"}


def base(**overrides) -> dict:
    data = {
        "name": "Fee",
        "kind": "invoicing",
        "scope": "global",
        "priority": 100,
        "enabled": True,
        "match": "all",
        "conditions": [],
        "actions": [FEE],
        "stop_further_rules": False,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides",
    [
        {"conditions": [{"field": "colour", "operator": "equals", "value": "red"}]},
        {"conditions": [{"field": "ship_country", "operator": "gt", "value": "US"}]},
        {"actions": [{"type": "dropship_fee_per_order", "amount": "cheap"}]},
        {"actions": [{"type": "teleport"}]},
        {"actions": [{"type": "extra_fee", "amount": "1"}]},
        {"actions": []},
        {"scope": "channel"},
        {"name": "   "},
    ],
)
def test_a_malformed_rule_never_reaches_the_database(staff, overrides):
    with pytest.raises(RuleValidationError):
        rule_save(data=base(**overrides), actor=staff)

    assert not Rule.objects.exists()
    assert not RuleChange.objects.exists()


def test_the_service_reports_the_typed_problem(staff):
    with pytest.raises(RuleValidationError) as caught:
        rule_save(
            data=base(conditions=[{"field": "colour", "operator": "equals", "value": "x"}]),
            actor=staff,
        )

    assert isinstance(caught.value.problems[0], UnknownField)


def test_editing_a_rule_into_a_malformed_one_keeps_the_old_version(staff):
    rule = rule_save(data=base(), actor=staff)

    with pytest.raises(RuleValidationError):
        rule_save(rule=rule, data={"actions": [{"type": "teleport"}]}, actor=staff)

    rule.refresh_from_db()
    assert rule.actions == [{"type": "dropship_fee_per_order", "amount": "2.00"}]


def test_model_validation_refuses_a_malformed_rule_for_the_admin(channel):
    rule = Rule(
        name="Bad",
        kind="invoicing",
        scope="channel",
        channel=channel,
        conditions=[{"field": "sku", "operator": "gt", "value": "1"}],
        actions=[{"type": "extra_fee", "amount": "1"}],
    )

    with pytest.raises(ValidationError) as caught:
        rule.full_clean()

    assert set(caught.value.message_dict) == {"conditions", "actions"}
    assert caught.value.message_dict["conditions"][0].startswith("Condition 1:")


def test_saving_normalises_and_records_who_did_it(staff, channel):
    rule = rule_save(
        data=base(
            scope="channel",
            channel=channel,
            reseller=ApprovedResellerFactory(),  # dropped: a channel rule names no reseller
            conditions=[{"field": "ship_country", "operator": "in", "value": "us, ca"}],
        ),
        actor=staff,
    )

    rule.refresh_from_db()
    assert rule.reseller is None
    assert rule.conditions[0]["value"] == ["US", "CA"]
    assert rule.actions == [{"type": "dropship_fee_per_order", "amount": "2.00"}]
    change = RuleChange.objects.get()
    assert (change.action, change.actor, change.snapshot["name"]) == ("created", staff, "Fee")


def test_saving_an_unchanged_rule_records_nothing(staff):
    rule = rule_save(data=base(), actor=staff)
    saved_at = Rule.objects.get().updated_at

    # The same rule as the form sends it again: "2" and "Fee " normalise to what is stored.
    rule_save(rule=rule, data=base(), actor=staff)
    rule_save(rule=rule, data=base(name=" Fee "), actor=staff)

    assert Rule.objects.get().updated_at == saved_at
    assert list(RuleChange.objects.values_list("action", flat=True)) == [RuleChangeAction.CREATED]

    rule_save(
        rule=rule,
        data=base(actions=[{"type": "dropship_fee_per_order", "amount": "3"}]),
        actor=staff,
    )

    assert list(RuleChange.objects.values_list("action", flat=True)) == [
        RuleChangeAction.UPDATED,
        RuleChangeAction.CREATED,
    ]
    assert Rule.objects.get().actions == [{"type": "dropship_fee_per_order", "amount": "3.00"}]


def test_enable_and_disable_record_a_change_only_when_something_changes(staff):
    rule = RuleFactory()

    rule_set_enabled(rule=rule, enabled=True, actor=staff)
    rule_set_enabled(rule=rule, enabled=False, actor=staff)

    rule.refresh_from_db()
    assert rule.enabled is False
    assert list(RuleChange.objects.values_list("action", flat=True)) == [RuleChangeAction.DISABLED]


def test_moving_swaps_priorities_with_the_neighbour(staff):
    first, second, third = (RuleFactory(priority=p) for p in (5, 50, 70))

    rule_reorder(rule=third, direction="up", actor=staff)

    priorities = dict(Rule.objects.values_list("pk", "priority"))
    assert priorities == {first.pk: 5, second.pk: 70, third.pk: 50}


def test_moving_among_equal_priorities_renumbers_first(staff):
    first, second, third = (RuleFactory(priority=100) for _ in range(3))

    rule_reorder(rule=first, direction="down", actor=staff)

    ordered = list(Rule.objects.order_by("priority", "id").values_list("pk", flat=True))
    assert ordered == [second.pk, first.pk, third.pk]


def test_only_rules_that_compete_are_neighbours(staff, channel):
    global_rule = RuleFactory(priority=10)
    channel_rule = RuleFactory(priority=20, scope="channel", channel=channel)
    capture_rule = RuleFactory(
        priority=5, kind="payment_capture", actions=[{"type": "capture_now"}]
    )

    with pytest.raises(RuleMoveNotPossible):
        rule_reorder(rule=channel_rule, direction="up", actor=staff)
    with pytest.raises(RuleMoveNotPossible):
        rule_reorder(rule=global_rule, direction="down", actor=staff)
    assert Rule.objects.get(pk=capture_rule.pk).priority == 5


def test_moving_records_who_moved_the_rule(staff):
    RuleFactory(priority=10)
    second = RuleFactory(priority=20)

    rule_reorder(rule=second, direction="up", actor=staff)

    change = RuleChange.objects.get()
    assert (change.rule, change.action, change.actor) == (second, RuleChangeAction.MOVED, staff)
    assert change.snapshot["priority"] == 10


def test_moving_needs_a_direction_of_up_or_down(staff):
    first, second = RuleFactory(priority=10), RuleFactory(priority=20)

    with pytest.raises(RuleMoveNotPossible, match="up or down"):
        rule_reorder(rule=second, direction="sideways", actor=staff)

    priorities = dict(Rule.objects.values_list("pk", "priority"))
    assert priorities == {first.pk: 10, second.pk: 20}
    assert not RuleChange.objects.exists()


def test_deleting_keeps_the_history_with_the_rule_name(staff):
    rule = RuleFactory(name="Gone")

    rule_delete(rule=rule, actor=staff)

    change = RuleChange.objects.get()
    assert (change.rule, change.rule_name, change.action) == (None, "Gone", "deleted")


def test_rules_in_scope_is_one_query_and_only_what_applies(
    channel, reseller, django_assert_num_queries
):
    other_channel = ChannelFactory()
    other_reseller = ApprovedResellerFactory(channel=channel)
    expected = {
        RuleFactory(name="global").pk,
        RuleFactory(name="channel", scope="channel", channel=channel).pk,
        RuleFactory(name="mine", scope="reseller", reseller=reseller).pk,
    }
    RuleFactory(name="other channel", scope="channel", channel=other_channel)
    RuleFactory(name="other reseller", scope="reseller", reseller=other_reseller)
    RuleFactory(name="off", enabled=False)

    with django_assert_num_queries(1):
        found = {rule.pk for rule in rules_in_scope(reseller=reseller, channel=channel)}

    assert found == expected


def test_rule_list_for_reseller_is_only_that_resellers_rules(reseller):
    mine = RuleFactory(scope="reseller", reseller=reseller)
    RuleFactory(scope="reseller", reseller=ApprovedResellerFactory())
    RuleFactory()

    assert list(rule_list_for_reseller(reseller=reseller)) == [mine]
