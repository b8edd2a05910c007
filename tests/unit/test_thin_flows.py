"""The flows stay thin (issue 26): a flow calls services and Prefect features only.

A newcomer reads a flow module as the run's table of contents; once one grows past a
screenful, or reaches into the unit of work's session, business logic has crept back in
where the services should hold it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FLOWS = sorted((Path(__file__).resolve().parents[2] / "flows").glob("*.py"))
MAX_LINES = 120


@pytest.mark.parametrize("module", FLOWS, ids=lambda p: p.name)
def test_no_flow_module_is_over_120_lines(module: Path) -> None:
    lines = len(module.read_text().splitlines())
    assert lines <= MAX_LINES, f"{module.name} has {lines} lines: move the logic to services/"


@pytest.mark.parametrize("module", FLOWS, ids=lambda p: p.name)
def test_no_flow_reaches_into_the_session(module: Path) -> None:
    assert ".session" not in module.read_text(), f"{module.name} uses a session: use a service"


def test_the_flows_are_found() -> None:
    assert len(FLOWS) > 10
