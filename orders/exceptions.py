from __future__ import annotations


class OrderError(Exception):
    """An order operation was refused; the message is safe to show to the user."""


class OrderValidationError(OrderError):
    """The order cannot be placed; `errors` lists (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(message for _, message in errors))


class ResellerCannotOrder(OrderError):
    pass


class OrderTransitionNotAllowed(OrderError):
    pass
