"""Close the run: the summary in the database and in the Prefect UI."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from contracts.run_summary import RunSummary, summary_json
from replenish.bootstrap import Services
from services.run_summary import render_markdown
from services.runs import finish_run


@task(name="report", cache_policy=NO_CACHE)
def report(services: Services, run_id: str, summary: RunSummary) -> None:
    """Close the run in the database and publish the summary in the Prefect UI."""
    finish_run(services.uow, run_id, summary_json(summary))
    create_markdown_artifact(
        key="run-summary",
        markdown=render_markdown(summary),
        description=f"Nightly replenishment run {run_id}",
    )
