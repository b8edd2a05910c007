"""The nightly run's stages as Prefect tasks: each calls the core or one adapter.

Tasks are called directly inside the flow (about 3 ms each) and take whole frames:
never one task per item or series. `NO_CACHE` because hashing a million-row frame to
build a cache key would cost more than the stage itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from approvals.lifecycle import OrderStatus
from approvals.notifications import (
    FlagNote,
    OrderForReview,
    OutgoingMail,
    money,
    quality_alert,
    review_link,
    review_request,
)
from approvals.routing import assign_approvers
from dataquality import ValidationResult, ValidationRules, validate
from dataquality.report import quarantine_share_breaches, summarise
from forecasting import ForecastParams, ForecastResult, forecast_demand
from integrations.erp.base import ErpError, ErpOrder, ErpOrderLine
from integrations.sources.csv_folder import RawExtract, read_csv_folder
from integrations.sources.errors import SourceError
from purchasing import (
    FlagRules,
    PolicyParams,
    flag_orders,
    group_orders,
    hold_flagged_lines,
    order_decisions,
    plan_lines,
)
from replenish.bootstrap import Services
from replenish.run_summary import render_markdown
from storage import records
from storage.models import PurchaseOrder
from storage.orders import Actor, StateConflict

NIGHTLY = Actor(name="replenish nightly run", channel="nightly-run")


@dataclass(frozen=True)
class Plan:
    lines: pd.DataFrame
    orders: pd.DataFrame


@dataclass(frozen=True)
class Review:
    plan: Plan
    flags: pd.DataFrame
    decisions: pd.Series
    approvers: pd.Series


@dataclass
class Proposed:
    created: list[str] = field(default_factory=list)
    already_known: dict[str, str] = field(default_factory=dict)


@dataclass
class Submitted:
    submitted: list[str] = field(default_factory=list)
    already_in_erp: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@task(name="extract", cache_policy=NO_CACHE)
def extract(source: Path) -> RawExtract | SourceError:
    """Read one night's extract from the source folder, every cell as text.

    A broken file is returned, not raised: it is the data owner's problem to fix, and
    the operator needs its one-line message, not a traceback.
    """
    logger = get_run_logger()
    try:
        raw = read_csv_folder(source)
    except SourceError as error:
        logger.error("Cannot read the extract: %s", error)
        return error
    for info in raw.files:
        logger.info(
            "Read %s: %s rows (%s, %r)", info.file, info.rows, info.encoding, info.delimiter
        )
    return raw


@task(name="validate", cache_policy=NO_CACHE)
def validate_inputs(raw: RawExtract, as_of: date, rules: ValidationRules) -> ValidationResult:
    """Accept, repair or quarantine every input row, each with its reason."""
    checked = validate(raw.frames, as_of=as_of, rules=rules)
    totals = checked.counts[["read", "accepted", "repaired", "quarantined"]].sum()
    get_run_logger().info(
        "Validated %d rows: %d accepted, %d repaired, %d quarantined",
        totals["read"],
        totals["accepted"],
        totals["repaired"],
        totals["quarantined"],
    )
    return checked


@task(name="record-data-quality", cache_policy=NO_CACHE)
def record_data_quality(services: Services, run_id: str, checked: ValidationResult) -> None:
    """Store per-file counts and every repaired or quarantined row; publish the report."""
    with services.uow() as uow:
        uow.runs.add_input_files(run_id, records.input_file_rows(checked.counts))
        uow.runs.add_dispositions(run_id, records.disposition_rows(checked.issues))
        uow.commit()
    report = summarise(checked)
    create_table_artifact(
        key="data-quality",
        table=[{k: records.clean(v) for k, v in row.items()} for row in report.to_dict("records")],
        description="Rows read, accepted, repaired and quarantined per file, with top reasons.",
    )


@task(name="quality-gate", cache_policy=NO_CACHE)
def quality_gate(checked: ValidationResult, rules: ValidationRules) -> list[str]:
    """The files whose quarantined share passes the limit; any means: do not order."""
    breaches = quarantine_share_breaches(checked.counts, rules.max_quarantine_share)
    for message in breaches:
        get_run_logger().error(message)
    return breaches


@task(name="forecast", cache_policy=NO_CACHE)
def forecast(checked: ValidationResult, as_of: date, params: ForecastParams) -> ForecastResult:
    """Forecast every item-location in one statsforecast pass; lead-time demand quantiles."""
    result = forecast_demand(
        checked.tables["demand"], checked.tables["items"], as_of=as_of, params=params
    )
    classes = result.summary["demand_class"].value_counts().to_dict()
    get_run_logger().info("Forecast %d series: %s", len(result.summary), classes)
    return result


@task(name="record-forecasts", cache_policy=NO_CACHE)
def record_forecasts(services: Services, run_id: str, result: ForecastResult) -> None:
    """Keep each series' class, model and distribution: the 'why' behind every quantity."""
    with services.uow() as uow:
        uow.runs.add_forecasts(run_id, records.forecast_rows(result.summary))
        uow.commit()


