"""Learning from buyers, in the open: where people keep changing the proposals the same
way and the demand that followed proved them right, propose a parameter change.

Pure: scored lines in (services.value_report.scored_nights), candidate proposals out.
Nothing here changes a parameter; an administrator accepts a proposal or it stays one.
A service level is the parameter proposed: people adding stock that proved needed say
the item wants a higher one, people cutting quantities the demand never asked for say
a lower one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Narrowest first: a category proposal is not repeated as its main supplier's.
SCOPES = {
    "item_location": ["sku", "location"],
    "category": ["category"],
    "supplier": ["supplier_id"],
}
MIN_LEVEL, MAX_LEVEL = 0.5, 0.995


@dataclass(frozen=True)
class Thresholds:
    min_changes: int
    same_direction_share: float
    helped_share: float
    step: float


@dataclass(frozen=True)
class Candidate:
    """One proposed parameter change with the evidence behind it."""

    scope: str
    scope_key: str
    parameter: str
    current_value: float
    proposed_value: float
    direction: str
    reason: str
    evidence: dict[str, float]


def find_candidates(lines: pd.DataFrame, rules: Thresholds) -> list[Candidate]:
    """Every scope whose changes pass the thresholds, item-locations first."""
    changed = lines[lines["changed"].astype(bool)] if len(lines) else lines
    if changed.empty:
        return []
    changed = changed.assign(
        up=changed["chosen"] > changed["proposed"],
        scored=changed["known"].astype(bool),
        good=changed["helped"].eq(True),
    )
    found: list[Candidate] = []
    covered: set[int] = set()  # changed lines a narrower proposal already explains
    for scope, columns in SCOPES.items():
        groups = changed.groupby(columns).groups
        stats = changed.groupby(columns).agg(
            changes=("up", "size"), ups=("up", "sum"), scored=("scored", "sum"),
            helped=("good", "sum"), level=("service_level", "mean"),
        ).reset_index()  # fmt: skip
        for row in stats.itertuples(index=False):  # one row per scope: small
            candidate = _judge(scope, columns, row, rules)
            key = tuple(getattr(row, c) for c in columns)
            members = set(groups[key[0] if len(key) == 1 else key])
            if candidate is not None and not members <= covered:
                found.append(candidate)
                covered |= members
    return found


def _judge(scope: str, columns: list[str], row: object, rules: Thresholds) -> Candidate | None:
    changes, ups = int(getattr(row, "changes")), int(getattr(row, "ups"))  # noqa: B009
    scored, helped = int(getattr(row, "scored")), int(getattr(row, "helped"))  # noqa: B009
    level = float(getattr(row, "level"))  # noqa: B009
    if changes < rules.min_changes or scored < rules.min_changes or level != level:
        return None
    up = ups / changes >= rules.same_direction_share
    down = (changes - ups) / changes >= rules.same_direction_share
    if not (up or down) or helped / scored < rules.helped_share:
        return None
    target = level + rules.step if up else level - rules.step
    target = round(min(max(target, MIN_LEVEL), MAX_LEVEL), 3)
    if target == round(level, 3):
        return None
    key = "|".join(str(getattr(row, c)) for c in columns)
    way = "raised" if up else "cut"
    bound = "at least" if up else "at most"
    reason = (f"{ups if up else changes - ups} of {changes} changes by people {way} the "
              f"quantity for {scope.replace('_', '-')} {key}; {helped} of {scored} scored "
              f"changes helped against the demand that followed. Proposed: a service level "
              f"of {bound} {target:g} (items already beyond it keep their own).")  # fmt: skip
    return Candidate(
        scope=scope, scope_key=key, parameter="service_level", current_value=round(level, 3),
        proposed_value=target, direction="up" if up else "down", reason=reason,
        evidence={"changes": changes, "same_direction": ups if up else changes - ups,
                  "scored": scored, "helped": helped},
    )  # fmt: skip


def apply_service_levels(
    items: pd.DataFrame, accepted: pd.DataFrame, default_level: float
) -> pd.DataFrame:
    """Items with the accepted service levels in force. An accepted "up" proposal is a
    floor (an item already above it keeps its own level), a "down" one a ceiling; the
    narrower scope wins (item-location over supplier over category). `accepted`: scope,
    scope_key, value, direction; items without a level of their own start from
    `default_level` (the policy's)."""
    if accepted.empty or items.empty:
        return items
    out = items.copy()
    raw = (
        out["service_level"] if "service_level" in out else pd.Series(float("nan"), index=out.index)
    )
    own = raw.astype(float).fillna(default_level)
    level = raw.astype(float)
    for scope in ("category", "supplier", "item_location"):  # lowest precedence first
        chosen = accepted[accepted["scope"] == scope].drop_duplicates("scope_key", keep="last")
        if chosen.empty:
            continue
        bound = chosen["value"].astype(float)
        signed = bound.where(chosen["direction"] == "up", -bound)  # + floor, - ceiling
        values = dict(zip(chosen["scope_key"], signed, strict=True))
        if scope == "item_location":
            key = out["sku"].astype(str) + "|" + out["location"].astype(str)
        else:
            column = "supplier_id" if scope == "supplier" else "category"
            if column not in out:
                continue
            key = out[column].astype(str)
        mapped = key.map(values)
        floor, ceiling = mapped.where(mapped > 0), -mapped.where(mapped < 0)
        bounded = own.where(floor.isna(), own.clip(lower=floor))
        bounded = bounded.where(ceiling.isna(), bounded.clip(upper=ceiling))
        level = bounded.where(mapped.notna(), level)
    out["service_level"] = level
    return out
