"""Issue 11, item 2: a reseller status action pressed on a page that no longer shows the
reseller's status is refused, naming who moved it, and changes nothing.

Every action form carries `expected_status` (the status on screen) and `seen_change` (the id of
the newest status change the page listed: the row version). `reseller_transition` compares both
under the row lock.

The PostgreSQL test races two real requests (two threads, two connections, the whole view
stack) for the four pairs of opposite actions, in a fixed order of arrival at the row lock:

1. approve, then deny — a pending reseller, both pages show "pending";
2. deny, then approve — the probe from the issue: approve is allowed from denied, so without the
   check both succeeded and the reseller got both e-mails;
3. suspend, then reinstate — the reinstate page was drawn during an earlier suspension (the
   reseller has since been reinstated), the suspend page is current. Without the row version
   the stale reinstate would undo the fresh suspension, because the status matches again;
4. reinstate, then suspend — the same two pages, the stale reinstate reaching the lock first.

In each case exactly one request succeeds, one status change is written and one e-mail sent.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from resellers import services
from resellers.choices import ResellerStatus
from resellers.exceptions import StaleStatus
from resellers.models import Reseller, StatusChange
from tests.factories import OrderFactory, ResellerFactory, StaffFactory

ACTIONS = {
    "approve": ("backoffice:reseller_approve", ""),
    "deny": ("backoffice:reseller_deny", "deny-"),
    "suspend": ("backoffice:reseller_suspend", "suspend-"),
    "reinstate": ("backoffice:reseller_reinstate", "reinstate-"),
}


_signups = iter(range(1, 10_000))


def signed_up_reseller() -> Reseller:
    """A pending reseller with its "signed up" history row, made the way signup makes it."""
    n = next(_signups)
    user = services.reseller_signup(
        company_name=f"Signup {n}",
        contact_name="Pat Doe",
        email=f"signup{n}@example.com",
        password="a-Strong-password-2026",
    )
    return user.reseller


def form_data_from_page(client: Client, reseller: Reseller, action: str) -> dict[str, str]:
    """What the staff member's browser would send: the hidden fields of the drawn page."""
    page = client.get(reseller.get_absolute_url()).content.decode()
    _, prefix = ACTIONS[action]
    data = {}
    for field in ("expected_status", "seen_change"):
        match = re.search(rf'name="{prefix}{field}" value="([^"]*)"', page)
        assert match, f"the {action} form does not carry {field}"
        data[f"{prefix}{field}"] = match.group(1)
    if action in ("deny", "suspend"):
        data[f"{prefix}reason"] = f"Reason for {action}."
    return data


def post(client: Client, reseller: Reseller, action: str, data: dict) -> str:
    name, _ = ACTIONS[action]
    response = client.post(reverse(name, args=[reseller.pk]), data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_action_forms_carry_the_status_and_the_newest_change_shown(staff_client, channel):
    reseller = signed_up_reseller()
    change = StatusChange.objects.get(reseller=reseller)
    for action in ("approve", "deny"):
        data = form_data_from_page(staff_client, reseller, action)
        _, prefix = ACTIONS[action]
        assert data[f"{prefix}expected_status"] == "pending"
        assert data[f"{prefix}seen_change"] == str(change.pk)


@pytest.mark.django_db
def test_approve_on_a_page_drawn_before_a_deny_is_refused_naming_who_denied(staff_client, channel):
    reseller = ResellerFactory(channel=channel)
    stale = form_data_from_page(staff_client, reseller, "approve")
    other = StaffFactory(email="other-staff@example.com")
    services.reseller_deny(reseller=reseller, actor=other, reason="Not a fit.")
    mail.outbox.clear()

    page = post(staff_client, reseller, "approve", stale)

    assert "This reseller was just denied by other-staff@example.com; reload the page." in page
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.DENIED
    assert StatusChange.objects.filter(reseller=reseller).count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reinstate_from_an_earlier_suspension_cannot_undo_a_new_one(staff_client, channel):
    reseller = ResellerFactory(channel=channel, status=ResellerStatus.APPROVED)
    other = StaffFactory(email="other-staff@example.com")
    services.reseller_suspend(reseller=reseller, actor=other, reason="First.")
    stale = form_data_from_page(staff_client, reseller, "reinstate")
    services.reseller_reinstate(reseller=reseller, actor=other)
    services.reseller_suspend(reseller=reseller, actor=other, reason="Second.")
    changes = StatusChange.objects.filter(reseller=reseller).count()

    # The status on screen ("suspended") matches again; the row version does not.
    page = post(staff_client, reseller, "reinstate", stale)

    assert "This reseller was just suspended by other-staff@example.com; reload the page." in page
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.SUSPENDED
    assert reseller.status_reason == "Second."
    assert StatusChange.objects.filter(reseller=reseller).count() == changes


@pytest.mark.django_db
def test_the_service_names_the_system_when_the_first_order_moved_the_reseller(channel, staff):
    reseller = ResellerFactory(channel=channel, status=ResellerStatus.APPROVED)
    OrderFactory(reseller=reseller)
    assert services.reseller_activate_on_first_order(reseller_id=reseller.pk)
    with pytest.raises(StaleStatus, match="just made active by the system; reload the page"):
        services.reseller_suspend(
            reseller=reseller, actor=staff, reason="x", expected_status=ResellerStatus.APPROVED
        )


@pytest.mark.django_db
def test_a_current_page_still_goes_through(staff_client, channel):
    reseller = ResellerFactory(channel=channel)
    data = form_data_from_page(staff_client, reseller, "deny")
    page = post(staff_client, reseller, "deny", data)
    assert "is denied" in page
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.DENIED


# --- real concurrency on PostgreSQL --------------------------------------------------------


def _wait_until_blocked(pid: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s))", [pid])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited for the reseller's row lock")


