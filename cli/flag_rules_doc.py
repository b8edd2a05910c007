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
    return HEADER + "\n".join(rows) + "\n"
