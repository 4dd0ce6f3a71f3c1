from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.services import order_place
from rules.models import Rule, RuleChange
from tests.factories import ApprovedResellerFactory, ChannelFactory
from tests.rules.conftest import order_request, row_counts
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db

LIST = reverse("backoffice:rule_list")
CREATE = reverse("backoffice:rule_create")
PREVIEW = reverse("backoffice:rule_preview")


def rule_post(**overrides) -> dict:
    """A complete rule form submission: one condition row, one action row."""
    data = {
        "intent": "save",
        "name": "Gold fee",
        "kind": "invoicing",
        "scope": "global",
        "channel": "",
        "reseller": "",
        "priority": "10",
        "match": "all",
        "enabled": "on",
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "30",
        "conditions-0-field": "reseller_tag",
        "conditions-0-operator": "contains",
        "conditions-0-value": "gold",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-type": "dropship_fee_per_order",
        "actions-0-amount": "0.50",
        "actions-0-label": "",
        "actions-0-tiers": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "backoffice:rule_list", []),
        ("get", "backoffice:rule_create", []),
        ("post", "backoffice:rule_create", []),
        ("get", "backoffice:rule_edit", ["RULE"]),
        ("post", "backoffice:rule_edit", ["RULE"]),
        ("get", "backoffice:rule_preview", []),
        ("post", "backoffice:rule_toggle", ["RULE"]),
        ("post", "backoffice:rule_move", ["RULE"]),
        ("post", "backoffice:rule_delete", ["RULE"]),
    ],
)
def test_resellers_get_403_on_every_rules_page(reseller_client, method, name, args):
    rule = RuleFactory()
    before = Rule.objects.values().get(pk=rule.pk)
    url = reverse(name, args=[rule.pk if arg == "RULE" else arg for arg in args])
    # A POST carries a complete rule, so a missing staff check would save something.
    data = rule_post(name="Hijacked") if method == "post" else {}

    response = getattr(reseller_client, method)(url, data)

    assert response.status_code == 403
    assert Rule.objects.filter(pk=rule.pk, enabled=True).exists()
    assert Rule.objects.values().get(pk=rule.pk) == before
    assert Rule.objects.count() == 1
    assert not RuleChange.objects.exists()


def test_the_staff_navigation_links_to_rules(staff_client):
    page = staff_client.get(reverse("backoffice:dashboard")).content.decode()

    assert f'<a href="{LIST}"' in page and ">Rules</a>" in page


def test_the_rules_list_says_what_each_rule_does(staff_client, channel):
    RuleFactory(
        name="Gold fee",
        conditions=[{"field": "reseller_tag", "operator": "contains", "value": "gold"}],
        actions=[{"type": "dropship_fee_per_order", "amount": "0.50"}],
    )
    RuleFactory(
        name="Retail terms",
        kind="payment_capture",
        scope="channel",
        channel=channel,
        actions=[{"type": "capture_deferred"}],
        enabled=False,
    )

    page = staff_client.get(LIST).content.decode()

    assert "Reseller tier or tag contains gold" in page
    assert "Dropship fee per order 0.50" in page
    assert "Channel: Retail" in page
    assert "Disabled" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "payment_capture"}, "Terms", "Fee"),
        ({"scope": "global"}, "Fee", "Terms"),
        ({"enabled": "false"}, "Terms", "Fee"),
        ({"q": "fee"}, "Fee", "Terms"),
    ],
)
def test_the_rules_list_filters_by_kind_scope_and_status(
    staff_client, channel, query, shown, hidden
):
    RuleFactory(name="Fee")
    RuleFactory(
        name="Terms",
        kind="payment_capture",
        scope="channel",
        channel=channel,
        actions=[{"type": "capture_deferred"}],
        enabled=False,
    )

    page = staff_client.get(LIST, query).content.decode()

    assert f">{shown}</a>" in page
    assert f">{hidden}</a>" not in page


def test_the_rules_list_has_an_empty_state(staff_client):
    assert "No rules yet" in staff_client.get(LIST).content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_rules_list_query_count_does_not_grow_with_rules(
    staff_client, channel, django_assert_max_num_queries, count
):
    for index in range(count):
        reseller = ApprovedResellerFactory(channel=channel)
        RuleFactory(scope="reseller", reseller=reseller, name=f"R{index}")
        RuleFactory(scope="channel", channel=channel, name=f"C{index}")

    with django_assert_max_num_queries(8):
        response = staff_client.get(LIST)

    assert response.status_code == 200


