"""Calls to an ERP that may be down: retries with backoff and jitter, and a circuit breaker.

Any adapter, the same rules. `ErpUnavailable` (a timeout, a 5xx, a refused connection)
is tried again after a wait that doubles each time, drawn at random below that bound
("full jitter"), so two runs retrying together do not hit the ERP in step. `ErpRejected`
is not retried: the ERP said no to this order, asking again only repeats the answer.
The loop is tenacity's `Retrying`; the jitter is drawn here from a `random.Random` a test
may seed (tenacity's `wait_random_exponential` draws from the global one).

The breaker counts failed calls in a row, across orders: after `failures` of them the
ERP is taken for down and the run stops calling it (`is_open`), leaving the remaining
orders approved for the next run or `replenish submit`; after `reset_seconds` (a later
Prefect retry of the stage) one trial call is let through, and its success closes the
circuit. A business refusal proves the ERP is up, so it resets the count too.
The breaker stays hand-written: tenacity has none, and pybreaker would bring a dependency
and listeners for 25 lines that must also read a refusal as "the ERP is up".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
)

from integrations.erp.base import ErpError, ErpRejected, ErpUnavailable
from integrations.erp.settings import ErpSettings

T = TypeVar("T")


class CircuitOpen(ErpUnavailable):
    """Not called: the ERP failed too often in a row; the next run tries again."""


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries per call; waits of up to base * 2**n seconds, capped at `cap`."""

    attempts: int = 3
    base_seconds: float = 1.0
    cap_seconds: float = 30.0

    def wait(self, retry: int, rng: random.Random) -> float:
        """Seconds before retry number `retry` (1 = the first retry): full jitter."""
        return rng.uniform(0.0, min(self.cap_seconds, self.base_seconds * 2 ** (retry - 1)))


class CircuitBreaker:
    """Closed (calls go through), open (none do), half open (one trial call)."""

    def __init__(
        self, failures: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._in_a_row = 0
        self._opened_at: float | None = None
        self.last_error: str = ""

    def is_open(self) -> bool:
        """True while the ERP is taken for down and the cool-down has not passed."""
        if self._opened_at is None:
            return False
        return self._clock() - self._opened_at < self.reset_seconds

    def succeeded(self) -> None:
        self._in_a_row = 0
        self._opened_at = None

    def failed(self, error: ErpError) -> None:
        self._in_a_row += 1
        self.last_error = str(error)
        half_open = self._opened_at is not None
        if half_open or self._in_a_row >= self.failures:
            self._opened_at = self._clock()  # a failed trial call reopens at once


class ErpCalls:
    """One run's calls to one ERP; kept across the Prefect retries of the submit stage, so
    an ERP found down stays treated as down until its cool-down passes."""

    def __init__(
        self,
        backoff: Backoff,
        breaker: CircuitBreaker,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.backoff = backoff
        self.breaker = breaker
        self._sleep = sleep
        self._rng = rng or random.Random()
        #: Keys the ERP refused in this run: not offered again before the next run.
        self.rejected: dict[str, str] = {}

    def call(self, operation: Callable[[], T]) -> T:
        """`operation()`, retried while the ERP is unavailable and the circuit closed."""
        retrying = Retrying(
            stop=stop_after_attempt(self.backoff.attempts),
            wait=self._wait,
            # Unavailable or unclassified may pass; a refusal, or the open breaker, would not.
            retry=retry_if_exception_type(ErpError)
            & retry_if_not_exception_type((ErpRejected, CircuitOpen)),
            sleep=self._sleep,
            reraise=True,  # the ERP's own error, not tenacity's RetryError
        )
        return retrying(self._once, operation)

    def _wait(self, state: RetryCallState) -> float:
        return self.backoff.wait(state.attempt_number, self._rng)

    def _once(self, operation: Callable[[], T]) -> T:
        """One try through the breaker, which hears how it went."""
        if self.breaker.is_open():
            raise CircuitOpen(
                f"not sent: the ERP failed {self.breaker.failures} times in a row, "
                f"the next run tries again (last error: {self.breaker.last_error})"
            )
        try:
            result = operation()
        except ErpRejected:
            self.breaker.succeeded()  # the ERP answered: it is up
            raise
        except ErpError as error:  # unavailable, or unclassified: may pass
            self.breaker.failed(error)
            raise
        self.breaker.succeeded()
        return result


def erp_calls(
    *,
    attempts: int,
    backoff_seconds: float,
    backoff_max_seconds: float,
    breaker_failures: int,
    breaker_reset_seconds: float,
) -> ErpCalls:
    """The calls object the settings (`erp.*`) describe."""
    return ErpCalls(
        Backoff(attempts, backoff_seconds, backoff_max_seconds),
        CircuitBreaker(breaker_failures, breaker_reset_seconds),
    )


def calls_for(erp: ErpSettings) -> ErpCalls:
    """The calls object of one run or command, from the `[erp]` settings."""
    return erp_calls(
        attempts=erp.call_attempts,
        backoff_seconds=erp.backoff_seconds,
        backoff_max_seconds=erp.backoff_max_seconds,
        breaker_failures=erp.breaker_failures,
        breaker_reset_seconds=erp.breaker_reset_seconds,
    )
