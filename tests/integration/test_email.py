"""The e-mail adapters against real parts: an SMTP server on loopback and a real outbox folder.

One aiosmtpd server runs for the whole module. Every test mails its own random address, so
tests never read each other's mail; the server's handler refuses or defers an address on
request, which is how the error paths are driven without mocking smtplib.
"""

from __future__ import annotations

import email
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from approvals.links import ReviewLinks
from approvals.notifications import (
    FlagNote,
    OrderForReview,
    OutgoingMail,
    quality_alert,
    review_request,
)
from integrations.email.base import MailError
from integrations.email.outbox import OutboxMailer
from integrations.email.smtp import SmtpMailer

SENDER = "replenish@example.com"
REVIEW_BASE = "https://replenish.example.com/review"
LINKS = ReviewLinks("test-secret-" + "x" * 24, REVIEW_BASE)


def review_link(base: str, po_key: str) -> str:
    """A signed link as the run writes it (deterministic for one secret and expiry)."""
    assert base == LINKS.base_url
    return LINKS.order_link("buyer@example.com", po_key, datetime(2100, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class RecordingHandler:
    """Stores every accepted envelope; refuses (5xx) or defers (4xx) the addresses it is told to."""

    received: list[Received] = field(default_factory=list)
    rcpt_attempts: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: dict[str, int] = field(default_factory=dict)  # address -> how many more 451s

    def delivered_to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.rcpt_tos]

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        self.rcpt_attempts.append(address)
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return f"451 4.3.0 <{address}>: try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler


def free_port() -> int:
    """A loopback port nothing listens on (the OS picks it; the socket is closed again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    # aiosmtpd cannot bind port 0 (it connects to its own port to check it started), so
    # take a free port from the OS; retry in the rare case another process grabs it first.
    for _ in range(5):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):
            continue
        break
    else:
        pytest.fail("could not start the SMTP test server on 127.0.0.1")
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()


def mailbox(prefix: str = "buyer") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def review_mail(approver: str, supplier: str = "<Acme & Sons>") -> OutgoingMail:
    orders = [
        OrderForReview(
            po_key="RPL-20261125-SUP01-DC-NORTH",
            supplier_name=supplier,
            location="DC-NORTH",
            value="EUR 12,480.00",
            line_count=3,
            link=review_link(REVIEW_BASE, "RPL-20261125-SUP01-DC-NORTH"),
            flags=(
                FlagNote("LARGE_LINE_VALUE", "line value EUR 9,800.00 exceeds 5,000.00", "SKU-7"),
                FlagNote("NEW_ITEM", "fewer than 8 weeks of history", "SKU-9"),
            ),
            reason="a line of high value (+1 more)",
        ),
        OrderForReview(
            po_key="RPL-20261125-SUP02-STORE-3",
            supplier_name="Nordic Tools",
            location="STORE-3",
            value="EUR 730.40",
            line_count=1,
            link=review_link(REVIEW_BASE, "RPL-20261125-SUP02-STORE-3"),
            flags=(FlagNote("DATA_QUALITY", "stock row repaired: negative on-hand"),),
            reason="input rows for an item were quarantined tonight",
        ),
    ]
    return review_request(
        sender=SENDER,
        approver=approver,
        orders=orders,
        total="EUR 13,210.40",
        as_of=date(2026, 11, 25),
        deadline="26 Nov 2026 12:00",
        run_id="3f2a9c1e",
    )


def parse(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    assert part.get_content_type() == f"text/{subtype}"
    content: Any = part.get_content()
    return str(content)


def test_smtp_delivers_a_review_request(smtp_server: SmtpServer) -> None:
    approver = mailbox()
    mail = review_mail(approver)

    where = SmtpMailer(smtp_server.host, smtp_server.port).send(mail.message)

    assert where == f"smtp://{smtp_server.host}:{smtp_server.port}"
    [received] = smtp_server.handler.delivered_to(approver)
    assert received.rcpt_tos == [approver]
    assert received.mail_from == SENDER
    message = parse(received.content)
    assert message["To"] == approver
    assert message["Subject"] == "2 purchase orders to review for 25 Nov 2026 (EUR 13,210.40)"

    text = body(message, "plain")
    for link in (
        review_link(REVIEW_BASE, "RPL-20261125-SUP01-DC-NORTH"),
        review_link(REVIEW_BASE, "RPL-20261125-SUP02-STORE-3"),
    ):
        assert f"Review: {link}" in text
    # One row per order, the main reason in words; the sentences live on the page.
    assert "- a line of high value (+1 more)" in text
    assert "Nordic Tools, STORE-3: EUR 730.40 - input rows for an item were quarantined" in text
    assert "fewer than 8 weeks of history" not in text

    html = body(message, "html")
    assert "&lt;Acme &amp; Sons&gt;" in html
    assert "<Acme & Sons>" not in html
    assert f'href="{review_link(REVIEW_BASE, "RPL-20261125-SUP01-DC-NORTH")}"' in html


def test_smtp_delivers_a_plain_text_quality_alert(smtp_server: SmtpServer) -> None:
    operator = mailbox("ops")
    mail = quality_alert(
        sender=SENDER,
        operator=operator,
        breaches=["stock.csv: 14% of rows quarantined (limit 5%)"],
        as_of=date(2026, 11, 25),
        run_id="3f2a9c1e",
    )

    SmtpMailer(smtp_server.host, smtp_server.port).send(mail.message)

    [received] = smtp_server.handler.delivered_to(operator)
    message = parse(received.content)
    assert not message.is_multipart()
    assert "stock.csv: 14% of rows quarantined (limit 5%)" in body(message, "plain")


def test_a_refused_recipient_fails_at_once_without_retrying(smtp_server: SmtpServer) -> None:
    approver = mailbox("gone")
    smtp_server.handler.refuse.add(approver)
    sleeps: list[float] = []
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, attempts=3, sleep=sleeps.append)

    with pytest.raises(MailError, match=f"{smtp_server.host}:{smtp_server.port}") as raised:
        mailer.send(review_mail(approver).message)

    assert "550" in str(raised.value)
    assert smtp_server.handler.rcpt_attempts.count(approver) == 1
    assert sleeps == []
    assert smtp_server.handler.delivered_to(approver) == []


def test_a_deferred_recipient_is_retried_with_backoff(smtp_server: SmtpServer) -> None:
    approver = mailbox("busy")
    smtp_server.handler.defer[approver] = 2
    sleeps: list[float] = []
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, attempts=3, sleep=sleeps.append)

    mailer.send(review_mail(approver).message)

    assert smtp_server.handler.rcpt_attempts.count(approver) == 3
    assert len(smtp_server.handler.delivered_to(approver)) == 1
    assert len(sleeps) == 2
    assert all(delay > 0 for delay in sleeps)


def test_a_server_that_is_down_fails_after_the_configured_attempts() -> None:
    port = free_port()
    sleeps: list[float] = []
    mailer = SmtpMailer("127.0.0.1", port, attempts=4, timeout=2.0, sleep=sleeps.append)

    with pytest.raises(MailError, match=f"127.0.0.1:{port} failed 4 tries"):
        mailer.send(review_mail(mailbox()).message)

    # A pause between attempts, none after the last one.
    assert len(sleeps) == 3
    assert all(delay > 0 for delay in sleeps)


def test_outbox_writes_one_eml_file_that_parses_back(tmp_path: Path) -> None:
    approver = mailbox()
    mail = review_mail(approver)

    where = OutboxMailer(tmp_path).send(mail.message)

    [written] = list(tmp_path.iterdir())
    assert str(written) == where
    assert written.suffix == ".eml"
    message = parse(written.read_bytes())
    assert message["To"] == approver
    assert message["Subject"] == mail.message["Subject"]
    assert "&lt;Acme &amp; Sons&gt;" in body(message, "html")


def test_outbox_never_overwrites_one_message_with_another(tmp_path: Path) -> None:
    approver = mailbox()
    first, second = review_mail(approver), review_mail(approver)  # same subject, same recipient
    outbox = OutboxMailer(tmp_path)

    paths = {outbox.send(first.message), outbox.send(second.message)}

    files = sorted(tmp_path.iterdir())
    assert len(paths) == 2
    assert len(files) == 2
    assert {parse(path.read_bytes())["Message-ID"] for path in files} == {
        first.message["Message-ID"],
        second.message["Message-ID"],
    }


def test_outbox_keeps_two_messages_that_share_a_name(tmp_path: Path) -> None:
    """Without a Message-ID the file is named by subject; a namesake must not replace it."""
    outbox = OutboxMailer(tmp_path)
    bodies = []
    for body in ("first", "second"):
        message = EmailMessage()
        message["To"] = "ops@example.com"
        message["Subject"] = "Same subject"
        message.set_content(body)
        bodies.append(outbox.send(message))
    assert len(set(bodies)) == 2
    texts = sorted(Path(p).read_text() for p in bodies)
    assert "first" in texts[0]
    assert "second" in texts[1]


def test_orders_sent_with_a_warning_are_told_apart_from_those_to_decide() -> None:
    warned = OrderForReview(
        po_key="RPL-20261125-SUP04-DC-NORTH",
        supplier_name="Guardwell Safety SA",
        location="DC-NORTH",
        value="EUR 1,605.00",
        line_count=5,
        link=review_link(REVIEW_BASE, "RPL-20261125-SUP04-DC-NORTH"),
        flags=(FlagNote("STOCKOUT_RISK", "Stock may run out; consider expediting.", "SKU-7"),),
        reason="stock may run out before delivery",
    )
    both = review_request(
        sender=SENDER, approver="ann@example.com", orders=[], total="EUR 0.00",
        as_of=date(2026, 11, 25), deadline="26 Nov 2026 12:00", run_id="3f2a9c1e",
        notices=[warned],
    )  # fmt: skip
    assert both.message["Subject"] == "1 purchase order sent for 25 Nov 2026 with a warning"
    text, html = body(both.message, "plain"), body(both.message, "html")
    for part in (text, html):
        assert "worth a look" in part
        assert "Guardwell Safety SA" in part
        assert "stock may run out before delivery" in part
        assert "Main reason" not in part  # nothing waits for a decision here
