from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from resellers.choices import ResellerStatus
from resellers.models import PortalSettings, StatusChange
from tests.factories import ChannelFactory, OrderFactory, ResellerFactory

BACKOFFICE_PAGES = [
    ("backoffice:dashboard", []),
    ("backoffice:reseller_list", []),
    ("backoffice:settings", []),
    ("backoffice:channel_list", []),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), BACKOFFICE_PAGES)
def test_a_reseller_user_gets_403_in_the_back_office(reseller_client, name, args):
    assert reseller_client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), BACKOFFICE_PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_reseller_cannot_post_a_back_office_action(reseller_client, other_reseller_with_user):
    other, _ = other_reseller_with_user
    response = reseller_client.post(
        reverse("backoffice:reseller_suspend", args=[other.pk]), {"suspend-reason": "x"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status == ResellerStatus.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), BACKOFFICE_PAGES)
def test_staff_see_every_back_office_page(staff_client, channel, name, args):
    assert staff_client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.django_db
def test_dashboard_lists_pending_resellers(staff_client, channel):
    ResellerFactory(company_name="Waiting Ltd", status=ResellerStatus.PENDING)
    ResellerFactory(company_name="Done Ltd", status=ResellerStatus.APPROVED, channel=channel)

    page = staff_client.get(reverse("backoffice:dashboard")).content.decode()

    assert "Waiting Ltd" in page
    assert "Done Ltd" not in page


@pytest.mark.django_db
def test_staff_approve_with_a_channel_choice(
    staff_client, staff, channel, django_capture_on_commit_callbacks
):
    wholesale = ChannelFactory(slug="wholesale", name="Wholesale")
    reseller = ResellerFactory(status=ResellerStatus.PENDING)
    detail = staff_client.get(reverse("backoffice:reseller_detail", args=[reseller.pk]))
    # With two active channels the approve form asks which one, offering both.
    approve_url = reverse("backoffice:reseller_approve", args=[reseller.pk])
    approve_form = detail.content.decode().split(f'action="{approve_url}"', 1)[1]
    approve_form = approve_form.split("</form>", 1)[0]
    assert '<select name="channel"' in approve_form
    assert f'<option value="{wholesale.pk}">Wholesale</option>' in approve_form

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("backoffice:reseller_approve", args=[reseller.pk]), {"channel": wholesale.pk}
        )

    assert response.status_code == 302
    reseller.refresh_from_db()
    assert (reseller.status, reseller.channel) == (ResellerStatus.APPROVED, wholesale)
    assert StatusChange.objects.get(reseller=reseller).actor == staff
    assert [m.subject for m in mail.outbox] == ["Your reseller account is approved"]


@pytest.mark.django_db
def test_staff_approve_without_a_choice_is_refused_when_several_channels(staff_client, channel):
    ChannelFactory(slug="wholesale")
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    response = staff_client.post(
        reverse("backoffice:reseller_approve", args=[reseller.pk]), {}, follow=True
    )

    assert "This field is required" in response.content.decode()
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.PENDING