class Request(threading.Thread):
    """One staff member's POST from its own thread, connection and session."""

    def __init__(self, user, reseller: Reseller, action: str, data: dict) -> None:
        super().__init__()
        self.user, self.reseller, self.action, self.data = user, reseller, action, data
        self.pid_known = threading.Event()
        self.pid: int | None = None
        self.page = ""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            client = Client()
            client.force_login(self.user)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.pid_known.set()
            self.page = post(client, self.reseller, self.action, self.data)
        except BaseException as error:  # noqa: BLE001
            self.error = error
            self.pid_known.set()
        finally:
            connection.close()


def race(first: Request, second: Request) -> None:
    """Both requests wait on the row lock; `first` is queued first, so it gets it first."""
    with transaction.atomic():
        Reseller.objects.select_for_update().get(pk=first.reseller.pk)
        for request in (first, second):
            request.start()
            assert request.pid_known.wait(20)
            assert request.error is None, request.error
            _wait_until_blocked(request.pid)
    for request in (first, second):
        request.join(60)
        assert request.error is None, request.error


PAIRS = [
    # (first, second, starting status, the status both end at)
    ("approve", "deny", ResellerStatus.PENDING, ResellerStatus.APPROVED),
    ("deny", "approve", ResellerStatus.PENDING, ResellerStatus.DENIED),
    ("suspend", "reinstate", ResellerStatus.APPROVED, ResellerStatus.SUSPENDED),
    ("reinstate", "suspend", ResellerStatus.APPROVED, ResellerStatus.SUSPENDED),
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first", "second", "start", "end"), PAIRS)
def test_two_staff_members_pressing_opposite_actions_at_once_one_wins(
    first, second, start, end, channel
):
    alice = StaffFactory(email="alice@example.com")
    bob = StaffFactory(email="bob@example.com")
    browsers = {}
    for user in (alice, bob):
        browsers[user] = Client()
        browsers[user].force_login(user)
    if start == ResellerStatus.PENDING:
        reseller = signed_up_reseller()
    else:
        reseller = ResellerFactory(channel=channel, status=start)
    pages: dict[str, dict] = {}
    if start == ResellerStatus.PENDING:
        pages[first] = form_data_from_page(browsers[alice], reseller, first)
        pages[second] = form_data_from_page(browsers[bob], reseller, second)
    else:
        # Bob's reinstate page is drawn during a first suspension; the reseller is reinstated
        # and Alice's suspend page is drawn after that.
        staff = StaffFactory(email="carol@example.com")
        services.reseller_suspend(reseller=reseller, actor=staff, reason="First.")
        pages["reinstate"] = form_data_from_page(browsers[bob], reseller, "reinstate")
        services.reseller_reinstate(reseller=reseller, actor=staff)
        pages["suspend"] = form_data_from_page(browsers[alice], reseller, "suspend")
    if start == ResellerStatus.PENDING:
        actor = {first: alice, second: bob}
    else:
        actor = {"suspend": alice, "reinstate": bob}
    changes_before = StatusChange.objects.filter(reseller=reseller).count()
    mail.outbox.clear()

    requests = {
        action: Request(actor[action], reseller, action, pages[action])
        for action in (first, second)
    }
    race(requests[first], requests[second])

    reseller.refresh_from_db()
    assert reseller.status == end
    assert StatusChange.objects.filter(reseller=reseller).count() == changes_before + 1
    assert len(mail.outbox) == 1
    refused = [action for action, request in requests.items() if "reload the page" in request.page]
    assert len(refused) == 1
    winner = next(action for action in requests if action not in refused)
    assert winner == first or (first, winner) == ("reinstate", "suspend")
    if refused[0] == second:
        verb = {"approve": "approved", "deny": "denied", "suspend": "suspended"}[winner]
        who = actor[winner].email
    else:  # the stale reinstate reached the lock first: the last move it missed is named
        verb, who = "reinstated", "carol@example.com"
    message = f"This reseller was just {verb} by {who}; reload the page."
    assert message in requests[refused[0]].page
