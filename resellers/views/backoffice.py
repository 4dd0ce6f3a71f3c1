from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.access import staff_required
from core.concurrency import StaleEdit
from core.views import filtered_list
from resellers import services
from resellers.choices import (
    ALLOWED_TRANSITIONS,
    APPROVE_FROM,
    CHANNEL_CHANGE_FROM,
    REINSTATE_FROM,
    ResellerStatus,
)
from resellers.exceptions import ResellerError
from resellers.filters import ResellerFilter
from resellers.forms import (
    ApproveForm,
    BulkDecisionForm,
    ChannelChangeForm,
    PortalSettingsForm,
    ReasonForm,
    ReinstateForm,
    ResellerProfileForm,
)
from resellers.models import PortalSettings, Reseller
from resellers.selectors import (
    pending_resellers,
    reseller_list,
    reseller_status_counts,
    reseller_status_history,
)


def dashboard_context() -> dict:
    """The dashboard's reseller part: status counts, pending approvals, the auto-approve switch.
    The page itself (`pages.views.dashboard`) adds the work queues across apps."""
    counts = reseller_status_counts()
    return {
        "pending": pending_resellers()[:20],
        "pending_count": counts.get(ResellerStatus.PENDING, 0),
        "status_counts": [(s.label, s.value, counts.get(s.value, 0)) for s in ResellerStatus],
        "settings_row": PortalSettings.load(),
    }


@staff_required
def reseller_list_view(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        queryset=reseller_list(),
        filterset_class=ResellerFilter,
        template_name="backoffice/resellers/list.html",
        context={"bulk_form": BulkDecisionForm()},
    )


@staff_required
@require_POST
def reseller_bulk_decide(request: HttpRequest) -> HttpResponse:
    """Approve or deny the resellers ticked on the list, each through the transition service."""
    # Back to the list as it was filtered (re-encoded: only a query string, never a URL).
    query = QueryDict(request.POST.get("next_query", "")).urlencode()
    back = redirect(f"{reverse('backoffice:reseller_list')}?{query}")
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    approve = form.cleaned_data["action"] == "approve"
    try:
        outcome = services.reseller_bulk_decide(
            reseller_ids=[reseller.pk for reseller in form.cleaned_data["resellers"]],
            approve=approve,
            actor=request.user,
            channel=form.cleaned_data["channel"],
            reason=form.cleaned_data["reason"],
        )
    except ResellerError as error:
        messages.error(request, str(error))
        return back
    if outcome.done:
        verb = "Approved" if approve else "Denied"
        names = ", ".join(reseller.company_name for reseller in outcome.done)
        where = f" on the {outcome.done[0].channel} channel" if approve else ""
        messages.success(request, f"{verb} {len(outcome.done)}{where}: {names}.")
    if outcome.skipped:
        names = ", ".join(
            f"{reseller.company_name} (now {now})" for reseller, now in outcome.skipped
        )
        messages.warning(
            request, f"Skipped {len(outcome.skipped)} no longer pending, left as they are: {names}."
        )
    return back


def reseller_detail_context(reseller: Reseller) -> dict:
    """The reseller page's own part: profile, history, team and the status actions. The page
    itself (`pages.views.reseller_detail`) adds the other apps' sections."""
    allowed = ALLOWED_TRANSITIONS.get(reseller.status, frozenset())
    history = reseller_status_history(reseller=reseller)
    # Sent back with every status action, so an action pressed on a stale page is refused.
    seen = {
        "expected_status": reseller.status,
        "seen_change": max((change.pk for change in history), default=0),
    }
    return {
        "reseller": reseller,
        "history": history,
        "team": reseller.users.order_by("email"),
        # The services check the same sets; these only decide which buttons to show.
        "can_approve": reseller.status in APPROVE_FROM,
        "can_deny": ResellerStatus.DENIED in allowed,
        "can_suspend": ResellerStatus.SUSPENDED in allowed,
        "can_reinstate": reseller.status in REINSTATE_FROM,
        "approve_form": ApproveForm(reseller=reseller, initial=seen),
        "deny_form": ReasonForm(prefix="deny", initial=seen),
        "suspend_form": ReasonForm(prefix="suspend", initial=seen),
        "reinstate_form": ReinstateForm(prefix="reinstate", initial=seen),
        "can_change_channel": reseller.status in CHANNEL_CHANGE_FROM,
        "channel_form": ChannelChangeForm(reseller=reseller),
        "active_tab": "overview",
    }


