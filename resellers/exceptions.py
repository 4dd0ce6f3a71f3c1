from __future__ import annotations


class ResellerError(Exception):
    """A reseller operation was refused; the message is safe to show to the user."""


class TransitionNotAllowed(ResellerError):
    pass


class ChannelRequired(ResellerError):
    pass


class ReasonRequired(ResellerError):
    pass


class StaleStatus(ResellerError):
    """The reseller's status changed after the staff member's page was loaded."""


class SignupRejected(ResellerError):
    """The sign-up values are not acceptable; `errors` lists (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
