"""Issue 11, item 3: a staff edit form saved after someone else changed the record is refused
with a clear message and saves nothing; a current form still saves and moves the version on.

Covered: rules (edit, enable/disable, reorder), channels, products, listings (edit and CSV
import) and the portal settings — every staff-edited record with an edit form whose stale save
could undo a colleague's change.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from channels.models import Channel, Listing, Product
from channels.services import listing_import_csv, listing_save, product_save
from resellers.models import PortalSettings
from rules.models import RuleChange
from tests.factories import ChannelFactory, ListingFactory, ProductFactory, StaffFactory
from tests.rules.factories import RuleFactory
from tests.rules.test_backoffice import rule_post

pytestmark = pytest.mark.django_db

STALE = "was changed by someone else since you opened it; reload to see the changes."


def version_on_page(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, f"{url} does not carry the version it was drawn from"
    return match.group(1)


@pytest.fixture
def colleague(db) -> Client:
    client = Client()
    client.force_login(StaffFactory(email="colleague@example.com"))
    return client


def test_a_rule_disabled_by_a_colleague_is_not_re_enabled_by_an_older_form(staff_client, colleague):
    rule = RuleFactory(name="Gold fee", enabled=True, priority=10)
    url = reverse("backoffice:rule_edit", args=[rule.pk])
    opened = version_on_page(staff_client, url)

    colleague.post(reverse("backoffice:rule_toggle", args=[rule.pk]), {"enabled": "false"})
    history = RuleChange.objects.count()
    response = staff_client.post(url, rule_post(name="Gold fee v2", enabled="on", version=opened))

    assert response.status_code == 200
    assert f"This rule {STALE}" in response.content.decode()
    rule.refresh_from_db()
    assert (rule.enabled, rule.name) == (False, "Gold fee")
    assert RuleChange.objects.count() == history


def test_a_rule_moved_by_a_colleague_keeps_its_new_priority(staff_client, colleague):
    first = RuleFactory(priority=10)
    second = RuleFactory(priority=20)
    url = reverse("backoffice:rule_edit", args=[second.pk])
    opened = version_on_page(staff_client, url)

    colleague.post(reverse("backoffice:rule_move", args=[second.pk]), {"direction": "up"})
    response = staff_client.post(url, rule_post(priority="20", version=opened))

    assert f"This rule {STALE}" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.priority, first.priority) == (10, 20)
    # The neighbour moved too, so its own open form is stale as well.
    assert first.version == 2


def test_a_current_rule_form_saves_and_moves_the_version_on(staff_client):
    rule = RuleFactory(name="Gold fee", priority=10)
    url = reverse("backoffice:rule_edit", args=[rule.pk])
    opened = version_on_page(staff_client, url)

    response = staff_client.post(url, rule_post(name="Gold fee v2", version=opened))

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.version) == ("Gold fee v2", int(opened) + 1)
    # The same form sent again is now stale: a double submit cannot apply an old form twice.
    again = staff_client.post(url, rule_post(name="Gold fee v3", version=opened))
    assert f"This rule {STALE}" in again.content.decode()


def test_a_channel_form_opened_before_a_colleague_saved_is_refused(staff_client, colleague):
    channel = ChannelFactory(name="Retail", slug="retail", currency="USD")
    url = reverse("backoffice:channel_edit", args=[channel.pk])
    opened = version_on_page(staff_client, url)
    form = {"name": "Retail", "slug": "retail", "currency": "USD", "is_active": "on"}

    colleague.post(url, {**form, "is_active": "", "version": opened})
    response = staff_client.post(url, {**form, "name": "Retail US", "version": opened})

    assert f"This channel {STALE}" in response.content.decode()
    channel.refresh_from_db()
    assert (channel.name, channel.is_active, channel.version) == ("Retail", False, 2)


def test_the_old_default_channel_cannot_take_the_default_back_from_a_stale_form(
    staff_client, colleague
):
    old = ChannelFactory(name="Old", slug="old", is_default=True)
    new = ChannelFactory(name="New", slug="new")
    old_url = reverse("backoffice:channel_edit", args=[old.pk])
    opened = version_on_page(staff_client, old_url)
    form = {"slug": "", "currency": "USD", "is_active": "on", "is_default": "on"}

    colleague.post(
        reverse("backoffice:channel_edit", args=[new.pk]),
        {**form, "name": "New", "slug": "new", "version": str(new.version)},
    )
    response = staff_client.post(
        old_url, {**form, "name": "Old!", "slug": "old", "version": opened}
    )

    assert f"This channel {STALE}" in response.content.decode()
    assert Channel.objects.get(is_default=True) == new


def test_a_product_form_cannot_put_back_an_older_price(staff_client):
    product = ProductFactory(sku="MUG-1", title="Mug", cost=Decimal("2.00"))
    url = reverse("backoffice:product_edit", args=[product.pk])
    opened = version_on_page(staff_client, url)

    product_save(product=product, data={"cost": Decimal("3.00")})
    response = staff_client.post(
        url,
        {
            "sku": "MUG-1",
            "title": "Mug (blue)",
            "description": "",
            "cost": "2.00",
            "msrp": str(product.msrp),
            "weight": str(product.weight),
            "stock": str(product.stock),
            "version": opened,
        },
    )

    assert f"This product {STALE}" in response.content.decode()
    product.refresh_from_db()
    assert (product.title, product.cost) == ("Mug", Decimal("3.00"))


def test_a_listing_form_opened_before_an_import_cannot_undo_the_import(staff_client, channel):
    listing = ListingFactory(channel=channel, price=Decimal("10.00"))
    url = reverse("backoffice:listing_edit", args=[listing.pk])
    opened = version_on_page(staff_client, url)

    listing_import_csv(channel=channel, text=f"{listing.product.sku},12.00\n")
    response = staff_client.post(
        url,
        {
            "channel": str(channel.pk),
            "sku": listing.product.sku,
            "price": "10.00",
            "is_active": "",
            "version": opened,
        },
    )

    assert f"This listing {STALE}" in response.content.decode()
    listing.refresh_from_db()
    assert (listing.price, listing.is_active) == (Decimal("12.00"), True)


def test_listing_saves_move_the_version_on_only_when_something_changed(channel):
    listing = ListingFactory(channel=channel, price=Decimal("10.00"))
    data = {"channel": channel, "product": listing.product, "is_active": True}

    same = listing_save(
        listing=listing, data={**data, "price": Decimal("10.00")}, expected_version=1
    )
    changed = listing_save(
        listing=listing, data={**data, "price": Decimal("11.00")}, expected_version=1
    )

    assert (same.version, changed.version) == (1, 2)
    assert Listing.objects.get(pk=listing.pk).version == 2


def test_a_settings_form_opened_before_a_colleague_saved_is_refused(staff_client, colleague):
    url = reverse("backoffice:settings")
    opened = version_on_page(staff_client, url)

    colleague.post(url, {"auto_approve_resellers": "on", "version": opened})
    response = staff_client.post(url, {"version": opened})  # unticked: would turn it off

    assert f"This setting {STALE}" in response.content.decode()
    assert PortalSettings.load().auto_approve_resellers is True


def test_records_without_a_form_version_still_save(channel):
    """Scripts and the Django admin send no version: nothing to compare, as before."""
    product = ProductFactory(title="Mug")
    saved = product_save(product=product, data={"title": "Cup"})
    assert (Product.objects.get(pk=saved.pk).title, saved.version) == ("Cup", 2)


def test_a_reseller_profile_form_cannot_put_back_an_older_tier(staff_client, colleague, channel):
    from resellers.services import reseller_update_profile
    from tests.factories import ApprovedResellerFactory

    reseller = ApprovedResellerFactory(channel=channel, tier="silver", country="US")
    url = reverse("backoffice:reseller_edit", args=[reseller.pk])
    opened = version_on_page(staff_client, url)

    reseller_update_profile(reseller=reseller, data={"tier": "gold"})
    response = staff_client.post(
        url,
        {
            "company_name": reseller.company_name,
            "contact_name": reseller.contact_name,
            "email": reseller.email,
            "country": "US",
            "tier": "silver",
            "tags": "",
            "version": opened,
        },
    )

    assert f"This reseller {STALE}" in response.content.decode()
    reseller.refresh_from_db()
    assert (reseller.tier, reseller.version) == ("gold", 2)
