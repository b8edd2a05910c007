"""Record the rollout modes a night is made with, and audit a change of mode.

An administrator changes `rollout.mode` (or an override) in the config file; nobody is
in the loop when the next night reads it. So each run compares the modes it is made with
against the last run's recorded ones, at its start, and writes one audit record per
scope that changed (old mode, new mode, scope), in the same transaction as the modes it
keeps for the next run to compare with.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from approvals.rollout import RolloutPolicy
from domain.actors import Actor, utcnow
from domain.rollout import BEFORE_ROLLOUT, ModeChange, mode_changes
from storage.unit_of_work import UnitOfWork


def record_rollout(
    uow_factory: Callable[[], UnitOfWork],
    run_id: str,
    as_of: date,
    policy: RolloutPolicy,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> list[ModeChange]:
    """Keep the run's modes; audit each scope whose mode differs from the last run's
    (a database that never recorded modes was live everywhere). Returns the changes."""
    now = now or utcnow()
    current = policy.scoped_modes()
    with uow_factory() as uow:
        before = uow.runs.last_rollout(run_id) or BEFORE_ROLLOUT
        changes = mode_changes(before, current)
        uow.runs.record_rollout(run_id, current)
        for change in changes:
            uow.runs.audit_rollout(
                change.scope, change.old, change.new, at=now, actor=actor,
                reason=f"rollout mode changed in the configuration: {change.sentence()}",
                details={"run_id": run_id, "as_of": as_of.isoformat(), "modes": current},
            )  # fmt: skip
        uow.commit()
    return changes
