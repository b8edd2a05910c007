"""Review e-mails from stored orders (pure, in-memory orders): one per person, only
people who still have to decide, most money at stake first, links signed per person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

from approvals.links import ReviewLinks
from services.review_mail import ReviewMailing, money_at_stake, review_mails
from storage.models import OrderLine, PurchaseOrder, ReviewFlag


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    text: str = body.get_content()
    return text


NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
LINKS = ReviewLinks("unit-review-mail-secret-" + "m" * 10, "http://review")
MAILING = ReviewMailing("replenish@x", "buyer@x", 24, LINKS)


def order(
    key: str, value: str, stakes: list[tuple[str | None, str]], **routing: object
) -> PurchaseOrder:
    po = PurchaseOrder(
        po_key=key, supplier_id="S1", supplier_name="Supplier One", location="DC",
        currency="EUR", value=Decimal(value), order_date=date(2026, 11, 25),
        expected_delivery=date(2026, 12, 1),
        decision_due_at=NOW + timedelta(hours=24), **{"required_approvals": 1, **routing},
    )  # fmt: skip
    cost = Decimal(value)
    line = OrderLine(
        sku="A", location="DC", proposed_quantity=Decimal("1"), unit_cost=cost, line_value=cost,
        explanation="",
    )  # fmt: skip
    po.lines = [line]
    po.flags = [
        ReviewFlag(sku=sku, code=f"F{i}", severity="warning", message=f"flag {i}",
                   money_at_stake=Decimal(stake))
        for i, (sku, stake) in enumerate(stakes)
    ]  # fmt: skip
    return po


def test_money_at_stake_is_the_value_the_decision_changes_at_todays_quantities() -> None:
    """docs/flag-rules.md: the held lines' value, whatever the flags' own amounts."""
    assert money_at_stake(order("K", "1000", [("A", "700"), ("A", "300"), (None, "200")])) == 1000
    assert money_at_stake(order("K", "500", [])) == 500
    changed = order("K", "500", [("A", "450")])
    changed.lines[0].approved_quantity = Decimal("0.5")  # a first approver halved it
    assert money_at_stake(changed) == Decimal("250.00")


def test_one_mail_per_person_still_to_decide_most_money_first() -> None:
    small = order("K-SMALL", "300", [("A", "300")], approver="Ann@x")
    big = order("K-BIG", "9000", [("A", "5000")], approver="ann@x")
    two = order("K-TWO", "20000", [(None, "20000")], approver="ann@x", second_approver="head@x",
                required_approvals=2)  # fmt: skip
    legacy = order("K-OLD", "100", [("A", "100")])  # stored before routing: the default approver
    decided = {"K-TWO": {"ann@x"}}  # ann approved already: only head is asked
    mails, told = review_mails(
        [small, big, two, legacy], decided, {}, MAILING, run_id="r1", as_of=date(2026, 11, 25),
        now=NOW,
    )  # fmt: skip
    assert sorted(told) == ["K-BIG", "K-OLD", "K-SMALL", "K-TWO"]
    by_person = {mail.recipient: mail for mail in mails}
    assert set(by_person) == {"ann@x", "head@x", "buyer@x"}
    text = plain_text(by_person["ann@x"].message)
    assert text.index("K-BIG") < text.index("K-SMALL")
    assert "K-TWO" not in text
    assert "K-TWO" in plain_text(by_person["head@x"].message)
    assert all(mail.dedupe_key.endswith(":r1") for mail in mails)
    link = next(w for w in text.split() if "/orders/K-BIG/" in w)
    grant = LINKS.read_order(link.rsplit("/", 1)[-1], "K-BIG", NOW)
    assert grant.person == "ann@x"
    assert grant.expires_at == NOW + timedelta(hours=24)
    digest = next(w for w in text.split() if "/digest/" in w)
    assert LINKS.read_digest(digest.rsplit("/", 1)[-1], NOW).person == "ann@x"


def test_orders_sent_with_a_warning_are_told_without_a_decision() -> None:
    warned = order("K-WARN", "400", [("A", "150")])
    mails, told = review_mails([], {}, {warned: "buyer@x"}, MAILING, run_id="r2",
                               as_of=date(2026, 11, 25), now=NOW)  # fmt: skip
    assert told == []
    assert [m.recipient for m in mails] == ["buyer@x"]
    subject = str(mails[0].message["Subject"])
    assert subject.endswith("with a warning")
    assert "to review" not in subject


def _html(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    text: str = body.get_content()
    return text


def test_one_row_per_order_the_same_in_text_and_html_and_under_10_kb() -> None:
    """The demo's night: nine orders to decide with up to five flags each, nine sent with a
    warning. One row each (supplier, location, money at stake, main reason in words, the
    link); the sentences live on the page; text and HTML say the same; under 10 KB."""
    codes = ["NEW_ITEM", "DATA_QUALITY", "DUPLICATE_RISK", "DEMAND_ANOMALY", "STOCKOUT_RISK"]
    waiting = []
    for i in range(9):
        po = order(f"RPL-20261207-SUP-0{i % 5}-DC-SOUTH-C4E9F{i}-R", f"{1000 + i * 997}", [],
                   approver="buyer@x")  # fmt: skip
        po.status = "pending_review"
        po.flags = [
            ReviewFlag(sku=f"SKU-000{i}{n}", code=code, severity="high",
                       message="A long sentence that belongs on the page. " * 4,
                       money_at_stake=Decimal("100"))
            for n, code in enumerate(codes[: 1 + i % 5])
        ]  # fmt: skip
        waiting.append(po)
    notices = {}
    for i in range(9):
        po = order(f"RPL-20261207-SUP-0{i % 5}-STORE-01-2FC0A{i}", "500", [])
        po.status = "submitted"
        po.flags = [ReviewFlag(sku="SKU-1", code="STOCKOUT_RISK", severity="high",
                               message="x" * 200, money_at_stake=Decimal("5"))]  # fmt: skip
        notices[po] = "buyer@x"
    mails, _ = review_mails(waiting, {}, notices, MAILING, run_id="r" * 32,
                            as_of=date(2026, 12, 7), now=NOW)  # fmt: skip
    message = mails[0].message
    assert len(message.as_bytes()) < 10_000
    text, html = plain_text(message), _html(message)
    assert "A long sentence" not in text + html  # details live on the page
    for po in waiting:
        assert text.count(po.po_key) == html.count(po.po_key) == 1  # one row, one link
    rows = [line for line in text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert len(rows) == 9
    for row in rows:  # "1. Supplier One, DC: EUR 8,976.00 - new item, ... (+2 more)"
        place, rest = row.split(". ", 1)[1].split(": ", 1)
        money, reason = rest.split(" - ", 1)
        assert f"<td>{place}</td><td nowrap>{money}</td><td>{reason}</td>" in html
    # Holding reasons only (STOCKOUT_RISK informs), in words, the one questioning most first.
    assert "- input rows for an item were quarantined tonight (+3 more)" in text
    assert "9 purchase orders from the night" in text
    assert "Sent to the supplier tonight" in text
    assert "Sent to the supplier tonight" in html
