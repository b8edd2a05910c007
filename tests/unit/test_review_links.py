"""Signed review links: a token names one person and one order until the deadline, and
any change to it, another order, another installation or another purpose is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from approvals.links import LinkRefused, ReviewLinks

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=24)
LINKS = ReviewLinks("unit-test-secret-" + "z" * 20, "https://replenish.example.com/review/")


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[-1]


def test_a_link_names_the_person_and_the_order_until_the_deadline() -> None:
    link = LINKS.order_link("Ann@Example.com", "RPL-1-SUP-DC", DUE)
    assert link.startswith("https://replenish.example.com/review/orders/RPL-1-SUP-DC/")
    grant = LINKS.read_order(token_of(link), "RPL-1-SUP-DC", NOW)
    assert (grant.person, grant.po_key, grant.expires_at) == (
        "ann@example.com",
        "RPL-1-SUP-DC",
        DUE,
    )
    with pytest.raises(LinkRefused) as late:
        LINKS.read_order(token_of(link), "RPL-1-SUP-DC", DUE)
    assert late.value.reason == "expired"
    assert "25 Nov" not in str(late.value)  # says when it expired: 26 Nov
    assert "26 Nov 2026 at 12:00 UTC" in str(late.value)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "invalid"),
        (lambda t: t.replace(".", "A.", 1), "invalid"),
        (lambda t: LINKS.order_token("ann@example.com", "RPL-OTHER", DUE), "foreign"),
        (lambda t: LINKS.digest_token("ann@example.com", DUE), "invalid"),
        (
            lambda t: ReviewLinks("another-secret-" + "y" * 20, "x").order_token(
                "ann@example.com", "RPL-1-SUP-DC", DUE
            ),
            "invalid",
        ),
        (lambda t: "", "invalid"),
    ],
)
def test_changed_foreign_or_misused_tokens_are_refused(make: object, reason: str) -> None:
    token = LINKS.order_token("ann@example.com", "RPL-1-SUP-DC", DUE)
    assert callable(make)
    with pytest.raises(LinkRefused) as refused:
        LINKS.read_order(make(token), "RPL-1-SUP-DC", NOW)
    assert refused.value.reason == reason
    assert "RPL-1-SUP-DC" not in str(refused.value)  # the message shows no order data


def test_a_digest_token_is_not_an_order_token_and_back() -> None:
    digest = LINKS.digest_token("ann@example.com", DUE)
    assert LINKS.read_digest(digest, NOW).person == "ann@example.com"
    with pytest.raises(LinkRefused):
        LINKS.read_digest(LINKS.order_token("ann@example.com", "RPL-1", DUE), NOW)


def test_the_csrf_value_is_bound_to_one_link() -> None:
    first = LINKS.order_token("ann@example.com", "RPL-1", DUE)
    second = LINKS.order_token("ann@example.com", "RPL-2", DUE)
    assert LINKS.csrf_matches(first, LINKS.csrf_token(first))
    assert not LINKS.csrf_matches(second, LINKS.csrf_token(first))
    assert not LINKS.csrf_matches(first, "")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        ReviewLinks("short", "http://x")
