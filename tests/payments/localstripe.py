"""A real local Stripe server (localstripe) for the payments and e2e tests (a pytest plugin
loaded by tests/conftest.py), behind a switchable proxy.

localstripe runs as a subprocess on a free port for the whole session. The Stripe SDK talks to
it through a small TCP proxy that a test can switch off (connections refused, as when Stripe is
unreachable) and on again without losing localstripe's in-memory state.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
import stripe

from orders.services import order_place
from payments import cards
from payments.gateways import stripe_client
from rules.models import Rule
from tests.factories import ListingFactory, ProductFactory
from tests.orders.conftest import order_request

PUBLISHABLE_KEY = "pk_test_localstripe"
SECRET_KEY = "sk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_localstripe"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port}")


class SwitchableProxy:
    """Forwards 127.0.0.1:port to the target port while on; refuses connections while off."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave the
            # port listening until that thread returns.
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.close()
            self._connections.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@pytest.fixture(scope="session")
def localstripe():
    """The localstripe server for the session: its direct URL and the proxy in front of it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=os.environ.get("TMPDIR", "/tmp"),
    )
    try:
        wait_for_port(port)
        proxy = SwitchableProxy(port)
        proxy.start()
        yield {"url": f"http://127.0.0.1:{port}", "proxy": proxy}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def stripe_settings(settings, localstripe):
    """Configure the Stripe gateway against localstripe (through the switchable proxy)."""
    proxy = localstripe["proxy"]
    if proxy._server is None:
        proxy.start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{proxy.port}"
    settings.STRIPE_JS_URL = f"{localstripe['url']}/js.stripe.com/v3/"
    return settings


@pytest.fixture
def stripe_api(stripe_settings) -> stripe.StripeClient:
    """A Stripe client to look at localstripe's side of things (and to play the browser)."""
    return stripe_client()


def add_card(reseller, number: str = "4242424242424242", *, exp_year: int = 2030):
    """Save a card the way the Add card page does, with the SDK playing Stripe.js's part."""
    setup = cards.card_setup_start(reseller=reseller)
    client = stripe_client()
    method = client.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": exp_year, "cvc": "123"},
        }
    )
    client.v1.setup_intents.confirm(setup.setup_intent_id, {"payment_method": method.id})
    return cards.payment_method_save(
        reseller=reseller, setup_intent_id=setup.setup_intent_id, actor=None
    )


def capture_rule(*actions: dict) -> Rule:
    return Rule.objects.create(name="Capture", kind="payment_capture", actions=list(actions))


@pytest.fixture
def catalog(channel):
    return ListingFactory(
        channel=channel, product=ProductFactory(sku="SKU-1"), price=Decimal("12.50")
    )


def place(reseller, reference: str = "PO-1", quantity: int = 2):
    return order_place(
        reseller=reseller, request=order_request(reference, items=(("SKU-1", quantity),))
    )


def intent_of(client: stripe.StripeClient, attempt):
    return client.v1.payment_intents.retrieve(attempt.reference)


def captured_minor_units(client: stripe.StripeClient, intent_id: str) -> int:
    """What the PaymentIntent really took: localstripe records a partial capture's released
    remainder as a refund on the charge."""
    intent = client.v1.payment_intents.retrieve(intent_id)
    if intent.status != "succeeded":
        return 0
    charge = intent.latest_charge
    if isinstance(charge, str):
        charge = client.v1.charges.retrieve(charge)
    return charge.amount - charge.amount_refunded
