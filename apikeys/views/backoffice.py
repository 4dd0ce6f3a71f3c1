from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.access import staff_required

from .. import services
from ..exceptions import ApiKeyError
from ..models import ApiKey
from ..selectors import apikey_get


@staff_required
@require_POST
def apikey_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        api_key = apikey_get(reseller=None, pk=pk)
    except ApiKey.DoesNotExist as error:
        raise Http404("No such API key.") from error
    try:
        services.apikey_revoke(api_key=api_key, actor=request.user)
    except ApiKeyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{api_key.prefix}… ({api_key.name}) is revoked.")
    return redirect(api_key.reseller)
