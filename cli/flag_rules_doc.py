"""docs/flag-rules.md, the administrator's table of review-flag rules, from the flag
registry (`python -m cli.generated_docs` writes it). A test fails while the
committed page differs, so the page lists every rule exactly as the code runs it."""

from __future__ import annotations

from pathlib import Path

from flags.registry import RULES, FlagRules

DOC_FILE = Path(__file__).resolve().parent.parent / "docs" / "flag-rules.md"

HEADER = """# Review-flag rules

Generated from `flags/registry.py` (`python -m cli.generated_docs`); the
settings are keys of `[flags]` in the config file (config.example.toml), described in
full beside each rule in `flags/rules/` (the shared ones in `flags/params.py`). A flag
that *informs* is told to the buyer while the order goes out (`flags.inform_only`); one
that *holds* waits for a decision. A line flag with less money at stake than
`flags.review_min_money_at_stake` informs too.

| code | severity | switch (default) | thresholds (default) | by default |
| --- | --- | --- | --- | --- |
"""

FOOTER = """
## Money at stake: one definition

Every surface a buyer reads (the review page's header, the digest, the e-mail,
`replenish review list` and `show`, the run summary's holds) says the same amount for an
order, computed by one function, `services.money_at_stake.order_money_at_stake`:

- **For an order waiting for a decision, money at stake is the value the decision
  changes: the value of its held lines, at the quantities that would be ordered now.**
  Only held lines sit on a review order (`-R`); an order-level flag (an unusual order,
  always-review suppliers) or a split that would leave tonight's part below the
  supplier's minimum order value holds the whole order. So every line of a waiting order
  is a held line, and its money at stake is its value, with any quantity an earlier
  approver set.
- **For a flag, money at stake is the part of that value the flag questions**, as its
  rule computes it: a line rule the line's value, an unusual order the spend above the
  supplier's usual, constraint inflation the excess the terms force, a possible
  duplicate the quantity that may be bought twice. The page shows it beside the flag as
  "questions EUR ..."; the flags rank the reasons, the order's amount ranks the orders.
- A flag that only informs (a stock-out the order cannot prevent, a large line) holds
  nothing; it is listed under its own heading, after the reasons that hold the order.

`tests/integration/test_money_at_stake_everywhere.py` compares the surfaces on one order.
"""


def doc_text() -> str:
    defaults = FlagRules()
    informing = {str(code) for code in defaults.inform_only}
    rows = []
    for rule in RULES:
        switch_field = FlagRules.switch_of(rule.code)
        if switch_field is None:
            switch = "none: always on"
        elif switch_field == "always_review_suppliers":
            switch = "`always_review_suppliers` (empty: off)"
        else:
            switch = f"`{switch_field}` ({'on' if getattr(defaults, switch_field) else 'off'})"
        thresholds = ", ".join(
            f"`{name}` = {getattr(defaults, name):g}" for name in rule.thresholds
        )
        if switch_field is None:
            holds = "always holds"
        else:
            holds = "informs" if str(rule.code) in informing else "holds"
        rows.append(f"| {rule.code} | {rule.severity} | {switch} | {thresholds or '-'} | {holds} |")
    return HEADER + "\n".join(rows) + "\n" + FOOTER
