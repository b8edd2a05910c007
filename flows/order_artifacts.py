"""Beside the run summary, the orders an operator asks about the morning after: those
waiting for a person (with the command that mints the approver's link) and those sent
to the ERP (with the ERP's reference), and those made in shadow mode (recorded only).
Published as Prefect table artifacts of the run."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from domain.lifecycle import OrderStatus
from domain.money import format_money
from replenish.bootstrap import Services
from services.order_queries import erp_references
from services.run_summary import RunFacts


@task(name="publish-orders", cache_policy=NO_CACHE)
def publish(services: Services, facts: RunFacts) -> None:
    """Table artifacts `flagged-orders` and `submitted-orders` for this run."""
    flagged: list[dict[str, object]] = []
    if facts.review is not None and facts.proposed is not None:
        orders = facts.review.plan.orders.set_index("po_key")
        flags = facts.review.flags
        for key in facts.proposed.created:
            if facts.review.decisions.get(key) != OrderStatus.PENDING_REVIEW.value:
                continue
            codes = sorted(set(flags.loc[flags["po_key"] == key, "code"]))
            value = float(orders.loc[key, "value"])
            approver = str(facts.review.approvers.get(key, ""))
            flagged.append(
                {
                    "po_key": key,
                    "supplier": str(orders.loc[key, "supplier_id"]),
                    "value": format_money(value, str(orders.loc[key, "currency"])),
                    "reasons": ", ".join(codes),
                    "approver": approver,
                    "rollout_mode": facts.review.mode_of(key),
                    # Not the link itself: a review link is a signed credential of its
                    # approver, and the Prefect UI is read by more people than that.
                    "review_link": f"replenish review link {key} --for {approver}",
                }
            )
    shadow = _shadow_rows(facts)
    sent: list[dict[str, object]] = []
    if facts.submitted is not None:
        keys = [*facts.submitted.submitted, *facts.submitted.already_in_erp]
        refs = erp_references(services.uow, keys)
        sent = [{"po_key": key, "erp_reference": refs.get(key, "")} for key in keys]
        sent += [
            {"po_key": key, "erp_reference": f"FAILED: {error}"}
            for key, error in facts.submitted.failed.items()
        ]
    create_table_artifact(
        key="flagged-orders",
        table=flagged or [{"po_key": "", "reasons": "no order waits for a person from this run"}],
        description=f"Orders of run {facts.run_id} waiting for a decision, with review links.",
    )
    create_table_artifact(
        key="submitted-orders",
        table=sent or [{"po_key": "", "erp_reference": "nothing sent to the ERP by this run"}],
        description=f"Orders run {facts.run_id} sent to the ERP, with the ERP's reference.",
    )
    if shadow:
        create_table_artifact(
            key="shadow-orders",
            table=shadow,
            description=f"Orders run {facts.run_id} made in shadow mode: recorded only, sent "
            "to no ERP and no buyer (`replenish shadow-report` compares them).",
        )


def _shadow_rows(facts: RunFacts) -> list[dict[str, object]]:
    """Tonight's shadow orders: what the product would have ordered."""
    if facts.review is None or facts.proposed is None:
        return []
    orders = facts.review.plan.orders.set_index("po_key")
    keys = [k for k in facts.proposed.created
            if facts.review.decisions.get(k) == OrderStatus.SHADOW.value]  # fmt: skip
    return [
        {
            "po_key": key,
            "supplier": str(orders.loc[key, "supplier_id"]),
            "location": str(orders.loc[key, "location"]),
            "lines": int(orders.loc[key, "line_count"]),
            "value": format_money(
                float(orders.loc[key, "value"]), str(orders.loc[key, "currency"])
            ),
        }
        for key in keys
    ]
