"""E-mails people receive: a review request per approver and a data-quality alert.

Messages are built here as values (pure); a `Mailer` adapter delivers them. Links point
at the review page and only *show* the order: mail scanners open links, so nothing may
change on a GET. Each link is signed for its recipient (`approvals.links`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_templates = Environment(
    loader=PackageLoader("approvals", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class FlagNote:
    code: str
    message: str
    sku: str | None = None


@dataclass(frozen=True)
class OrderForReview:
    po_key: str
    supplier_name: str
    location: str
    value: str  # the money at stake: the value the decision changes
    line_count: int
    link: str
    flags: Sequence[FlagNote] = field(default_factory=tuple)
    reason: str = ""  # the main reason in words (the sentences are on the page)


@dataclass(frozen=True)
class OutgoingMail:
    """A message plus the key that stops a re-run from sending it twice."""

    dedupe_key: str
    kind: str
    recipient: str
    message: EmailMessage


def review_request(
    *,
    sender: str,
    approver: str,
    orders: Sequence[OrderForReview],
    total: str,
    as_of: date,
    deadline: str,
    run_id: str,
    notices: Sequence[OrderForReview] = (),
    digest_link: str | None = None,
) -> OutgoingMail:
    """One e-mail per approver: every order waiting for them, worst first, and the orders
    sent tonight with a warning they should act on (`notices`, e.g. expedite: the shelf
    empties before any order can arrive)."""
    context = {
        "orders": orders,
        "notices": notices,
        "total": total,
        "as_of": as_of.isoformat(),
        "deadline": deadline,
        "run_id": run_id,
        "digest_link": digest_link,
    }
    count, warned = len(orders), len(notices)
    day = f"{as_of:%d %b %Y}"
    if count:
        subject = f"{count} purchase order{'s' if count != 1 else ''} to review for {day} ({total})"
        if warned:
            subject += f", {warned} sent with a warning"
    else:
        subject = (
            f"{warned} purchase order{'s' if warned != 1 else ''} sent for {day} with a warning"
        )
    message = _message(sender, approver, subject, "review_request", context)
    keys = ",".join(sorted(order.po_key for order in [*orders, *notices]))
    digest = hashlib.sha256(f"{approver}|{keys}".encode()).hexdigest()[:24]
    return OutgoingMail(f"review:{digest}", "review_request", approver, message)


def quality_alert(
    *, sender: str, operator: str, breaches: Sequence[str], as_of: date, run_id: str
) -> OutgoingMail:
    context = {"breaches": breaches, "as_of": as_of.isoformat(), "run_id": run_id}
    subject = f"Nightly run {as_of:%d %b %Y} stopped: input data failed the quality gate"
    message = _message(sender, operator, subject, "quality_alert", context, html=False)
    return OutgoingMail(f"quality:{run_id}", "quality_alert", operator, message)


_DEADLINE_SUBJECTS = {
    "remind": "Reminder: purchase order {key} waits for your decision",
    "escalate": "Escalated to you: purchase order {key} was not decided in time",
    "hold": "On hold: purchase order {key} got no decision",
    "expire": "Expired: purchase order {key} got no decision",
}


def deadline_notice(
    *, sender: str, recipient: str, step: str, po_key: str, approver: str, due: str, link: str
) -> OutgoingMail:
    """A reminder, an escalation or the deadline outcome, once per order, step and person."""
    context = {"step": step, "po_key": po_key, "approver": approver, "due": due, "link": link}
    subject = _DEADLINE_SUBJECTS[step].format(key=po_key)
    message = _message(sender, recipient, subject, "deadline_notice", context, html=False)
    digest = hashlib.sha256(f"{po_key}|{recipient}".encode()).hexdigest()[:24]
    return OutgoingMail(f"deadline:{step}:{digest}", f"deadline_{step}", recipient, message)


def _message(
    sender: str,
    recipient: str,
    subject: str,
    template: str,
    context: Mapping[str, object],
    *,
    html: bool = True,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=template.replace("_", "-"), domain="replenish")
    text = _templates.get_template(f"{template}.txt").render(context)
    message.set_content(text, cte=_transfer_encoding(text))
    if html:
        page = _templates.get_template(f"{template}.html").render(context)
        message.add_alternative(page, subtype="html", cte=_transfer_encoding(page))
    return message


def _transfer_encoding(body: str) -> str:
    """7bit when the body is plain ASCII in lines a mail server takes (998 characters):
    quoted-printable would fold every signed link and add a tenth to the e-mail's size."""
    fits = body.isascii() and all(len(line) <= 998 for line in body.splitlines())
    return "7bit" if fits else "quoted-printable"
