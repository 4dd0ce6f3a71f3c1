"""Approve selected / Deny selected on the back-office reseller list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from resellers.choices import ResellerStatus
from resellers.models import Reseller, StatusChange
from tests.factories import ChannelFactory, ResellerFactory

pytestmark = pytest.mark.django_db

BULK = "backoffice:reseller_bulk_decide"


def post_bulk(client, capture, **data):
    with capture(execute=True) as callbacks:
        response = client.post(reverse(BULK), data)
    return response, callbacks


def statuses(resellers) -> set[str]:
    return set(
        Reseller.objects.filter(pk__in=[r.pk for r in resellers]).values_list("status", flat=True)
    )


def test_approving_fifty_selected_makes_fifty_transitions_and_fifty_emails_after_commit(
    staff_client, staff, channel, django_capture_on_commit_callbacks
):
    pending = ResellerFactory.create_batch(50)

    response, callbacks = post_bulk(
        staff_client,
        django_capture_on_commit_callbacks,
        resellers=[r.pk for r in pending],
        action="approve",
    )

    assert response.status_code == 302
    assert statuses(pending) == {ResellerStatus.APPROVED}
    assert set(
        Reseller.objects.filter(pk__in=[r.pk for r in pending]).values_list("channel", flat=True)
    ) == {channel.pk}
    changes = StatusChange.objects.filter(reseller__in=pending)
    assert changes.count() == 50
    assert set(changes.values_list("from_status", "to_status", "actor")) == {
        (ResellerStatus.PENDING, ResellerStatus.APPROVED, staff.pk)
    }
    # One e-mail each, sent only from the on-commit callbacks (none before a commit).
    assert len(callbacks) == 50
    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.email for r in pending)
    assert all(m.subject == "Your reseller account is approved" for m in mail.outbox)
    page = staff_client.get(response.url).content.decode()
    assert "Approved 50 on the Retail channel" in page


def test_denying_fifty_selected_gives_each_the_reason(
    staff_client, django_capture_on_commit_callbacks
):
    pending = ResellerFactory.create_batch(50)

    post_bulk(
        staff_client,
        django_capture_on_commit_callbacks,
        resellers=[r.pk for r in pending],
        action="deny",
        reason="We only work with US retailers.",
    )

    assert statuses(pending) == {ResellerStatus.DENIED}
    assert StatusChange.objects.filter(to_status=ResellerStatus.DENIED).count() == 50
    assert set(Reseller.objects.values_list("status_reason", flat=True)) == {
        "We only work with US retailers."
    }
    assert len(mail.outbox) == 50
    assert {m.subject for m in mail.outbox} == {"Your reseller application was not approved"}


def test_a_reseller_no_longer_pending_is_skipped_and_named(
    staff_client, channel, django_capture_on_commit_callbacks
):
    pending = ResellerFactory.create_batch(3)
    # Approved by a colleague after this page was loaded.
    meanwhile = ResellerFactory(company_name="Already Done Ltd", status=ResellerStatus.APPROVED)

    response, _ = post_bulk(
        staff_client,
        django_capture_on_commit_callbacks,
        resellers=[r.pk for r in [*pending, meanwhile]],
        action="deny",
        reason="Incomplete application.",
    )

    assert statuses(pending) == {ResellerStatus.DENIED}
    meanwhile.refresh_from_db()
    assert meanwhile.status == ResellerStatus.APPROVED
    assert not StatusChange.objects.filter(reseller=meanwhile).exists()
    assert len(mail.outbox) == 3
    page = staff_client.get(response.url).content.decode()
    assert "Denied 3" in page
    assert "Skipped 1 no longer pending, left as they are: Already Done Ltd (now approved)." in page


def test_approve_needs_a_channel_when_several_are_active_and_then_changes_nothing(
    staff_client, channel, django_capture_on_commit_callbacks
):
    ChannelFactory(name="Wholesale", slug="wholesale")
    pending = ResellerFactory.create_batch(2)

    response, _ = post_bulk(
        staff_client,
        django_capture_on_commit_callbacks,
        resellers=[r.pk for r in pending],
        action="approve",
    )

    assert statuses(pending) == {ResellerStatus.PENDING}
    assert mail.outbox == []
    assert "Choose the channel" in staff_client.get(response.url).content.decode()

    wholesale = ChannelFactory(name="Outlet", slug="outlet")
    post_bulk(
        staff_client,
        django_capture_on_commit_callbacks,
        resellers=[r.pk for r in pending],
        action="approve",
        channel=wholesale.pk,
    )
    assert set(
        Reseller.objects.filter(pk__in=[r.pk for r in pending]).values_list("channel", flat=True)
    ) == {wholesale.pk}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "deny", "reason": "  "}, "Give a reason for denying"),
        ({"action": "approve"}, "Select at least one reseller."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(
    staff_client, channel, django_capture_on_commit_callbacks, data, message
):
    pending = ResellerFactory()
    if data["action"] == "deny":
        data = {**data, "resellers": [pending.pk]}

    response, _ = post_bulk(staff_client, django_capture_on_commit_callbacks, **data)

    pending.refresh_from_db()
    assert pending.status == ResellerStatus.PENDING
    assert message in staff_client.get(response.url).content.decode()
    assert mail.outbox == []


def test_the_list_offers_checkboxes_for_pending_resellers_and_keeps_the_filters(
    staff_client, channel
):
    pending = ResellerFactory(company_name="Waiting Co")
    approved = ResellerFactory(company_name="Fine Co", status=ResellerStatus.APPROVED)

    html = staff_client.get(reverse("backoffice:reseller_list"), {"q": "co"}).content.decode()

    assert f'value="{pending.pk}" id="select-{pending.pk}" aria-label="Select Waiting Co"' in html
    assert f'id="select-{approved.pk}"' not in html
    assert "Approve selected" in html and "Deny selected" in html
    assert 'name="next_query" value="q=co"' in html


def test_bulk_actions_are_staff_only(client, reseller_client, reseller):
    pending = ResellerFactory()
    data = {"resellers": [pending.pk], "action": "deny", "reason": "x"}
    assert reseller_client.post(reverse(BULK), data).status_code == 403
    client.logout()
    assert client.post(reverse(BULK), data).status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResellerStatus.PENDING
    assert client.get(reverse(BULK)).status_code in (302, 405)
