"""Where the approvers' e-mails come from and how their links are signed, from the settings."""

from __future__ import annotations

from approvals.links import ReviewLinks
from services import deadlines
from services.erp_truth import AlertMailing
from services.review_mail import ReviewMailing
from settings import Settings


def review_mailing(settings: Settings, links: ReviewLinks) -> ReviewMailing:
    """The review requests' sender, default approver and time to decide."""
    return ReviewMailing(
        sender=settings.email.sender,
        default_approver=settings.approvals.default_approver,
        review_hours=settings.approvals.review_hours,
        links=links,
        rules=settings.flags,
        timezone=settings.company_timezone,
    )


def deadline_mailing(settings: Settings, links: ReviewLinks) -> deadlines.Mailing:
    """The reminders' and escalations' sender, and the operator told of held orders."""
    return deadlines.Mailing(
        sender=settings.email.sender, operator=settings.approvals.operator, links=links
    )


def alert_mailing(settings: Settings) -> AlertMailing:
    """Where an operator alert about the ERP comes from and goes to."""
    return AlertMailing(sender=settings.email.sender, operator=settings.approvals.operator)
