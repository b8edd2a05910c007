"""Is the configured ERP set up for replenish? Asked at the start of every night.

An ERP whose adapter can check its own setup (`CheckableErp`: Tryton) is asked, as the
product's own user, for what it lacks before anything is forecast or ordered: a user
without the right to confirm purchases would otherwise have every order of the night
refused one by one, after the buyers were told they were sent. A missing right is a
clear stop with the sentence that says what to fix; an ERP that does not answer is not
(the submit stage retries and reports it), so a brief outage never costs a night.
"""

from __future__ import annotations

from integrations.erp.base import CheckableErp, ErpAdapter, ErpRejected, ErpUnavailable


def erp_setup_problem(erp: ErpAdapter) -> str | None:
    """One sentence naming everything the ERP's setup lacks; None when ready (or unknown)."""
    if not isinstance(erp, CheckableErp):
        return None
    try:
        problems = erp.setup_problems(set(), set(), set())
    except ErpUnavailable:
        return None
    except ErpRejected as error:
        problems = [str(error)]
    if not problems:
        return None
    return (
        f"the {erp.name} ERP is not set up for replenish (stopped before any order): "
        + "; ".join(problems)
        + " (docs/erp.md, Tryton; `replenish erp check` lists what is missing)"
    )
