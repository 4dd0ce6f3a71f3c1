"""Cards on file and the reseller's payment settings.

Adding a card: the page asks for a SetupIntent (`card_setup_start`), Stripe.js confirms the
card in the browser (the number never reaches us), and the page posts the SetupIntent id back;
`payment_method_save` checks it at Stripe (it must be this reseller's and succeeded), attaches
the card to the reseller's Customer and keeps brand, last 4 and expiry for the card list. Each
gateway call happens before the database transaction that records its result.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from accounts.models import User
from resellers.models import Reseller

from .exceptions import CardNotSaved, PaymentNotAllowed
from .gateways import GatewayError, GatewayUnavailable, StripeGateway, configured_gateway_name
from .models import PaymentMethod, PaymentProfile
from .services import payments_resume_for_reseller

UNAVAILABLE = "The payment provider could not be reached. Try again in a minute."


@dataclass(frozen=True)
class CardSetup:
    client_secret: str
    setup_intent_id: str


def _stripe_only() -> StripeGateway:
    if configured_gateway_name() != "stripe":
        raise PaymentNotAllowed("Payment is by invoice here; there is no card to add.")
    return StripeGateway()


def stripe_customer_id(*, reseller: Reseller, gateway: StripeGateway) -> str:
    """The reseller's Stripe Customer, created the first time it is needed."""
    profile, _ = PaymentProfile.objects.get_or_create(reseller=reseller)
    if profile.stripe_customer_id:
        return profile.stripe_customer_id
    customer_id = gateway.create_customer(
        reseller_id=reseller.pk, name=reseller.company_name, email=reseller.email
    )
    # Two tabs may both get here: the gateway call's idempotency key gives both the same
    # customer, and only the first write fills the empty column.
    PaymentProfile.objects.filter(pk=profile.pk, stripe_customer_id="").update(
        stripe_customer_id=customer_id
    )
    profile.refresh_from_db(fields=["stripe_customer_id"])
    return profile.stripe_customer_id


def card_setup_start(*, reseller: Reseller) -> CardSetup:
    gateway = _stripe_only()
    try:
        customer_id = stripe_customer_id(reseller=reseller, gateway=gateway)
        intent_id, secret = gateway.create_setup_intent(
            customer_id=customer_id, key=f"reseller-{reseller.pk}-setup-{uuid.uuid4()}"
        )
    except GatewayUnavailable as error:
        raise CardNotSaved(UNAVAILABLE) from error
    except GatewayError as error:
        raise CardNotSaved(error.message) from error
    return CardSetup(client_secret=secret, setup_intent_id=intent_id)


def payment_method_save(*, reseller: Reseller, setup_intent_id: str, actor: User | None):
    """Keep the card a confirmed SetupIntent saved; it becomes the default. Then retry the
    reseller's orders that were waiting for a card."""
    gateway = _stripe_only()
    setup_intent_id = (setup_intent_id or "").strip()
    if not setup_intent_id.startswith("seti_"):
        raise CardNotSaved("The card was not confirmed; try adding it again.")
    try:
        customer_id = stripe_customer_id(reseller=reseller, gateway=gateway)
        card = gateway.confirmed_card(setup_intent_id=setup_intent_id, customer_id=customer_id)
    except GatewayUnavailable as error:
        raise CardNotSaved(UNAVAILABLE) from error
    except GatewayError as error:
        raise CardNotSaved(error.message) from error
    method = _record_card(reseller=reseller, card=card)
    payments_resume_for_reseller(reseller=reseller, actor=actor)
    return method


@transaction.atomic
def _record_card(*, reseller: Reseller, card) -> PaymentMethod:
    # Lock the reseller's cards: two saves at once must still leave exactly one default.
    list(PaymentMethod.objects.select_for_update().filter(reseller=reseller))
    PaymentMethod.objects.filter(reseller=reseller, is_default=True).update(is_default=False)
    try:
        with transaction.atomic():
            method, _ = PaymentMethod.objects.update_or_create(
                reseller=reseller,
                gateway_id=card.gateway_id,
                defaults={
                    "brand": card.brand,
                    "last4": card.last4,
                    "exp_month": card.exp_month,
                    "exp_year": card.exp_year,
                    "is_default": True,
                },
            )
    except IntegrityError as error:
        raise CardNotSaved("That card was saved at the same moment; reload the page.") from error
    return method


@transaction.atomic
def payment_method_make_default(*, reseller: Reseller, method_id: int) -> PaymentMethod:
    methods = PaymentMethod.objects.select_for_update().filter(reseller=reseller)
    method = methods.get(pk=method_id)  # DoesNotExist for another reseller's card: a 404
    methods.filter(is_default=True).exclude(pk=method.pk).update(is_default=False)
    if not method.is_default:
        method.is_default = True
        method.save(update_fields=["is_default"])
    return method


def payment_method_remove(*, reseller: Reseller, method_id: int) -> None:
    method = PaymentMethod.objects.get(reseller=reseller, pk=method_id)
    if configured_gateway_name() == "stripe":
        try:
            StripeGateway().detach(payment_method_id=method.gateway_id)
        except (GatewayUnavailable, GatewayError) as error:
            raise CardNotSaved(UNAVAILABLE) from error
    with transaction.atomic():
        was_default = method.is_default
        method.delete()
        if was_default:
            # The newest remaining card takes over, so card modes keep working.
            successor = PaymentMethod.objects.filter(reseller=reseller).order_by("-id").first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])


@transaction.atomic
def payment_profile_update(
    *, reseller: Reseller, auto_authorize_limit: Decimal | None
) -> PaymentProfile:
    if auto_authorize_limit is not None and auto_authorize_limit < 0:
        raise PaymentNotAllowed("The amount cannot be negative.", "auto_authorize_limit")
    profile, _ = PaymentProfile.objects.select_for_update().get_or_create(reseller=reseller)
    profile.auto_authorize_limit = auto_authorize_limit
    profile.save(update_fields=["auto_authorize_limit", "updated_at"])
    return profile