def test_staff_create_a_rule_with_conditions_and_actions(staff_client, staff):
    response = staff_client.post(CREATE, rule_post())

    rule = Rule.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("backoffice:rule_edit", args=[rule.pk])
    assert rule.conditions == [{"field": "reseller_tag", "operator": "contains", "value": "gold"}]
    assert rule.actions == [{"type": "dropship_fee_per_order", "amount": "0.50"}]
    assert (rule.priority, rule.enabled, rule.stop_further_rules) == (10, True, False)
    assert RuleChange.objects.get().actor == staff


def test_a_malformed_rule_is_shown_again_with_errors_next_to_the_inputs(staff_client):
    response = staff_client.post(
        CREATE,
        rule_post(**{"conditions-0-operator": "gt", "actions-0-amount": "two dollars"}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "does not fit reseller tier or tag" in page
    assert "must be a number, not “two dollars”" in page
    assert not Rule.objects.exists()


def test_conflicting_actions_are_refused_at_save(staff_client):
    response = staff_client.post(
        CREATE,
        rule_post(
            **{
                "actions-TOTAL_FORMS": "2",
                "actions-1-type": "dropship_fee_per_item",
                "actions-1-amount": "1",
            }
        ),
    )

    assert "both set the dropship fee" in response.content.decode()
    assert not Rule.objects.exists()


def test_an_action_of_the_other_kind_is_refused(staff_client):
    response = staff_client.post(CREATE, rule_post(**{"actions-0-type": "capture_now"}))

    assert "belongs in a payment capture rule" in response.content.decode()
    assert not Rule.objects.exists()


def test_a_channel_rule_needs_its_channel(staff_client):
    response = staff_client.post(CREATE, rule_post(scope="channel"))

    assert "Choose the channel this rule applies to." in response.content.decode()
    assert not Rule.objects.exists()


def test_add_a_condition_row_without_javascript(staff_client):
    response = staff_client.post(CREATE, rule_post(intent="add_condition"))

    page = response.content.decode()
    assert 'name="conditions-1-field"' in page
    assert 'name="conditions-TOTAL_FORMS" value="2"' in page
    assert not Rule.objects.exists()


def test_removed_rows_are_dropped_on_save(staff_client):
    staff_client.post(CREATE, rule_post(**{"conditions-0-DELETE": "on"}))

    assert Rule.objects.get().conditions == []


def test_blank_rows_are_ignored(staff_client):
    staff_client.post(
        CREATE,
        rule_post(**{"conditions-TOTAL_FORMS": "3", "actions-TOTAL_FORMS": "2"}),
    )

    rule = Rule.objects.get()
    assert len(rule.conditions) == 1 and len(rule.actions) == 1


def test_the_rule_form_has_labelled_rows_and_its_script(staff_client):
    page = staff_client.get(CREATE).content.decode()

    assert "js/rule_form.js" in page
    assert '<template id="conditions-template">' in page
    for label in ("Field", "Operator", "Value", "Action", "Amount or percent"):
        assert re.search(rf'<label class="visually-hidden" for="[^"]+">{label}</label>', page)
    assert "<script>" not in page and "style=" not in page


def test_staff_edit_a_rule_and_see_its_history(staff_client):
    rule = RuleFactory(name="Old name")
    data = rule_post(name="New name")

    staff_client.post(reverse("backoffice:rule_edit", args=[rule.pk]), data)
    page = staff_client.get(reverse("backoffice:rule_edit", args=[rule.pk])).content.decode()

    rule.refresh_from_db()
    assert rule.name == "New name"
    assert "Updated" in page


def test_disable_then_enable_a_rule(staff_client):
    rule = RuleFactory()
    url = reverse("backoffice:rule_toggle", args=[rule.pk])

    staff_client.post(url, {"enabled": "false", "next": LIST})
    rule.refresh_from_db()
    assert rule.enabled is False

    response = staff_client.post(url, {"enabled": "true", "next": "https://evil.example/"})
    rule.refresh_from_db()
    assert rule.enabled is True
    assert response.url == LIST  # an off-site "next" is ignored


def test_move_a_rule_up(staff_client):
    first = RuleFactory(priority=10)
    second = RuleFactory(priority=20)

    staff_client.post(reverse("backoffice:rule_move", args=[second.pk]), {"direction": "up"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.priority, first.priority) == (10, 20)


def test_moving_the_first_rule_up_says_why_it_cannot(staff_client):
    rule = RuleFactory(priority=10)

    response = staff_client.post(
        reverse("backoffice:rule_move", args=[rule.pk]), {"direction": "up"}, follow=True
    )

    assert "already first" in response.content.decode()


def test_delete_asks_for_confirmation_and_keeps_past_invoice_lines(staff_client, reseller, catalog):
    rule = RuleFactory(name="Dropship fee")
    order = order_place(reseller=reseller, request=order_request("PO-1"))
    page = staff_client.get(reverse("backoffice:rule_edit", args=[rule.pk])).content.decode()
    assert 'data-confirm="Delete the rule' in page

    staff_client.post(reverse("backoffice:rule_delete", args=[rule.pk]))

    assert not Rule.objects.exists()
    line = order.invoice_lines.get()
    assert (line.rule, line.rule_name) == (None, "Dropship fee")


def test_the_reseller_page_lists_its_rules_and_offers_to_add_one(staff_client, reseller):
    RuleFactory(name="Friends price", scope="reseller", reseller=reseller)
    RuleFactory(name="Someone else", scope="reseller", reseller=ApprovedResellerFactory())

    page = staff_client.get(reseller.get_absolute_url()).content.decode()

    assert "Friends price" in page
    assert "Someone else" not in page
    assert "Add a rule for this reseller" in page
    assert f"{CREATE}?scope=reseller&amp;reseller={reseller.pk}" in page


@pytest.mark.parametrize("count", [1, 20])
def test_the_reseller_page_query_count_does_not_grow_with_its_rules(
    staff_client, reseller, django_assert_max_num_queries, count
):
    for index in range(count):
        RuleFactory(
            name=f"Rule {index}",
            scope="reseller",
            reseller=reseller,
            conditions=[{"field": "order_subtotal", "operator": "gt", "value": "500"}],
        )

    # 12: session, user, reseller, status history, its channel, the Change channel form's
    # list of the other active channels, users, orders, rules, API keys, and the integrations
    # section's two (feed token, webhook endpoints).
    with django_assert_max_num_queries(12):
        page = staff_client.get(reseller.get_absolute_url()).content.decode()

    assert page.count("Order subtotal &gt; 500") == count


def test_add_a_rule_for_this_reseller_starts_with_the_reseller_chosen(staff_client, reseller):
    page = staff_client.get(CREATE, {"scope": "reseller", "reseller": reseller.pk}).content
    page = page.decode()

    assert re.search(rf'<option value="{reseller.pk}" selected>', page)
    assert '<option value="reseller" selected>' in page


# --- preview ---------------------------------------------------------------------------


def test_preview_a_hypothetical_order_from_skus(staff_client, reseller, catalog):
    RuleFactory(name="Everyone pays 2", actions=[{"type": "dropship_fee_per_order", "amount": "2"}])
    before = row_counts()

    page = staff_client.get(
        PREVIEW, {"reseller": reseller.pk, "items": "MUG-1=2, CAP-1=1", "source": "api"}
    ).content.decode()

    assert row_counts() == before
    assert "a hypothetical order from" in page
    assert "33.00" in page  # 2 × 12.50 + 8.00
    assert "35.00" in page  # plus the 2.00 fee
    assert "Everyone pays 2" in page
    assert "No conditions: always applies." in page


def test_preview_a_hypothetical_order_from_numbers(staff_client, reseller):
    RuleFactory(
        name="Big orders ship free",
        conditions=[{"field": "order_subtotal", "operator": "gt", "value": "500"}],
        actions=[{"type": "shipping_free"}],
    )

    page = staff_client.get(
        PREVIEW, {"reseller": reseller.pk, "subtotal": "750", "item_quantity": "3"}
    ).content.decode()

    assert "Shipping (free)" in page
    assert "750.00" in page


def test_preview_an_existing_order_changes_nothing(staff_client, reseller, catalog):
    order = order_place(reseller=reseller, request=order_request("PO-9"))
    RuleFactory(name="New fee", actions=[{"type": "dropship_fee_per_order", "amount": "3"}])
    before = row_counts()

    page = staff_client.get(PREVIEW, {"order_number": order.number.lower()}).content.decode()

    assert row_counts() == before
    assert f"order {order.number}" in page
    assert "The rules would now charge a different total." in page
    order.refresh_from_db()
    assert order.total == Decimal("25.00")


def test_preview_explains_an_unknown_order_or_sku(staff_client, reseller, catalog):
    unknown_order = staff_client.get(PREVIEW, {"order_number": "SO-404"}).content.decode()
    unknown_sku = staff_client.get(
        PREVIEW, {"reseller": reseller.pk, "items": "NOPE-1=1"}
    ).content.decode()
    nothing = staff_client.get(PREVIEW, {"source": "api"}).content.decode()

    assert "There is no order numbered “SO-404”." in unknown_order
    assert "Not listed on Retail: NOPE-1" in unknown_sku
    assert "Give an existing order number, or choose a reseller" in nothing


def test_preview_refuses_a_repeated_sku_as_order_placement_does(staff_client, reseller, catalog):
    RuleFactory(name="Everyone pays 2")
    before = row_counts()

    page = staff_client.get(
        PREVIEW, {"reseller": reseller.pk, "items": "MUG-1=2, CAP-1=1, MUG-1=1"}
    ).content.decode()

    assert row_counts() == before
    assert "SKU “MUG-1” appears twice; combine the quantities on one line." in page
    assert "Trace" not in page  # nothing was evaluated


def test_preview_the_rule_being_edited_without_saving_it(staff_client, reseller, catalog):
    saved = RuleFactory(name="Everyone pays 2", priority=100)
    gold = ApprovedResellerFactory(channel=reseller.channel, tier="gold")
    before = row_counts()

    response = staff_client.post(
        CREATE,
        rule_post(
            intent="preview",
            **{"preview-reseller": str(gold.pk), "preview-items": "MUG-1=1"},
        ),
    )

    page = response.content.decode()
    assert row_counts() == before
    assert "Nothing was saved." in page
    assert "(not saved)" in page  # the edited rule in the trace
    assert "Gold fee" in page and "0.50" in page
    assert "already set the dropship fee with a higher priority" in page
    assert saved.name in page


def test_preview_of_an_edited_rule_replaces_its_saved_version(staff_client, reseller, catalog):
    rule = RuleFactory(name="Fee", actions=[{"type": "dropship_fee_per_order", "amount": "2"}])
    before = row_counts()

    page = staff_client.post(
        reverse("backoffice:rule_edit", args=[rule.pk]),
        rule_post(
            intent="preview",
            name="Fee",
            **{
                "conditions-TOTAL_FORMS": "0",
                "actions-0-amount": "7.25",
                "preview-reseller": str(reseller.pk),
                "preview-subtotal": "10",
            },
        ),
    ).content.decode()

    assert row_counts() == before
    assert "7.25" in page
    assert "17.25" in page
    rule.refresh_from_db()
    assert rule.actions == [{"type": "dropship_fee_per_order", "amount": "2"}]


def test_saving_a_rule_ignores_an_empty_preview_section(staff_client):
    response = staff_client.post(CREATE, rule_post(**{"preview-order_number": ""}))

    assert response.status_code == 302


def test_preview_lists_disabled_rules_as_ignored(staff_client, reseller):
    RuleFactory(name="Switched off", enabled=False)

    page = staff_client.get(PREVIEW, {"reseller": reseller.pk, "subtotal": "10"}).content.decode()

    assert "Switched off" in page
    assert "Disabled; ignored." in page


def test_preview_from_the_reseller_page_prefills_without_running(staff_client, reseller):
    page = staff_client.get(PREVIEW, {"reseller": reseller.pk}).content.decode()

    assert re.search(rf'<option value="{reseller.pk}" selected>', page)
    assert "Give an existing order number" not in page
    assert "Trace" not in page


def test_channel_rules_only_show_in_their_channels_preview(staff_client, reseller):
    other = ChannelFactory(slug="wholesale", name="Wholesale")
    RuleFactory(name="Wholesale only", scope="channel", channel=other)

    page = staff_client.get(PREVIEW, {"reseller": reseller.pk, "subtotal": "10"}).content.decode()

    assert "Wholesale only" not in page


def test_preview_of_a_malformed_rule_says_to_fix_it_first(staff_client, reseller):
    before = row_counts()

    page = staff_client.post(
        CREATE,
        rule_post(
            intent="preview",
            **{"actions-0-amount": "lots", "preview-reseller": str(reseller.pk)},
        ),
    ).content.decode()

    assert row_counts() == before
    assert "Preview not possible: fix the problems marked below" in page
    assert "must be a number, not “lots”" in page
    assert "Trace" not in page
