"""Who the nightly run is when it appears in the audit log."""

from storage.orders import Actor

NIGHTLY = Actor(name="replenish nightly run", channel="nightly-run")
