"""A unit of work: one transaction around a set of writes, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from storage.mail import MailQueueRepository
from storage.orders import OrderRepository
from storage.parameter_proposals import ProposalRepository
from storage.reviews import ReviewRepository
from storage.rollbacks import RollbackRepository
from storage.runs import RunRepository


class UnitOfWork:
    """Open with `with uow:`; nothing reaches the database unless `commit()` is called.

    A state change and its audit record are written through the same session, so they
    commit together or not at all.
    """

    session: Session
    runs: RunRepository
    orders: OrderRepository
    reviews: ReviewRepository
    mail: MailQueueRepository
    rollbacks: RollbackRepository
    proposals: ProposalRepository

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.runs = RunRepository(self.session)
        self.orders = OrderRepository(self.session)
        self.reviews = ReviewRepository(self.session)
        self.mail = MailQueueRepository(self.session)
        self.rollbacks = RollbackRepository(self.session)
        self.proposals = ProposalRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, and (unlike rollback()) leaves
        # loaded objects readable, so callers can use what they fetched after the block.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
