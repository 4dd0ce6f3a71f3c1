from __future__ import annotations

from django.db import models
from django.urls import reverse

from .choices import RuleKind, RuleMatch, RuleScope


class Rule(models.Model):
    """An if/then rule: when its conditions match an order, its actions apply.

    Conditions and actions are lists of small dicts (see rules/engine.py for their shape),
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
        default=False, help_text="When this rule matches, skip the rules after it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
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
