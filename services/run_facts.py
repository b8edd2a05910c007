"""What the stages of a nightly run produced so far; a stopped run simply has fewer of them.

The flows fill it in stage by stage; `services.run_summary.build_summary` turns it into
the run summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataquality import ValidationResult
    from domain.nightly import Plan, Proposed, Review
    from domain.rollout import ModeChange
    from forecasting import ForecastResult
    from integrations.sources.extract import FileInfo
    from services.submission import Submitted
    from settings import Settings


@dataclass
class RunFacts:
    """What the stages produced so far; a stopped run simply has fewer of them."""

    run_id: str
    as_of: date
    settings: Settings
    status: str = "succeeded"
    message: str = ""
    breaches: list[str] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)
    checked: ValidationResult | None = None
    forecast: ForecastResult | None = None
    plan: Plan | None = None
    review: Review | None = None
    proposed: Proposed | None = None
    emails: list[str] = field(default_factory=list)
    submitted: Submitted | None = None
    # Stages that failed without stopping the run (the e-mails could not be sent): the
    # run goes on to submit, and ends partial.
    problems: list[str] = field(default_factory=list)
    # The run's row exists in the `runs` table (false when the database refused it).
    started: bool = False
    # What the mail server had not taken when the run closed (notifications.MailWaiting);
    # None when the database could not say.
    mail_waiting: dict[str, Any] | None = None
    # Rollout scopes whose mode changed since the last run (audited at the run's start).
    mode_changes: list[ModeChange] = field(default_factory=list)

    def failed(self, message: str, breaches: list[str] | None = None) -> RunFacts:
        """Something raised: the run ends `failed` (a bug, the database down, a crash)."""
        self.status = "failed"
        self.message = message
        self.breaches = list(breaches or [])
        return self

    def stopped(self, message: str, breaches: list[str] | None = None) -> RunFacts:
        """The run refused its input (a broken file, the quality gate) before ordering."""
        self.failed(message, breaches)
        self.status = "stopped"
        return self
