"""`replenish review-server`: the review page, on the same database and settings as the
nightly run, without Prefect: the page must answer while no run is going.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.commands.base import add_config, services
from cli.exit_codes import ExitCode


def register(commands: Any) -> None:
    server = commands.add_parser(
        "review-server",
        help="serve the review page the e-mailed links open",
        description="Serve the review page (the links in the review e-mails) on the same "
        "database and settings as the nightly run. Put it behind your reverse proxy with "
        "TLS and set review_base_url to its public address (docs/review-server.md).",
    )
    server.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=None, help="port (default 8765)")
    add_config(server)
    server.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> ExitCode:
    import uvicorn

    from web.app import ReviewContext, create_app

    built = services(args.config)
    settings = built.settings
    host = args.host or settings.review.host
    port = args.port if args.port is not None else settings.review.port
    from replenish.run_date import run_date
    from services.value_report import build_value_report

    def value_report() -> Any:
        until = run_date(settings.schedule_timezone)
        return build_value_report(
            built.uow, settings, until=until, weeks=settings.value.report_weeks
        )

    context = ReviewContext(
        uow=built.uow, links=built.links, policy=settings.approvals, rules=settings.flags,
        timezone=settings.company_timezone, value_report=value_report,
    )  # fmt: skip
    app = create_app(context)
    print(f"Review page on http://{host}:{port} (links point at {settings.review_base_url})")
    # proxy_headers: behind a reverse proxy the client address comes from X-Forwarded-For;
    # server_header off: no version banner for scanners.
    uvicorn.run(app, host=host, port=port, proxy_headers=True, server_header=False,
                log_level="info")  # fmt: skip
    return ExitCode.SUCCEEDED
