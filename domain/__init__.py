"""Domain types every layer shares: the order life cycle, who acted, the clock, and the
values one nightly stage hands the next.

Imports nothing but the standard library and pandas, so storage, services, flows and
the review app can all depend on it without depending on each other (docs/architecture.md).
"""
