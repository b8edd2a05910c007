"""E-mails about a night rolled back, to its buyers and the operator. Built as values (pure);
`services.rollback` queues them in the same transaction that closes the rollback, so the
report is never lost to an SMTP outage.

Each message says who rolled the night back, when, through which channel and why, then
every order's outcome in words a buyer acts on: withdrawn (nothing reached the ERP),
cancelled, too late (the ERP keeps it: call the supplier) or failed (retried by the next
run).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC
from email.message import EmailMessage
from email.utils import make_msgid

from approvals.notifications import OutgoingMail
from approvals.policy import person_key
from domain.rollback import OrderOutcome, Outcome, RollbackReport

_CHANNELS = {"cli": "the command line", "prefect-ui": "the Prefect UI"}
_WORDS = {
    Outcome.WITHDRAWN: "withdrawn",
    Outcome.CANCELLED: "cancelled in the ERP",
    Outcome.TOO_LATE: "TOO LATE, still in the ERP",
    Outcome.FAILED: "FAILED to cancel, retried by the next run",
    Outcome.UNCHANGED: "left as it was",
    Outcome.PENDING: "cancellation under way",
}


def rollback_mails(
    report: RollbackReport, *, sender: str, operator: str, buyers: Iterable[str]
) -> list[OutgoingMail]:
    """One message per person (the operator and every buyer of the night's orders)."""
    subject = f"replenish: {report.headline()}: {report.count_sentence()}"
    body = "\n".join(_body(report))
    people: dict[str, str] = {}
    for person in (operator, *buyers):
        people.setdefault(person_key(person), person)
    return [
        OutgoingMail(
            f"rollback:{report.run_id}:{key}",
            "rollback",
            person,
            _message(sender, person, subject, body, "rollback"),
        )
        for key, person in people.items()
    ]


def cancellations_retried(
    outcomes: Sequence[OrderOutcome], *, sender: str, operator: str, run_id: str
) -> OutgoingMail:
    """The operator hears how the cancellations a rollback left failed ended on a retry."""
    settled = sum(o.outcome is not Outcome.FAILED for o in outcomes)
    subject = (
        f"replenish: {len(outcomes)} cancellation(s) of a rolled-back night retried, "
        f"{settled} settled"
    )
    body = "\n".join(
        [
            f"Cancellations that failed during a rollback were tried again by run {run_id}:",
            "",
            *_lines(outcomes),
            "",
            "A cancellation still failing is tried again by every run (and by",
            "`replenish submit`); it reaches the ERP once. docs/operations.md, 'Roll back a",
            "night'.",
        ]
    )
    message = _message(sender, operator, subject, body, "rollback-retry")
    return OutgoingMail(f"rollback-retry:{run_id}", "rollback", operator, message)


def _body(report: RollbackReport) -> list[str]:
    channel = _CHANNELS.get(report.channel, report.channel)
    at = report.requested_at.astimezone(UTC) if report.requested_at.tzinfo else report.requested_at
    lines = [
        f"The night of {report.as_of} (run {report.run_id}) was rolled back by "
        f"{report.requested_by} on {at:%d %b %Y at %H:%M} UTC, through {channel}.",
        f"Why: {report.reason}",
        "",
        f"Orders: {report.count_sentence()}.",
        "",
        *_lines(report.orders),
        "",
        "Withdrawn orders never reached the ERP; their review links no longer work.",
    ]
    if any(o.outcome is Outcome.TOO_LATE for o in report.orders):
        lines.append("An order too late to cancel stays with the supplier: call them if it")
        lines.append("must still be stopped.")
    if any(o.outcome is Outcome.FAILED for o in report.orders):
        lines.append("A failed cancellation is tried again by the next run (or `replenish")
        lines.append("submit`), and reaches the ERP once.")
    lines.append("To order afresh, run the night again: its orders get new keys.")
    return lines


def _lines(outcomes: Sequence[OrderOutcome]) -> list[str]:
    return [
        f"- {o.po_key}: {_WORDS[o.outcome]}" + (f" ({o.detail})" if o.detail else "")
        for o in outcomes
    ]


def _message(sender: str, recipient: str, subject: str, body: str, kind: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=kind, domain="replenish")
    message.set_content(body + "\n")
    return message
