"""A small JSON-RPC client for a Tryton server: session login, typed values, error classes.

Tryton answers `POST <url>/<database>/rpc/` with `{"id", "result"}` or `{"id", "error"}`.
A business refusal (a `UserError`, a `UserWarning`) arrives as HTTP 200 with an `error`
member: that is `ErpRejected`, the order fails with Tryton's own sentence. Everything
that says "not now" (no connection, a timeout, 5xx, 429 after bad passwords, a
concurrent write) is `ErpUnavailable`, which the submission service retries.

Session auth, not Basic: Basic makes Tryton check the password on every call (about
twelve times slower). An idle session expires (300 s by default): a 401 logs in again
once and repeats the call.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any

from integrations.erp.base import ErpError, ErpRejected, ErpUnavailable

#: Tryton errors that mean "this request is wrong", not "try again later".
_BUSINESS_ERRORS = {"UserError", "UserWarning", "AccessError"}


class TrytonLoginFailed(ErpRejected):
    """Wrong login or password: retrying cannot help, the operator must fix the secret."""


def encode(value: Any) -> Any:
    """Python values as Tryton's JSON carries them (Decimal and dates are wrapped)."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        raise TypeError("send dates, not datetimes, to Tryton from here")
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def _decode(obj: dict[str, Any]) -> Any:
    kind = obj.get("__class__")
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    if kind == "date":
        return dt.date(obj["year"], obj["month"], obj["day"])
    if kind == "datetime":
        return dt.datetime(
            obj["year"], obj["month"], obj["day"],
            obj["hour"], obj["minute"], obj["second"], obj.get("microsecond", 0),
        )  # fmt: skip
    return obj


class TrytonRpc:
    """One authenticated connection to one Tryton database."""

    def __init__(
        self, url: str, database: str, login: str, password: str, timeout: float = 30.0
    ) -> None:
        self.endpoint = f"{url.rstrip('/')}/{database}/rpc/"
        self._root = f"{url.rstrip('/')}/rpc/"  # methods that need no database
        self.login = login
        self._password = password
        self.timeout = timeout
        self._auth: str | None = None
        self._context: dict[str, Any] | None = None
        self._ids = 0
        self.user_id: int | None = None

    def version(self) -> str:
        """The server's version; answers without a login (used to wait for start-up)."""
        return str(self._post("common.server.version", [], auth=None, endpoint=self._root))

    def context(self) -> dict[str, Any]:
        """The user's preferences (company, language, ...), which every model call needs."""
        if self._context is None:
            self._context = self.call("model.res.user.get_preferences", True, {})
        return self._context

    def reload_context(self) -> None:
        """Forget the preferences, e.g. after the user's company changed."""
        self._context = None

    def model(self, model: str, method: str, *args: Any) -> Any:
        """Call `model.<model>.<method>(*args, context)` as the logged-in user."""
        return self.call(f"model.{model}.{method}", *args, self.context())

    def call(self, method: str, *params: Any) -> Any:
        """Any RPC method with session auth; logs in (again) when the session is missing or gone."""
        if self._auth is None:
            self._login()
        try:
            return self._post(method, list(params), auth=self._auth)
        except _SessionExpired:
            self._login()
            return self._post(method, list(params), auth=self._auth)

    def _login(self) -> None:
        try:
            answer = self._post(
                "common.db.login", [self.login, {"password": self._password}, "en"], auth=None
            )
        except _SessionExpired as error:
            raise TrytonLoginFailed(f"Tryton refused the login {self.login!r}") from error
        if not answer:
            raise TrytonLoginFailed(f"Tryton refused the login {self.login!r}")
        user_id, session = answer[0], answer[1]
        self.user_id = int(user_id)
        token = base64.b64encode(f"{self.login}:{user_id}:{session}".encode()).decode()
        self._auth = f"Session {token}"

    def _post(
        self, method: str, params: list[Any], auth: str | None, endpoint: str | None = None
    ) -> Any:
        self._ids += 1
        body = json.dumps({"id": self._ids, "method": method, "params": encode(params)})
        url = endpoint or self.endpoint
        request = urllib.request.Request(url, data=body.encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read(), object_hook=_decode)
        except urllib.error.HTTPError as error:
            raise _http_error(error, method) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise ErpUnavailable(f"Tryton at {self.endpoint} did not answer: {error}") from error
        except json.JSONDecodeError as error:
            raise ErpUnavailable(f"Tryton sent a reply that is not JSON: {error}") from error
        if payload.get("error"):
            raise _rpc_error(payload["error"], method)
        return payload.get("result")


class _SessionExpired(ErpError):
    """HTTP 401: the session is unknown or expired; log in again (once)."""


def _http_error(error: urllib.error.HTTPError, method: str) -> ErpError:
    if error.code == 401:
        return _SessionExpired(f"Tryton refused {method}: HTTP {error.code}")
    if error.code == 429 or error.code >= 500:
        return ErpUnavailable(f"Tryton answered {method} with HTTP {error.code}")
    return ErpRejected(f"Tryton refused {method}: HTTP {error.code} {error.reason}")


def _rpc_error(error: Any, method: str) -> ErpError:
    """Tryton's `error` member: `[kind, args]` for its own exceptions, `[text, traceback]`
    for a crash inside the server."""
    kind = error[0] if isinstance(error, list) and error else str(error)
    args = error[1] if isinstance(error, list) and len(error) > 1 else []
    if kind in _BUSINESS_ERRORS:
        words = [str(part) for part in (args if isinstance(args, list) else [args]) if part]
        text = next((w for w in words if not w.startswith("[")), kind)
        if kind == "UserWarning" and len(words) > 1:
            text = words[1]  # [warning name, message, description]
        return ErpRejected(f"Tryton refused {method}: {text}")
    if kind == "ConcurrencyException":
        return ErpUnavailable(f"Tryton: a concurrent change on {method}, try again")
    return ErpRejected(f"Tryton failed on {method}: {kind}")
