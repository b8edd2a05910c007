"""The e-mail port: deliver one message, say where it went."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class MailError(RuntimeError):
    """The message could not be delivered; the run records it and the operator sees it."""


class Mailer(Protocol):
    name: str

    def send(self, message: EmailMessage) -> str:
        """Deliver the message; return where it went (a file path or a server reply)."""
        ...
