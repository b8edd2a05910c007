"""The Tryton JSON-RPC client's pure parts, and its answer to a server that never replies."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from integrations.erp.base import ErpRejected, ErpUnavailable
from integrations.erp.tryton_rpc import TrytonRpc, _decode, _rpc_error, encode


def test_decimals_and_dates_travel_wrapped_both_ways() -> None:
    values = {"price": Decimal("4.50"), "on": date(2026, 11, 30), "lines": [Decimal("1")]}

    wire = json.dumps(encode(values))

    assert json.loads(wire, object_hook=_decode) == values
    assert json.loads(wire)["price"] == {"__class__": "Decimal", "decimal": "4.50"}


@pytest.mark.parametrize(
    ("error", "kind", "text"),
    [
        (["UserError", ["The value for field \"Product\" is not valid.", "", None]],
         ErpRejected, 'The value for field "Product" is not valid.'),
        (["UserWarning", ["name", "The supplier is new.", ""]], ErpRejected, "supplier is new"),
        (["ConcurrencyException", ["Records were modified"]], ErpUnavailable, "concurrent"),
        (["division by zero", "Traceback ..."], ErpRejected, "division by zero"),
    ],
)  # fmt: skip
def test_tryton_errors_are_classed_as_refusals_or_retries(
    error: list[object], kind: type[Exception], text: str
) -> None:
    classed = _rpc_error(error, "model.purchase.purchase.create")

    assert type(classed) is kind
    assert text in str(classed)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener.getsockname()[1]


def test_a_server_that_never_answers_is_unavailable(silent_port: int) -> None:
    rpc = TrytonRpc(f"http://127.0.0.1:{silent_port}", "erp", "replenish", "pw", timeout=0.5)

    with pytest.raises(ErpUnavailable, match="did not answer"):
        rpc.model("purchase.purchase", "search", [], 0, 1, None)
