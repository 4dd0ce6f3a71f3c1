from __future__ import annotations

import pytest
from django.core import mail

from resellers.choices import ALLOWED_TRANSITIONS, APPROVE_FROM, REINSTATE_FROM, ResellerStatus
from resellers.exceptions import ChannelRequired, ReasonRequired, TransitionNotAllowed
from resellers.models import Reseller, StatusChange
from resellers.services import (
    reseller_activate_on_first_order,
    reseller_approve,
    reseller_reinstate,
    reseller_transition,
)
from tests.factories import ChannelFactory, ResellerFactory

ALL = list(ResellerStatus)
ALLOWED = [(a, b) for a in ALL for b in ALL if b in ALLOWED_TRANSITIONS[a]]
REFUSED = [(a, b) for a in ALL for b in ALL if b not in ALLOWED_TRANSITIONS[a]]


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_every_allowed_transition_moves_and_is_recorded(channel, staff, from_status, to_status):
    reseller = ResellerFactory(status=from_status, channel=channel)

    reseller_transition(
        reseller=reseller, to_status=to_status, actor=staff, reason="because", channel=channel
    )

    reseller.refresh_from_db()
    assert reseller.status == to_status
    change = StatusChange.objects.get(reseller=reseller)
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        from_status,
        to_status,
        staff,
        "because",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_refused_transition_changes_nothing(channel, staff, from_status, to_status):
    reseller = ResellerFactory(status=from_status, channel=channel)

    with pytest.raises(TransitionNotAllowed):
        reseller_transition(reseller=reseller, to_status=to_status, actor=staff, reason="x")

    reseller.refresh_from_db()
    assert reseller.status == from_status
    assert not StatusChange.objects.filter(reseller=reseller).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("to_status", [ResellerStatus.DENIED, ResellerStatus.SUSPENDED])
def test_deny_and_suspend_require_a_reason(channel, staff, to_status):
    start = ResellerStatus.PENDING if to_status == ResellerStatus.DENIED else ResellerStatus.ACTIVE
    reseller = ResellerFactory(status=start, channel=channel)

    with pytest.raises(ReasonRequired):
        reseller_transition(reseller=reseller, to_status=to_status, actor=staff, reason="  ")

    reseller.refresh_from_db()
    assert reseller.status == start


@pytest.mark.django_db
def test_approval_assigns_the_only_active_channel(staff):
    only = ChannelFactory(slug="only")
    ChannelFactory(slug="retired", is_active=False)
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    reseller_approve(reseller=reseller, actor=staff)

    reseller.refresh_from_db()
    assert (reseller.status, reseller.channel) == (ResellerStatus.APPROVED, only)


@pytest.mark.django_db
def test_approval_with_several_channels_requires_a_choice(staff):
    ChannelFactory(slug="a")
    chosen = ChannelFactory(slug="b")
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    with pytest.raises(ChannelRequired):
        reseller_approve(reseller=reseller, actor=staff)
    reseller_approve(reseller=reseller, actor=staff, channel=chosen)

    reseller.refresh_from_db()
    assert reseller.channel == chosen


@pytest.mark.django_db
def test_approval_refuses_an_inactive_channel(staff):
    ChannelFactory(slug="a")
    retired = ChannelFactory(slug="retired", is_active=False)
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    with pytest.raises(ChannelRequired):
        reseller_approve(reseller=reseller, actor=staff, channel=retired)
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.PENDING


@pytest.mark.django_db
def test_reinstate_returns_to_approved_when_the_reseller_never_ordered(channel, staff):
    reseller = ResellerFactory(status=ResellerStatus.SUSPENDED, channel=channel)

    reseller_reinstate(reseller=reseller, actor=staff)

    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.APPROVED
    assert reseller.status_reason == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        ResellerStatus.PENDING,
        ResellerStatus.DENIED,
        ResellerStatus.SUSPENDED,
        ResellerStatus.ACTIVE,
    ],
)
def test_activation_never_flips_a_reseller_that_is_not_approved(channel, status):
    reseller = ResellerFactory(status=status, channel=channel)

    assert reseller_activate_on_first_order(reseller_id=reseller.pk) is False

    reseller.refresh_from_db()
    assert reseller.status == status
    assert not StatusChange.objects.filter(reseller=reseller).exists()


@pytest.mark.django_db
def test_activation_needs_an_order(channel):
    reseller = ResellerFactory(status=ResellerStatus.APPROVED, channel=channel)

    assert reseller_activate_on_first_order(reseller_id=reseller.pk) is False
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(APPROVE_FROM))
def test_approve_moves_a_pending_or_denied_reseller(channel, staff, status):
    reseller = ResellerFactory(status=status)

    reseller_approve(reseller=reseller, actor=staff, channel=channel)

    reseller.refresh_from_db()
    assert (reseller.status, reseller.channel) == (ResellerStatus.APPROVED, channel)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [s for s in ALL if s not in APPROVE_FROM])
def test_approve_refuses_every_other_status_and_sends_nothing(
    channel, staff, status, django_capture_on_commit_callbacks
):
    # Suspended → approved is an allowed move, but it is Reinstate's, not Approve's.
    reseller = ResellerFactory(status=status, channel=channel)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        reseller_approve(reseller=reseller, actor=staff, channel=channel)

    reseller.refresh_from_db()
    assert reseller.status == status
    assert not StatusChange.objects.filter(reseller=reseller).exists()
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("status", [s for s in ALL if s not in REINSTATE_FROM])
def test_reinstate_refuses_a_reseller_that_is_not_suspended(channel, staff, status):
    reseller = ResellerFactory(status=status, channel=channel)

    with pytest.raises(TransitionNotAllowed):
        reseller_reinstate(reseller=reseller, actor=staff)

    reseller.refresh_from_db()
    assert reseller.status == status
    assert not StatusChange.objects.filter(reseller=reseller).exists()


@pytest.mark.django_db
def test_the_action_sets_are_checked_against_the_locked_row(channel, staff):
    # The caller's copy says pending (a page loaded earlier); the row is suspended by now.
    reseller = ResellerFactory(status=ResellerStatus.PENDING, channel=channel)
    Reseller.objects.filter(pk=reseller.pk).update(status=ResellerStatus.SUSPENDED)

    with pytest.raises(TransitionNotAllowed):
        reseller_approve(reseller=reseller, actor=staff, channel=channel)

    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.SUSPENDED
