"""`replenish review link`: a signed review-page link for one order or a person's digest."""

from __future__ import annotations

from typing import Any

from cli.commands.base import CliError, Refused
from cli.exit_codes import ExitCode


def link(services: Any, po_key: str | None, person: str) -> ExitCode:
    from datetime import UTC, datetime

    from services import review_links
    from services.review_pages import NotForYou

    now, policy = datetime.now(UTC), services.settings.approvals
    try:
        if po_key is None:
            found = review_links.digest_link(services.uow, services.links, policy, person, now)
            if found is None:
                raise Refused(f"no purchase order waits for {person}")
            print(found)
            return ExitCode.SUCCEEDED
        print(review_links.order_link(services.uow, services.links, policy, po_key, person, now))
    except review_links.LinkExpired as expired:
        # printing it would hand someone a link that only says "expired" when opened
        how = f"replenish review approve|reject {expired.po_key or 'PO_KEY'} --as {person}"
        raise Refused(f"{expired}; decide in the terminal ({how})") from None
    except NotForYou as refusal:
        raise Refused(str(refusal)) from None
    except KeyError as error:
        raise CliError(str(error).strip("'\"")) from None
    return ExitCode.SUCCEEDED


def digest_link_for_busiest(config: str | None = None) -> str | None:
    """The digest link of whoever has the most orders waiting (for `replenish demo`)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from replenish.bootstrap import build
    from services import review_links
    from settings import load_settings

    services = build(load_settings(Path(config) if config else None))
    try:
        return review_links.digest_link(
            services.uow, services.links, services.settings.approvals, None, datetime.now(UTC)
        )
    except review_links.LinkExpired:
        return None
