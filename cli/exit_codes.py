"""The exit codes of every `replenish` command, in one place (README, "Commands").

Scripts and schedulers branch on these numbers, so they are a contract: a command never
returns a bare integer, it returns one of these.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    SUCCEEDED = 0
    FAILED = 1  # the run stopped on its input, or failed
    USAGE = 2  # a problem the user can fix: a bad option, a missing folder, a broken config
    REFUSED = 3  # a decision the rules refuse (not yours, already decided)
    PARTIAL = 4  # orders proposed, but some not sent to the ERP or not announced
    STOOD_ASIDE = 5  # another run held the lock: nothing was done, nothing is wrong
    CLOSED_PIPE = 141  # the reader closed the pipe (`| head`): the rest of the output dropped


_BY_STATUS = {
    "succeeded": ExitCode.SUCCEEDED,
    "partial": ExitCode.PARTIAL,
    "stood_aside": ExitCode.STOOD_ASIDE,
}


def for_status(status: str) -> ExitCode:
    """The exit code of a run or submission summary's `status`; anything else failed."""
    return _BY_STATUS.get(status, ExitCode.FAILED)
