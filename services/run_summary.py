"""The run summary: one JSON object for scripts (its contract is `RunSummary` in
`contracts.run_summary`, published as docs/run-summary.schema.json), and the same
facts in words for people (`services.run_summary_text`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.run_summary import RunSummary, StoodAsideSummary
from purchasing.currency import totals_by_currency
from services.review_summary import review_section, still_waiting
from services.run_facts import RunFacts
from services.run_summary_text import STOOD_ASIDE, render_markdown, render_text

if TYPE_CHECKING:
    from services.submission import Submitted

# The database could not say what waits (it is what failed): shown as nothing known.
NOTHING_WAITING: dict[str, Any] = {"messages": 0, "operator_alerts": [], "last_error": None}

__all__ = [
    "STOOD_ASIDE",
    "RunFacts",
    "build_summary",
    "render_markdown",
    "render_text",
    "stood_aside",
]


def build_summary(facts: RunFacts, stage_seconds: dict[str, float]) -> RunSummary:
    """The run summary as its contract (`RunSummary`, published as
    docs/run-summary.schema.json), validated here where it is made; the entry points
    write it out with `contracts.run_summary.summary_json`."""
    status = facts.status
    if status == "succeeded" and (
        facts.problems or (facts.submitted is not None and facts.submitted.failed)
    ):
        status = "partial"
    message = facts.message or _default_message(facts)
    settings = facts.settings
    summary = {
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
        "review": review_section(facts.review, settings, facts.proposed),
        "submitted": len(facts.submitted.submitted) if facts.submitted else 0,
        "already_in_erp": len(facts.submitted.already_in_erp) if facts.submitted else 0,
        "submission_failures": dict(facts.submitted.failed) if facts.submitted else {},
        "emails": len(facts.emails),
        "problems": list(facts.problems),
        "mail_waiting": facts.mail_waiting or NOTHING_WAITING,
        "stage_seconds": dict(stage_seconds),
        "memory": {
            "peak_rss_mb": None if facts.peak_rss_mb is None else round(facts.peak_rss_mb, 1),
            "budget_mb": settings.run.memory_budget_mb,
        },
        "outputs": {
            "database": _safe_url(settings.database_url),
            "erp": settings.erp.describe(),
            "erp_drop": str(settings.erp.drop_dir),
            "outbox": str(settings.email.outbox_dir),
        },
        "rollout": {
            "modes": settings.rollout.scoped_modes(),
            "changes": [vars(change) for change in facts.mode_changes],
        },
    }
    # Only the keys given are set: an empty review's `passed_on` has no `orders`.
    return RunSummary.model_validate(summary)


def submission_problem(outcome: Submitted) -> str:
    """One line for the operator: how many orders did not reach the ERP, and why."""
    rejected, deferred = len(outcome.rejected), len(outcome.deferred)
    why = [
        *([f"{rejected} rejected by the ERP (see the alert e-mails)"] if rejected else []),
        *([f"{deferred} not tried, the ERP is unavailable"] if deferred else []),
    ]
    return f"{len(outcome.failed)} orders could not be submitted to the ERP" + (
        f" ({'; '.join(why)}); the next run tries again" if why else ""
    )


def _default_message(facts: RunFacts) -> str:
    parts = list(facts.problems)
    if facts.submitted is not None and facts.submitted.failed:
        parts.append(submission_problem(facts.submitted))
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
        "shadow": 0,
        "by_mode": {},
    }
    if facts.review is None:
        return empty
    orders = facts.review.plan.orders
    decisions = facts.review.decisions
    auto = int((decisions == "auto_approved").sum())
    count = len(orders)
    # Waiting: tonight's review orders less those a person decided since an earlier run
    # of the same night stored them (a rerun must not call an approved order waiting).
    waiting = len(still_waiting(facts.review, facts.proposed))
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
        "pending_review": waiting,
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
        "decided_since": dict(facts.proposed.decided) if facts.proposed else {},
        "shadow": int((decisions == "shadow").sum()),
        "by_mode": orders_by_mode(orders, facts.review.modes, base),
    }


def orders_by_mode(orders: Any, modes: Any, base: str) -> dict[str, dict[str, Any]]:
    """Orders, lines and value per rollout mode the orders were made in."""
    if not len(orders):
        return {}
    mode = orders["po_key"].map(modes).fillna("live")
    return {
        str(name): {
            "orders": len(part),
            "lines": int(part["line_count"].sum()),
            "value": totals_by_currency(part["value"], part["currency"], base),
        }
        for name, part in orders.groupby(mode.to_numpy(), sort=True)
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


def stood_aside(as_of: Any, message: str, run_id: str = "") -> StoodAsideSummary:
    """The summary of a run that did not start because another one holds the lock (its
    row in `runs`, status stood_aside; "" when the database could not record it)."""
    return StoodAsideSummary(run_id=run_id, as_of=str(as_of), status=STOOD_ASIDE, message=message)
