"""Retries, backoff with jitter and the circuit breaker of ERP calls (pure: a fake clock)."""

from __future__ import annotations

import random

import pytest

from integrations.erp.base import ErpRejected, ErpUnavailable
from services.erp_calls import Backoff, CircuitBreaker, CircuitOpen, ErpCalls


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def flaky(failures: int, error: Exception | None = None) -> tuple[list[int], object]:
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise error or ErpUnavailable("HTTP 503")
        return "ok"

    return calls, operation


def erp_calls(attempts: int = 3, failures: int = 5, clock: Clock | None = None) -> ErpCalls:
    waits: list[float] = []
    calls = ErpCalls(
        Backoff(attempts, 1.0, 8.0),
        CircuitBreaker(failures, 60.0, clock or Clock()),
        sleep=waits.append,
        rng=random.Random(1),
    )
    calls.waits = waits  # type: ignore[attr-defined]
    return calls


def test_a_transient_failure_is_retried_after_a_jittered_growing_wait() -> None:
    calls = erp_calls(attempts=3)
    made, operation = flaky(2)
    assert calls.call(operation) == "ok"  # type: ignore[arg-type]
    assert len(made) == 3
    first, second = calls.waits  # type: ignore[attr-defined]
    assert 0.0 <= first <= 1.0
    assert 0.0 <= second <= 2.0


def test_waits_never_pass_the_cap() -> None:
    backoff = Backoff(20, 1.0, 8.0)
    rng = random.Random(3)
    assert max(backoff.wait(retry, rng) for retry in range(1, 20)) <= 8.0


def test_a_rejection_is_not_retried() -> None:
    calls = erp_calls()
    made, operation = flaky(5, ErpRejected("HTTP 422: unknown supplier"))
    with pytest.raises(ErpRejected):
        calls.call(operation)  # type: ignore[arg-type]
    assert len(made) == 1


def test_the_circuit_opens_after_failures_in_a_row_and_lets_one_trial_through_later() -> None:
    clock = Clock()
    calls = erp_calls(attempts=2, failures=3, clock=clock)
    made, operation = flaky(100)
    with pytest.raises(ErpUnavailable):
        calls.call(operation)  # type: ignore[arg-type]
    with pytest.raises(ErpUnavailable):
        calls.call(operation)  # type: ignore[arg-type]
    assert len(made) == 3  # the third failure opened it: the fourth try was never made
    assert calls.breaker.is_open()
    with pytest.raises(CircuitOpen, match="next run"):
        calls.call(operation)  # type: ignore[arg-type]
    assert len(made) == 3
    clock.now = 61.0  # cool-down passed: one trial, which fails and reopens at once
    with pytest.raises(ErpUnavailable):
        calls.call(operation)  # type: ignore[arg-type]
    assert len(made) == 4
    assert calls.breaker.is_open()
    clock.now = 130.0
    _, working = flaky(0)
    assert calls.call(working) == "ok"  # type: ignore[arg-type]
    assert not calls.breaker.is_open()


def test_a_refusal_shows_the_erp_is_up_and_resets_the_count() -> None:
    calls = erp_calls(attempts=1, failures=2)
    _, down = flaky(100)
    _, refuses = flaky(100, ErpRejected("no"))
    with pytest.raises(ErpUnavailable):
        calls.call(down)  # type: ignore[arg-type]
    with pytest.raises(ErpRejected):
        calls.call(refuses)  # type: ignore[arg-type]
    with pytest.raises(ErpUnavailable):
        calls.call(down)  # type: ignore[arg-type]
    assert not calls.breaker.is_open()
