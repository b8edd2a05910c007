"""Signed review links: a token names one approver and one order (or one approver's
digest) and the moment it stops working. Pure: a secret in, strings out.

Why signed rather than stored: the e-mail is the only place a link lives, and the
server must tell a genuine link from a guessed or edited one without a table of
handed-out tokens. itsdangerous signs the payload with HMAC-SHA1 over a key derived from
the secret and a purpose ("salt"), so an order token cannot pass as a digest token, and
a token of another installation (another secret) is refused like a tampered one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer

from approvals.policy import person_key

_ORDER = "replenish.review.order"
_DIGEST = "replenish.review.digest"
# The value report page (issue 23): a link an administrator mints for a business owner.
_VALUE = "replenish.value.report"


class LinkRefused(PermissionError):
    """The link cannot be used; the message is safe to show (it names no order data)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "invalid", "expired" or "foreign"


@dataclass(frozen=True)
class Grant:
    """What a valid token allows: `person` may see `po_key` (None: their digest) until."""

    person: str
    po_key: str | None
    expires_at: datetime


class ReviewLinks:
    """Mint and read review links for one installation (one secret, one base URL)."""

    def __init__(self, secret: str, base_url: str) -> None:
        if len(secret) < 16:
            raise ValueError("the review link secret must have at least 16 characters")
        self._secret = secret.encode()
        self._orders = URLSafeSerializer(secret, salt=_ORDER)
        self._digests = URLSafeSerializer(secret, salt=_DIGEST)
        self._values = URLSafeSerializer(secret, salt=_VALUE)
        self.base_url = base_url.rstrip("/")

    def order_token(self, person: str, po_key: str, expires_at: datetime) -> str:
        """The order is named by an 8-character digest of its key, not the key itself: the
        key is already in the link's path, and an e-mail carries one link per order, so
        the shorter token keeps the e-mail small. The digest still tells a genuine token
        of another order (`foreign`), and the signature covers it like the rest."""
        payload = {"a": person_key(person), "k": _key_digest(po_key), "x": _epoch(expires_at)}
        return str(self._orders.dumps(payload))

    def digest_token(self, person: str, expires_at: datetime) -> str:
        return str(self._digests.dumps({"a": person_key(person), "x": _epoch(expires_at)}))

    def order_link(self, person: str, po_key: str, expires_at: datetime) -> str:
        token = self.order_token(person, po_key, expires_at)
        return f"{self.base_url}/orders/{quote(po_key, safe='')}/{token}"

    def digest_link(self, person: str, expires_at: datetime) -> str:
        return f"{self.base_url}/digest/{self.digest_token(person, expires_at)}"

    def value_link(self, person: str, expires_at: datetime) -> str:
        """The value report page for `person` until `expires_at` (its own purpose: an
        order or digest token never opens it, nor it them)."""
        token = str(self._values.dumps({"a": person_key(person), "x": _epoch(expires_at)}))
        return f"{self.base_url}/value/{token}"

    def read_value(self, token: str, now: datetime) -> Grant:
        return _grant(_load(self._values, token), None, now)

    def read_order(self, token: str, po_key: str, now: datetime) -> Grant:
        """The grant of an order token for the order in the URL, or `LinkRefused`."""
        payload = _load(self._orders, token)
        # "o": the whole key, as links minted before the digest carried it.
        named = payload.get("o") == po_key if "o" in payload else None
        if not (named if named is not None else payload.get("k") == _key_digest(po_key)):
            # A genuine token of another order pasted under this one's address.
            raise LinkRefused("foreign", "This link does not belong to this page.")
        return _grant(payload, po_key, now)

    def read_digest(self, token: str, now: datetime) -> Grant:
        return _grant(_load(self._digests, token), None, now)

    def csrf_token(self, token: str) -> str:
        """The form's CSRF value, bound to the link's token: a page of one link cannot
        post for another, and another site cannot post without having read the page."""
        return hmac.new(self._secret, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()

    def csrf_matches(self, token: str, value: str) -> bool:
        return hmac.compare_digest(self.csrf_token(token), value)


def _load(serializer: URLSafeSerializer, token: str) -> dict[str, object]:
    try:
        payload = serializer.loads(token)
    except BadSignature:
        raise LinkRefused(
            "invalid", "This link is not valid. It may have been cut or changed."
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), str):
        raise LinkRefused("invalid", "This link is not valid.")
    return payload


def _grant(payload: dict[str, object], po_key: str | None, now: datetime) -> Grant:
    expiry = payload.get("x")
    if not isinstance(expiry, int):
        raise LinkRefused("invalid", "This link is not valid.")
    expires_at = datetime.fromtimestamp(expiry, UTC)
    if now >= expires_at:
        raise LinkRefused(
            "expired",
            f"This link expired on {expires_at:%d %b %Y at %H:%M} UTC, with the decision "
            "deadline it was sent for. The next e-mail brings a new link.",
        )
    return Grant(person=str(payload["a"]), po_key=po_key, expires_at=expires_at)


def _key_digest(po_key: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(po_key.encode()).digest()[:6]).decode()


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored times are UTC (SQLite drops the zone)
    return int(moment.timestamp())
