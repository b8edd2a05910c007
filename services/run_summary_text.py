"""The run summary in words: for the person at the end of `replenish run` / `demo`, and
as the Prefect markdown artifact. Reads the typed summary (`contracts.run_summary`)."""

from __future__ import annotations

from typing import Final

from approvals.reason_words import reason_words
from contracts.run_summary import MailWaiting, Money, Review, RunSummary, Summary
from domain.money import format_money, format_totals

STOOD_ASIDE: Final = "stood_aside"
_OR_WOULD: Final = " (shadow orders: would be)"


def render_text(summary: Summary) -> str:
    """The summary a buyer reads at the end of `replenish run` / `replenish demo`."""
    if not isinstance(summary, RunSummary):
        return f"Nightly run {summary.as_of}: stood aside: {summary.message}"
    lines = [f"Nightly run {summary.as_of} ({summary.run_id[:8]}): {summary.status}"]
    if summary.status in ("failed", "stopped"):
        lines.append(f"  Stopped: {summary.message}")
        lines.extend(f"   - {message}" for message in summary.quality_breaches)
    rows = summary.rows
    if rows:
        read = sum(r.read for r in rows.values())
        quarantined = sum(r.quarantined for r in rows.values())
        repaired = sum(r.repaired for r in rows.values())
        lines.append(
            f"  Input: {read:,} rows read from {len(rows)} files; {repaired:,} repaired, "
            f"{quarantined:,} quarantined ({quarantined / max(read, 1):.1%})."
        )
        worst = sorted(rows.items(), key=lambda kv: kv[1].quarantined, reverse=True)[:3]
        for file, figures in worst:
            if figures.quarantined:
                why = f" ({figures.top_reasons})" if figures.top_reasons else ""
                lines.append(
                    f"    {file}: {figures.quarantined:,} of {figures.read:,} quarantined" + why
                )
    series = summary.series
    if series.forecast:
        classes = ", ".join(f"{n} {name}" for name, n in series.by_class.items())
        lines.append(f"  Forecast: {series.forecast:,} item-locations ({classes}).")
    lines += _orders(summary)
    lines += render_review(summary.review)
    lines += _flags(summary)
    lines.append(
        f"  Sent to the ERP: {summary.submitted} new"
        + (f", {summary.already_in_erp} already there" if summary.already_in_erp else "")
        + (f", {len(summary.submission_failures)} FAILED" if summary.submission_failures else "")
        + f"; e-mails sent: {summary.emails}."
    )
    lines.extend(f"  Problem: {problem}" for problem in summary.problems)
    lines.extend(_mail_waiting(summary.mail_waiting))
    outputs = summary.outputs
    lines.append(f"  ERP: {outputs.erp}")
    lines.append(f"  Outbox (e-mails): {outputs.outbox}")
    lines.append(f"  Database: {outputs.database}")
    memory = summary.memory
    if memory is not None and memory.peak_rss_mb is not None:
        lines.append(
            f"  Memory: peak {memory.peak_rss_mb:,.0f} MB "
            f"(budget {memory.budget_mb:,} MB, run.memory_budget_mb)."
        )
    return "\n".join(lines)


def _orders(summary: RunSummary) -> list[str]:
    orders = summary.orders
    if not orders.purchase_orders:
        if summary.status in ("failed", "stopped"):
            return []
        return ["  Orders: nothing needs ordering tonight."]
    rate = orders.auto_approval_rate or 0.0
    value_share = orders.auto_approved_value_share or 0.0
    lines = [
        f"  Orders: {orders.purchase_orders} purchase orders, {orders.lines} lines, "
        f"worth {money_text(orders.value_total)}.",
        f"  Auto-approved: {orders.auto_approved} of {orders.purchase_orders} orders "
        f"({rate:.0%}), {orders.auto_approved_lines} of {orders.lines} lines, "
        f"{value_share:.0%} of the value; waiting for a buyer: {orders.pending_review} "
        f"order{'s' if orders.pending_review != 1 else ''}.",
    ]
    if orders.decided_since:
        count = len(orders.decided_since)
        lines.append(
            f"  Decided since an earlier run of this night: {count} "
            f"order{'s' if count != 1 else ''}:"
        )
        lines += [f"    {key} {sentence}" for key, sentence in orders.decided_since.items()]
    lines += _modes(summary)
    if orders.sent_with_warning:
        lines.append(
            f"  Sent with a warning for the buyer (no decision needed): {orders.sent_with_warning}."
        )
    if orders.held_lines:
        held = ", ".join(
            f"{n} {reason.replace('_', ' ')}" for reason, n in orders.held_lines.items()
        )
        lines.append(f"  Held for a later day: {held} (lines, not ordered tonight).")
    if orders.already_proposed:
        lines.append(
            f"  {orders.already_proposed} of them were already proposed by an earlier run "
            "for this date and were not created again."
        )
    return lines


