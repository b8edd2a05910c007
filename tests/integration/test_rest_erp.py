"""The REST adapter against a real HTTP server on loopback: what it sends, what it adopts,
and how each kind of failure is classified for the submit stage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from erp_rest_server import ErpRestServer
from pydantic import SecretStr

from integrations.erp.base import ErpOrder, ErpOrderLine, ErpRejected, ErpUnavailable
from integrations.erp.factory import build_erp
from integrations.erp.rest import RestErp
from settings import ErpSettings, SettingsError, load_settings

TOKEN = "test-token-" + uuid.uuid4().hex


def order(key: str | None = None, quantity: str = "6") -> ErpOrder:
    line = ErpOrderLine(
        sku="A1", quantity=Decimal(quantity), unit_price=Decimal("2.50"), line_value=Decimal("15")
    )
    return ErpOrder(
        po_key=key or f"RPL-20261130-R{uuid.uuid4().hex[:8].upper()}-DC",
        supplier_id="S1", location="DC", order_date=date(2026, 11, 30),
        expected_delivery=date(2026, 12, 7), currency="EUR", value=Decimal("15"), lines=(line,),
    )  # fmt: skip


@pytest.fixture
def server() -> Iterator[ErpRestServer]:
    erp = ErpRestServer(token=TOKEN).up()
    yield erp
    erp.down()


@pytest.fixture
def adapter(server: ErpRestServer) -> Iterator[RestErp]:
    erp = build_erp(ErpSettings(adapter="rest", base_url=server.base_url, token=SecretStr(TOKEN)))
    assert isinstance(erp, RestErp)
    yield erp
    erp.close()


def test_an_order_is_created_once_under_its_key_and_found_again(
    server: ErpRestServer, adapter: RestErp
) -> None:
    sent = order()
    assert adapter.find(sent.po_key) is None
    receipt = adapter.submit(sent)
    assert receipt.created
    [held] = server.held(sent.po_key)
    assert held["supplier_id"] == "S1"
    assert held["lines"][0]["quantity"] == "6"
    found = adapter.find(sent.po_key)
    assert found is not None
    assert (found.external_ref, found.created) == (receipt.external_ref, False)
    again = adapter.submit(sent)  # the ERP honours the Idempotency-Key
    assert (again.external_ref, again.created) == (receipt.external_ref, False)
    assert len(server.held(sent.po_key)) == 1


def test_server_errors_and_a_closed_port_are_unavailable(
    server: ErpRestServer, adapter: RestErp
) -> None:
    server.fail_next(1, 503)
    with pytest.raises(ErpUnavailable, match="HTTP 503"):
        adapter.submit(order())
    server.fail_next(1, 429)
    with pytest.raises(ErpUnavailable, match="HTTP 429"):
        adapter.find("RPL-X")
    server.down()
    with pytest.raises(ErpUnavailable, match="cannot reach the ERP"):
        adapter.find("RPL-X")


def test_a_refusal_is_rejected_with_the_erps_own_message(
    server: ErpRestServer, adapter: RestErp
) -> None:
    refused = order()
    server.reject(refused.po_key, "supplier S1 is blocked for purchasing")
    with pytest.raises(ErpRejected, match=r"HTTP 422.*supplier S1 is blocked"):
        adapter.submit(refused)
    assert server.held(refused.po_key) == []


def test_a_wrong_token_is_rejected_not_retried(server: ErpRestServer) -> None:
    erp = RestErp(server.base_url, token="wrong")
    with pytest.raises(ErpRejected, match=r"HTTP 401.*bearer token"):
        erp.find("RPL-X")


def test_an_answer_after_the_timeout_is_unavailable_and_the_order_is_found_after(
    server: ErpRestServer,
) -> None:
    erp = RestErp(server.base_url, token=TOKEN, read_timeout=0.3)
    sent = order()
    server.answer_late(2.0)
    with pytest.raises(ErpUnavailable, match="no answer in time"):
        erp.submit(sent)
    found = erp.find(sent.po_key)  # the ERP committed before it answered
    assert found is not None
    assert not found.created


def test_our_orders_are_listed_with_their_quantities_since_a_date(
    server: ErpRestServer, adapter: RestErp
) -> None:
    mine = order(quantity="6")
    adapter.submit(mine)
    server.change_quantity(mine.po_key, "A1", "4")
    server.add("FOREIGN-1", {"A1": "9"})  # not one of ours
    server.add(f"RPL-20261001-OLD{uuid.uuid4().hex[:6]}-DC", {"A1": "1"}, order_date="2026-10-01")
    listed = {o.po_key: o for o in adapter.list_orders(date(2026, 11, 1))}
    assert set(listed) == {mine.po_key}
    assert listed[mine.po_key].quantities == {"A1": Decimal("4")}


def test_rest_needs_a_base_url() -> None:
    with pytest.raises(ValueError, match=r"needs erp\.base_url"):
        ErpSettings(adapter="rest")


def test_the_environment_chooses_the_rest_erp_and_the_file_may_not_hold_its_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REPLENISH_ERP__ADAPTER", "rest")
    monkeypatch.setenv("REPLENISH_ERP__BASE_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("REPLENISH_ERP__TOKEN", "from-the-environment")
    settings = load_settings()
    assert settings.erp.adapter == "rest"
    assert settings.erp.base_url == "http://127.0.0.1:9/api"
    assert settings.erp.token is not None
    assert settings.erp.token.get_secret_value() == "from-the-environment"
    config = tmp_path / "replenish.toml"
    config.write_text('[erp]\nadapter = "rest"\nbase_url = "http://x"\ntoken = "leaked"\n')
    with pytest.raises(SettingsError, match=r"remove erp\.token"):
        load_settings(config)
