"""Rollout modes: how far a company trusts the night with its orders, per scope.

`shadow`: the night proposes and records, and nothing leaves: no ERP, no buyer e-mail.
`review-all`: every order goes to a person. `live`: only the exceptions do (the product's
normal working). Kept in the domain because the life cycle, the run summary and the
comparison of shadow proposals with the buyers' orders all name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class RolloutMode(StrEnum):
    SHADOW = "shadow"
    REVIEW_ALL = "review-all"
    LIVE = "live"


#: Most cautious first: an order several scopes claim takes the first of their modes.
#: Shadow is the most cautious (nothing leaves), then review-all (a person sees it).
CAUTION: tuple[RolloutMode, ...] = (RolloutMode.SHADOW, RolloutMode.REVIEW_ALL, RolloutMode.LIVE)


def most_cautious(modes: Iterable[str]) -> RolloutMode:
    """The most cautious of `modes` (`live` when there are none: the product's normal)."""
    given = {RolloutMode(mode) for mode in modes}
    return next((mode for mode in CAUTION if mode in given), RolloutMode.LIVE)


#: What a database that never recorded a rollout was doing: the product's normal working.
BEFORE_ROLLOUT: dict[str, str] = {"catalogue": RolloutMode.LIVE.value}


@dataclass(frozen=True)
class ModeChange:
    """A scope whose mode differs from the last run's: `None` = not set there (an override
    added or removed; the catalogue-wide mode then applies to it)."""

    scope: str
    old: str | None
    new: str | None

    def sentence(self) -> str:
        """'category:Tools: shadow -> live', for the audit reason and the run summary."""
        return f"{self.scope}: {self.old or 'not set'} -> {self.new or 'not set'}"


def mode_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[ModeChange]:
    """Every scope whose configured mode changed between two runs, sorted by scope."""
    scopes = sorted(set(before) | set(after))
    return [
        ModeChange(scope, before.get(scope), after.get(scope))
        for scope in scopes
        if before.get(scope) != after.get(scope)
    ]
