from __future__ import annotations

import re

import pytest
from django.test import Client
from standardwebhooks.webhooks import Webhook

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from orders.services import order_place
from resellers.choices import ResellerStatus
from resellers.models import Reseller
from tests.orders.conftest import order_request

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{32}")


def _add(client, url, events=("order.created",)):
    return client.post("/portal/settings/webhooks/new/", {"url": url, "events": list(events)})


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.mark.django_db
def test_settings_has_a_webhooks_section_with_the_add_endpoint_form(reseller_client):
    page = reseller_client.get("/portal/settings/").content.decode()

    assert ">Webhooks</h2>" in page
    assert '<label for="id_url">URL</label>' in page
    for event in (
        "order.created",
        "order.updated",
        "shipment.created",
        "payment.captured",
        "payment.failed",
    ):
        assert f'value="{event}"' in page
    assert ">Add endpoint</button>" in page


@pytest.mark.django_db
def test_adding_an_endpoint_shows_its_secret_once(reseller_client, reseller, receiver):
    response = _add(reseller_client, receiver.url, ["order.created", "order.updated"])

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    shown = SECRET.findall(response.content.decode())
    endpoint = WebhookEndpoint.objects.get(reseller=reseller)
    assert shown == [endpoint.secret]
    assert endpoint.events == ["order.created", "order.updated"]
    again = reseller_client.get(f"/portal/settings/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in again
    assert endpoint.secret not in reseller_client.get("/portal/settings/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"url": "https://10.0.0.1/hooks", "events": ["order.created"]}, "private network"),
        ({"url": "http://127.0.0.1:9/hooks"}, "Choose at least one event"),
        ({"url": "ftp://example.com/", "events": ["order.created"]}, "https://"),
    ],
)
def test_a_bad_endpoint_is_refused_with_a_clear_error_and_nothing_saved(
    reseller_client, reseller, data, words
):
    response = reseller_client.post("/portal/settings/webhooks/new/", data)

    assert response.status_code == 422
    assert words in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_plain_http_is_refused_when_loopback_is_not_allowed(reseller_client, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    response = _add(reseller_client, "http://127.0.0.1:9/hooks")
    assert response.status_code == 422
    assert "must start with https://" in response.content.decode()


@pytest.mark.django_db
def test_a_pending_reseller_cannot_add_an_endpoint(reseller_client, reseller, receiver):
    Reseller.objects.filter(pk=reseller.pk).update(status=ResellerStatus.PENDING)
    assert (
        "once your account is approved" in reseller_client.get("/portal/settings/").content.decode()
    )
    assert _add(reseller_client, receiver.url).status_code == 422
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rotate_disable_enable_test_and_resend(reseller_client, reseller, receiver):
    _add(reseller_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    base = f"/portal/settings/webhooks/{endpoint.pk}"

    rotated = reseller_client.post(f"{base}/rotate/").content.decode()
    endpoint.refresh_from_db()
    assert SECRET.findall(rotated) == [endpoint.secret]

    reseller_client.post(f"{base}/test/")
    test_event = receiver.requests[-1]
    assert test_event.json["type"] == "webhook.test"
    Webhook(endpoint.secret).verify(test_event.body, test_event.headers)

    reseller_client.post(f"{base}/disable/")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert (
        "enable it to send a test event"
        in reseller_client.post(f"{base}/test/", follow=True).content.decode()
    )
    reseller_client.post(f"{base}/enable/")
    endpoint.refresh_from_db()
    assert endpoint.is_active

    delivery = WebhookDelivery.objects.get()
    page = reseller_client.get(f"{base}/").content.decode()
    assert "webhook.test" in page and "200" in page and ">Resend</button>" in page
    reseller_client.post(f"{base}/deliveries/{delivery.pk}/resend/")
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


@pytest.mark.django_db
def test_delete_removes_the_endpoint(reseller_client, receiver):
    _add(reseller_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    response = reseller_client.post(f"/portal/settings/webhooks/{endpoint.pk}/delete/")
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", "/"),
        ("post", "/rotate/"),
        ("post", "/disable/"),
        ("post", "/enable/"),
        ("post", "/delete/"),
        ("post", "/test/"),
    ],
)
def test_another_resellers_endpoint_is_404_and_untouched(
    reseller_client, other_reseller_with_user, receiver, method, suffix
):
    other, other_user = other_reseller_with_user
    other_client = Client()
    other_client.force_login(other_user)
    _add(other_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    secret = endpoint.secret

    response = getattr(reseller_client, method)(f"/portal/settings/webhooks/{endpoint.pk}{suffix}")

    assert response.status_code == 404
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.is_active) == (secret, True)
    assert endpoint.url not in reseller_client.get("/portal/settings/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_another_resellers_delivery_cannot_be_resent(
    reseller_client, reseller_with_user, other_reseller_with_user, listings, receiver
):
    reseller, user = reseller_with_user
    other, other_user = other_reseller_with_user
    other_client = Client()
    other_client.force_login(other_user)
    _add(reseller_client, receiver.url)
    _add(other_client, receiver.url)
    mine, theirs = WebhookEndpoint.objects.order_by("pk")
    order_place(reseller=other, request=order_request())
    delivery = WebhookDelivery.objects.get(endpoint=theirs)

    response = reseller_client.post(
        f"/portal/settings/webhooks/{mine.pk}/deliveries/{delivery.pk}/resend/"
    )

    assert response.status_code == 404
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 20])
def test_the_delivery_log_query_count_does_not_grow(
    reseller_client, reseller, django_assert_max_num_queries, size
):
    from django.utils import timezone

    from integrations.models import WebhookEvent

    endpoint = WebhookEndpoint.objects.create(
        reseller=reseller, url="https://hooks.example.com/", events=["order.created"], secret="x"
    )
    for n in range(size):
        event = WebhookEvent.objects.create(reseller=reseller, type="order.created", payload={})
        delivery = WebhookDelivery.objects.create(
            event=event, endpoint=endpoint, next_attempt_at=timezone.now(), status="succeeded"
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            number=1,
            attempted_at=timezone.now(),
            response_code=200,
            duration_ms=n,
            succeeded=True,
        )
    with django_assert_max_num_queries(8):
        page = reseller_client.get(f"/portal/settings/webhooks/{endpoint.pk}/")
    assert page.content.decode().count(">Resend</button>") == size
    with django_assert_max_num_queries(10):
        reseller_client.get("/portal/settings/")


