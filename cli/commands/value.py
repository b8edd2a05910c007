"""`replenish report` (what the nights were worth) and `replenish proposals` (parameter
changes learnt from buyers: list, look for new ones, accept or reject as an administrator).

Everything goes through `services.value_report` and `services.learning`; the report
itself changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cli.commands.base import CliError, add_config, add_json, positive, services, today
from cli.exit_codes import ExitCode


def register(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="what the nights were worth: decisions, people's changes, outcomes",
        description="The value report (docs/value-report.md): proposed lines and value, the "
        "auto-approved share, decisions asked of people and their minutes, people's changes "
        "and what they were worth against the demand that followed, realised stock-outs, "
        "fill rate, days of supply and stock above target; per week, category, supplier "
        "and location. Figures not known yet say when they will be.",
    )
    report.add_argument("--weeks", type=positive, default=4, help="weeks back (default 4)")
    report.add_argument("--until", default=None, help="last order date, YYYY-MM-DD (default today)")
    report.add_argument(
        "--source",
        type=Path,
        default=None,
        help="the newest extract folder, if the runs' own folders are gone",
    )
    report.add_argument("--html", type=Path, default=None, metavar="FILE", help="also write a page")
    report.add_argument(
        "--link-for",
        default=None,
        metavar="PERSON",
        help="print a link to the report page for PERSON instead (needs --as)",
    )
    report.add_argument("--as", dest="person", default=None, help="the administrator minting it")
    add_json(report, "print the report as one JSON object")
    add_config(report)
    report.set_defaults(handler=run_report)

    proposals = commands.add_parser(
        "proposals",
        help="parameter changes learnt from buyers: list, learn, accept, reject",
        description="Proposals the value report made where buyers kept changing quantities "
        "the same way and were right. None takes effect until an administrator accepts it.",
    )
    add_config(proposals)
    actions = proposals.add_subparsers(dest="action")
    learn = actions.add_parser("learn", help="look for new proposals now and e-mail them")
    learn.add_argument("--weeks", type=positive, default=8)
    add_config(learn)
    for name in ("accept", "reject"):
        act = actions.add_parser(name, help=f"{name} a proposal, as an administrator")
        act.add_argument("proposal_id", type=int, metavar="ID")
        act.add_argument("--as", dest="person", required=True, help="your e-mail address")
        act.add_argument("--comment", default="")
        add_config(act)
    proposals.set_defaults(handler=run_proposals)


def run_report(args: argparse.Namespace) -> ExitCode:
    from datetime import date

    from services.value_report import build_value_report
    from services.value_text import render_markdown

    if args.link_for:
        return _mint_link(args)
    until = date.fromisoformat(args.until) if args.until else today(args.config)
    if args.source is not None and not args.source.is_dir():
        raise CliError(f"--source {args.source}: no such folder")
    built = services(args.config)
    try:
        report = build_value_report(built.uow, built.settings, until=until, weeks=args.weeks,
                                    latest_folder=args.source)  # fmt: skip
    finally:
        built.engine.dispose()
    if args.html is not None:
        from web.value_page import render_page

        args.html.write_text(render_page(report), encoding="utf-8")
    print(report.model_dump_json(indent=2) if args.json else render_markdown(report), end="")
    return ExitCode.SUCCEEDED


def run_proposals(args: argparse.Namespace) -> ExitCode:
    from domain.actors import Actor
    from services import learning

    built = services(args.config)
    try:
        if args.action == "learn":
            from datetime import timedelta

            from services.value_report import scored_nights

            until = today(args.config)
            scored = scored_nights(
                built.uow, built.settings, until - timedelta(weeks=args.weeks), until
            )
            found = learning.learn_from_buyers(built.uow, built.settings, scored.lines)
            print(f"{len(found)} new proposal(s)" + "".join(f"\n#{p.id} {p.reason}" for p in found))
        elif args.action in ("accept", "reject"):
            try:
                done = learning.decide_proposal(
                    built.uow, built.settings.approvals, args.proposal_id,
                    accept=args.action == "accept", actor=Actor(args.person, "cli"),
                    comment=args.comment,
                )  # fmt: skip
            except learning.ProposalRefused as refused:
                print(f"replenish proposals: refused: {refused}", file=sys.stderr)
                return ExitCode.REFUSED
            bound = "at least" if done.direction == "up" else "at most"
            effect = (f"the service level of {done.scope.replace('_', '-')} {done.scope_key} is "
                      f"{bound} {done.proposed_value:g} from the next night"
                      if done.status == "accepted" else "nothing changes")  # fmt: skip
            print(f"Proposal {done.id} {done.status} by {done.decided_by} at {done.decided_at}: "
                  f"{effect}.")  # fmt: skip
        else:
            listed = learning.list_proposals(built.uow)
            print(
                json.dumps([p.model_dump() for p in listed], indent=2)
                if listed
                else "No proposals."
            )
    finally:
        built.engine.dispose()
    return ExitCode.SUCCEEDED


def _mint_link(args: argparse.Namespace) -> ExitCode:
    from datetime import UTC, datetime

    from services.review_links import value_link
    from services.review_pages import NotForYou

    if not args.person:
        raise CliError("--link-for needs --as ADMIN: only an administrator mints this link")
    built = services(args.config)
    try:
        link = value_link(built.links, built.settings.approvals, args.person, args.link_for,
                          datetime.now(UTC), built.settings.value.report_link_days)  # fmt: skip
    except NotForYou as refusal:
        print(f"replenish report: refused: {refusal}", file=sys.stderr)
        return ExitCode.REFUSED
    finally:
        built.engine.dispose()
    print(link)
    return ExitCode.SUCCEEDED
