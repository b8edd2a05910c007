"""The run summary: one JSON object for scripts, and the same facts in words for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from purchasing.currency import totals_by_currency
from replenish.review_summary import money_text, render_review, review_section

if TYPE_CHECKING:
    from dataquality import ValidationResult
    from domain.nightly import Plan, Proposed, Review
    from forecasting import ForecastResult
    from integrations.sources.extract import FileInfo
    from replenish.settings import Settings
    from services.submission import Submitted


@dataclass
class RunFacts:
    """What the stages produced so far; a stopped run simply has fewer of them."""

    run_id: str
    as_of: date
    settings: Settings
    status: str = "succeeded"
    message: str = ""
    breaches: list[str] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)
    checked: ValidationResult | None = None
    forecast: ForecastResult | None = None
    plan: Plan | None = None
    review: Review | None = None
    proposed: Proposed | None = None
    emails: list[str] = field(default_factory=list)
    submitted: Submitted | None = None
    # Stages that failed without stopping the run (the e-mails could not be sent): the
    # run goes on to submit, and ends partial.
    problems: list[str] = field(default_factory=list)
    # The run's row exists in the `runs` table (false when the database refused it).
    started: bool = False

    def failed(self, message: str, breaches: list[str] | None = None) -> RunFacts:
        """Something raised: the run ends `failed` (a bug, the database down, a crash)."""
        self.status = "failed"
        self.message = message
        self.breaches = list(breaches or [])
        return self

    def stopped(self, message: str, breaches: list[str] | None = None) -> RunFacts:
        """The run refused its input (a broken file, the quality gate) before ordering."""
        self.failed(message, breaches)
        self.status = "stopped"
        return self


def build_summary(facts: RunFacts, stage_seconds: dict[str, float]) -> dict[str, Any]:
    """The `replenish run --json` object (keys as in DESIGN.md's command-line contract)."""
    status = facts.status
    if status == "succeeded" and (
        facts.problems or (facts.submitted is not None and facts.submitted.failed)
    ):
        status = "partial"
    message = facts.message or _default_message(facts)
    settings = facts.settings
    return {
        "run_id": facts.run_id,
        "as_of": facts.as_of.isoformat(),
        "status": status,
        "message": message,
        "quality_breaches": facts.breaches,
        "rows": _rows(facts),
        "series": _series(facts),
        "orders": _orders(facts),
        "flags": _flags(facts),
        "flags_informing": _flags(facts, holding=False),
        "review": review_section(facts.review, settings),
        "submitted": len(facts.submitted.submitted) if facts.submitted else 0,
        "already_in_erp": len(facts.submitted.already_in_erp) if facts.submitted else 0,
        "submission_failures": dict(facts.submitted.failed) if facts.submitted else {},
        "emails": len(facts.emails),
        "problems": list(facts.problems),
        "stage_seconds": dict(stage_seconds),
        "outputs": {
            "database": _safe_url(settings.database_url),
            "erp_drop": str(settings.erp.drop_dir),
            "outbox": str(settings.email.outbox_dir),
        },
    }


def _default_message(facts: RunFacts) -> str:
    parts = list(facts.problems)
    if facts.submitted is not None and facts.submitted.failed:
        parts.append(f"{len(facts.submitted.failed)} orders could not be submitted to the ERP")
    return "; ".join(parts) or "completed"


def _rows(facts: RunFacts) -> dict[str, dict[str, Any]]:
    if facts.checked is None:
        return {}
    counts = facts.checked.counts
    read_as = {info.file: info for info in facts.files}
    rows: dict[str, dict[str, Any]] = {}
    for row in counts.to_dict("records"):
        info = read_as.get(str(row["file"]))
        rows[str(row["file"])] = {
            "kind": str(row["kind"]),
            "read": int(row["read"]),
            "accepted": int(row["accepted"]),
            "repaired": int(row["repaired"]),
            "quarantined": int(row["quarantined"]),
            "top_reasons": str(row.get("top_reasons") or ""),
            # A database has neither: None says "not applicable", not "unknown".
            "encoding": (info.encoding or None) if info else None,
            "delimiter": info.delimiter_name if info and info.delimiter else None,
            "unknown_columns": list(info.unknown_columns) if info else [],
            "renamed_columns": dict(info.renamed_columns) if info else {},
        }
    return rows


def _series(facts: RunFacts) -> dict[str, Any]:
    if facts.forecast is None:
        return {"forecast": 0, "by_class": {}}
    by_class = facts.forecast.summary["demand_class"].value_counts().sort_index()
    return {
        "forecast": len(facts.forecast.summary),
        "by_class": {str(k): int(v) for k, v in by_class.items()},
    }


def _orders(facts: RunFacts) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "purchase_orders": 0,
        "lines": 0,
        "auto_approved": 0,
        "pending_review": 0,
        "value_total": {},
        "created": 0,
        "already_proposed": 0,
        "auto_approval_rate": None,
        "auto_approved_lines": 0,
        "auto_approved_value": {},
        "auto_approved_value_share": None,
        "sent_with_warning": 0,
        "held_lines": {},
    }
    if facts.review is None:
        return empty
    orders = facts.review.plan.orders
    decisions = facts.review.decisions
    auto = int((decisions == "auto_approved").sum())
    count = len(orders)
    went = orders["po_key"].map(decisions).eq("auto_approved").to_numpy(dtype=bool)
    base = facts.settings.currency.base
    # The share is of money: each order's value in the base currency (the flag stage
    # already refused a currency without a rate).
    in_base = facts.settings.currency.to_base(orders["value"], orders["currency"])
    total_value = float(in_base.sum())
    warned = set(facts.review.flags["po_key"]) if not facts.review.flags.empty else set()
    return {
        "purchase_orders": count,
        "lines": int(orders["line_count"].sum()) if count else 0,
        "auto_approved": auto,
        "pending_review": count - auto,
        "value_total": totals_by_currency(orders["value"], orders["currency"], base),
        "created": len(facts.proposed.created) if facts.proposed else 0,
        "already_proposed": len(facts.proposed.already_known) if facts.proposed else 0,
        "auto_approval_rate": round(auto / count, 3) if count else None,
        # The same from the buyer's side: lines and money that went out without a person.
        "auto_approved_lines": int(orders.loc[went, "line_count"].sum()) if count else 0,
        "auto_approved_value": totals_by_currency(
            orders.loc[went, "value"], orders.loc[went, "currency"], base
        ),
        "auto_approved_value_share": (
            round(float(in_base[went].sum()) / total_value, 3) if total_value else None
        ),
        # Auto-approved, yet carrying a flag that only informs (the buyer is e-mailed).
        "sent_with_warning": int(orders.loc[went, "po_key"].isin(warned).sum()) if count else 0,
        "held_lines": _held(facts.review.plan.lines),
    }


