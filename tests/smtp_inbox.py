"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests
of review e-mails, the mail queue and operator alerts."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def plain_text(message: EmailMessage) -> str:
    """The text a person reads: the message's plain-text part (failing if it has none)."""
    body = message.get_body(("plain",))
    assert body is not None, "no text/plain part"
    text: str = body.get_content()
    return text


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, person: str) -> list[EmailMessage]:
        return [m for m in self.messages if str(m["To"]) == person]


def free_port() -> int:
    """A loopback port nothing listens on (the OS picks it; the socket is closed again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(inbox: Inbox, port: int | None = None) -> Iterator[int]:
    """Serve `inbox` on a free loopback port (or `port`: a server that was down comes
    up where the product expects it); yields the port.

    aiosmtpd cannot bind port 0 (it connects to its own port to check it started), so
    take a free port from the OS and retry in the rare case another process grabs it."""
    for _ in range(5):
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):
            continue
        break
    else:
        pytest.fail("could not start the SMTP test server on 127.0.0.1")
    try:
        yield controller.port
    finally:
        controller.stop()
