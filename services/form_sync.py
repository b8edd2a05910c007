"""Which Prefect decision forms to keep, close (saying why) and open, so each person asked
to decide has exactly one listing what waits for them.

The database says who must decide what (`services.decision_forms.asked_to_decide`); a
form is a suspended `approver-decisions` run whose parameters name the person and the
orders it lists. This module compares the two; `flows.form_runs` carries the plan out
through the Prefect API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from approvals.policy import person_key
from services.decision_forms import asked_to_decide
from storage.unit_of_work import UnitOfWork


@dataclass
class FormPlan:
    close: list[tuple[Any, str]] = field(default_factory=list)  # (form run id, why)
    open: dict[str, list[str]] = field(default_factory=dict)  # person -> the keys to list


def forms_wanted(
    uow: Callable[[], UnitOfWork], default_approver: str, enabled: bool, person: str | None
) -> dict[str, list[str]]:
    """Per person, the keys their form must list (only `person`'s, when given); nobody's
    when the forms are turned off (`approvals.prefect_forms`)."""
    wanted = asked_to_decide(uow, default_approver)
    if not enabled:
        wanted = {}
    if person is not None:
        wanted = {who: keys for who, keys in wanted.items() if who == person_key(person)}
    return wanted


def plan_forms(
    forms: Iterable[tuple[Any, Mapping[str, Any]]],
    wanted: dict[str, list[str]],
    enabled: bool,
    person: str | None = None,
) -> FormPlan:
    """`forms`: each open form's run id and parameters. The forms to close, each with the
    sentence its Cancelled state shows, and the people who need a new one; with `person`,
    only that person's forms are looked at."""
    plan, kept = FormPlan(), set()
    for run_id, parameters in forms:
        who = person_key(str(parameters.get("approver", "")))
        legacy = "approver" not in parameters
        if person is not None and (legacy or who != person_key(person)):
            continue
        why = why_close(who, list(parameters.get("po_keys") or []), wanted, legacy,
                        enabled, who in kept)  # fmt: skip
        if why is None:
            kept.add(who)
            continue
        plan.close.append((run_id, why))
    plan.open = {who: keys for who, keys in wanted.items() if who not in kept}
    return plan


def why_close(
    who: str,
    listed: list[str],
    wanted: dict[str, list[str]],
    legacy: bool,
    enabled: bool,
    duplicate: bool,
) -> str | None:
    """None keeps the form open; otherwise the sentence its Cancelled state shows."""
    if not enabled:
        return "Prefect decision forms are turned off (approvals.prefect_forms)"
    if legacy:
        return "replaced by one form per person (flow approver-decisions)"
    if duplicate:
        return f"another form for {who} is open"
    waiting = wanted.get(who, [])
    if not waiting:
        return f"nothing waits for {who} any more (decided elsewhere, expired or withdrawn)"
    gone, new = sorted(set(listed) - set(waiting)), sorted(set(waiting) - set(listed))
    if not gone and not new:
        return None
    parts = [f"{len(gone)} no longer waiting ({_few(gone)})" if gone else "",
             f"{len(new)} new ({_few(new)})" if new else ""]  # fmt: skip
    return f"replaced by a new form for {who}: " + "; ".join(p for p in parts if p)


def _few(keys: list[str]) -> str:
    return ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
