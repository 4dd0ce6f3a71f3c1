"""The two payment gateways behind one interface: `offline` and `stripe`.

A gateway only talks to the payment provider and says what happened; payments.services decides
what that means for the order. Gateways are called from tasks, after the attempt row is
committed, never inside a transaction. Every call that creates or changes something at Stripe
carries an idempotency key derived from the row that asked for it, so a retried task or a
redelivered one never charges twice. Money crosses this boundary in integer minor units.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol

import stripe
from django.conf import settings

from .choices import GatewayName
from .models import PaymentAttempt

DECLINED_MESSAGE = "Your card was declined."


class GatewayError(Exception):
    """The gateway refused: a person has to do something (another card, another amount)."""

    def __init__(self, message: str, code: str = "") -> None:
        self.message = message
        self.code = code
        super().__init__(message)


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed on its side: try the same call again later."""


@dataclass(frozen=True)
class GatewayResult:
    # The gateway's id of what moved money (a PaymentIntent, a refund) or an offline reference.
    reference: str
    note: str = ""


@dataclass(frozen=True)
class Card:
    gateway_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Payer:
    """Whom to charge: the gateway's customer and card (empty for the offline gateway)."""

    customer_id: str = ""
    payment_method_id: str = ""


class Gateway(Protocol):
    name: str

    def authorize(self, *, attempt: PaymentAttempt, payer: Payer) -> GatewayResult: ...

    def charge(self, *, attempt: PaymentAttempt, payer: Payer) -> GatewayResult: ...

    def capture(
        self, *, attempt: PaymentAttempt, authorization: str, payer: Payer
    ) -> GatewayResult: ...

    def void(self, *, attempt: PaymentAttempt, authorization: str) -> GatewayResult: ...

    def refund(self, *, attempt: PaymentAttempt, payment: str) -> GatewayResult: ...


def minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class OfflineGateway:
    """No money moves here: invoices on terms and bank transfers. Each step gets a reference."""

    name = GatewayName.OFFLINE
    NOTE = "offline, no gateway"

    def _result(self) -> GatewayResult:
        return GatewayResult(reference=f"OFFLINE-{secrets.token_hex(5).upper()}", note=self.NOTE)

    def authorize(self, *, attempt: PaymentAttempt, payer: Payer) -> GatewayResult:
        return self._result()

    def charge(self, *, attempt: PaymentAttempt, payer: Payer) -> GatewayResult:
        return self._result()

    def capture(
        self, *, attempt: PaymentAttempt, authorization: str, payer: Payer
    ) -> GatewayResult:
        return self._result()

    def void(self, *, attempt: PaymentAttempt, authorization: str) -> GatewayResult:
        return self._result()

    def refund(self, *, attempt: PaymentAttempt, payment: str) -> GatewayResult:
        return self._result()


@cache
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    # Retries are the task's job (with backoff, after the worker may have died), not the SDK's.
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=0,
        http_client=stripe.new_default_http_client(timeout=20),
    )


def stripe_client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _translate(error: stripe.StripeError) -> Exception:
    if isinstance(error, stripe.CardError):
        return GatewayError(error.user_message or DECLINED_MESSAGE, error.code or "card_declined")
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or (
        error.http_status is not None and error.http_status >= 500
    ):
        return GatewayUnavailable(str(error))
    if isinstance(error, stripe.APIError) and error.http_status is None:
        return GatewayUnavailable(str(error))
    return GatewayError(error.user_message or str(error), error.code or "gateway_error")


def _call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except stripe.StripeError as error:
        raise _translate(error) from error


def _charge_id(payment_intent) -> str:
    charge = payment_intent.latest_charge
    return charge if isinstance(charge, str) or charge is None else charge.id


