from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.access import staff_required
from core.concurrency import StaleEdit
from core.views import filtered_list
from rules import services
from rules.choices import RuleKind, RuleScope
from rules.engine import RuleInput
from rules.exceptions import RuleError, RuleValidationError
from rules.filters import RuleFilter
from rules.forms import (
    ActionFormSet,
    ConditionFormSet,
    PreviewForm,
    RuleForm,
    action_initial,
    action_kinds_json,
    action_params_json,
    condition_initial,
    field_operators_json,
    rows,
)
from rules.models import Rule
from rules.preview import PreviewNotPossible, preview_run
from rules.schema import rule_validate_object
from rules.selectors import rule_history, rule_list

# Buttons on the rule form besides "Save": each re-renders the form instead of saving.
ADD_CONDITION, ADD_ACTION, PREVIEW = "add_condition", "add_action", "preview"
FIX_FIRST = "fix the problems marked below, then preview again."


@staff_required
def rule_list_view(request: HttpRequest) -> HttpResponse:
    return filtered_list(
        request,
        queryset=rule_list(),
        filterset_class=RuleFilter,
        template_name="backoffice/rules/list.html",
        context={"return_to": request.get_full_path()},
    )


@dataclass
class _Editor:
    """Everything on the rule page: the rule, its condition and action rows, the preview."""

    form: RuleForm
    conditions: ConditionFormSet
    actions: ActionFormSet
    preview_form: PreviewForm
    action_errors: list[str] = field(default_factory=list)
    preview: object = None
    preview_error: str = ""

    def is_valid(self) -> bool:
        # Evaluate all three so every error shows at once.
        results = [self.form.is_valid(), self.conditions.is_valid(), self.actions.is_valid()]
        return all(results)

    def rule_data(self) -> dict:
        return {
            **self.form.cleaned_data,
            "conditions": [row.rule_condition for row in rows(self.conditions)],
            "actions": [row.rule_action for row in rows(self.actions)],
        }

    def attach(self, error: RuleValidationError) -> None:
        """Put each problem next to its input: a row's field, a rule field, or the actions."""
        condition_rows, action_rows = rows(self.conditions), rows(self.actions)
        for problem in error.problems:
            head, _, field_name = problem.path.partition(".")
            name, _, index = head.partition("[")
            if index:
                row_list = condition_rows if name == "conditions" else action_rows
                row = row_list[int(index.rstrip("]"))]
                row.add_error(field_name if field_name in row.fields else None, problem.message)
            elif name in self.form.fields:
                self.form.add_error(name, problem.message)
            else:
                self.action_errors.append(problem.message)


def _with_extra_row(data, prefix: str):
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key, 0)) + 1)
    except ValueError:
        data[key] = "1"
    return data


def _preview_form(data, *, bound: bool) -> PreviewForm:
    """Bound (and so checked) only when staff asked for a preview; otherwise it just keeps
    what they typed, so saving a rule never complains about an empty preview."""
    if bound:
        return PreviewForm(data, prefix="preview")
    typed = {name: data.get(f"preview-{name}") for name in PreviewForm.base_fields}
    return PreviewForm(
        prefix="preview", initial={name: value for name, value in typed.items() if value}
    )


def _editor(request: HttpRequest, rule: Rule | None) -> _Editor:
    if request.method == "POST":
        data = request.POST
        intent = data.get("intent", "save")
        condition_data = _with_extra_row(data, "conditions") if intent == ADD_CONDITION else data
        action_data = _with_extra_row(data, "actions") if intent == ADD_ACTION else data
        kind = data.get("kind") or (rule.kind if rule else RuleKind.INVOICING)
        return _Editor(
            form=RuleForm(data),
            conditions=ConditionFormSet(condition_data, prefix="conditions"),
            actions=ActionFormSet(action_data, prefix="actions", form_kwargs={"kind": kind}),
            preview_form=_preview_form(data, bound=intent == PREVIEW),
        )
    if rule is not None:
        initial = RuleForm.initial_for(rule)
        conditions, actions = condition_initial(rule.conditions), action_initial(rule.actions)
        preview_initial = {"reseller": rule.reseller_id}
    else:
        # "Add a rule for this reseller" links here with ?scope=reseller&reseller=<id>.
        initial = {
            key: request.GET[key]
            for key in ("kind", "scope", "channel", "reseller")
            if request.GET.get(key)
        }
        conditions, actions = [], [{}]
        preview_initial = {"reseller": request.GET.get("reseller")}
    return _Editor(
        form=RuleForm(initial=initial),
        conditions=ConditionFormSet(prefix="conditions", initial=conditions),
        actions=ActionFormSet(
            prefix="actions",
            initial=actions,
            form_kwargs={"kind": initial.get("kind", RuleKind.INVOICING)},
        ),
        preview_form=PreviewForm(prefix="preview", initial=preview_initial),
    )


