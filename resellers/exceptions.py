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
