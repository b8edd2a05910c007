"""`replenish submit`: the submit-approved flow from the shell, with the run's exit codes."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.commands.base import RunFailed, add_config, add_json, load, services
from cli.exit_codes import ExitCode, for_status


def register(commands: Any) -> None:
    submit = commands.add_parser(
        "submit",
        help="send approved (and earlier failed) orders to the ERP now, exactly once",
        description="Send every approved order and every order whose submission failed "
        "to the ERP, without waiting for the next nightly run. An order already in the ERP "
        "is recognised by its key and not sent again.",
    )
    add_config(submit)
    add_json(submit)
    submit.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    """`replenish submit`: approved and failed orders to the ERP now, exactly once."""
    from services.submission import work_to_submit

    load(args.config)  # the settings fail fast, before Prefect starts
    if work_to_submit(services(args.config).uow) == 0:
        # Nothing approved, failed or being cancelled: answer now. Starting Prefect (a
        # temporary server without PREFECT_API_URL) took 31 s to say "0 new".
        return _nothing_to_send(as_json=args.json)
    from flows.outcomes import summary_of
    from flows.submit_approved import submit_approved

    config = str(args.config.resolve()) if args.config else None
    state = submit_approved(config=config, return_state=True)
    result = state.result(raise_on_failure=False)
    summary = summary_of(result)
    if summary is None:
        # Something raised before the summary: `failed`, exit 1 (README), not a usage error.
        raise RunFailed(f"the submission failed: {state.message or result}")
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        failures = summary["submission_failures"]
        print(
            f"Sent to the ERP: {summary['submitted']} new, {summary['already_in_erp']} already "
            f"there, {len(failures)} failed."
        )
        for key in summary.get("submitted_keys", []):
            print(f"  {key}")
        for key, error in failures.items():
            print(f"  {key}: FAILED: {error}")
        retried = summary.get("cancellations_retried") or {}
        if retried:  # a rollback's failed cancellations, asked again first
            print(f"Cancellations of rolled-back orders retried: {len(retried)}.")
            for key, outcome in retried.items():
                print(f"  {key}: {outcome.replace('_', ' ')}")
    return for_status(str(summary["status"]))


def _nothing_to_send(*, as_json: bool) -> ExitCode:
    if as_json:
        empty = {
            "status": "succeeded",
            "submitted": 0,
            "submitted_keys": [],
            "already_in_erp": 0,
            "submission_failures": {},
            "cancellations_retried": {},
        }
        print(json.dumps(empty, indent=2))
    else:
        print("Sent to the ERP: 0 new, 0 already there, 0 failed (nothing approved waits).")
    return ExitCode.SUCCEEDED
