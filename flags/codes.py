"""The reasons a purchase order line reaches a person, and how serious each one is.

Kept in a module of its own so the settings and the rules can name codes without
importing each other; everything about a code's rule (severity, switch, thresholds,
holds or informs, its function) is in the flag registry (`flags.registry`).
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
