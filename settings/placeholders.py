"""What a production install must not keep from the examples: documentation addresses
(mail to example.com goes nowhere, so an alert or a review request would be lost) and a
review link only this machine can open."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def example_addresses(named: dict[str, str], approvals: dict[str, Any]) -> list[str]:
    """`path = value` of each setting still holding a documentation address
    (example.com/.org/.net): `named` settings, and every string in the approvals section."""
    found = []
    named = {**named, **_strings(approvals, "approvals.")}
    for path, value in named.items():
        domain = value.rpartition("@")[2].lower()
        if "@" in value and domain.split(".")[-2:-1] == ["example"]:
            found.append(f"{path} = {value}")
    return found


def _strings(value: Any, prefix: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {
            k: v
            for key, item in value.items()
            for k, v in _strings(item, f"{prefix}{key}.").items()
        }
    if isinstance(value, list):
        return {
            k: v for i, item in enumerate(value) for k, v in _strings(item, f"{prefix}{i}.").items()
        }
    return {prefix.rstrip("."): value} if isinstance(value, str) else {}


def is_loopback_url(url: str) -> bool:
    """A URL only this machine can open (127.x, localhost, ::1, 0.0.0.0)."""
    host = (urlsplit(url).hostname or "").lower()
    return (
        host in {"localhost", "::1", "0.0.0.0"}
        or host.startswith("127.")
        or host.endswith(".localhost")
    )
