"""What a reason code is: the persisted string naming why a line reaches a person.

A code is declared once, by the rule module whose check writes it (`flags/rules/`), as
`NAME = FlagCode("NAME")`; the registry (`flags.registry.CODES`) knows them all. The
strings are persisted (flags, decisions) and named in the settings (`inform_only`),
so they never change once a night has written them.
"""

from __future__ import annotations

from typing import TypeAlias

# An alias, not a new type: codes arrive as plain strings from the database, the
# settings and the review page, and are compared with them.
FlagCode: TypeAlias = str
