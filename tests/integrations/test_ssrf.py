from __future__ import annotations

import socket

import pytest

from integrations import transport
from integrations.exceptions import WebhookNotAllowed
from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.services import webhook_endpoint_create
from orders.services import order_place
from tests.orders.conftest import order_request

REFUSED = [
    ("https://127.0.0.1/hook", "loopback"),
    ("https://127.9.9.9/hook", "loopback"),
    ("https://[::1]/hook", "loopback"),
    ("https://10.0.0.1/hook", "private"),
    ("https://192.168.1.20/hook", "private"),
    ("https://172.16.0.1/hook", "private"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://169.254.10.1/hook", "link-local"),
    ("https://[fd00:ec2::254]/hook", "metadata"),
    ("https://[::ffff:10.0.0.1]/hook", "private"),
    ("https://100.64.0.1/hook", "reserved"),
    ("https://0.0.0.0/hook", "reserved"),
    ("https://224.0.0.1/hook", "multicast"),
]


def _resolving_to(monkeypatch, address: str) -> None:
    """Patch the resolver at socket.getaddrinfo: every name resolves to `address`."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def fake(host, port, *args, **kwargs):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_internal_addresses_are_refused_when_loopback_is_not_allowed(url, reason):
    with pytest.raises(transport.UnsafeUrl, match=reason):
        transport.resolve(url, allow_loopback=False)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.1", "169.254.169.254"])
def test_a_host_name_resolving_to_an_internal_address_is_refused(monkeypatch, address):
    _resolving_to(monkeypatch, address)
    with pytest.raises(transport.UnsafeUrl, match=f"hooks.example.com resolves to {address}"):
        transport.resolve("https://hooks.example.com/in", allow_loopback=False)


def test_localhost_is_refused_by_what_it_resolves_to():
    with pytest.raises(transport.UnsafeUrl, match="loopback"):
        transport.resolve("https://localhost:8443/hook", allow_loopback=False)


def test_one_internal_address_among_public_ones_is_enough_to_refuse(monkeypatch):
    def fake(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(transport.UnsafeUrl, match="10.1.2.3"):
        transport.resolve("https://mixed.example.com/", allow_loopback=False)


def test_a_public_address_is_accepted_and_pinned(monkeypatch):
    _resolving_to(monkeypatch, "93.184.216.34")
    target = transport.resolve("https://hooks.example.com:8443/in?x=1", allow_loopback=False)
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.com",
        8443,
        "/in?x=1",
        "93.184.216.34",
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.com/", "https://"),
        ("ftp://hooks.example.com/", "https://"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("https:///nohost", "no host"),
    ],
)
def test_malformed_or_plain_http_urls_are_refused_in_production(url, words):
    with pytest.raises(transport.UnsafeUrl, match=words):
        transport.parse_url(url, allow_loopback=False)


def test_loopback_and_plain_http_are_allowed_when_the_setting_says_so():
    target = transport.resolve("http://127.0.0.1:8001/hooks", allow_loopback=True)
    assert target.address == "127.0.0.1"
    # Private networks stay refused even then.
    with pytest.raises(transport.UnsafeUrl, match="private"):
        transport.resolve("http://10.0.0.1/hooks", allow_loopback=True)


@pytest.mark.django_db
def test_saving_an_endpoint_to_an_internal_address_is_refused_with_nothing_saved(
    settings, reseller_with_user
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    reseller, user = reseller_with_user
    with pytest.raises(WebhookNotAllowed, match="metadata") as refused:
        webhook_endpoint_create(
            reseller=reseller,
            url="https://169.254.169.254/latest/meta-data/",
            events=["order.created"],
            actor=user,
        )
    assert refused.value.field == "url"
    assert not reseller.webhook_endpoints.exists()


@pytest.mark.django_db(transaction=True)
def test_the_check_runs_again_at_send_time_dns_rebinding(
    settings, monkeypatch, reseller_with_user, listings
):
    """Saved while the name resolved to a public address; at send time it resolves to the
    metadata service: the request is not made."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    reseller, user = reseller_with_user
    _resolving_to(monkeypatch, "93.184.216.34")
    webhook_endpoint_create(
        reseller=reseller, url="https://rebind.example.com/", events=["order.created"], actor=user
    )
    _resolving_to(monkeypatch, "169.254.169.254")
    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a) or None)

    order_place(reseller=reseller, request=order_request())

    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code is None
    assert "169.254.169.254" in attempt.error and "metadata" in attempt.error
    assert connections == []
    assert WebhookDelivery.objects.get().status == "pending"
