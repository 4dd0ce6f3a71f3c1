"""The reseller's side: cards on file, payment settings, authorizing and retrying payments."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.access import portal_view
from core.money import format_money
from orders.selectors import order_list
from resellers.models import Reseller

from .. import cards, services
from ..exceptions import CardNotSaved, PaymentError
from ..models import PaymentMethod

SETTINGS_ANCHOR = "#payment-methods-heading"


def _settings_url() -> str:
    return reverse("portal:settings") + SETTINGS_ANCHOR


def card_page_csp_update() -> dict[str, list[str]]:
    """What the one page that loads Stripe.js adds to the site-wide CSP (django-csp's per-view
    update): exactly Stripe.js's origin, and for Stripe's own script the frames and API it
    uses. Every other page keeps the strict policy from settings."""
    js_origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.STRIPE_JS_URL))
    update = {"script-src": [js_origin], "connect-src": [js_origin], "frame-src": [js_origin]}
    if js_origin == "https://js.stripe.com":
        update["frame-src"].append("https://hooks.stripe.com")
        update["connect-src"].append("https://api.stripe.com")
    return update


@never_cache
@portal_view
@require_http_methods(["GET", "POST"])
def payment_method_add(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    if not reseller.may_order:
        messages.error(request, "You can add a card once your account is approved.")
        return redirect(_settings_url())
    if request.method == "POST":
        try:
            method = cards.payment_method_save(
                reseller=reseller,
                setup_intent_id=request.POST.get("setup_intent", ""),
                actor=request.user,
            )
        except CardNotSaved as error:
            messages.error(request, error.message)
            return redirect("portal:payment_method_add")
        messages.success(request, f"{method} saved as your default card.")
        return redirect(_settings_url())
    try:
        setup = cards.card_setup_start(reseller=reseller)
    except PaymentError as error:
        messages.error(request, error.message)
        return redirect(_settings_url())
    response = render(
        request,
        "portal/payment_method_add.html",
        {
            "reseller": reseller,
            "setup": setup,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
        },
    )
    response._csp_update = card_page_csp_update()
    return response


def _own_method(reseller: Reseller, pk: int) -> PaymentMethod:
    return get_object_or_404(PaymentMethod.objects.filter(reseller=reseller), pk=pk)


@portal_view
@require_POST
def payment_method_make_default(request: HttpRequest, pk: int, *, reseller: Reseller):
    method = _own_method(reseller, pk)
    cards.payment_method_make_default(reseller=reseller, method_id=method.pk)
    messages.success(request, f"{method} is now your default card.")
    return redirect(_settings_url())


@portal_view
@require_POST
def payment_method_remove(request: HttpRequest, pk: int, *, reseller: Reseller):
    method = _own_method(reseller, pk)
    try:
        cards.payment_method_remove(reseller=reseller, method_id=method.pk)
    except CardNotSaved as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{method} removed.")
    return redirect(_settings_url())


@portal_view
@require_POST
def payment_settings_update(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    raw = request.POST.get("auto_authorize_limit", "").strip()
    try:
        limit = Decimal(raw) if raw else None
        if limit is not None and (
            not limit.is_finite() or limit != limit.quantize(Decimal("0.01"))
        ):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        messages.error(
            request, "Auto-authorize up to: enter an amount such as 250.00, or leave it empty."
        )
        return redirect(_settings_url())
    try:
        cards.payment_profile_update(reseller=reseller, auto_authorize_limit=limit)
    except PaymentError as error:
        messages.error(request, f"Auto-authorize up to: {error.message}")
    else:
        messages.success(
            request,
            "Orders needing your authorization are now authorized automatically up to "
            f"{format_money(limit)}."
            if limit is not None
            else "Automatic authorization is off.",
        )
    return redirect(_settings_url())


def _order_action(action, success: str):
    @portal_view
    @require_POST
    def view(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
        order = get_object_or_404(order_list(reseller=reseller), pk=pk)
        if not reseller.may_order:
            raise Http404("No such order action.")
        try:
            action(order=order, actor=request.user)
        except PaymentError as error:
            messages.error(request, error.message)
        else:
            order.refresh_from_db()
            messages.success(
                request, success.format(order=order, status=order.get_payment_status_display())
            )
        return redirect(order.get_portal_url())

    return view


order_authorize_payment = _order_action(
    services.payment_authorize, "Payment for order {order} authorized: {status}."
)
order_payment_retry = _order_action(
    services.payment_retry, "Payment for order {order} tried again: {status}."
)