def _action_failed(request: HttpRequest, reseller: Reseller, form_or_error) -> HttpResponse:
    if isinstance(form_or_error, Exception):
        messages.error(request, str(form_or_error))
    else:
        for errors in form_or_error.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reseller)


@staff_required
@require_POST
def reseller_approve(request: HttpRequest, pk: int) -> HttpResponse:
    reseller = get_object_or_404(Reseller, pk=pk)
    form = ApproveForm(request.POST, reseller=reseller)
    if not form.is_valid():
        return _action_failed(request, reseller, form)
    try:
        reseller = services.reseller_approve(
            reseller=reseller,
            actor=request.user,
            # May be empty with a single active channel; the service then assigns that one.
            channel=form.cleaned_data["channel"],
            expected_status=form.cleaned_data["expected_status"],
            seen_change=form.cleaned_data["seen_change"],
        )
    except ResellerError as error:
        return _action_failed(request, reseller, error)
    messages.success(request, f"{reseller} is approved on the {reseller.channel} channel.")
    return redirect(reseller)


def _reason_action(request: HttpRequest, pk: int, *, prefix: str, service, done: str):
    reseller = get_object_or_404(Reseller, pk=pk)
    form = ReasonForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _action_failed(request, reseller, form)
    try:
        service(
            reseller=reseller,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_status=form.cleaned_data["expected_status"],
            seen_change=form.cleaned_data["seen_change"],
        )
    except ResellerError as error:
        return _action_failed(request, reseller, error)
    messages.success(request, f"{reseller} is {done}.")
    return redirect(reseller)


@staff_required
@require_POST
def reseller_deny(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_action(request, pk, prefix="deny", service=services.reseller_deny, done="denied")


@staff_required
@require_POST
def reseller_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_action(
        request, pk, prefix="suspend", service=services.reseller_suspend, done="suspended"
    )


@staff_required
@require_POST
def reseller_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    reseller = get_object_or_404(Reseller, pk=pk)
    form = ReinstateForm(request.POST, prefix="reinstate")
    if not form.is_valid():
        return _action_failed(request, reseller, form)
    try:
        reseller = services.reseller_reinstate(
            reseller=reseller,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_status=form.cleaned_data["expected_status"],
            seen_change=form.cleaned_data["seen_change"],
        )
    except ResellerError as error:
        return _action_failed(request, reseller, error)
    messages.success(request, f"{reseller} is reinstated as {reseller.get_status_display()}.")
    return redirect(reseller)


@staff_required
@require_POST
def reseller_change_channel(request: HttpRequest, pk: int) -> HttpResponse:
    reseller = get_object_or_404(Reseller.objects.select_related("channel"), pk=pk)
    form = ChannelChangeForm(request.POST, reseller=reseller)
    if not form.is_valid():
        return _action_failed(request, reseller, form)
    previous = reseller.channel
    try:
        reseller = services.reseller_change_channel(
            reseller=reseller,
            channel=form.cleaned_data["channel"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ResellerError as error:
        return _action_failed(request, reseller, error)
    messages.success(
        request,
        f"{reseller} moved from the {previous or 'no'} channel to {reseller.channel}; "
        "its next orders use the new channel's prices and rules.",
    )
    return redirect(reseller)


@staff_required
@require_http_methods(["GET", "POST"])
def reseller_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reseller = get_object_or_404(Reseller, pk=pk)
    form = ResellerProfileForm(
        request.POST if request.method == "POST" else None, instance=reseller
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reseller_update_profile(
                reseller=reseller,
                data=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Profile saved.")
            return redirect(reseller)
    return render(request, "backoffice/resellers/edit.html", {"form": form, "reseller": reseller})


@staff_required
@require_http_methods(["GET", "POST"])
def portal_settings(request: HttpRequest) -> HttpResponse:
    settings_row = PortalSettings.load()
    form = PortalSettingsForm(
        request.POST if request.method == "POST" else None, instance=settings_row
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_settings_update(
                auto_approve_resellers=form.cleaned_data["auto_approve_resellers"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Settings saved.")
            return redirect("backoffice:settings")
    return render(request, "backoffice/settings.html", {"form": form})
