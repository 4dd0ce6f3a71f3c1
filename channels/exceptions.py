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
