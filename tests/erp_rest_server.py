"""A real HTTP ERP on loopback for the tests: keeps purchase orders by key, speaks the REST
adapter's contract (docs/erp.md), and can be told to fail.

It keeps every order it creates in a list, duplicates included, so a test can see two
orders under one key if the client ever caused one. `honour_idempotency=False` makes it
ignore the `Idempotency-Key` header, as many ERPs do: then only the client's own look-up
before creating keeps a key single, which is what the fault tests prove.

`POST /purchase-orders/{id}/cancel` (a rollback) marks the order `"status": "cancelled"`
and answers 200 with it; asked again (a retry after a lost answer, with or without the
same `Idempotency-Key`) it answers 200 with the cancelled order and cancels nothing
twice: `cancellations` counts each order actually cancelled, `refuse_cancel(key, why)`
makes the ERP keep that order (422 with its reason: too late).

Failures on demand: `fail_next(n, status)` answers the next n requests with that status;
`reject(key, message)` refuses that key with 422; `answer_late(seconds)` commits a create
and only then waits before answering (the client has timed out by then); `down()` closes
the port (connection refused) and `up()` opens it again on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

PATH = "/purchase-orders"


class ErpRestServer:
    def __init__(self, token: str | None = None, *, honour_idempotency: bool = True) -> None:
        self.token = token
        self.honour_idempotency = honour_idempotency
        self.orders: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []  # (method, key or query), in order
        self.rejected: dict[str, str] = {}
        self.keep: dict[str, str] = {}  # key -> why the ERP can no longer cancel it
        self.cancellations: list[str] = []  # the key of each order cancelled, once each
        self._fail: list[int] = []
        self._late_seconds = 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    # -- control, from the test ------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> ErpRestServer:
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._fail.extend([status] * count)

    def reject(self, key: str, message: str) -> None:
        self.rejected[key] = message

    def refuse_cancel(self, key: str, why: str) -> None:
        self.keep[key] = why

    def answer_late(self, seconds: float) -> None:
        self._late_seconds = seconds

    def held(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [order for order in self.orders if order["reference"] == key]

    def change_quantity(self, key: str, sku: str, quantity: str) -> None:
        """A buyer edits the order in the ERP."""
        with self._lock:
            for order in self.orders:
                if order["reference"] == key:
                    for line in order["lines"]:
                        if line["sku"] == sku:
                            line["quantity"] = quantity

    def add(self, key: str, lines: dict[str, str], order_date: str = "2026-11-30") -> None:
        """An order entered in the ERP by hand, under one of our keys."""
        with self._lock:
            self.orders.append(
                {
                    "id": len(self.orders) + 1,
                    "reference": key,
                    "order_date": order_date,
                    "lines": [{"sku": s, "quantity": q} for s, q in lines.items()],
                }
            )

    # -- the HTTP side -----------------------------------------------------------------
    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any, float]:
        """(status, JSON answer, seconds to wait before answering)."""
        url = urlparse(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        key = headers.get("Idempotency-Key") or query.get("reference", url.query)
        with self._lock:
            self.requests.append((method, key))
            if self._fail:
                return self._fail.pop(0), {"error": "the ERP is overloaded"}, 0.0
        cancel = url.path.startswith(PATH + "/") and url.path.endswith("/cancel")
        if url.path != PATH and not cancel:
            return 404, {"error": f"no such resource {url.path}"}, 0.0
        if self.token and headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "a valid bearer token is required"}, 0.0
        if cancel and method == "POST":
            return self._cancel(url.path[len(PATH) + 1 : -len("/cancel")], key)
        if method == "GET":
            return 200, self._listed(query), 0.0
        return self._create(headers.get("Idempotency-Key"), json.loads(body or b"{}"))

    def _cancel(self, order_id: str, key: str | None) -> tuple[int, Any, float]:
        if not key:
            return 400, {"error": "Idempotency-Key header missing"}, 0.0
        with self._lock:
            found = [o for o in self.orders if str(o["id"]) == order_id]
            if not found:
                return 404, {"error": f"no purchase order {order_id}"}, 0.0
            order = found[0]
            if order.get("status") == "cancelled":
                return 200, order, 0.0  # asked again: the same answer, nothing twice
            if order["reference"] in self.keep:
                return 422, {"error": self.keep[order["reference"]]}, 0.0
            order["status"] = "cancelled"
            self.cancellations.append(order["reference"])
        return 200, order, self._late_seconds

    def _listed(self, query: dict[str, str]) -> list[dict[str, Any]]:
        with self._lock:
            found = list(self.orders)
        if "reference" in query:
            found = [o for o in found if o["reference"] == query["reference"]]
        if "since" in query:
            found = [o for o in found if str(o.get("order_date", "")) >= query["since"]]
        return found

    def _create(self, key: str | None, order: dict[str, Any]) -> tuple[int, Any, float]:
        if not key:
            return 400, {"error": "Idempotency-Key header missing"}, 0.0
        if key in self.rejected:
            return 422, {"error": self.rejected[key]}, 0.0
        with self._lock:
            if self.honour_idempotency:
                for existing in self.orders:
                    if existing["reference"] == key:
                        return 200, existing, 0.0
            created = {**order, "id": len(self.orders) + 1, "reference": key}
            self.orders.append(created)
        return 201, created, self._late_seconds


def _handler(erp: ErpRestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, answer, late = erp.handle(method, self.path, self.headers, body)
            if late:
                time.sleep(late)  # committed above; the client has given up by now
            payload = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
