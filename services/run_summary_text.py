"""The run summary in words: for the person at the end of `replenish run` / `demo`, and
as the Prefect markdown artifact."""

from __future__ import annotations

from typing import Any

from services.review_summary import money_text, render_review

STOOD_ASIDE = "stood_aside"


def render_text(summary: dict[str, Any]) -> str:
    """The summary a buyer reads at the end of `replenish run` / `replenish demo`."""
    if summary["status"] == STOOD_ASIDE:
        return f"Nightly run {summary['as_of']}: stood aside: {summary['message']}"
    lines = [f"Nightly run {summary['as_of']} ({summary['run_id'][:8]}): {summary['status']}"]
    if summary["status"] in ("failed", "stopped"):
        lines.append(f"  Stopped: {summary['message']}")
        lines.extend(f"   - {message}" for message in summary.get("quality_breaches", []))
    rows = summary["rows"]
    if rows:
        read = sum(r["read"] for r in rows.values())
        quarantined = sum(r["quarantined"] for r in rows.values())
        repaired = sum(r["repaired"] for r in rows.values())
        lines.append(
            f"  Input: {read:,} rows read from {len(rows)} files; {repaired:,} repaired, "
            f"{quarantined:,} quarantined ({quarantined / max(read, 1):.1%})."
        )
        worst = sorted(rows.items(), key=lambda kv: kv[1]["quarantined"], reverse=True)[:3]
        for file, figures in worst:
            if figures["quarantined"]:
                why = f" ({figures['top_reasons']})" if figures.get("top_reasons") else ""
                lines.append(
                    f"    {file}: {figures['quarantined']:,} of {figures['read']:,} quarantined"
                    + why
                )
    series = summary["series"]
    if series["forecast"]:
        classes = ", ".join(f"{n} {name}" for name, n in series["by_class"].items())
        lines.append(f"  Forecast: {series['forecast']:,} item-locations ({classes}).")
    orders = summary["orders"]
    if orders["purchase_orders"]:
        rate = orders["auto_approval_rate"] or 0.0
        lines.append(
            f"  Orders: {orders['purchase_orders']} purchase orders, {orders['lines']} lines, "
            f"worth {money_text(orders['value_total'])}."
        )
        value_share = orders.get("auto_approved_value_share") or 0.0
        lines.append(
            f"  Auto-approved: {orders['auto_approved']} of {orders['purchase_orders']} orders "
            f"({rate:.0%}), {orders.get('auto_approved_lines', 0)} of {orders['lines']} lines, "
            f"{value_share:.0%} of the value; waiting for a buyer: {orders['pending_review']}."
        )
        if orders.get("sent_with_warning"):
            lines.append(
                f"  Sent with a warning for the buyer (no decision needed): "
                f"{orders['sent_with_warning']}."
            )
        if orders["held_lines"]:
            held = ", ".join(
                f"{n} {reason.replace('_', ' ')}" for reason, n in orders["held_lines"].items()
            )
            lines.append(f"  Held for a later day: {held} (lines, not ordered tonight).")
        if orders["already_proposed"]:
            lines.append(
                f"  {orders['already_proposed']} of them were already proposed by an earlier run "
                "for this date and were not created again."
            )
    elif summary["status"] not in ("failed", "stopped"):
        lines.append("  Orders: nothing needs ordering tonight.")
    lines.extend(render_review(summary.get("review") or {}))
    if summary["flags"]:
        informing = summary.get("flags_informing", {})
        holding = {c: n - informing.get(c, 0) for c, n in summary["flags"].items()}
        held = ", ".join(f"{code} x{n}" for code, n in holding.items() if n)
        told = ", ".join(f"{code} x{n}" for code, n in informing.items())
        if held:
            lines.append(f"  Why orders wait for a buyer: {held}.")
        if told:
            lines.append(f"  Told to the buyer, order not held: {told}.")
    lines.append(
        f"  Sent to the ERP: {summary['submitted']} new"
        + (f", {summary['already_in_erp']} already there" if summary["already_in_erp"] else "")
        + (
            f", {len(summary['submission_failures'])} FAILED"
            if summary["submission_failures"]
            else ""
        )
        + f"; e-mails sent: {summary['emails']}."
    )
    lines.extend(f"  Problem: {problem}" for problem in summary.get("problems", []))
    lines.extend(_mail_waiting(summary.get("mail_waiting")))
    outputs = summary["outputs"]
    lines.append(f"  ERP drop folder: {outputs['erp_drop']}")
    lines.append(f"  Outbox (e-mails): {outputs['outbox']}")
    lines.append(f"  Database: {outputs['database']}")
    return "\n".join(lines)


def _mail_waiting(waiting: dict[str, Any] | None) -> list[str]:
    """E-mails the mail server has not taken: the operator alerts among them by subject."""
    if not waiting or not waiting["messages"]:
        return []
    why = f" (the mail server said: {waiting['last_error']})" if waiting["last_error"] else ""
    lines = [f"  E-mails waiting for the mail server: {waiting['messages']}{why}."]
    lines += [f"    NOT SENT to the operator: {subject}" for subject in waiting["operator_alerts"]]
    return lines


def render_markdown(summary: dict[str, Any]) -> str:
    """The run summary as a Prefect markdown artifact."""
    text = render_text(summary).splitlines()
    table = ["| file | read | accepted | repaired | quarantined |", "|---|---:|---:|---:|---:|"]
    table += [
        f"| {file} | {r['read']:,} | {r['accepted']:,} | {r['repaired']:,} | {r['quarantined']:,} |"
        for file, r in summary["rows"].items()
    ]
    informing = summary.get("flags_informing", {})
    flags = ["| reason | flags | held the order | only told the buyer |", "|---|---:|---:|---:|"]
    flags += [
        f"| {code} | {n} | {n - informing.get(code, 0)} | {informing.get(code, 0)} |"
        for code, n in summary["flags"].items()
    ]
    parts = [f"# {text[0]}", "", *[line.strip() for line in text[1:]], "", "## Input rows", *table]
    if summary["flags"]:
        parts += ["", "## Flags", *flags]
    return "\n".join(parts)
