"""Deciding waiting orders from the Prefect UI, with the database the one source of truth.

Each person asked to decide has one `approver-decisions` flow run, suspended with a form
listing every order waiting for them (flows/decision_form.py); flows/form_runs.py opens
and closes these runs as orders arrive and get decided. Suspended, a run holds no
process. "Resume" in the UI starts the run again from the top (Prefect re-runs a
suspended flow): it rebuilds the same form from its parameters, reads the answers and
applies each decision through `services.decisions.decide_order`, exactly as the review
page and the CLI do: the same routing check, the same refusal of a second decision (one
taken on the page meanwhile wins), the same audit, channel "prefect-ui".

A refused decision is never green: the run ends Failed, its message naming each refusal,
and the refused order, still waiting, is in the person's new form straight away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import suspend_flow_run
from prefect.states import Failed, State
from pydantic import ValidationError

from flows.decision_form import Answer, answers, form_for
from flows.form_runs import FLOW_NAME, refresh_forms
from replenish.bootstrap import Services, composed
from services.decision_form_layout import describe
from services.decision_forms import form_orders
from services.decisions import AlreadyDecided, InvalidDecision, NotYourDecision, decide_order
from services.refusals import NotAnAdministrator

REFUSED = (AlreadyDecided, NotYourDecision, NotAnAdministrator, InvalidDecision, KeyError)


@dataclass
class Outcome:
    applied: dict[str, str] = field(default_factory=dict)  # po_key -> its status now
    refused: dict[str, str] = field(default_factory=dict)  # po_key -> why
    later: list[str] = field(default_factory=list)

    def sentence(self, person: str) -> str:
        said = [f"{len(self.applied)} decided", f"{len(self.later)} left for later"]
        if self.refused:
            why = "; ".join(f"{key}: {reason}" for key, reason in self.refused.items())
            said.append(f"{len(self.refused)} refused: {why}")
        return f"{person}'s form: " + ", ".join(said)


@flow(name=FLOW_NAME, flow_run_name="decisions for {approver}", persist_result=True)
def decide_in_prefect(
    approver: str, po_keys: list[str], config: str | None = None, wait_hours: int = 168
) -> str | State:
    """Wait (suspended, no process held) for `approver`'s answers on the orders `po_keys`
    in the Prefect UI's form, then apply each like the review page would. Ends Failed
    when a decision was refused; every order still waiting gets a new form."""
    with composed(config) as services:
        orders = form_orders(services.uow, po_keys)
        form = form_for(approver, orders)
        create_markdown_artifact(
            key="decision-form", markdown=describe(approver, orders),
            description=f"The orders in {approver}'s form",
        )  # fmt: skip
        try:
            answered = suspend_flow_run(
                wait_for_input=form, timeout=wait_hours * 3600, key="decisions"
            )
        except ValidationError as error:  # the orders changed shape since the form was shown
            refresh_forms(services, approver)
            return Failed(message=f"{approver}'s answers could not be read, nothing applied: "
                          f"{error}")  # fmt: skip
        outcome = _apply(services, answers(answered, orders))
        _publish(approver, outcome)
        refresh_forms(services, approver)
        if outcome.refused:
            return Failed(message=outcome.sentence(approver))
        return outcome.sentence(approver)


def _apply(services: Services, found: list[Answer]) -> Outcome:
    """Each decision in its own transaction: one refusal never undoes the others."""
    logger, outcome = get_run_logger(), Outcome()
    for answer in found:
        key = answer.order.po_key
        if answer.command is None:
            outcome.later.append(key)
            continue
        try:
            result = decide_order(services.uow, services.settings.approvals, answer.command)
        except REFUSED as refused:
            reason = str(refused.args[0]) if isinstance(refused, KeyError) else str(refused)
            logger.warning("Decision on %s refused: %s", key, reason)
            outcome.refused[key] = reason
            continue
        logger.info("%s is now %s (by %s)", key, result.status.value, result.decided_by)
        outcome.applied[key] = f"{result.status.value} (by {result.decided_by})"
    return outcome


def _publish(person: str, outcome: Outcome) -> None:
    """The answers and what became of them, on the run's Artifacts tab."""
    rows = [f"| {key} | {status} |" for key, status in outcome.applied.items()]
    rows += [f"| {key} | **refused**: {why} |" for key, why in outcome.refused.items()]
    rows += [f"| {key} | left for later |" for key in outcome.later]
    table = ["| order | result |", "| --- | --- |", *rows]
    create_markdown_artifact(
        key="decisions",
        markdown="\n".join([f"### Decisions of {person}", "", *table]),
        description=outcome.sentence(person),
    )
