"""`replenish erp check`: what the configured ERP lacks before a first night relies on it.

Logs in as the product's own user (never an administrator: what that user cannot read or
press is what would fail at night) and lists, one line each, the rights it lacks and,
when an extract is at hand (`--source DIR` or the configured source), the suppliers,
items and warehouses the extract names that the ERP does not hold by code.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.commands.base import CliError, add_config, add_json, add_source, load, services
from cli.exit_codes import ExitCode

READY = ExitCode.SUCCEEDED
MISSING = ExitCode.FAILED


def register(commands: Any) -> None:
    erp = commands.add_parser(
        "erp",
        help="check the ERP's setup for replenish (`replenish erp check`)",
        description="Questions for the configured ERP.",
    )
    actions = erp.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "check",
        help="list what the ERP lacks: the product user's rights, suppliers, items, warehouses",
        description="Log in to the ERP as the product's user (erp.tryton.login) and list what "
        "a night would miss: the user's company and rights (the 'Purchase' group; the right "
        "to press Confirm on purchases; with erp.tryton.approval = 'erp', the approver "
        "group), then the suppliers, items and warehouses of the extract that the ERP does "
        f"not hold by code. Exit {int(READY)} when nothing is missing, {int(MISSING)} when "
        "something is; docs/erp.md says how to set each up.",
    )
    add_source(check)
    add_config(check)
    add_json(check)
    erp.set_defaults(handler=run)


def run(args: argparse.Namespace) -> ExitCode:
    """`replenish erp <action>`: one action so far."""
    return run_check(args)


def run_check(args: argparse.Namespace) -> ExitCode:
    from integrations.erp.base import CheckableErp, ErpError

    built = services(args.config)
    built.engine.dispose()  # the database is not needed
    erp = built.erp
    if not isinstance(erp, CheckableErp):
        raise CliError(f"the {erp.name} ERP adapter cannot check its setup (only Tryton can)")
    suppliers, skus, locations, note = _extract_codes(args)
    try:
        problems = erp.setup_problems(suppliers, skus, locations)
    except ErpError as error:
        problems = [str(error)]
    report = {
        "erp": built.settings.erp.describe(),
        "ready": not problems,
        "missing": problems,
        "checked": {"suppliers": len(suppliers), "items": len(skus), "warehouses": len(locations)},
        "note": note,
    }
    print(json.dumps(report, indent=2) if args.json else _text(report))
    return READY if not problems else MISSING


def _extract_codes(args: argparse.Namespace) -> tuple[set[str], set[str], set[str], str]:
    """Suppliers, SKUs and locations of the active items, or empty sets and why not."""
    from cli.commands.base import open_source
    from integrations.sources.errors import SourceError

    settings = load(args.config)
    try:
        source = open_source(settings, args.source)
        items = source.read().frames["items"]
    except (CliError, SourceError, KeyError) as error:
        return set(), set(), set(), f"master data not checked (no extract to read: {error})"
    if "active" in items:
        active = items["active"].astype(str).str.strip().str.lower()
        items = items[~active.isin(["0", "false", "no", "n"])]
    codes = [set(items[column].astype(str).str.strip()) - {""}
             for column in ("supplier_id", "sku", "location")]  # fmt: skip
    return codes[0], codes[1], codes[2], f"master data checked against {source.describe()}"


def _text(report: dict[str, Any]) -> str:
    checked = report["checked"]
    lines = [
        f"ERP: {report['erp']}",
        f"{report['note']}: {checked['suppliers']} suppliers, {checked['items']} items, "
        f"{checked['warehouses']} warehouses",
    ]
    if report["ready"]:
        return "\n".join([*lines, "Ready: nothing is missing."])
    return "\n".join(
        [*lines, f"Missing ({len(report['missing'])}):", *(f"- {p}" for p in report["missing"])]
    )
