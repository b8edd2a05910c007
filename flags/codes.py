"""The reasons a purchase order line reaches a person, and how serious each one is.

The strings are persisted (flags, decisions) and named in the settings (`inform_only`),
so they live at the bottom of `flags/`, importing nothing: a rule's severity and check
are in its rule module (`flags/rules/`), its switch and thresholds in `FlagRules`
(`flags.params`).
"""

from __future__ import annotations

from enum import StrEnum


class FlagCode(StrEnum):
    LARGE_LINE_VALUE = "LARGE_LINE_VALUE"
    LARGE_ORDER_VALUE = "LARGE_ORDER_VALUE"
    UNUSUAL_ORDER = "UNUSUAL_ORDER"
    NEW_ITEM = "NEW_ITEM"
    DATA_QUALITY = "DATA_QUALITY"
    STOCKOUT_RISK = "STOCKOUT_RISK"
    CONSTRAINT_INFLATION = "CONSTRAINT_INFLATION"
    LOW_CONFIDENCE = "LOW_CONFIDENCE"
    DORMANT_ITEM = "DORMANT_ITEM"
    EXCESS_COVER = "EXCESS_COVER"
    DUPLICATE_RISK = "DUPLICATE_RISK"
    QUANTITY_VS_HISTORY = "QUANTITY_VS_HISTORY"
    PRICE_CHANGE = "PRICE_CHANGE"
    ALWAYS_REVIEW = "ALWAYS_REVIEW"
    DEMAND_ANOMALY = "DEMAND_ANOMALY"
    BELOW_MIN_ORDER_VALUE = "BELOW_MIN_ORDER_VALUE"
    IMPLAUSIBLE_FORECAST = "IMPLAUSIBLE_FORECAST"
    UNPRECEDENTED_STOCK = "UNPRECEDENTED_STOCK"