@task(name="plan", cache_policy=NO_CACHE)
def plan(
    checked: ValidationResult, result: ForecastResult, as_of: date, params: PolicyParams
) -> Plan:
    """Order-up-to quantities per item-location, rounded to packs and MOQs, grouped per supplier."""
    tables = checked.tables
    lines = plan_lines(
        result.summary,
        tables["items"],
        tables["stock"],
        tables["open_orders"],
        as_of=as_of,
        params=params,
    )
    orders, lines = group_orders(lines, tables["suppliers"], as_of=as_of)
    get_run_logger().info(
        "Planned %d purchase orders with %d lines", len(orders), int((lines["order_qty"] > 0).sum())
    )
    return Plan(lines=lines, orders=orders)


@task(name="flag", cache_policy=NO_CACHE)
def flag(
    planned: Plan,
    checked: ValidationResult,
    result: ForecastResult,
    rules: FlagRules,
    services: Services,
) -> Review:
    """Mark what a person must see, with reasons; route each flagged order to its approver."""
    flags = flag_orders(
        planned.lines, planned.orders, result.summary, checked.quarantined_items, rules
    )
    if rules.hold_only_flagged_lines:
        orders, lines, flags = hold_flagged_lines(planned.orders, planned.lines, flags)
        planned = Plan(lines=lines, orders=orders)
    decisions = order_decisions(planned.orders, flags).set_index("po_key")["decision"]
    routing = services.settings.approvals
    lines = planned.lines.merge(
        checked.tables["items"][["sku", "location", "category"]], on=["sku", "location"], how="left"
    )
    approvers = assign_approvers(
        planned.orders,
        lines[lines["order_qty"] > 0],
        default_approver=routing.default_approver,
        by_supplier=routing.by_supplier,
        by_category=routing.by_category,
    )
    pending = int((decisions == OrderStatus.PENDING_REVIEW.value).sum())
    get_run_logger().info("%d flags on %d of %d orders", len(flags), pending, len(planned.orders))
    return Review(plan=planned, flags=flags, decisions=decisions, approvers=approvers)


@task(name="propose", cache_policy=NO_CACHE)
def propose(services: Services, run_id: str, review: Review) -> Proposed:
    """Store new orders with their decision; an order already known for this key is left alone."""
    outcome = Proposed()
    planned = review.plan
    ordered = planned.lines[planned.lines["order_qty"] > 0]
    with services.uow() as uow:
        outcome.already_known = uow.orders.statuses(planned.orders["po_key"])
        for proposal in records.proposals(planned.orders, ordered, review.flags):
            key = proposal.order["po_key"]
            if key in outcome.already_known:
                continue
            decision = OrderStatus(review.decisions[key])
            pending = decision is OrderStatus.PENDING_REVIEW
            order = {**proposal.order, "approver": review.approvers[key] if pending else None}
            uow.orders.add_proposal(run_id, order, proposal.lines, proposal.flags, NIGHTLY)
            reason = ", ".join(sorted({f["code"] for f in proposal.flags})) or "no flags"
            uow.orders.transition(key, decision, NIGHTLY, reason=reason)
            outcome.created.append(key)
        uow.commit()
    if outcome.already_known:
        get_run_logger().info(
            "%d orders already proposed earlier for these keys; not created again",
            len(outcome.already_known),
        )
    return outcome


@task(name="route", cache_policy=NO_CACHE)
def route(
    services: Services,
    run_id: str,
    as_of: date,
    review: Review,
    proposed: Proposed,
    suppliers: pd.DataFrame,
) -> list[str]:
    """One e-mail per approver for the orders created tonight that wait for a decision."""
    settings = services.settings
    planned = review.plan
    pending = [
        key for key in proposed.created if review.decisions[key] == OrderStatus.PENDING_REVIEW.value
    ]
    orders = planned.orders.set_index("po_key").loc[pending]
    names = suppliers.set_index("supplier_id")["name"].to_dict()
    by_approver: dict[str, list[OrderForReview]] = {}
    totals: dict[str, float] = {}
    for key, order in orders.sort_values("value", ascending=False).iterrows():
        approver = str(review.approvers[key])
        notes = review.flags[review.flags["po_key"] == key]
        by_approver.setdefault(approver, []).append(
            OrderForReview(
                po_key=str(key),
                supplier_name=str(names.get(order["supplier_id"], order["supplier_id"])),
                location=str(order["location"]),
                value=money(order["value"], order["currency"]),
                line_count=int(order["line_count"]),
                link=review_link(settings.review_base_url, str(key)),
                flags=tuple(
                    FlagNote(code=str(c), message=str(m), sku=s if isinstance(s, str) else None)
                    for c, m, s in zip(notes["code"], notes["message"], notes["sku"], strict=True)
                ),
            )
        )
        totals[approver] = totals.get(approver, 0.0) + float(order["value"])
    deadline = datetime.now(UTC) + timedelta(hours=settings.approvals.review_hours)
    mails = [
        review_request(
            sender=settings.email.sender,
            approver=approver,
            orders=items,
            total=money(
                totals[approver], "EUR" if orders.empty else str(orders["currency"].iloc[0])
            ),
            as_of=as_of,
            deadline=f"{deadline:%a %d %b %Y %H:%M} UTC",
            run_id=run_id,
        )
        for approver, items in by_approver.items()
    ]
    return send(services, run_id, mails)


