"""Column names as every source reads them, so the contract matches whatever sent the data.

The CSV folder and the SQL source share this: an administrator who writes
`" Unit Cost"` in a spreadsheet header or `AS "Unit_Cost"` in a query gets the same
contract column, and a source can never disagree with another about what a name means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def normalise_name(raw: str, position: int) -> str:
    """Trimmed, case-folded, inner spaces as underscores; a blank name is `column_<position>`.

    `position` is 1-based, so a nameless column is findable by counting in the source.
    """
    return "_".join(raw.strip().casefold().split()) or f"column_{position}"


def normalise_names(raw: Sequence[str]) -> list[str]:
    """Every name of a header normalised; duplicates are left for `first_duplicate`."""
    return [normalise_name(name, position) for position, name in enumerate(raw, 1)]


def first_duplicate(names: Sequence[str]) -> str | None:
    """The first name seen twice: two columns meaning one field cannot be told apart."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def apply_aliases(
    names: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Rename known other spellings to contract names; return the names and (alias, name) pairs.

    An alias counts only when the contract name is absent and exactly one alias of it is
    present: two candidates for one column (`qty` and `units`) stay as they are, and the
    missing column is then reported as missing rather than guessed.
    """
    present = set(names)
    renames: dict[str, str] = {}
    for column, spellings in aliases.items():
        if column in present:
            continue
        found = [alias for alias in spellings if alias in present and alias not in renames]
        if len(found) == 1:
            renames[found[0]] = column
    return [renames.get(name, name) for name in names], sorted(renames.items())
