"""One module per exception rule; each registers itself in `flags.registry`."""
