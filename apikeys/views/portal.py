from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.access import portal_view
from resellers.models import Reseller

from .. import services
from ..choices import GracePeriod
from ..exceptions import ApiKeyError
from ..forms import ApiKeyCreateForm, ApiKeyRotateForm
from ..models import ApiKey
from ..selectors import apikey_get, apikey_list


def _render_settings(
    request: HttpRequest,
    reseller: Reseller,
    *,
    create_form: ApiKeyCreateForm | None = None,
    new_key: ApiKey | None = None,
    new_key_plaintext: str = "",
    replaced_key: ApiKey | None = None,
) -> HttpResponse:
    return render(
        request,
        "portal/settings.html",
        {
            "reseller": reseller,
            "api_keys": apikey_list(reseller=reseller),
            "create_form": create_form or ApiKeyCreateForm(),
            "grace_choices": GracePeriod.choices,
            "default_grace": ApiKeyRotateForm.base_fields["grace_period"].initial,
            "new_key": new_key,
            "new_key_plaintext": new_key_plaintext,
            "replaced_key": replaced_key,
        },
    )


# The session key under which a just-created key waits for the redirected GET that shows it.
NEW_KEY_SESSION_KEY = "apikeys:new_key"


def _show_once(request: HttpRequest, api_key: ApiKey, plaintext: str) -> HttpResponse:
    """Park the new key in the session and redirect (post/redirect/get).

    Reloading the page that follows repeats only the GET, so no second key is created. The GET
    pops the key from the session, so it is shown exactly once; the session lives in the
    database (server side) and loses the plaintext on that GET.
    """
    request.session[NEW_KEY_SESSION_KEY] = {"id": api_key.pk, "plaintext": plaintext}
    return redirect("portal:settings")


def _own_key(reseller: Reseller, pk: int) -> ApiKey:
    try:
        return apikey_get(reseller=reseller, pk=pk)
    except ApiKey.DoesNotExist as error:
        raise Http404("No such API key.") from error


# Every page here may carry a freshly created key, so none of them may be cached anywhere.
@never_cache
@portal_view
@require_GET
def settings_page(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    shown = request.session.pop(NEW_KEY_SESSION_KEY, None)
    if shown:
        new_key = (
            apikey_list(reseller=reseller)
            .select_related("rotated_from")
            .filter(pk=shown["id"])
            .first()
        )
        if new_key is not None:
            return _render_settings(
                request,
                reseller,
                new_key=new_key,
                new_key_plaintext=shown["plaintext"],
                # The old key as the rotation left it (revoked, or expiring after the grace).
                replaced_key=new_key.rotated_from,
            )
    return _render_settings(request, reseller)


@never_cache
@portal_view
@require_POST
def apikey_create(request: HttpRequest, *, reseller: Reseller) -> HttpResponse:
    """Create a key, then redirect to Settings, which shows it once."""
    form = ApiKeyCreateForm(request.POST)
    if form.is_valid():
        try:
            api_key, plaintext = services.apikey_create(
                reseller=reseller, name=form.cleaned_data["name"], actor=request.user
            )
        except ApiKeyError as error:
            form.add_error(None, str(error))
        else:
            return _show_once(request, api_key, plaintext)
    return _render_settings(request, reseller, create_form=form)


@never_cache
@portal_view
@require_POST
def apikey_rotate(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    old_key = _own_key(reseller, pk)
    form = ApiKeyRotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how long the old key should keep working.")
        return redirect("portal:settings")
    try:
        new_key, plaintext = services.apikey_rotate(
            api_key=old_key, actor=request.user, grace_period=form.cleaned_data["grace_period"]
        )
    except ApiKeyError as error:
        messages.error(request, str(error))
        return redirect("portal:settings")
    return _show_once(request, new_key, plaintext)


@never_cache
@portal_view
@require_POST
def apikey_revoke(request: HttpRequest, pk: int, *, reseller: Reseller) -> HttpResponse:
    api_key = _own_key(reseller, pk)
    try:
        services.apikey_revoke(api_key=api_key, actor=request.user)
    except ApiKeyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{api_key.prefix}… ({api_key.name}) is revoked; it no longer works."
        )
    return redirect("portal:settings")
