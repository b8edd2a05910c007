"""What README "Deploying" and docs/operations.md say about the deployments stays true of
prefect.yaml: each deployment is named, the ones said to run one at a time are exactly
those with a concurrency limit, and every replenish deployment sends the heartbeats the
crash automation (flows/automations.py) relies on. (tests/integration/test_deployment.py
runs the steps themselves against a real server.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS: list[dict[str, Any]] = yaml.safe_load((ROOT / "prefect.yaml").read_text())[
    "deployments"
]
README_DEPLOYING = (
    (ROOT / "README.md").read_text().split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]
)
OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
WHAT_RUNS_WHEN = OPERATIONS.split("## What runs when", 1)[1].split("\n## ", 1)[0]
DOCS = {"README Deploying": README_DEPLOYING, "operations.md What runs when": WHAT_RUNS_WHEN}


def named(text: str) -> set[str]:
    return set(re.findall(r"`([a-z][a-z-]*)`", text))


@pytest.mark.parametrize("doc", DOCS)
def test_every_deployment_is_named(doc: str) -> None:
    assert {d["name"] for d in DEPLOYMENTS} <= named(DOCS[doc])


@pytest.mark.parametrize("doc", DOCS)
def test_the_ones_said_to_run_one_at_a_time_are_those_with_a_concurrency_limit(doc: str) -> None:
    text = " ".join(DOCS[doc].split())
    said = re.search(r"([^.;|]*) have a concurrency limit of\s+one", text)
    assert said is not None, "the docs say which deployments run one at a time"
    limited = {d["name"] for d in DEPLOYMENTS if d.get("concurrency_limit")}
    assert named(said.group(1)) == limited
    none = re.search(r"([^.;:|]*) ha(?:ve|s) none", text)
    assert none is not None
    assert named(none.group(1)) == {d["name"] for d in DEPLOYMENTS} - limited


def test_no_count_of_deployments_that_a_new_one_would_make_false() -> None:
    words = r"(?:five|six|seven|eight|\d+) deployments"
    assert not re.search(words, README_DEPLOYING + OPERATIONS)


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: str(d["name"]))
def test_every_tagged_deployment_sends_heartbeats_every_30_seconds(
    deployment: dict[str, Any],
) -> None:
    """The automation crashes a replenish run after 2 minutes without a heartbeat:
    Prefect's default of one every 180 s would crash healthy runs."""
    if "replenish" not in deployment.get("tags", []):
        return
    env = deployment["work_pool"].get("job_variables", {}).get("env", {})
    assert env.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY") == "30"
