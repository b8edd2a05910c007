"""E-mails to the operator about the system itself: a failed or crashed run, an order the
ERP keeps refusing. Built as values (pure); the flows deliver them.

Each names the one-line cause and where to look (the flow run in the Prefect UI), and
says what to do, so the operator can act from the message alone (docs/operations.md
lists every alert).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from approvals.notifications import OutgoingMail

#: The kinds of mail that go to the operator about the system itself (the data-quality
#: stop is `approvals.notifications.quality_alert`): a run summary lists those still
#: waiting for the mail server by subject.
OPERATOR_ALERT_KINDS = frozenset(
    {"run_alert", "submission_alert", "drift_alert", "quality_alert", "erp_alert"}
)


def run_failed(
    *,
    sender: str,
    operator: str,
    flow_name: str,
    flow_run_name: str,
    flow_run_id: str,
    state: str,
    cause: str,
    url: str | None,
) -> OutgoingMail:
    """A flow run ended Failed or Crashed: what, why in one line, and where to look."""
    subject = f"replenish: {flow_name} run {flow_run_name} {state.lower()}: {_short(cause, 90)}"
    body = "\n".join(
        [
            f"The {flow_name} flow run {flow_run_name} ({flow_run_id}) ended {state}.",
            "",
            f"Cause: {cause}",
            "",
            f"Flow run: {url or 'open the Prefect UI and search for the run id above'}",
            "",
            "What to do: docs/operations.md, section 'Alerts'. A run that stopped on its",
            "input needs the data fixed at the source; any other failure: fix the cause,",
            "then run the night again (prefect deployment run 'nightly-replenishment/nightly'",
            "or replenish run). Orders already proposed or sent are never duplicated.",
        ]
    )
    message = _message(sender, operator, subject, body, "run-failed")
    return OutgoingMail(f"run-alert:{flow_run_id}", "run_alert", operator, message)


def submission_failing(
    *, sender: str, operator: str, po_key: str, attempts: int, error: str, rejected: bool = False
) -> OutgoingMail:
    """An approved order the ERP rejected, or could not take `attempts` times: it needs a
    person."""
    if rejected:
        subject = f"replenish: the ERP rejected purchase order {po_key}"
        first = f"Purchase order {po_key} is approved but the ERP rejected it."
    else:
        subject = f"replenish: purchase order {po_key} failed {attempts} ERP submissions"
        first = f"Purchase order {po_key} is approved but the ERP refused it {attempts} times."
    body = "\n".join(
        [
            first,
            "",
            f"Last error: {error}",
            "",
            "Every run (and `replenish submit`) tries it again; it is never sent twice.",
            "If the error names the order itself (an unknown supplier or item in the ERP),",
            "fix the master data in the ERP, then run `replenish submit`.",
        ]
    )
    message = _message(sender, operator, subject, body, "submission-failing")
    return OutgoingMail(f"erp-failing:{po_key}", "submission_alert", operator, message)


def confirmed_in_erp_despite(
    *,
    sender: str,
    operator: str,
    po_key: str,
    erp: str,
    external_ref: str,
    confirmed_by: str,
    confirmed_at: str,
    our_state: str,
    our_decision: str,
) -> OutgoingMail:
    """An order replenish rejected (or withdrew) that the ERP shows as confirmed: two
    systems disagree about money going to a supplier, so a person must settle it."""
    subject = f"replenish: {po_key} is {our_state} here but confirmed in {erp}"
    body = "\n".join(
        [
            f"Purchase order {po_key} is {our_state} in replenish ({our_decision}),",
            f"but {erp} shows it confirmed: purchase {external_ref}, confirmed by "
            f"{confirmed_by} at {confirmed_at}.",
            "",
            f"It may already be on its way to the supplier. Ask {confirmed_by} why, then",
            f"either cancel purchase {external_ref} in {erp} (and tell the supplier), or keep",
            "it and note why: replenish does not count it as ordered, so the next nights may",
            "order the same goods again. `replenish reconcile` lists it until it is settled.",
        ]
    )
    message = _message(sender, operator, subject, body, "erp-confirmed")
    return OutgoingMail(f"erp-confirmed:{po_key}", "erp_alert", operator, message)


def forecast_drift(
    *, sender: str, operator: str, as_of: str, reasons: list[str], url: str | None
) -> OutgoingMail:
    """Segments whose forecasts got worse than their own baseline: once per night."""
    subject = f"replenish: forecast drift in {len(reasons)} segments ({as_of})"
    body = "\n".join(
        [
            f"The forecast monitoring of {as_of} found segments doing worse than usual:",
            "",
            *[f"- {reason}" for reason in reasons],
            "",
            f"Details: {url or 'the forecast-accuracy artifact of the monitoring flow run'}",
            "",
            "A bias far from zero means demand moved away from what the models expect (a",
            "promotion, a new customer, a lost listing): check with the planners before the",
            "next orders, and override or hold the segment's orders if needed.",
        ]
    )
    message = _message(sender, operator, subject, body, "forecast-drift")
    return OutgoingMail(f"drift:{as_of}", "drift_alert", operator, message)


def one_line(text: str) -> str:
    """The first non-empty line of a state message or error, shortened for a subject."""
    for line in text.splitlines():
        if line.strip():
            return _short(line.strip(), 300)
    return "no message"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(sender: str, recipient: str, subject: str, body: str, kind: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=kind, domain="replenish")
    message.set_content(body + "\n")
    return message
