"""Sub-commands of `replenish` that are more than a few lines: one module each."""
