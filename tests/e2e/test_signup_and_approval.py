from __future__ import annotations

import pytest

from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.factories import PASSWORD as STAFF_PASSWORD
from tests.factories import ChannelFactory, StaffFactory

from .conftest import assert_no_serious_axe_violations, log_in, log_out, screenshot, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_signup_waits_for_approval_then_staff_approve_and_the_portal_opens(new_page):
    ChannelFactory(name="Retail", slug="retail", is_default=True)
    ChannelFactory(name="Wholesale", slug="wholesale")
    StaffFactory(email="staff@example.com")
    page = new_page()

    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    assert_no_serious_axe_violations(page)
    sign_up(
        page,
        company_name="Harbor Goods",
        contact_name="Hana Harbor",
        email="hana@harbor.example",
        password="tide-pool-lantern-42",
    )

    page.get_by_text("Waiting for approval").wait_for()
    assert Reseller.objects.get().status == ResellerStatus.PENDING
    assert_no_serious_axe_violations(page)
    log_out(page)

    log_in(page, "staff@example.com", STAFF_PASSWORD)
    page.get_by_role("link", name="Harbor Goods").first.click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Channel").select_option(label="Wholesale")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("is approved on the Wholesale channel").wait_for()
    log_out(page)

    log_in(page, "hana@harbor.example", "tide-pool-lantern-42")
    page.get_by_text("Your account is approved").wait_for()
    assert "Wholesale" in page.content()
    screenshot(page, "journey-signup-approval")
    reseller = Reseller.objects.get()
    assert (reseller.status, reseller.channel.slug) == (ResellerStatus.APPROVED, "wholesale")