def _modes(summary: RunSummary) -> list[str]:
    """Which rollout mode the orders were made in; said only when one is not live."""
    by_mode, lines = summary.orders.by_mode, []
    changes = summary.rollout.changes
    if changes:
        said = "; ".join(f"{c.scope} {c.old or 'not set'} -> {c.new or 'not set'}" for c in changes)
        lines.append(f"  Rollout mode changed since the last run (audited): {said}.")
    if set(by_mode) - {"live"}:
        each = ", ".join(
            f"{mode} {part.orders} ({money_text(part.value)})" for mode, part in by_mode.items()
        )
        lines.append(f"  Orders per rollout mode: {each}.")
    if summary.orders.shadow:
        lines.append(
            f"  Shadow: {summary.orders.shadow} orders recorded only: nothing sent to the ERP, "
            "no buyer e-mailed (compare with `replenish shadow-report`)."
        )
    return lines


def render_review(review: Review) -> list[str]:
    """The review section in words, for the text summary and the Prefect artifact."""
    lines: list[str] = []
    if review.held_decisions:
        who = ", ".join(f"{name} {n}" for name, n in review.held_decisions.items())
        lines.append(
            f"  Held lines to decide, per approver: {who} (capacity "
            f"{review.capacity_per_approver} per approver); "
            f"{money_text(review.held_money_at_stake)} at stake."
        )
    passed = review.passed_on
    if passed.lines:
        lines.append(
            f"  Passed on for review capacity: {passed.lines} lines "
            f"({money_text(passed.money_at_stake)} at stake) sent with their flags as "
            "information."
        )
    for hold in review.top_holds[:3]:
        where = f" {hold.sku}@{hold.location}" if hold.sku else ""
        why = f": {reason_words(hold.code)}" if hold.code else ""
        lines.append(
            f"    largest hold: {format_money(hold.money_at_stake, hold.currency)} at stake, "
            f"{hold.po_key}{where}{why}"
        )
    return lines


def money_text(amounts: Money) -> str:
    """`EUR 1,200.00 + USD 80.00`; "0.00" when there is nothing."""
    return format_totals(amounts) or "0.00"


def _flags(summary: RunSummary) -> list[str]:
    if not summary.flags:
        return []
    informing = summary.flags_informing
    holding = {c: n - informing.get(c, 0) for c, n in summary.flags.items()}
    held = ", ".join(f"{code} x{n}" for code, n in holding.items() if n)
    told = ", ".join(f"{code} x{n}" for code, n in informing.items())
    would = _OR_WOULD if summary.orders.shadow else ""
    return [
        *([f"  Why orders wait for a buyer{would}: {held}."] if held else []),
        *([f"  Told to the buyer, order not held{would}: {told}."] if told else []),
    ]


def _mail_waiting(waiting: MailWaiting) -> list[str]:
    """E-mails the mail server has not taken: the operator alerts among them by subject."""
    if not waiting.messages:
        return []
    why = f" (the mail server said: {waiting.last_error})" if waiting.last_error else ""
    lines = [f"  E-mails waiting for the mail server: {waiting.messages}{why}."]
    lines += [f"    NOT SENT to the operator: {subject}" for subject in waiting.operator_alerts]
    return lines


def render_markdown(summary: RunSummary) -> str:
    """The run summary of a run that started, as a Prefect markdown artifact."""
    text = render_text(summary).splitlines()
    table = ["| file | read | accepted | repaired | quarantined |", "|---|---:|---:|---:|---:|"]
    table += [
        f"| {file} | {r.read:,} | {r.accepted:,} | {r.repaired:,} | {r.quarantined:,} |"
        for file, r in summary.rows.items()
    ]
    informing = summary.flags_informing
    flags = ["| reason | flags | held the order | only told the buyer |", "|---|---:|---:|---:|"]
    flags += [
        f"| {code} | {n} | {n - informing.get(code, 0)} | {informing.get(code, 0)} |"
        for code, n in summary.flags.items()
    ]
    parts = [f"# {text[0]}", "", *[line.strip() for line in text[1:]], "", "## Input rows", *table]
    if summary.flags:
        parts += ["", "## Flags", *flags]
    return "\n".join(parts)
