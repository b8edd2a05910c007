"""The schemas of the frames docs/frames.md describes, one per frame, for
`contracts.frames`: the columns each stage promises (a stage may add columns, never
rename these), their kinds, and the few value rules a later stage relies on."""

from __future__ import annotations

from contracts.frames import Column, FrameSchema, above, at_least, key, one_of

KEYS = (key("sku"), key("location"))
MONEY = ("money", lambda s: s.astype(float).abs() < 1e15)  # finite, no absurd amounts

VALIDATED = {
    "items": FrameSchema("items", (
        *KEYS, key("supplier_id"),
        Column("unit_cost", "float", False, (at_least(0),)),
        Column("pack_size", "int", False, (at_least(1),)),
        Column("moq", "float", False, (at_least(0),)),
        Column("lead_time_days", "number", False, (above(0),)),
        Column("lead_time_std_days", "number", False, (at_least(0),)),
        Column("service_level", "float", True, (above(0), ("< 1", lambda s: s < 1))),
        Column("review_period_days", "number"),
        Column("max_order_qty", "number"),
        Column("category", "text", False),
        Column("description", "text"),
        Column("active", "bool", False),
    ), unique=("sku", "location")),
    "suppliers": FrameSchema("suppliers", (
        key("supplier_id"), Column("name", "text"), Column("email", "text", False),
        Column("min_order_value", "number", False, (at_least(0),)),
        Column("order_days", "text", False), Column("currency", "text", False),
        Column("lead_time_days", "number"),
    ), unique=("supplier_id",)),
    "demand": FrameSchema("demand", (
        *KEYS, Column("date", "date", False),
        Column("quantity", "float", False, (at_least(0),)), Column("channel", "text", False),
    )),
    "stock": FrameSchema("stock", (
        *KEYS, Column("on_hand", "float", False), Column("as_of", "date"),
    ), unique=("sku", "location")),
    "open_orders": FrameSchema("open_orders", (
        Column("order_ref", "text"), *KEYS, Column("quantity", "float", False),
        Column("due_date", "date"), Column("supplier_id", "text"),
    )),
}  # fmt: skip

COUNTS = FrameSchema("counts", (
    Column("kind", "text", False), Column("file", "text", False),
    *(Column(n, "int", False, (at_least(0),))
      for n in ("read", "accepted", "repaired", "quarantined")),
), unique=("file",))  # fmt: skip

DEMAND_CLASSES = ("smooth", "erratic", "intermittent", "lumpy", "new", "dormant")
FORECAST_SUMMARY = FrameSchema("forecast summary", (
    *KEYS, Column("demand_class", "text", False, (one_of(*DEMAND_CLASSES),)),
    Column("model", "text", False), Column("history_periods", "number"),
    Column("mean_per_period", "float", False, (at_least(0),)),
    Column("protection_periods", "number", False, (above(0),)),
    Column("demand_mean", "float", False, (at_least(0),)),
    Column("demand_std", "float", False, (at_least(0),)),
    Column("service_level", "float", False),
    Column("demand_quantile", "float", False, (at_least(0),)),
    Column("backtest_rmsse", "float"), Column("implausible", "any"),
    Column("spread_basis", "any"), Column("precedent", "float", True, (at_least(0),)),
), unique=("sku", "location"))  # fmt: skip

FORECAST_PATH = FrameSchema("forecast path", (
    *KEYS, Column("ds", "date", False), Column("step", "int", False, (at_least(1),)),
    Column("mean", "float", False, (at_least(0),)),
), unique=("sku", "location", "step"))  # fmt: skip

POLICIES = ("order_up_to", "reorder_point", "min_max")
PLAN_LINES = FrameSchema("plan lines", (
    *KEYS, key("supplier_id"), Column("po_key", "text"),
    *(Column(n, "float", False) for n in ("on_hand", "on_order", "backorders", "position")),
    # NaN on a line without a forecast: it orders nothing and says so (NO_FORECAST)
    Column("demand_mean", "float", True, (at_least(0),)),
    Column("demand_quantile", "float", True, (at_least(0),)),
    Column("target", "float"), Column("raw_qty", "float", False, (at_least(0),)),
    Column("order_qty", "float", False, (at_least(0),)),
    Column("unit_cost", "float", False, (at_least(0),)),
    Column("line_value", "float", False, (at_least(0), MONEY)),
    Column("explanation", "text", False), Column("constraints", "text"),
    Column("policy", "text", False, (one_of(*POLICIES),)),
    Column("hold", "text", False, (one_of("", "not_order_day", "below_min_order_value"),)),
    Column("service_measure", "text", False, (one_of("fill_rate", "cycle_service_level"),)),
    Column("precedent", "float", True, (at_least(0),)),
), unique=("sku", "location"))  # fmt: skip

ORDERS = FrameSchema("orders", (
    key("po_key"), key("supplier_id"), key("location"),
    Column("order_date", "any", False), Column("expected_delivery", "any", False),
    Column("currency", "text", False), Column("line_count", "int", False, (at_least(1),)),
    Column("value", "float", False, (at_least(0), MONEY)),
), unique=("po_key",))  # fmt: skip

FLAGS = FrameSchema("flags", (
    key("po_key"), Column("sku", "text"), Column("location", "text"),
    Column("code", "text", False), Column("severity", "text", False,
                                          (one_of("high", "medium", "low"),)),
    Column("message", "text", False),
    Column("money_at_stake", "float", False, (at_least(0), MONEY)),
    Column("currency", "text", False), Column("money_at_stake_base", "float", False),
))  # fmt: skip