def _edited_rule(editor: _Editor, rule: Rule | None) -> RuleInput:
    """The rule as it stands in the form, checked as a whole, for the preview."""
    data = editor.rule_data()
    draft = RuleInput(
        id=rule.pk if rule else None,
        name=data["name"],
        kind=data["kind"],
        scope=data["scope"],
        channel_id=data["channel"].pk if data["channel"] else None,
        reseller_id=data["reseller"].pk if data["reseller"] else None,
        priority=data["priority"],
        enabled=data["enabled"],
        match=data["match"],
        conditions=tuple(data["conditions"]),
        actions=tuple(data["actions"]),
        stop_further_rules=data["stop_further_rules"],
    )
    validated = rule_validate_object(draft)
    return replace(draft, conditions=tuple(validated.conditions), actions=tuple(validated.actions))


def _run_preview(editor: _Editor, rule: Rule | None) -> None:
    try:
        edited = _edited_rule(editor, rule)
    except RuleValidationError as error:
        editor.attach(error)
        editor.preview_error = FIX_FIRST
        return
    if not editor.preview_form.is_valid():
        editor.preview_error = "complete the Preview section below."
        return
    try:
        editor.preview = preview_run(form=editor.preview_form, edited_rule=edited)
    except PreviewNotPossible as error:
        editor.preview_error = str(error)


@staff_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = (
        get_object_or_404(Rule.objects.select_related("channel", "reseller"), pk=pk) if pk else None
    )
    editor = _editor(request, rule)
    intent = request.POST.get("intent", "save") if request.method == "POST" else ""
    if intent == PREVIEW:
        if editor.is_valid():
            _run_preview(editor, rule)
        else:
            editor.preview_error = FIX_FIRST
    elif intent == "save" and editor.is_valid():
        try:
            saved = services.rule_save(
                rule=rule,
                data=editor.rule_data(),
                actor=request.user,
                expected_version=editor.form.cleaned_data["version"],
            )
        except RuleValidationError as error:
            editor.attach(error)
        except StaleEdit as error:
            editor.form.add_error(None, str(error))
        else:
            messages.success(request, f"Rule “{saved}” saved.")
            return redirect(saved)
    return render(
        request,
        "backoffice/rules/edit.html",
        {
            "rule": rule,
            "editor": editor,
            "form": editor.form,
            "history": rule_history(rule=rule) if rule else [],
            "action_params": action_params_json(),
            "action_kinds": action_kinds_json(),
            "field_operators": field_operators_json(),
        },
    )


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@staff_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    enabled = request.POST.get("enabled") == "true"
    services.rule_set_enabled(rule=rule, enabled=enabled, actor=request.user)
    messages.success(request, f"Rule “{rule}” {'enabled' if enabled else 'disabled'}.")
    return _back(request, reverse("backoffice:rule_list"))


@staff_required
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    try:
        services.rule_reorder(
            rule=rule, direction=request.POST.get("direction", ""), actor=request.user
        )
    except RuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Rule “{rule}” moved {request.POST.get('direction')}.")
    return _back(request, reverse("backoffice:rule_list"))


@staff_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule.objects.select_related("reseller"), pk=pk)
    name, reseller = rule.name, rule.reseller if rule.scope == RuleScope.RESELLER else None
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(
        request, f"Rule “{name}” deleted. Invoices it produced keep their lines and its name."
    )
    default = reseller.get_absolute_url() if reseller else reverse("backoffice:rule_list")
    return _back(request, default)


@staff_required
@require_http_methods(["GET"])
def rule_preview(request: HttpRequest) -> HttpResponse:
    """Run the saved rules against an order or a hypothetical one. Reads only, hence GET."""
    if request.GET.keys() == {"reseller"}:
        # A link from a reseller page pre-fills the reseller without running anything yet.
        form = PreviewForm(initial={"reseller": request.GET["reseller"]})
    else:
        form = PreviewForm(request.GET or None)
    result, error = None, ""
    if form.is_bound and form.is_valid():
        try:
            result = preview_run(form=form)
        except PreviewNotPossible as problem:
            error = str(problem)
    return render(
        request,
        "backoffice/rules/preview.html",
        {"preview_form": form, "preview": result, "preview_error": error},
    )