def send(services: Services, run_id: str, mails: Sequence[OutgoingMail]) -> list[str]:
    """Deliver each message once: a message already recorded is not sent again."""
    delivered: list[str] = []
    logger = get_run_logger()
    for mail in mails:
        with services.uow() as uow:
            if uow.runs.notification_sent(mail.dedupe_key):
                continue
            location = services.mailer.send(mail.message)
            uow.runs.record_notification(
                run_id,
                dedupe_key=mail.dedupe_key,
                kind=mail.kind,
                recipient=mail.recipient,
                subject=str(mail.message["Subject"]),
                location=location,
                sent_at=datetime.now(UTC),
            )
            uow.commit()
        logger.info("E-mailed %s: %s", mail.recipient, mail.message["Subject"])
        delivered.append(location)
    return delivered


@task(name="alert-data-quality", cache_policy=NO_CACHE)
def alert_data_quality(
    services: Services, run_id: str, as_of: date, breaches: list[str]
) -> list[str]:
    """Tell the operator the run stopped before ordering, and why."""
    settings = services.settings
    mail = quality_alert(
        sender=settings.email.sender,
        operator=settings.approvals.operator,
        breaches=breaches,
        as_of=as_of,
        run_id=run_id,
    )
    return send(services, run_id, [mail])


@task(name="submit", cache_policy=NO_CACHE)
def submit(services: Services) -> Submitted:
    """Send every approved order to the ERP exactly once.

    Protocol per order: claim the key in the database (unique), mark the order
    `submitting`, ask the ERP whether it already holds the key (a crash after the ERP
    call but before our commit), and only then create it. Each step commits, so a
    kill at any point leaves a state the next run completes without duplicating.
    """
    outcome = Submitted()
    logger = get_run_logger()
    erp = services.erp
    with services.uow() as uow:
        ready = [(po.po_key, _erp_order(po)) for po in uow.orders.ready_to_submit()]
    for key, order in ready:
        with services.uow() as uow:
            claim = uow.orders.claim_submission(key, erp.name)
            po = uow.orders.get(key)
            if po is None or claim.status == "submitted":
                continue
            if po.status != OrderStatus.SUBMITTING.value:
                try:
                    uow.orders.transition(key, OrderStatus.SUBMITTING, NIGHTLY)
                except StateConflict:
                    continue
            uow.commit()
        with services.uow() as uow:
            claim = uow.orders.claim_submission(key, erp.name)
            try:
                receipt = erp.find(key) or erp.submit(order)
            except ErpError as error:
                uow.orders.record_submission(claim, external_ref=None, error=str(error))
                uow.orders.transition(key, OrderStatus.FAILED, NIGHTLY, reason=str(error))
                uow.commit()
                outcome.failed[key] = str(error)
                logger.error("ERP refused %s: %s", key, error)
                continue
            uow.orders.record_submission(claim, external_ref=receipt.external_ref, error=None)
            uow.orders.transition(
                key, OrderStatus.SUBMITTED, NIGHTLY, details={"external_ref": receipt.external_ref}
            )
            uow.commit()
        (outcome.submitted if receipt.created else outcome.already_in_erp).append(key)
    logger.info(
        "Submitted %d orders to %s (%d were already there, %d failed)",
        len(outcome.submitted),
        erp.name,
        len(outcome.already_in_erp),
        len(outcome.failed),
    )
    return outcome


def _erp_order(po: PurchaseOrder) -> ErpOrder:
    return ErpOrder(
        po_key=po.po_key,
        supplier_id=po.supplier_id,
        location=po.location,
        order_date=po.order_date,
        expected_delivery=po.expected_delivery,
        currency=po.currency,
        value=po.value,
        lines=tuple(
            ErpOrderLine(
                sku=line.sku,
                quantity=line.approved_quantity or line.proposed_quantity,
                unit_price=line.unit_cost,
                line_value=line.line_value,
            )
            for line in po.lines
        ),
    )


@task(name="report", cache_policy=NO_CACHE)
def report(services: Services, run_id: str, summary: dict[str, object]) -> None:
    """Close the run in the database and publish the summary in the Prefect UI."""
    with services.uow() as uow:
        uow.runs.finish(
            run_id,
            status=str(summary["status"]),
            message=str(summary.get("message", "")),
            summary=summary,
            finished_at=datetime.now(UTC),
        )
        uow.commit()
    create_markdown_artifact(
        key="run-summary",
        markdown=render_markdown(summary),
        description=f"Nightly replenishment run {run_id}",
    )
