"""Optimistic concurrency for records staff edit in forms.

A staff member opens an edit form, a colleague changes the record, then the first one saves:
without a check the stale form silently undoes the colleague's change (a rule re-enabled, a
price put back). Each such model has a `version` integer; the form carries the version it was
drawn from in a hidden field; the service, holding the row lock, refuses the save when the
versions differ and otherwise saves with `version + 1`. Every other write to the record
(enable/disable, reorder, an import) bumps the version too.
"""

from __future__ import annotations

from django import forms
from django.db import models


class StaleEdit(Exception):  # noqa: N818 - the name says what happened, like DoesNotExist
    """The record changed after the form was opened; nothing was saved."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        super().__init__(
            f"This {noun} was changed by someone else since you opened it; "
            "reload to see the changes."
        )


def version_check(instance: models.Model, expected_version: int | None, *, noun: str) -> None:
    """Raise StaleEdit when the form's version is not the locked row's.

    `expected_version` is None when the caller has no form (a script, the admin): nothing to
    compare, the save goes ahead as before.
    """
    if expected_version is not None and expected_version != instance.version:
        raise StaleEdit(noun)


class VersionFormMixin(forms.Form):
    """A hidden `version` field holding the version of the record the form was drawn from."""

    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.fields["version"].initial = instance.version
