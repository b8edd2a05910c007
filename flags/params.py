"""The review settings every rule shares (`[flags]`): how held orders are split, which
flags hold and which only inform, and how many decisions a person gets a night.

One part of the one settings model `FlagRules`: the registry (`flags.registry`)
assembles it from this part and the `Settings` part of every rule module, so each rule's
switch and thresholds live beside its check while `settings.flags` stays one typed value.
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from flags.codes import FlagCode
from flags.rule import RuleSettings
from flags.rules.lines import LARGE_LINE_VALUE, STOCKOUT_RISK


class ReviewSettings(RuleSettings):
    """Which exceptions send a purchase order to a buyer instead of straight to the ERP.

    Every rule has its own on/off switch so an administrator can silence one rule without
    touching the thresholds of the others. Money limits are in the base currency
    (`[currency]`) and compared in each order's currency at the configured rate.
    """

    # --- How flagged orders are held ------------------------------------------------
    hold_only_flagged_lines: bool = Field(
        default=True,
        description="Move the flagged lines of a partly flagged order into a review order "
        "('<po_key>-R') so the ordinary lines go to the ERP tonight; off = the whole order "
        "waits for the buyer.",
    )

    # --- Which flags hold, and how many a person can decide -------------------------
    inform_only: list[FlagCode] = Field(
        # Most serious first (as the settings have always listed them).
        default_factory=lambda: [STOCKOUT_RISK, LARGE_LINE_VALUE],
        description="Reason codes that are told to the buyer but do not hold the order. "
        "STOCKOUT_RISK: ordering is not what is wrong (the shelf empties before any order "
        "can arrive), and holding the order would only delay it further; the buyer is asked "
        "to expedite instead. LARGE_LINE_VALUE: a line is an exception when it is unusual "
        "(new item, bad data, anomalous demand, far from its history, a likely duplicate), "
        "not merely large; a large line those rules find ordinary goes out and is listed "
        "for the buyer. Remove it from this list to hold every line above line_value_limit.",
    )
    review_min_money_at_stake: float = Field(
        default=100.0,
        ge=0.0,
        description="A line flag whose money at stake is below this informs instead of "
        "holding: the order goes out and the buyer's e-mail lists it under 'worth a look'. "
        "A person's review costs more than the risk of a few euros; 0 = every flag holds. "
        "Order-level flags always hold.",
    )
    review_capacity: int = Field(
        default=30,
        ge=0,
        description="Decisions one approver can take per night (a held line, or a held "
        "order for an order-level flag). When tonight's holds exceed it, the lines with the "
        "most money at stake hold and the rest are passed on: sent with their flags as "
        "information, counted in the run summary. 0 = no limit. Order-level flags always "
        "hold (they use up capacity first).",
    )

    def holds(self, flags: pd.DataFrame) -> pd.Series:
        """Which flags hold their order for a person; the others only inform.

        A flags frame that went through the review capacity carries the answer in its
        `holds` column (`flags.capacity`). Otherwise: a line flag informs
        when its code is in `inform_only` or its money at stake (in the base currency,
        `money_at_stake_base`, when the frame has it) is below
        `review_min_money_at_stake`. Order-level flags (no sku: an unusual order, its
        supplier's minimum, always-review suppliers) always hold.
        """
        by_rule = self.holds_by_rule(flags)
        if "holds" in flags:
            decided = flags["holds"]
            return decided.where(decided.notna(), by_rule).astype(bool)
        return by_rule

    def holds_by_rule(self, flags: pd.DataFrame) -> pd.Series:
        """`holds` before any review capacity is applied. A code no setting can switch
        off always holds: the quantity behind it was recognised as impossible, so a
        person decides whatever the line is worth."""
        codes = flags["code"].astype(str)
        informs = codes.isin([str(code) for code in self.inform_only])
        stake = flags["money_at_stake_base" if "money_at_stake_base" in flags else "money_at_stake"]
        small = flags["sku"].notna() & (stake.astype(float) < self.review_min_money_at_stake)
        always = codes.isin([code for code in codes.unique() if self.switch_of(code) is None])
        return ~(informs | small) | always
