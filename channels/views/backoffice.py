from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from channels.forms import ChannelForm
from channels.models import Channel
from channels.selectors import channel_list
from channels.services import channel_save
from core.access import staff_required


@staff_required
def channel_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/channels/list.html", {"channels": channel_list()})


@staff_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=pk) if pk else None
    form = ChannelForm(request.POST if request.method == "POST" else None, instance=channel)
    if request.method == "POST" and form.is_valid():
        saved = channel_save(channel=channel, data=form.cleaned_data)
        messages.success(request, f"Channel “{saved}” saved.")
        return redirect("backoffice:channel_list")
    return render(request, "backoffice/channels/edit.html", {"form": form, "channel": channel})
