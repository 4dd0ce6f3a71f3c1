from __future__ import annotations

from django.db import transaction

from .models import Channel

CHANNEL_FIELDS = ("name", "slug", "currency", "is_active", "is_default")


@transaction.atomic
def channel_save(*, channel: Channel | None = None, data: dict) -> Channel:
    """Create or update a channel. Making one the default clears the flag on the others."""
    channel = channel or Channel()
    if data.get("is_default"):
        # Lock the current default so two staff members cannot both make a new default.
        list(Channel.objects.select_for_update().filter(is_default=True))
        Channel.objects.filter(is_default=True).exclude(pk=channel.pk).update(is_default=False)
    for name in CHANNEL_FIELDS:
        if name in data:
            setattr(channel, name, data[name])
    channel.save()
    return channel
