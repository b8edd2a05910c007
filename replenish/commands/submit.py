"""`replenish submit`: the submit-approved flow from the shell, with the run's exit codes."""

from __future__ import annotations

import argparse
import json

from replenish.cli import CliError, exit_code, today


def run(args: argparse.Namespace) -> int:
    """`replenish submit`: approved and failed orders to the ERP now, exactly once."""
    if args.config is not None and not args.config.is_file():
        raise CliError(f"config file {args.config} not found")
    from flows.outcomes import summary_of
    from flows.submit_approved import submit_approved

    today(args.config)  # the settings fail fast, before Prefect starts
    config = str(args.config.resolve()) if args.config else None
    state = submit_approved(config=config, return_state=True)
    result = state.result(raise_on_failure=False)
    summary = summary_of(result)
    if summary is None:
        raise CliError(f"the submission crashed: {state.message or result}")
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
    return exit_code(str(summary["status"]))
