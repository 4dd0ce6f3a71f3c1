from __future__ import annotations

from dataclasses import dataclass


class FulfilmentError(Exception):
    """A shipment or cancellation was refused; the message is safe to show."""


class ShipmentInvalid(FulfilmentError):
    """The shipment cannot be recorded; `errors` lists (field path, message) pairs.

    Paths: `carrier`, `tracking_number`, `tracking_url`, `service`, `shipped_at`, `lines`
    (the shipment as a whole), `lines[<index>].quantity` (the order's line at that index).
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(message for _, message in errors))


class CancelNotAllowed(FulfilmentError):
    pass


@dataclass(frozen=True)
class ImportRowError:
    row: int
    order: str  # the order number or reference as the file gave it
    message: str


class TrackingImportError(FulfilmentError):
    """The tracking file had problems; nothing was saved. `errors` names each bad row."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) could not be imported; nothing was saved.")
