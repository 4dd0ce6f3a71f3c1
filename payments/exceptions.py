from __future__ import annotations


class PaymentError(Exception):
    """A payment action was refused. `errors` lists (field path, message) pairs; the message
    is safe to show to the person who asked."""

    def __init__(self, message: str, field: str = "") -> None:
        self.errors = [(field, message)]
        self.message = message
        super().__init__(message)


class PaymentNotAllowed(PaymentError):
    pass


class CardNotSaved(PaymentError):
    pass
