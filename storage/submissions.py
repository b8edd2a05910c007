"""Submission claims: who may send an order to the ERP, and how each attempt ended.

The unique key on `submissions.po_key` is what makes "exactly once" hold across
processes; these methods are the only writers of that table.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.actors import utcnow
from storage.models import Submission


class SubmissionClaims:
    """Mixed into `OrderRepository`: `uow.orders.claim_submission(...)`."""

    session: Session

    def claim_submission(self, po_key: str, adapter: str) -> Submission:
        """Claim the right to send `po_key` to the ERP, or return the existing claim.

        The unique key on `submissions.po_key` makes the claim atomic across processes:
        whoever inserts first owns the submission; everybody else reads its state.
        """
        existing = self._submission(po_key)
        if existing is not None:
            return existing
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(Submission).values(
                        po_key=po_key,
                        adapter=adapter,
                        status="claimed",
                        attempts=0,
                        claimed_at=utcnow(),
                    )
                )
        except IntegrityError:
            pass
        claimed = self._submission(po_key)
        assert claimed is not None
        return claimed

    def record_submission(
        self,
        submission: Submission,
        *,
        external_ref: str | None,
        error: str | None,
        rejected: bool = False,
    ) -> None:
        """One attempt's outcome; `rejected`: the ERP refused the order (not an outage)."""
        submission.attempts += 1
        if error is None:
            submission.status = "submitted"
            submission.external_ref = external_ref
            submission.submitted_at = utcnow()
            submission.error = None
        else:
            submission.status = "rejected" if rejected else "failed"
            submission.error = error
        self.session.flush()

    def external_refs(self, po_keys: Iterable[str]) -> dict[str, str]:
        """The ERP's reference of each submitted order, for the run's artifact."""
        keys = list(po_keys)
        if not keys:
            return {}
        rows = self.session.execute(
            select(Submission.po_key, Submission.external_ref).where(Submission.po_key.in_(keys))
        )
        return {str(key): str(ref or "") for key, ref in rows}

    def failing_submissions(self, min_attempts: int) -> list[Submission]:
        """Submissions the ERP rejected, and those still failing after at least
        `min_attempts` tries (an outage): a person must look."""
        return list(
            self.session.scalars(
                select(Submission)
                .where(
                    or_(
                        Submission.status == "rejected",
                        and_(Submission.status == "failed", Submission.attempts >= min_attempts),
                    )
                )
                .order_by(Submission.id)
            )
        )

    def _submission(self, po_key: str) -> Submission | None:
        return self.session.scalar(
            select(Submission)
            .where(Submission.po_key == po_key)
            .execution_options(populate_existing=True)
        )
