"""The reasons a purchase order line reaches a person, and how serious each one is.

Kept in a module of its own so the settings can name codes (which rules only inform)
without importing the rules.
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


# "high" = acting on it may change the order (bad inputs, empty shelf, a double order);
# "medium" = the order is probably right but large or uncertain enough that a person
# should own it; "low" = nothing looks wrong, the administrator asked to see it anyway.
SEVERITY = {
    FlagCode.LARGE_LINE_VALUE: "medium",
    FlagCode.LARGE_ORDER_VALUE: "medium",
    FlagCode.UNUSUAL_ORDER: "medium",
    FlagCode.NEW_ITEM: "medium",
    FlagCode.DATA_QUALITY: "high",
    FlagCode.STOCKOUT_RISK: "high",
    FlagCode.CONSTRAINT_INFLATION: "medium",
    FlagCode.LOW_CONFIDENCE: "medium",
    FlagCode.DORMANT_ITEM: "high",
    FlagCode.EXCESS_COVER: "medium",
    FlagCode.DUPLICATE_RISK: "high",
    FlagCode.QUANTITY_VS_HISTORY: "medium",
    FlagCode.PRICE_CHANGE: "medium",
    FlagCode.ALWAYS_REVIEW: "low",
    FlagCode.DEMAND_ANOMALY: "high",
    FlagCode.BELOW_MIN_ORDER_VALUE: "medium",
    FlagCode.IMPLAUSIBLE_FORECAST: "high",
}

# Codes no setting can switch off or demote to information: the quantity behind them
# was recognised as impossible, so a person decides whatever the line is worth.
ALWAYS_HOLD = frozenset({FlagCode.IMPLAUSIBLE_FORECAST})