@pytest.mark.django_db
def test_deny_shows_the_reason_to_the_reseller(staff_client, client, channel, django_user_model):
    reseller = ResellerFactory(status=ResellerStatus.PENDING, channel=channel)
    user = django_user_model.objects.create_user(
        email="r@example.com", password="x", reseller=reseller
    )

    staff_client.post(
        reverse("backoffice:reseller_deny", args=[reseller.pk]),
        {"deny-reason": "No resale certificate on file."},
    )

    staff_client.logout()
    client.force_login(user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "No resale certificate on file." in page
    assert "not approved" in page


@pytest.mark.django_db
def test_deny_without_a_reason_is_refused(staff_client, channel):
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    response = staff_client.post(
        reverse("backoffice:reseller_deny", args=[reseller.pk]), {"deny-reason": ""}, follow=True
    )

    assert "This field is required" in response.content.decode()
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.PENDING


@pytest.mark.django_db
def test_suspend_and_reinstate_from_the_reseller_page(staff_client, reseller):
    staff_client.post(
        reverse("backoffice:reseller_suspend", args=[reseller.pk]),
        {"suspend-reason": "Chargebacks"},
    )
    reseller.refresh_from_db()
    assert (reseller.status, reseller.status_reason) == (ResellerStatus.SUSPENDED, "Chargebacks")

    staff_client.post(reverse("backoffice:reseller_reinstate", args=[reseller.pk]), {})
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.APPROVED
    history = staff_client.get(reverse("backoffice:reseller_detail", args=[reseller.pk]))
    assert "Chargebacks" in history.content.decode()


@pytest.mark.django_db
def test_actions_are_post_only(staff_client, reseller):
    assert (
        staff_client.get(reverse("backoffice:reseller_suspend", args=[reseller.pk])).status_code
        == 405
    )


@pytest.mark.django_db
def test_reseller_list_filters_by_status_channel_and_search(staff_client, channel):
    wholesale = ChannelFactory(slug="wholesale", name="Wholesale")
    ResellerFactory(company_name="Alpha Pending", status=ResellerStatus.PENDING)
    ResellerFactory(
        company_name="Beta Wholesale", status=ResellerStatus.APPROVED, channel=wholesale
    )
    ResellerFactory(
        company_name="Gamma",
        contact_name="Zed Findme",
        status=ResellerStatus.APPROVED,
        channel=channel,
    )
    url = reverse("backoffice:reseller_list")

    def names(query):
        page = staff_client.get(url, query).content.decode()
        return {n for n in ["Alpha Pending", "Beta Wholesale", "Gamma"] if n in page}

    assert names({"status": "pending"}) == {"Alpha Pending"}
    assert names({"channel": wholesale.pk}) == {"Beta Wholesale"}
    assert names({"q": "findme"}) == {"Gamma"}
    assert names({"ordering": "-company"}) == {"Alpha Pending", "Beta Wholesale", "Gamma"}


@pytest.mark.django_db
def test_reseller_list_paginates(staff_client, channel):
    ResellerFactory.create_batch(30, status=ResellerStatus.PENDING)
    page = staff_client.get(reverse("backoffice:reseller_list")).content.decode()
    assert "Page 1 of 2" in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 40])
def test_reseller_list_query_count_does_not_grow_with_resellers(
    staff_client, channel, django_assert_max_num_queries, count
):
    ResellerFactory.create_batch(count, status=ResellerStatus.APPROVED, channel=channel)
    # session + user + count + page + channel choices for the filter form, and for the bulk
    # form: its channel choices and whether a single active channel makes the choice optional
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("backoffice:reseller_list"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_settings_page_switches_auto_approve(staff_client):
    staff_client.post(reverse("backoffice:settings"), {"auto_approve_resellers": "on"})
    assert PortalSettings.load().auto_approve_resellers is True
    staff_client.post(reverse("backoffice:settings"), {})
    assert PortalSettings.load().auto_approve_resellers is False


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_dashboard_query_count_does_not_grow_with_pending_resellers(
    staff_client, channel, django_assert_max_num_queries, count
):
    ResellerFactory.create_batch(count, status=ResellerStatus.PENDING)
    PortalSettings.load()  # the settings row exists after the first visit
    # 8: session + user + status counts + portal settings + the queues (one aggregate over
    # orders, one over resellers) + pending page + the payments-needing-attention rows
    # (payments/_needing_attention.html)
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200
    assert f'<span class="count">{count}</span>' in response.content.decode()


@pytest.mark.django_db
def test_approving_a_suspended_reseller_is_refused_and_sends_no_email(
    staff_client, reseller, django_capture_on_commit_callbacks
):
    reseller.status = ResellerStatus.SUSPENDED
    reseller.save(update_fields=["status"])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("backoffice:reseller_approve", args=[reseller.pk]),
            {"channel": reseller.channel_id},
            follow=True,
        )

    assert "cannot become approved this way" in response.content.decode()
    reseller.refresh_from_db()
    assert reseller.status == ResellerStatus.SUSPENDED
    assert not StatusChange.objects.filter(reseller=reseller).exists()
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "approve", "reinstate"),
    [
        (ResellerStatus.PENDING, True, False),
        (ResellerStatus.DENIED, True, False),
        (ResellerStatus.SUSPENDED, False, True),
        (ResellerStatus.APPROVED, False, False),
        (ResellerStatus.ACTIVE, False, False),
    ],
)
def test_the_reseller_page_offers_approve_or_reinstate_by_status(
    staff_client, channel, status, approve, reinstate
):
    reseller = ResellerFactory(status=status, channel=channel)

    response = staff_client.get(reverse("backoffice:reseller_detail", args=[reseller.pk]))

    page = response.content.decode()
    assert (response.context["can_approve"], response.context["can_reinstate"]) == (
        approve,
        reinstate,
    )
    assert (">Approve</button>" in page, ">Reinstate</button>" in page) == (approve, reinstate)


