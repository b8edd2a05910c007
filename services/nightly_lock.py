"""One nightly run at a time: the database lock a second run stands aside on.

The lock itself is `storage.run_lock` (a PostgreSQL advisory lock, or a leased row on
SQLite); flows take it through this module, as they reach the database only through
services.
"""

from __future__ import annotations

from storage.run_lock import RunLocked, nightly_lock

__all__ = ["RunLocked", "nightly_lock"]
