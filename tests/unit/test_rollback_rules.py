"""The pure rules of a rollback: which orders are withdrawn and which are cancelled in the
ERP, the life cycle that allows it, the keys a rerun gets, the report and its e-mails."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from approvals.rollback_mail import cancellations_retried, rollback_mails
from domain.lifecycle import InvalidTransition, OrderStatus, check_transition
from domain.rollback import OrderOutcome, Outcome, RollbackReport, Step, step_for
from purchasing.orders import po_key


@pytest.mark.parametrize(
    ("status", "handed_to_erp", "step"),
    [
        ("auto_approved", False, Step.WITHDRAW),
        ("pending_review", False, Step.WITHDRAW),
        ("approved", False, Step.WITHDRAW),
        # handed to the ERP's approvers (a quotation there) or claimed for submission
        ("pending_review", True, Step.CANCEL),
        ("approved", True, Step.CANCEL),
        # the ERP may hold these, whatever our side recorded: only the ERP can say
        ("submitting", True, Step.CANCEL),
        ("submitted", True, Step.CANCEL),
        ("confirmed", True, Step.CANCEL),
        ("failed", True, Step.CANCEL),
        ("cancelling", True, Step.CANCEL),
        # decided against, or taken back already: left as it is
        ("rejected", False, Step.LEAVE),
        ("expired", False, Step.LEAVE),
        ("withdrawn", False, Step.LEAVE),
        ("cancelled", True, Step.LEAVE),
    ],
)
def test_what_a_rollback_does_to_an_order_in_each_state(
    status: str, handed_to_erp: bool, step: Step
) -> None:
    assert step_for(status, handed_to_erp) is step


def test_withdrawn_and_cancelled_are_final_and_too_late_goes_back_to_submitted() -> None:
    for final in ("withdrawn", "cancelled"):
        for target in OrderStatus:
            with pytest.raises(InvalidTransition):
                check_transition(final, target)
    for settled in ("cancelled", "withdrawn", "submitted"):
        check_transition("cancelling", settled)
    with pytest.raises(InvalidTransition):  # a refused proposal is never "withdrawn"
        check_transition("rejected", "withdrawn")
    with pytest.raises(InvalidTransition):  # a sent order is cancelled through the ERP
        check_transition("submitted", "withdrawn")


def test_a_rerun_after_a_rollback_gets_keys_no_other_order_can_have() -> None:
    day = date(2026, 11, 30)
    first = po_key(day, "ACME", "WH1")
    assert po_key(day, "ACME", "WH1", revision=1) == first == "RPL-20261130-ACME-WH1"
    assert po_key(day, "ACME", "WH1", revision=2) == "RPL-20261130-ACME-WH1-V2"
    messy = [("ACME", "WH1"), ("ACME", "WH1-V2"), ("ACME-WH1", "V2"), ("acme co", "wh 1"),
             ("S" * 64, "L" * 64)]  # fmt: skip
    keys = [po_key(day, s, loc, revision=r) for s, loc in messy for r in (1, 2, 3)]
    review = [key + "-R" for key in keys]
    assert len(set(keys) | set(review)) == 2 * len(keys)
    assert all(len(key) <= 96 for key in review)  # purchase_orders.po_key is VARCHAR(96)


def report(*outcomes: Outcome, already: bool = False) -> RollbackReport:
    return RollbackReport(
        run_id="c0ffee", as_of=date(2026, 11, 30), requested_by="it.admin@example.com",
        channel="prefect-ui", reason="stock extract a week old",
        requested_at=datetime(2026, 12, 1, 7, 15, tzinfo=UTC),
        orders=[OrderOutcome(f"RPL-{n}", o, "why" if o is Outcome.TOO_LATE else "")
                for n, o in enumerate(outcomes)],
        already_rolled_back=already,
    )  # fmt: skip


def test_the_report_counts_every_outcome_and_is_complete_only_when_nothing_is_stuck() -> None:
    done = report(Outcome.WITHDRAWN, Outcome.WITHDRAWN, Outcome.CANCELLED, Outcome.UNCHANGED)
    assert done.counts() == {"withdrawn": 2, "cancelled": 1, "too_late": 0, "failed": 0,
                             "unchanged": 1, "pending": 0}  # fmt: skip
    assert done.complete
    assert done.count_sentence() == (
        "2 withdrawn, 1 cancelled, 0 too late, 0 failed (1 left as they were)"
    )
    for stuck in (Outcome.TOO_LATE, Outcome.FAILED, Outcome.PENDING):
        assert not report(Outcome.WITHDRAWN, stuck).complete
    assert "already rolled back" in report(already=True).headline()
    assert report(Outcome.CANCELLED).as_dict()["counts"]["cancelled"] == 1  # type: ignore[index]


def test_one_mail_per_person_saying_who_when_how_why_and_each_orders_outcome() -> None:
    night = report(Outcome.WITHDRAWN, Outcome.TOO_LATE, Outcome.FAILED)
    buyers = ["Ann@Example.com", "ann@example.com", "bob@example.com"]
    mails = rollback_mails(night, sender="replenish@example.com", operator="ops@example.com",
                           buyers=buyers)  # fmt: skip
    assert [m.recipient for m in mails] == ["ops@example.com", "Ann@Example.com",
                                            "bob@example.com"]  # fmt: skip
    assert len({m.dedupe_key for m in mails}) == 3
    body = mails[0].message.get_content()
    assert "rolled back by it.admin@example.com on 01 Dec 2026 at 07:15 UTC" in body
    assert "through the Prefect UI" in body
    assert "Why: stock extract a week old" in body
    assert "- RPL-0: withdrawn" in body
    assert "- RPL-1: TOO LATE, still in the ERP (why)" in body
    assert "call them" in body
    assert "tried again by the next run" in body
    assert "1 withdrawn, 0 cancelled, 1 too late, 1 failed" in str(mails[0].message["Subject"])
    retried = cancellations_retried([OrderOutcome("RPL-9", Outcome.CANCELLED, "")],
                                    sender="r@example.com", operator="ops@example.com",
                                    run_id="r1")  # fmt: skip
    assert retried.recipient == "ops@example.com"
    assert "1 settled" in str(retried.message["Subject"])
