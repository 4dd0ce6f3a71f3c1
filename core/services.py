"""Write helpers shared by the apps' services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Model


def assign_changed(instance: Model, data: Mapping, fields: Iterable[str]) -> list[str]:
    """Set each of `fields` present in `data` whose value differs; return the names changed.

    Callers save with `update_fields=[*changed, "updated_at"]` (or skip the save when nothing
    changed), so a concurrent edit to another field is not overwritten with a stale value.
    """
    changed = [name for name in fields if name in data and getattr(instance, name) != data[name]]
    for name in changed:
        setattr(instance, name, data[name])
    return changed
