from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .choices import RuleChangeAction, RuleKind, RuleMatch, RuleScope
from .exceptions import RuleValidationError


class Rule(models.Model):
    """An if/then rule: when its conditions match an order, its actions apply.

    Conditions and actions are lists of small dicts (see rules/schema.py for their shape),
    validated when the rule is saved so a malformed rule never reaches an order.
    """

    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    scope = models.CharField(max_length=20, choices=RuleScope.choices, default=RuleScope.GLOBAL)
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="rules"
    )
    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, null=True, blank=True, related_name="rules"
    )
    name = models.CharField(max_length=200)
    priority = models.IntegerField(default=100, help_text="Lower numbers run first.")
    enabled = models.BooleanField(default=True)
    match = models.CharField(max_length=3, choices=RuleMatch.choices, default=RuleMatch.ALL)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list, blank=True)
    stop_further_rules = models.BooleanField(
        default=False,
        help_text=(
            "When this rule matches, skip the remaining rules of the same kind, in every scope "
            "(what this rule and the ones before it set still applies)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change through the services; edit forms send it back (core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="global", channel__isnull=True, reseller__isnull=True)
                    | models.Q(scope="channel", channel__isnull=False, reseller__isnull=True)
                    | models.Q(scope="reseller", channel__isnull=True, reseller__isnull=False)
                ),
                name="rules_scope_matches_target",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("backoffice:rule_edit", args=[self.pk])

    def clean(self) -> None:
        """Reject a malformed rule (the admin and any ModelForm get this for free) and store
        the normalised conditions and actions."""
        from .schema import rule_validate_object

        try:
            validated = rule_validate_object(self)
        except RuleValidationError as error:
            raise ValidationError(validation_errors_by_field(error)) from error
        self.conditions = validated.conditions
        self.actions = validated.actions


# How the history names the parts of a rule (the keys of RuleChange.snapshot).
SNAPSHOT_LABELS = {
    "kind": "kind",
    "scope": "scope",
    "channel_id": "channel",
    "reseller_id": "reseller",
    "name": "name",
    "priority": "priority",
    "enabled": "enabled",
    "match": "match",
    "conditions": "conditions",
    "actions": "actions",
    "stop_further_rules": "stop further rules",
}


class RuleChange(models.Model):
    """Who changed a rule, when, and what it said afterwards: rules decide money."""

    rule = models.ForeignKey(
        Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    rule_name = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=RuleChangeAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the change carries: for `updated` the snapshot keys that changed
    # ({"changed": ["name", "actions"]}), for `moved` {"from_priority", "to_priority"}.
    params = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_name}: {self.action}"

    @property
    def sentence(self) -> str:
        """What the history shows, rendered from the action and its params."""
        params = self.params or {}
        if self.action == RuleChangeAction.UPDATED and params.get("changed"):
            names = ", ".join(SNAPSHOT_LABELS.get(name, name) for name in params["changed"])
            return f"Updated: {names}."
        if self.action == RuleChangeAction.MOVED and "to_priority" in params:
            return f"Priority changed: {params['from_priority']} → {params['to_priority']}."
        return f"{self.get_action_display()}."

    @property
    def actor_display(self) -> str:
        return str(self.actor) if self.actor_id else "system"


def validation_errors_by_field(error: RuleValidationError) -> dict[str, list[str]]:
    """`conditions[1].operator: …` → {"conditions": ["Condition 2: …"]}, for Django forms."""
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        head, _, _ = problem.path.partition(".")
        name, _, index = head.partition("[")
        message = problem.message
        if index:
            row = int(index.rstrip("]")) + 1
            message = f"{'Condition' if name == 'conditions' else 'Action'} {row}: {message}"
        errors.setdefault(name or "__all__", []).append(message)
    return errors
