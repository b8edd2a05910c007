"""The review page's routes: GET and HEAD only show; a decision is a POST from the page.

Mail scanners open every link in an e-mail, so a GET never changes anything. A POST
must carry the CSRF value the page put in its form (bound to the link's token); the
decision itself goes through `services.decisions`, where a second decision is refused
with who decided what and when. A link that is tampered with, expired, meant for
another order, or names a person the order was not routed to gets a page with no order
data and changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from approvals.links import LinkRefused, ReviewLinks
from approvals.policy import RoutingPolicy
from contracts.value_report import ValueReport
from domain.local_time import local_time, utc_time
from domain.money import format_amount
from flags import FlagRules
from services.decisions import (
    AlreadyDecided,
    DecideOrder,
    InvalidDecision,
    NotAnAdministrator,
    NotYourDecision,
    decide_order,
)
from services.review_pages import (
    NotForYou,
    OrderPage,
    Withdrawn,
    digest_page,
    order_page,
    with_changes,
)
from storage.unit_of_work import UnitOfWork
from web.chart import chart_input, demand_chart
from web.forms import outcome_of, quantities_of, read_form
from web.security import SecurityHeaders
from web.value_routes import ValuePages

CHANNEL = "review-page"


@dataclass(frozen=True)
class ReviewContext:
    """What the app needs, wired once by `replenish review-server` (or a test)."""

    uow: Callable[[], UnitOfWork]
    links: ReviewLinks
    policy: RoutingPolicy
    clock: Callable[[], datetime] = field(default=functools.partial(datetime.now, UTC))
    rules: FlagRules = field(default_factory=FlagRules)  # which flags hold an order
    timezone: str = "UTC"  # the company's (`Settings.company_timezone`); UTC in small print
    # Builds the value report for the business owner's page (web.value_routes); None: off.
    value_report: Callable[[], ValueReport] | None = None


def create_app(context: ReviewContext) -> Any:
    """The ASGI app, wrapped so every response carries the security headers."""
    views = _Views(context)
    value = ValuePages(context.uow, context.links, context.policy, context.clock,
                       context.value_report, _refused)  # fmt: skip
    routes = [
        Route("/", views.home, methods=["GET"]),
        Route("/review.css", views.stylesheet, methods=["GET"]),
        Route("/healthz", views.health, methods=["GET"]),
        Route("/favicon.ico", views.no_icon, methods=["GET"]),
        Route("/orders/{po_key}/{token}", views.show_order, methods=["GET"]),
        Route("/orders/{po_key}/{token}", views.decide, methods=["POST"]),
        Route("/digest/{token}", views.show_digest, methods=["GET"]),
        Route("/value.css", value.css, methods=["GET"]),
        Route("/value/{token}", value.show, methods=["GET"]),
        Route("/value/{token}/proposals/{proposal}", value.decide, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: views.not_found})
    return SecurityHeaders(_relative_root(app))


# How far the page is below the app's root ("../../" on /orders/KEY/TOKEN), so the
# stylesheet is found under whatever path prefix a reverse proxy serves the app at.
_root: ContextVar[str] = ContextVar("review_root", default="")


def _relative_root(app: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            _root.set("../" * max(str(scope.get("path", "/")).count("/") - 1, 0))
        await app(scope, receive, send)

    return wrapped


_pages = Environment(
    loader=PackageLoader("web", "templates"),
    autoescape=True,  # every value a person or a data file wrote is escaped
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_pages.filters["qty"] = lambda v: f"{Decimal(v).normalize():f}" if v is not None else ""
_pages.filters["money"] = lambda v: format_amount(Decimal(v))
# "pack_rounding;moq" -> "pack rounding, moq": the supplier terms that changed the quantity.
_pages.filters["constraints"] = lambda v: ", ".join(
    part.replace("_", " ") for part in str(v).split(";") if part
)
_pages.filters["utc"] = utc_time
_pages.filters["local"] = local_time
_pages.filters["num"] = lambda v: (
    "-" if v is None else (f"{v:,.1f}".removesuffix(".0") if isinstance(v, int | float) else str(v))
)


class _Views:
    def __init__(self, context: ReviewContext) -> None:
        self.context = context

    async def home(self, request: Request) -> Response:
        return _render("home.html", {}, 200)

    async def stylesheet(self, request: Request) -> Response:
        css = _pages.loader.get_source(_pages, "review.css")[0]  # type: ignore[union-attr]
        return Response(css, media_type="text/css")

    async def no_icon(self, request: Request) -> Response:
        return Response(status_code=204)

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return _refused("There is no page here.", 404)

    async def show_order(self, request: Request) -> Response:
        po_key, token = request.path_params["po_key"], request.path_params["token"]
        page = await self._page(po_key, token)
        if isinstance(page, Response):
            return page
        return self._order(page, token, 200)

    async def decide(self, request: Request) -> Response:
        po_key, token = request.path_params["po_key"], request.path_params["token"]
        page = await self._page(po_key, token)
        if isinstance(page, Response):
            return page
        form = await read_form(request)
        if form is None:
            return _refused("The form was too large.", 413)
        if not self.context.links.csrf_matches(token, form.get("csrf", "")):
            # No valid CSRF value: not a submission of this link's page. Nothing changes.
            return _refused(
                "This decision did not come from the review page, so nothing was changed. "
                "Open the link from your e-mail again and decide there.",
                403,
            )
        comment = form.get("comment", "")[:2000]
        try:
            outcome, quantities = outcome_of(form.get("decision", "")), quantities_of(form)
            if outcome != "reject":
                changed = with_changes(page, quantities)
                # Changed quantities are decided only after the buyer saw their values
                # (the "review changes" step): an Approve straight after typing, or with
                # quantities other than those reviewed, shows the step instead.
                if (
                    outcome == "review"
                    or changed.breaches
                    or (changed.reviewed and changed.reviewed != form.get("reviewed", ""))
                ):
                    return self._order(changed, token, 400 if changed.breaches else 200,
                                       comment=comment)  # fmt: skip
            command = DecideOrder(
                po_key=page.po_key, outcome=outcome, person=page.person, channel=CHANNEL,
                comment=comment, quantities=quantities,
                in_place_of_approver=page.in_place_of_approver,
            )  # fmt: skip
            await run_in_threadpool(decide_order, self.context.uow, self.context.policy, command)
        except AlreadyDecided as refusal:
            return self._order(await self._page(po_key, token), token, 409, _sentence(refusal))
        except (NotYourDecision, NotAnAdministrator):
            return _refused("This order is not waiting for you.", 403)
        except InvalidDecision as error:
            return self._order(page, token, 400, _sentence(error))
        # Post/redirect/get: a reload shows the decision instead of posting it again. The
        # relative location (the token, resolved against this page's own address) stays
        # right behind a reverse proxy that serves the app under a path of its own.
        return RedirectResponse(token, status_code=303)

    async def show_digest(self, request: Request) -> Response:
        token = request.path_params["token"]
        now = self.context.clock()
        try:
            grant = self.context.links.read_digest(token, now)
        except LinkRefused as refusal:
            return _refused(str(refusal), 410 if refusal.reason == "expired" else 403)
        entries = await run_in_threadpool(
            digest_page, self.context.uow, self.context.policy, grant, now, self.context.rules
        )
        rows = [
            {"entry": e, "link": self.context.links.order_link(grant.person, e.po_key, e.deadline)}
            for e in entries
            if e.deadline > now
        ]
        context = {"person": grant.person, "rows": rows, "zone": self.context.timezone}
        return _render("digest.html", context, 200)

    async def _page(self, po_key: str, token: str) -> OrderPage | Response:
        now = self.context.clock()
        try:
            grant = self.context.links.read_order(token, po_key, now)
            return await run_in_threadpool(
                order_page, self.context.uow, self.context.policy, grant, now, self.context.rules
            )
        except LinkRefused as refusal:
            return _refused(str(refusal), 410 if refusal.reason == "expired" else 403)
        except NotForYou:
            return _refused("This order is not waiting for you.", 403)
        except Withdrawn as withdrawn:
            # A rolled-back night: the link stops working, on GET and POST alike (410 Gone).
            return _render("withdrawn.html", {"message": str(withdrawn)}, 410)
        except KeyError:
            return _refused("There is no such order.", 404)

    def _order(
        self,
        page: OrderPage | Response,
        token: str,
        status: int,
        message: str = "",
        comment: str = "",
    ) -> Response:
        if isinstance(page, Response):
            return page
        charts = {  # built from numbers only (web.chart); "" = no chart
            line.sku: Markup(demand_chart(chart) if (chart := chart_input(line)) else "")
            for line in page.lines
        }
        context = {
            "page": page,
            "charts": charts,
            "csrf": self.context.links.csrf_token(token),
            "message": message,
            "comment": comment,
            "zone": self.context.timezone,
        }
        return _render("order.html", context, status)


def _sentence(error: Exception) -> str:
    text = str(error).strip("'\"")
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _refused(message: str, status: int) -> Response:
    return _render("refused.html", {"message": message}, status)


def _render(template: str, context: dict[str, Any], status: int) -> Response:
    html = _pages.get_template(template).render({"root": _root.get(), **context})
    return HTMLResponse(html, status_code=status)
