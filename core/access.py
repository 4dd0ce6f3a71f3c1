"""The one place that decides who may see what.

Portal views get the logged-in user's reseller from `portal_view`; they never take a reseller
id from the URL. Back-office views are wrapped in `staff_required`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the login page; logged-in non-staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("The back office is for the supplier's staff only.")
        return view(request, *args, **kwargs)

    return wrapper


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the reseller from the logged-in user and pass it to the view as `reseller`."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        reseller = request.user.reseller
        if reseller is None:
            if request.user.is_staff:
                raise PermissionDenied(
                    "Staff accounts have no reseller portal. Use the back office instead."
                )
            raise PermissionDenied("This account does not belong to a reseller.")
        return view(request, *args, reseller=reseller, **kwargs)

    return wrapper