def _held(lines: Any) -> dict[str, int]:
    """Lines with something to buy that were held tonight, per reason (order day, minimum)."""
    if "hold" not in lines:
        return {}
    held = lines.loc[lines["hold"].astype(str) != "", "hold"].value_counts()
    return {str(reason): int(n) for reason, n in held.items()}


def _flags(facts: RunFacts, holding: bool | None = None) -> dict[str, int]:
    """Flags per reason code: all of them, or only those that held (True) or only informed
    (False) their order (`FlagRules.holds`)."""
    if facts.review is None or facts.review.flags.empty:
        return {}
    flags = facts.review.flags
    if holding is not None:
        holds = facts.settings.flags.holds(flags).to_numpy(dtype=bool)
        flags = flags.loc[holds if holding else ~holds]
    counts = flags["code"].value_counts()
    return {str(code): int(n) for code, n in counts.items()}


def _safe_url(url: str) -> str:
    """Never print a password that came in through the database URL."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{host}"


def stood_aside(as_of: Any, message: str) -> dict[str, Any]:
    """The summary of a run that did not start because another one holds the lock."""
    return {"run_id": "", "as_of": str(as_of), "status": STOOD_ASIDE, "message": message}


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
    outputs = summary["outputs"]
    lines.append(f"  ERP drop folder: {outputs['erp_drop']}")
    lines.append(f"  Outbox (e-mails): {outputs['outbox']}")
    lines.append(f"  Database: {outputs['database']}")
    return "\n".join(lines)


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
