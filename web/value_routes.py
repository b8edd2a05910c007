"""The value report page on the review server: `/value/TOKEN`, a link an administrator
mints for a business owner (`replenish report --link-for OWNER --as ADMIN`).

The same protections as the review page: the token is signed for its own purpose and
expires; GET only shows (building the report reads, never writes); accepting or rejecting
a parameter proposal is a POST from the page, carrying the CSRF value bound to the
token, and only an administrator's link can do it (`services.learning.decide_proposal`
checks again). The security headers (strict CSP, no referrer, no cache) wrap every
response in `web.app.create_app`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from approvals.links import Grant, LinkRefused, ReviewLinks
from approvals.policy import RoutingPolicy
from contracts.value_report import ValueReport
from domain.actors import Actor
from services.learning import ProposalRefused, decide_proposal
from storage.unit_of_work import UnitOfWork
from web.forms import read_form
from web.value_page import render_page, stylesheet

CHANNEL = "value-page"


@dataclass(frozen=True)
class ValuePages:
    """The routes' handlers; `report` builds tonight's report (None: page switched off)."""

    uow: Callable[[], UnitOfWork]
    links: ReviewLinks
    policy: RoutingPolicy
    clock: Callable[[], datetime]
    report: Callable[[], ValueReport] | None
    refused: Callable[[str, int], Response]

    async def css(self, request: Request) -> Response:
        return Response(stylesheet(), media_type="text/css")

    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        grant = self._grant(token)
        if isinstance(grant, Response):
            return grant
        return await self._page(token, grant, 200, "")

    async def decide(self, request: Request) -> Response:
        token = request.path_params["token"]
        grant = self._grant(token)
        if isinstance(grant, Response):
            return grant
        form = await read_form(request)
        if form is None:
            return self.refused("The form was too large.", 413)
        if not self.links.csrf_matches(token, form.get("csrf", "")):
            return self.refused(
                "This did not come from the value page, so nothing was changed.", 403
            )
        try:
            proposal_id = int(request.path_params["proposal"])
        except ValueError:
            return self.refused("There is no such proposal.", 404)
        accept = form.get("decision", "") == "accept"
        try:
            await run_in_threadpool(
                decide_proposal, self.uow, self.policy, proposal_id,
                accept=accept, actor=Actor(grant.person, CHANNEL),
            )  # fmt: skip
        except ProposalRefused as refusal:
            return await self._page(token, grant, 409, f"Nothing was changed: {refusal}.")
        # Post/redirect/get, relative to /value/TOKEN/proposals/ID: a reload shows, never posts.
        return RedirectResponse(f"../../{token}", status_code=303)

    def _grant(self, token: str) -> Grant | Response:
        if self.report is None:
            return self.refused("The value report is not served here.", 404)
        try:
            return self.links.read_value(token, self.clock())
        except LinkRefused as refusal:
            return self.refused(str(refusal), 410 if refusal.reason == "expired" else 403)

    async def _page(self, token: str, grant: Grant, status: int, message: str) -> Response:
        assert self.report is not None
        report = await run_in_threadpool(self.report)
        html = render_page(
            report, served=True, root="../", person=grant.person, token=token,
            csrf=self.links.csrf_token(token),
            can_decide=self.policy.is_administrator(grant.person), message=message,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)
