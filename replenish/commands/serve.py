"""`replenish review-server`: the review page, on the same database and settings as the
nightly run, without Prefect: the page must answer while no run is going.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_USAGE = 2


def add_parsers(commands: Any) -> None:
    server = commands.add_parser(
        "review-server",
        help="serve the review page the e-mailed links open",
        description="Serve the review page (the links in the review e-mails) on the same "
        "database and settings as the nightly run. Put it behind your reverse proxy with "
        "TLS and set review_base_url to its public address (docs/review-server.md).",
    )
    server.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=None, help="port (default 8765)")
    server.add_argument("--config", type=Path, default=None, help="TOML config file")


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from approvals.web.app import ReviewContext, create_app

    services = _services(args.config)
    if services is None:
        return EXIT_USAGE
    settings = services.settings
    host = args.host or settings.review.host
    port = args.port if args.port is not None else settings.review.port
    app = create_app(
        ReviewContext(uow=services.uow, links=services.links, policy=settings.approvals)
    )
    print(f"Review page on http://{host}:{port} (links point at {settings.review_base_url})")
    # proxy_headers: behind a reverse proxy the client address comes from X-Forwarded-For;
    # server_header off: no version banner for scanners.
    uvicorn.run(app, host=host, port=port, proxy_headers=True, server_header=False,
                log_level="info")  # fmt: skip
    return 0


def _services(config: Path | None) -> Any:
    from replenish.bootstrap import build
    from replenish.settings import SettingsError, load_settings

    try:
        return build(load_settings(config))
    except (SettingsError, ValueError) as error:
        print(f"replenish: error: {error}", file=sys.stderr)
        return None