@pytest.mark.django_db
def test_the_reseller_list_counts_each_resellers_orders(staff_client, channel):
    busy = ResellerFactory(company_name="Busy", status=ResellerStatus.ACTIVE, channel=channel)
    ResellerFactory(company_name="Quiet", status=ResellerStatus.APPROVED, channel=channel)
    OrderFactory.create_batch(3, reseller=busy)

    response = staff_client.get(reverse("backoffice:reseller_list"))

    counts = {row.company_name: row.order_count for row in response.context["object_list"]}
    assert counts == {"Busy": 3, "Quiet": 0}


@pytest.mark.django_db
def test_the_reseller_list_says_when_there_are_no_resellers_yet(staff_client):
    page = staff_client.get(reverse("backoffice:reseller_list")).content.decode()

    assert "No resellers yet." in page
    assert "match these filters" not in page


@pytest.mark.django_db
def test_the_reseller_list_says_when_filters_match_nothing(staff_client, channel):
    ResellerFactory(company_name="Alpha", status=ResellerStatus.PENDING)

    page = staff_client.get(reverse("backoffice:reseller_list"), {"q": "zzz"}).content.decode()

    assert "No resellers match these filters." in page
    assert "No resellers yet." not in page


@pytest.mark.django_db
def test_changing_the_settings_logs_who_did_it(staff_client, staff, caplog):
    with caplog.at_level("INFO", logger="resellers.services"):
        staff_client.post(reverse("backoffice:settings"), {"auto_approve_resellers": "on"})

    assert PortalSettings.objects.get().auto_approve_resellers is True
    assert f"auto-approve resellers turned on by {staff.email}" in caplog.text


@pytest.mark.django_db
def test_with_one_active_channel_approve_needs_no_choice(staff_client, channel):
    ChannelFactory(slug="retired", is_active=False)
    reseller = ResellerFactory(status=ResellerStatus.PENDING)

    detail = staff_client.get(reverse("backoffice:reseller_detail", args=[reseller.pk]))
    response = staff_client.post(reverse("backoffice:reseller_approve", args=[reseller.pk]), {})

    assert "Will be assigned to the only active channel" in detail.content.decode()
    assert '<select name="channel"' not in detail.content.decode()
    assert response.status_code == 302
    reseller.refresh_from_db()
    assert (reseller.status, reseller.channel) == (ResellerStatus.APPROVED, channel)


def _profile_post(reseller, **changes) -> dict:
    from resellers.forms import ResellerProfileForm

    form = ResellerProfileForm(instance=reseller)
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_staff_edit_a_resellers_profile(staff_client, reseller):
    url = reverse("backoffice:reseller_edit", args=[reseller.pk])

    response = staff_client.post(
        url, _profile_post(reseller, city="Springfield", country=" ca ", tags="eu, vip")
    )

    assert response.status_code == 302
    reseller.refresh_from_db()
    assert (reseller.city, reseller.country, reseller.tags) == ("Springfield", "CA", ["eu", "vip"])


@pytest.mark.django_db
def test_the_profile_form_refuses_a_country_that_is_not_two_letters(staff_client, reseller):
    url = reverse("backoffice:reseller_edit", args=[reseller.pk])

    response = staff_client.post(url, _profile_post(reseller, country="U1"))

    assert response.status_code == 200
    assert "Enter a two-letter country code such as US." in response.content.decode()
    reseller.refresh_from_db()
    assert reseller.country == "US"
