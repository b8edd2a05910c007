"""ERP adapter for the many ERPs and procurement tools with an HTTP API.

The contract (docs/erp.md): `POST {base_url}{orders_path}` with the order as JSON and an
`Idempotency-Key: <po_key>` header creates the order (201; 200 when the key was already
there); `GET {base_url}{orders_path}?reference=<po_key>` returns a JSON list of the orders
held under that key, each with an `id`; `?since=YYYY-MM-DD` lists our orders for
reconciliation. `POST {base_url}{orders_path}/{id}/cancel` with `Idempotency-Key:
<po_key>:cancel` cancels one (a rollback): 200 when cancelled now or before, 422 when the
ERP can no longer cancel it (its words say why). A bearer token, when set, goes on every
request.

Exactly once rests on two things the ERP does not control: we look the key up before
creating, and the key travels with the create, so an ERP that honours it never holds two
orders for one key, and one that does not is still asked before every retry.

Failures are classified here, once, for the submit stage: timeouts, refused connections,
5xx, 408, 409 (the key is being processed) and 429 may pass (`ErpUnavailable`); any other
4xx is the ERP refusing this order (`ErpRejected`, with the ERP's own message).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from integrations.erp.base import (
    KEY_PREFIX,
    ErpCancellation,
    ErpHeldOrder,
    ErpOrder,
    ErpReceipt,
    ErpRejected,
    ErpUnavailable,
)

#: Answers that say "not now" rather than "no".
TRANSIENT_STATUS = frozenset({408, 409, 425, 429})
MESSAGE_LIMIT = 500
#: The answer to a cancellation the ERP can no longer make (placed, shipped, invoiced).
TOO_LATE_STATUS = 422
#: Appended to the order's key for its cancellation's `Idempotency-Key`: one
#: cancellation per order, never the key a new order is created under.
CANCEL_KEY_SUFFIX = ":cancel"


class RestErp:
    name = "rest"

    def __init__(
        self,
        base_url: str,
        *,
        orders_path: str = "/purchase-orders",
        token: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = base_url.rstrip("/") + "/" + orders_path.lstrip("/")
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def find(self, po_key: str) -> ErpReceipt | None:
        """The order held under `po_key` (the oldest, should the ERP hold several)."""
        held = [o for o in self._get({"reference": po_key}) if _key_of(o) in (po_key, None)]
        ids = [str(order["id"]) for order in held if order.get("id") is not None]
        if held and not ids:
            raise ErpUnavailable(f"{self.url}: the ERP holds {po_key} but gives no order id")
        if not ids:
            return None
        return ErpReceipt(po_key=po_key, external_ref=ids[0], created=False)

    def submit(self, order: ErpOrder) -> ErpReceipt:
        """Create the order, unless the ERP holds the key already (asked first: many ERPs
        ignore the Idempotency-Key; one that honours it answers 200 with the existing)."""
        held = self.find(order.po_key)
        if held is not None:
            return held
        body = order.model_dump(mode="json")
        body["reference"] = order.po_key
        response = self._send(
            "POST", self.url, json=body, headers={"Idempotency-Key": order.po_key}
        )
        data = _json(response)
        if not isinstance(data, dict) or "id" not in data:
            raise ErpUnavailable(f"{self.url}: the ERP's answer has no order id: {_text(response)}")
        return ErpReceipt(
            po_key=order.po_key, external_ref=str(data["id"]), created=response.status_code == 201
        )

    def cancel(self, order: ErpOrder, reason: str) -> ErpCancellation:
        """Cancel the order held under the key (asked first); 422 is the ERP keeping it."""
        key = order.po_key
        held = [o for o in self._get({"reference": key}) if _key_of(o) in (key, None)]
        if any(o.get("id") is None for o in held):
            raise ErpUnavailable(f"{self.url}: the ERP holds {key} but gives no order id")
        live = [o for o in held if not _cancelled(o)]
        if not held:
            return ErpCancellation(po_key=key, outcome="not_held")
        if not live:
            ref = str(held[0].get("id", ""))
            return ErpCancellation(po_key=key, outcome="already_cancelled", external_ref=ref)
        ref = str(live[0]["id"])
        response = self._send(
            "POST", f"{self.url}/{ref}/cancel", json={"reference": key, "reason": reason},
            headers={"Idempotency-Key": key + CANCEL_KEY_SUFFIX}, accept={TOO_LATE_STATUS},
        )  # fmt: skip
        if response.status_code == TOO_LATE_STATUS:
            return ErpCancellation(po_key=key, outcome="too_late", external_ref=ref,
                                   reason=_message(response))  # fmt: skip
        return ErpCancellation(po_key=key, outcome="cancelled", external_ref=ref)

    def list_orders(self, since: date | None) -> list[ErpHeldOrder]:
        """Our orders as the ERP holds them now (a buyer may have changed quantities); a
        cancelled one counts as not held."""
        params = {"since": since.isoformat()} if since else {}
        held = []
        for order in self._get(params):
            key = _key_of(order)
            if key is None or not key.startswith(KEY_PREFIX) or _cancelled(order):
                continue
            held.append(
                ErpHeldOrder(
                    po_key=key,
                    external_ref=str(order.get("id", "")),
                    order_date=_date(order.get("order_date")),
                    quantities=_quantities(order.get("lines") or []),
                )
            )
        return held

    def _get(self, params: dict[str, str]) -> list[dict[str, Any]]:
        response = self._send("GET", self.url, params=params)
        data = _json(response)
        if not isinstance(data, list) or not all(isinstance(o, dict) for o in data):
            raise ErpUnavailable(f"{self.url}: expected a JSON list of orders: {_text(response)}")
        return data

    def _send(
        self,
        method: str,
        url: str,
        *,
        accept: frozenset[int] | set[int] = frozenset(),
        **kwargs: Any,
    ) -> httpx.Response:
        """The response; raises for what the contract reads as a failure, unless the
        caller `accept`s that status as an answer of its own."""
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise ErpUnavailable(f"{method} {url}: no answer in time ({error!r})") from error
        except httpx.TransportError as error:
            raise ErpUnavailable(f"{method} {url}: cannot reach the ERP ({error!r})") from error
        status = response.status_code
        if status in accept:
            return response
        if status >= 500 or status in TRANSIENT_STATUS:
            raise ErpUnavailable(f"{method} {url}: HTTP {status}: {_message(response)}")
        if status >= 400:
            raise ErpRejected(f"the ERP refused the order (HTTP {status}): {_message(response)}")
        return response


def _cancelled(order: dict[str, Any]) -> bool:
    return str(order.get("status", "")).lower() == "cancelled"


def _key_of(order: dict[str, Any]) -> str | None:
    key = order.get("reference", order.get("po_key"))
    return str(key) if key is not None else None


def _quantities(lines: list[Any]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        if not isinstance(line, dict) or "sku" not in line:
            continue
        try:
            quantity = Decimal(str(line.get("quantity", "0")))
        except InvalidOperation:
            continue
        sku = str(line["sku"])
        totals[sku] = totals.get(sku, Decimal(0)) + quantity
    return totals


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ErpUnavailable(
            f"{response.request.url}: the ERP's answer is not JSON: {_text(response)}"
        ) from None


def _message(response: httpx.Response) -> str:
    """The ERP's own words: `error`, `message` or `detail` of a JSON body, else the text."""
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _text(response)
    if isinstance(data, dict):
        for field in ("error", "message", "detail"):
            if data.get(field):
                return str(data[field])[:MESSAGE_LIMIT]
    return _text(response)


def _text(response: httpx.Response) -> str:
    return (response.text.strip() or response.reason_phrase)[:MESSAGE_LIMIT]