@pytest.mark.django_db
def test_staff_see_feed_status_and_endpoints_and_can_disable_one(staff_client, reseller):
    endpoint = WebhookEndpoint.objects.create(
        reseller=reseller,
        url="https://hooks.example.com/in",
        events=["order.created"],
        secret="whsec_x",
        failure_count=3,
    )
    page = staff_client.get(f"/backoffice/resellers/{reseller.pk}/").content.decode()
    assert "Integrations" in page
    assert "https://hooks.example.com/in" in page
    assert "no feed URL" in page

    response = staff_client.post(f"/backoffice/webhooks/{endpoint.pk}/disable/")

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason) == (False, "staff")


@pytest.mark.django_db
def test_only_staff_may_disable_from_the_back_office(reseller_client, reseller):
    endpoint = WebhookEndpoint.objects.create(
        reseller=reseller, url="https://hooks.example.com/", events=["order.created"], secret="x"
    )
    assert reseller_client.post(f"/backoffice/webhooks/{endpoint.pk}/disable/").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.is_active


@pytest.mark.django_db
def test_the_admin_shows_endpoints_without_their_secret(admin_client, reseller):
    endpoint = WebhookEndpoint.objects.create(
        reseller=reseller,
        url="https://hooks.example.com/",
        events=["order.created"],
        secret="whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
    )
    listing = admin_client.get("/admin/integrations/webhookendpoint/")
    page = admin_client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert (
        admin_client.post(
            f"/admin/integrations/webhookendpoint/{endpoint.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
