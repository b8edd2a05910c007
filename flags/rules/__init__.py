"""The exception rules, a few related rules per module, each module's `RULES` listed in
`flags.registry`."""
