"""Typed errors for malformed rules.

Each problem names where it is (`conditions[1].operator`, `actions[0].amount`) so a form can put
the message next to the right input. `rule_validate` collects every problem in a rule and raises
one `RuleValidationError` holding them all, so staff fix a rule in one pass.
"""

from __future__ import annotations


class RuleError(Exception):
    """A rule operation was refused; the message is safe to show to staff."""


class RuleProblem(RuleError):
    """One thing wrong with a rule, at `path` (e.g. ``conditions[0].field``)."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.message = message
        self.path = path
        super().__init__(message)


class UnknownField(RuleProblem):
    pass


class OperatorNotAllowed(RuleProblem):
    """The operator does not fit the field's type (e.g. "greater than" on a country)."""


class InvalidValue(RuleProblem):
    """A condition value or action parameter has the wrong shape."""


class NotANumber(InvalidValue):
    pass


class MissingValue(RuleProblem):
    """A required part is empty (a condition value, an amount, a fee's label…)."""


class UnknownAction(RuleProblem):
    pass


class ActionNotAllowedForKind(RuleProblem):
    """An invoicing action in a payment-capture rule, or the other way round."""


class ConflictingActions(RuleProblem):
    """Two actions in one rule set the same thing (e.g. two shipping costs)."""


class InvalidScope(RuleProblem):
    """The scope and its target disagree (a channel rule without a channel…)."""


class RuleValidationError(RuleError):
    """Everything wrong with one rule; `problems` lists the typed errors."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


class RuleMoveNotPossible(RuleError):
    pass
