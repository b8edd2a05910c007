"""Handing freed memory back to the OS costs a full garbage collection, so a night pays
it only when it has grown the process enough for the release to matter."""

from __future__ import annotations

import pytest

from services import memory_budget


@pytest.fixture
def collections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the full collections `release_freed` starts; the process is 500 MB now."""
    started: list[int] = []

    def collect(*_generation: int) -> int:
        started.append(1)
        return 0

    monkeypatch.setattr(memory_budget.gc, "collect", collect)
    monkeypatch.setattr(memory_budget, "rss_mb", lambda: 500.0)
    return started


def test_a_small_night_skips_the_full_collection(collections: list[int]) -> None:
    memory_budget.release_freed(since_mb=470.0)  # grown by 30 MB: a 60-item night
    assert collections == []


def test_a_large_night_collects_and_trims(collections: list[int]) -> None:
    memory_budget.release_freed(since_mb=100.0)  # grown by 400 MB: thousands of items
    assert collections == [1]


def test_without_a_starting_point_it_always_releases(collections: list[int]) -> None:
    memory_budget.release_freed()
    memory_budget.release_freed(since_mb=None)
    assert collections == [1, 1]


def test_an_unknown_resident_size_releases(
    collections: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_budget, "rss_mb", lambda: None)  # no /proc: not Linux
    memory_budget.release_freed(since_mb=470.0)
    assert collections == [1]
