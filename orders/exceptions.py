from __future__ import annotations

from dataclasses import dataclass


class OrderError(Exception):
    """An order operation was refused; the message is safe to show to the user."""


@dataclass(frozen=True)
class FieldError:
    """One problem with an order request, and where it is.

    `field` is the path a client sent (`reference_number`, `shipping_address.city`,
    `items`); `item` is the index into the request's items when the problem is about one
    line, with `field` then naming the line's attribute (`sku`, `quantity`). Surfaces place
    the error from these values, never by reading the message: the order pad puts it next to
    the row or CSV line the item came from, the API reports `path`.
    """

    field: str
    message: str
    item: int | None = None

    @property
    def path(self) -> str:
        """`items[2].quantity` for a line's attribute, otherwise the field itself."""
        return self.field if self.item is None else f"items[{self.item}].{self.field}"

    @property
    def full_message(self) -> str:
        """The message with the line it is about, for a reader who has no row to look at."""
        return self.message if self.item is None else f"Line {self.item + 1}: {self.message}"


class OrderValidationError(OrderError):
    """The order cannot be placed; `field_errors` says what and where."""

    def __init__(self, field_errors: list[FieldError]) -> None:
        self.field_errors = field_errors
        super().__init__("; ".join(error.full_message for error in field_errors))

    @property
    def errors(self) -> list[tuple[str, str]]:
        """(path, message) pairs as the API reports them."""
        return [(error.path, error.full_message) for error in self.field_errors]


class ResellerCannotOrder(OrderError):
    pass


class OrderTransitionNotAllowed(OrderError):
    pass
