"""Who the nightly run is when it appears in the audit log."""

from domain.actors import Actor

NIGHTLY = Actor(name="replenish nightly run", channel="nightly-run")
