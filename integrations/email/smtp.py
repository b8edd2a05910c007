"""E-mail through any SMTP server, with retries on transient failures only."""

from __future__ import annotations

import contextlib
import random
import smtplib
import ssl
import time
from collections.abc import Callable
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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.sleep = sleep

    def send(self, message: EmailMessage) -> str:
        last: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                refused = self._deliver(message)
            except (smtplib.SMTPException, OSError) as error:
                if not is_transient(error):
                    # 5xx, a refused recipient, bad credentials: the same message would be
                    # refused again, so fail now and let the operator see why.
                    raise MailError(f"SMTP {self.server} refused the message: {error}") from error
                last = error
                if attempt < self.attempts:
                    # Back off with jitter so several workers do not hammer a recovering
                    # server together.
                    self.sleep(min(2**attempt, 30) * (0.5 + random.random()))
                continue
            if refused:
                # Delivered to the other recipients: retrying would send them a duplicate.
                raise MailError(f"SMTP {self.server} refused recipients: {sorted(refused)}")
            return f"smtp://{self.server}"
        raise MailError(f"SMTP {self.server} failed {self.attempts} tries, last error: {last}")

    def _deliver(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                # Verify the server's certificate: without a context, smtplib would hand
                # the SMTP password to anyone in the middle.
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            return client.send_message(message)
        finally:
            # Once DATA is accepted the message is on its way: an error on QUIT must not
            # turn into a retry that mails the approver twice.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
            client.close()

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def is_transient(error: Exception) -> bool:
    """Worth another try: the network failed or the server answered 4xx ("try again later").

    SMTPException subclasses OSError, so the SMTP cases must be decided before the
    network ones.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        # SMTPSenderRefused, SMTPDataError, SMTPConnectError, SMTPHeloError, SMTPAuthenticationError
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        # SMTPNotSupportedError (no STARTTLS or AUTH offered) and the like: configuration.
        return False
    # Connection refused or reset, timeouts, name resolution.
    return isinstance(error, OSError)
