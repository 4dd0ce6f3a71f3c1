from __future__ import annotations

from dataclasses import dataclass


class CatalogError(Exception):
    """A catalog change was refused; the message is safe to show to staff."""


@dataclass(frozen=True)
class ImportRowError:
    row: int
    sku: str
    message: str


class ListingImportError(CatalogError):
    """The CSV had problems; nothing was saved. `errors` names each bad row."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) could not be imported; nothing was saved.")


class StockImportError(ListingImportError):
    """The stock CSV had problems; nothing was saved. `errors` names each bad row."""


@dataclass(frozen=True)
class Shortfall:
    """A line asked for more than is available. `position` is the caller's index of the line."""

    position: int
    sku: str
    available: int
    requested: int

    @property
    def message(self) -> str:
        return f"{self.sku}: {self.available:,} available, {self.requested:,} requested"


class InsufficientStock(CatalogError):
    """Stock could not be reserved for some lines; nothing was reserved."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        super().__init__("; ".join(shortfall.message for shortfall in shortfalls))
