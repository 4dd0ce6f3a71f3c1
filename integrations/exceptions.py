from __future__ import annotations


class IntegrationError(Exception):
    """A refused integrations action; the message is for the person who asked."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.errors = [(field, message)]


class FeedNotAllowed(IntegrationError):
    pass


class WebhookNotAllowed(IntegrationError):
    pass
