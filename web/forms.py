"""The decision form as the page posts it: `decision` (approve | reject | review), `qty:<sku>`
per line (blank = unchanged), `comment` and `csrf`. Small, url-encoded, nothing else."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request

from services.decisions import InvalidDecision

MAX_FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> dict[str, str] | None:
    """The posted form, or None when it is larger than `MAX_FORM_BYTES`.

    The body is counted while it arrives, so a chunked upload with no Content-Length (or
    a false one) is refused after 64 KiB, never read whole into memory first: a link
    holder sending 400 MB took the server from 317 to 1,102 MB that way.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    # application/x-www-form-urlencoded: the only encoding the page's form uses.
    try:
        parsed = parse_qs(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=500
        )
    except ValueError:  # more fields than any order has lines
        return None
    return {name: values[-1] for name, values in parsed.items()}


def outcome_of(value: str) -> Any:
    """approve | reject | review ("Review changes": show the recomputed values, decide nothing)."""
    if value not in ("approve", "reject", "review"):
        raise InvalidDecision("choose Approve or Reject")
    return value


def quantities_of(form: dict[str, str]) -> dict[str, Decimal]:
    quantities = {}
    for name, value in form.items():
        if not name.startswith("qty:") or not value.strip():
            continue
        sku = name[4:]
        try:
            quantities[sku] = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidDecision(f"{sku}: {value!r} is not a quantity") from None
    return quantities
