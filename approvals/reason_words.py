"""A reason code in a few words, for the places that have room for one line: the e-mail's
row per order, the digest, `replenish review list`. The full sentence is on the page.

Keyed by the code's text (approvals sits beside flags and does not import it); an
unknown code reads as its words in lower case.
"""

from __future__ import annotations

_WORDS = {
    "NEW_ITEM": "new item, little or no sales history",
    "DATA_QUALITY": "input rows for an item were quarantined tonight",
    "STOCKOUT_RISK": "stock may run out before delivery",
    "LARGE_LINE_VALUE": "a line of high value",
    "CONSTRAINT_INFLATION": "the supplier's pack or minimum inflates a quantity",
    "UNUSUAL_ORDER": "much larger than this supplier's usual order",
    "LARGE_ORDER_VALUE": "the order's value is above the limit",
    "IMPLAUSIBLE_FORECAST": "the forecast looks implausible",
    "LOW_CONFIDENCE": "the forecast is uncertain",
    "DORMANT_ITEM": "an item with no recent sales",
    "EXCESS_COVER": "more stock than several order cycles need",
    "DUPLICATE_RISK": "may repeat an order already placed",
    "QUANTITY_VS_HISTORY": "much more than earlier orders of the item",
    "PRICE_CHANGE": "the unit price changed",
    "ALWAYS_REVIEW": "this supplier's orders are always reviewed",
    "DEMAND_ANOMALY": "unusual recent demand",
    "BELOW_MIN_ORDER_VALUE": "sent alone, the rest would be below the supplier's minimum",
    "UNPRECEDENTED_STOCK": "would build more stock than ever held",
}


def reason_words(code: str) -> str:
    """'NEW_ITEM' -> 'new item, little or no sales history'."""
    return _WORDS.get(code, code.replace("_", " ").lower())
