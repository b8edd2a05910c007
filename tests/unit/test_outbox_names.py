"""Outbox file names: an alert read back from the mail queue has a folded Message-ID
header; its file must not start with "-" (shell tools take that for an option)."""

from __future__ import annotations

from email import message_from_string
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

from approvals.operator_alerts import submission_failing
from integrations.email.outbox import OutboxMailer


def test_an_alert_read_back_from_the_queue_gets_a_plain_file_name(tmp_path: Path) -> None:
    alert = submission_failing(
        sender="replenish@example.com", operator="ops@example.com",
        po_key="RPL-20261207-SUP-WITH-A-LONG-NAME-01-DC-NORTH-0A1B2C", attempts=5, error="x",
    )  # fmt: skip
    queued = alert.message.as_string()
    assert "Message-ID:\n <" in queued  # folded, as the queue stores it
    message = message_from_string(queued, policy=email_policy.default)
    assert isinstance(message, EmailMessage)

    written = Path(OutboxMailer(tmp_path).send(message))

    assert not written.name.startswith(("-", "."))
    assert written.name.endswith(".submission-failing-replenish.eml")


def test_a_message_without_id_or_subject_is_still_named(tmp_path: Path) -> None:
    written = Path(OutboxMailer(tmp_path).send(EmailMessage()))
    assert written.name == "mail.eml"
