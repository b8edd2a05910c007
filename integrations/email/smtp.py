"""E-mail through any SMTP server, with retries on transient failures."""

from __future__ import annotations

import random
import smtplib
import time
from email.message import EmailMessage

from integrations.email.base import MailError


class SmtpMailer:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
        attempts: int = 3,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.attempts = attempts

    def send(self, message: EmailMessage) -> str:
        last: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                    if self.starttls:
                        client.starttls()
                    if self.username:
                        client.login(self.username, self.password or "")
                    refused = client.send_message(message)
                if refused:
                    raise MailError(f"SMTP server refused recipients: {sorted(refused)}")
                return f"smtp://{self.server}"
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
                # Transient: the server restarted or the network blinked. Back off with
                # jitter so several workers do not hammer a recovering server together.
                last = error
                if attempt < self.attempts:
                    time.sleep(min(2**attempt, 30) * (0.5 + random.random()))
            except smtplib.SMTPException as error:
                raise MailError(f"SMTP {self.server} refused the message: {error}") from error
        raise MailError(f"SMTP {self.server} unreachable after {self.attempts} tries: {last}")

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"
