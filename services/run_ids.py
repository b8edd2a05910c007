"""Which run an operator means: a run id as `replenish run --json` prints it, or its first
8 characters as every summary and Prefect artifact shows it ("Nightly run 2026-11-30
(cf9ec49b)"). One rule for every command that takes a run (`rollback`, `runs show`,
`explain --run`), so a short id that works for one works for all."""

from __future__ import annotations

from storage.unit_of_work import UnitOfWork

#: The shortest prefix taken: shorter ones would too often name several runs.
SHORTEST_PREFIX = 8


class UnknownRun(LookupError):
    """No run, or more than one, has that id; the sentence names what was given."""


def full_run_id(uow: UnitOfWork, given: str) -> str:
    """The run's full id, from the id or its first characters (at least 8, unambiguous)."""
    given = given.strip()
    if uow.runs.get(given) is not None:
        return given
    found = uow.runs.ids_starting_with(given) if len(given) >= SHORTEST_PREFIX else []
    if len(found) == 1:
        return found[0]
    problem = "more than one run starts with" if found else "there is no run"
    raise UnknownRun(f"{problem} {given!r}")