class StripeGateway:
    name = GatewayName.STRIPE

    def __init__(self, client: stripe.StripeClient | None = None) -> None:
        self.client = client or stripe_client()

    def _payment_intent(
        self, *, attempt: PaymentAttempt, payer: Payer, capture_method: str, key: str
    ) -> GatewayResult:
        if not payer.payment_method_id:
            raise GatewayError("There is no card on file to charge.", "no_payment_method")
        intent = _call(
            self.client.v1.payment_intents.create,
            {
                "amount": attempt.minor_units,
                "currency": attempt.currency.lower(),
                "customer": payer.customer_id,
                "payment_method": payer.payment_method_id,
                "capture_method": capture_method,
                "confirm": True,
                "off_session": True,
                "metadata": {"attempt": str(attempt.pk), "order": attempt.order.number},
            },
            options={"idempotency_key": key},
        )
        expected = "requires_capture" if capture_method == "manual" else "succeeded"
        if intent.status == "requires_action":
            raise GatewayError(
                "Your bank asks you to confirm this payment; add the card again to confirm it.",
                "authentication_required",
            )
        if intent.status not in (expected, "processing"):
            error = getattr(intent, "last_payment_error", None)
            raise GatewayError(
                getattr(error, "message", None) or DECLINED_MESSAGE,
                getattr(error, "code", None) or "card_declined",
            )
        return GatewayResult(reference=intent.id)

    def authorize(self, *, attempt: PaymentAttempt, payer: Payer) -> GatewayResult:
        return self._payment_intent(
            attempt=attempt,
            payer=payer,
            capture_method="manual",
            key=str(attempt.idempotency_key),
        )

    def charge(self, *, attempt: PaymentAttempt, payer: Payer) -> GatewayResult:
        return self._payment_intent(
            attempt=attempt,
            payer=payer,
            capture_method="automatic",
            key=str(attempt.idempotency_key),
        )

    def capture(
        self, *, attempt: PaymentAttempt, authorization: str, payer: Payer
    ) -> GatewayResult:
        intent = _call(self.client.v1.payment_intents.retrieve, authorization)
        if intent.status == "succeeded":
            # Captured already: our first try got through but its answer was lost (a timeout,
            # a killed worker). Nothing to do twice.
            return GatewayResult(reference=intent.id, note="already captured at the gateway")
        if intent.status == "canceled":
            # Stripe lets an uncaptured authorization lapse after about seven days: charge the
            # card again for the amount due instead.
            result = self._payment_intent(
                attempt=attempt,
                payer=payer,
                capture_method="automatic",
                key=f"{attempt.idempotency_key}:reauthorized",
            )
            return GatewayResult(
                reference=result.reference,
                note="the authorization had expired, so the card was charged again",
            )
        intent = _call(
            self.client.v1.payment_intents.capture,
            authorization,
            {"amount_to_capture": attempt.minor_units},
            options={"idempotency_key": str(attempt.idempotency_key)},
        )
        return GatewayResult(reference=intent.id)

    def void(self, *, attempt: PaymentAttempt, authorization: str) -> GatewayResult:
        intent = _call(self.client.v1.payment_intents.retrieve, authorization)
        if intent.status == "canceled":
            return GatewayResult(reference=intent.id, note="already released at the gateway")
        intent = _call(
            self.client.v1.payment_intents.cancel,
            authorization,
            options={"idempotency_key": str(attempt.idempotency_key)},
        )
        return GatewayResult(reference=intent.id)

    def refund(self, *, attempt: PaymentAttempt, payment: str) -> GatewayResult:
        # A retry after a lost answer finds the refund it already made (by the attempt id in
        # its metadata), on top of the idempotency key Stripe honours for 24 hours.
        existing = _call(self.client.v1.refunds.list, {"payment_intent": payment, "limit": 100})
        for refund in existing.data:
            if (refund.metadata or {}).get("attempt") == str(attempt.pk):
                return GatewayResult(reference=refund.id, note="already refunded at the gateway")
        refund = _call(
            self.client.v1.refunds.create,
            {
                "payment_intent": payment,
                "amount": attempt.minor_units,
                "metadata": {"attempt": str(attempt.pk), "order": attempt.order.number},
            },
            options={"idempotency_key": str(attempt.idempotency_key)},
        )
        return GatewayResult(reference=refund.id)

    # Cards on file -------------------------------------------------------------------------

    def create_customer(self, *, reseller_id: int, name: str, email: str) -> str:
        customer = _call(
            self.client.v1.customers.create,
            {"name": name, "email": email, "metadata": {"reseller": str(reseller_id)}},
            # One reseller, one customer, even when two tabs ask at once.
            options={"idempotency_key": f"reseller-{reseller_id}-customer"},
        )
        return customer.id

    def create_setup_intent(self, *, customer_id: str, key: str) -> tuple[str, str]:
        intent = _call(
            self.client.v1.setup_intents.create,
            {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]},
            options={"idempotency_key": key},
        )
        return intent.id, intent.client_secret

    def confirmed_card(self, *, setup_intent_id: str, customer_id: str) -> Card:
        """The card a SetupIntent of this customer confirmed, attached to the customer.

        The id comes from the browser, so it is checked here: the intent must be this
        customer's and succeeded. Stripe attaches the card on confirmation; localstripe does
        not, so it is attached explicitly (a no-op at Stripe when it already is).
        """
        intent = _call(self.client.v1.setup_intents.retrieve, setup_intent_id)
        if intent.customer != customer_id:
            raise GatewayError("That card setup belongs to someone else.", "wrong_customer")
        if intent.status != "succeeded" or not intent.payment_method:
            raise GatewayError("The card was not confirmed; try adding it again.", "not_confirmed")
        method_id = (
            intent.payment_method
            if isinstance(intent.payment_method, str)
            else intent.payment_method.id
        )
        method = _call(self.client.v1.payment_methods.retrieve, method_id)
        if method.customer != customer_id:
            method = _call(
                self.client.v1.payment_methods.attach,
                method_id,
                {"customer": customer_id},
                options={"idempotency_key": f"{setup_intent_id}-attach"},
            )
        card = method.card
        return Card(
            gateway_id=method.id,
            brand=card.brand,
            last4=card.last4,
            exp_month=int(card.exp_month),
            exp_year=int(card.exp_year),
        )

    def detach(self, *, payment_method_id: str) -> None:
        try:
            self.client.v1.payment_methods.detach(payment_method_id)
        except stripe.InvalidRequestError:
            # Already detached or gone at Stripe: our copy goes either way.
            pass
        except stripe.StripeError as error:
            raise _translate(error) from error


def configured_gateway_name() -> str:
    """`stripe` when a Stripe key is configured, `offline` (payment by invoice) otherwise."""
    return GatewayName.STRIPE if settings.STRIPE_SECRET_KEY else GatewayName.OFFLINE


def gateway_for(name: str) -> Gateway:
    if name == GatewayName.STRIPE:
        return StripeGateway()
    return OfflineGateway()
