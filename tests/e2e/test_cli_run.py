"""A person's path through the CLI: sample data, a nightly run, a re-run, and mistakes."""

from __future__ import annotations

import csv
import email
import json
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from flow_night import sample_data
from summary_contract import validate_summary  # tests/ is on sys.path

pytestmark = [pytest.mark.slow, pytest.mark.prefect]  # every night runs its flow on Prefect

AS_OF = "2026-11-25"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("night")


@pytest.fixture(scope="module")
def own_prefect_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The operator's first night as `make demo` runs it: no Prefect server configured, so
    the command starts a temporary one of its own. Only `first_run` uses it."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REPLENISH_", "PREFECT_"))}
    return {
        **base,
        "PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home")),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }


@pytest.fixture(scope="module")
def env(own_prefect_env: dict[str, str], prefect_server: str) -> dict[str, str]:
    """Every later command runs on the session's Prefect server: a temporary server per
    command costs 10-20 s each and tests nothing `first_run` did not."""
    return {**own_prefect_env, "PREFECT_API_URL": prefect_server}


def replenish(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "replenish"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _data_rows(path: Path) -> int:
    """Rows below the header holding any value (blank lines are never rows)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for row in list(csv.reader(handle))[1:] if any(c.strip() for c in row))


@pytest.fixture(scope="module")
def first_run(workdir: Path, own_prefect_env: dict[str, str]) -> dict:
    env = own_prefect_env
    made = replenish(
        "sample-data",
        "--out",
        "data",
        "--items",
        "40",
        "--seed",
        "3",
        "--as-of",
        AS_OF,
        cwd=workdir,
        env=env,
    )
    assert made.returncode == 0, made.stderr
    done = replenish("run", "--source", "data", "--as-of", AS_OF, "--json", cwd=workdir, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_run_json_has_the_contract_keys_and_counts_add_up(first_run: dict, workdir: Path) -> None:
    summary = first_run
    validate_summary(summary)  # the published docs/run-summary.schema.json
    for key in (
        "run_id",
        "as_of",
        "status",
        "rows",
        "series",
        "orders",
        "flags",
        "flags_informing",
        "submitted",
        "stage_seconds",
    ):
        assert key in summary
    assert summary["status"] == "succeeded"
    assert summary["as_of"] == AS_OF
    assert {
        "items.csv",
        "suppliers.csv",
        "demand_pos.csv",
        "demand_web.csv",
        "stock.csv",
        "open_orders.csv",
    } <= set(summary["rows"])
    for file, figures in summary["rows"].items():
        # every data row of the file is counted (the verdicts partition `read` by construction)
        assert figures["read"] == _data_rows(workdir / "data" / file), file
    assert sum(f["quarantined"] for f in summary["rows"].values()) > 0  # sample data is dirty
    # informing flags are a part of all flags; STOCKOUT_RISK only informs by default
    informing = summary["flags_informing"]
    assert all(0 < n <= summary["flags"][code] for code, n in informing.items())
    if "STOCKOUT_RISK" in summary["flags"]:
        assert informing["STOCKOUT_RISK"] == summary["flags"]["STOCKOUT_RISK"]
    orders = summary["orders"]
    assert orders["purchase_orders"] > 0
    assert orders["auto_approved"] + orders["pending_review"] == orders["purchase_orders"]
    assert summary["series"]["forecast"] == sum(summary["series"]["by_class"].values())
    assert set(summary["stage_seconds"]) >= {
        "extract",
        "validate",
        "forecast",
        "plan",
        "flag",
        "route",
        "submit",
        "report",
    }


def test_auto_approved_orders_are_in_the_erp_drop_once_each(first_run: dict, workdir: Path) -> None:
    files = sorted((workdir / "erp-drop").glob("*.json"))
    assert len(files) == first_run["orders"]["auto_approved"] == first_run["submitted"]
    for path in files:
        order = json.loads(path.read_text())
        assert path.stem == order["po_key"]
        assert order["po_key"].startswith("RPL-20261125-")
        assert order["lines"], "an order without lines must never reach the ERP"
        total = sum(float(line["line_value"]) for line in order["lines"])
        assert total == pytest.approx(float(order["value"]), abs=0.01)
    assert not list((workdir / "erp-drop").glob(".*")), "no temporary files left behind"


def test_flagged_orders_reach_the_approver_by_email(first_run: dict, workdir: Path) -> None:
    pending = first_run["orders"]["pending_review"]
    mails = sorted((workdir / "outbox").glob("*.eml"))
    if pending == 0:
        assert mails == []
        return
    assert len(mails) == 1  # one approver by default: one e-mail for all of them
    message = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert message["To"] == "buyer@example.com"
    assert f"{pending} purchase order" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.count("Review: http://") == pending
    # one row per order: supplier, location, money at stake and the main reason in words
    assert "Supplier, location: money at stake - main reason" in text
    # orders sent tonight with a warning (a stock-out the order cannot prevent) are told too
    warned = first_run["orders"]["sent_with_warning"]
    assert ("worth a look" in text) is (warned > 0)
    if warned:
        notices = text.split("worth a look", 1)[1].split("\n\n", 1)[0]
        assert notices.count("\n* ") == warned


def test_a_second_run_for_the_same_date_duplicates_nothing(
    first_run: dict, workdir: Path, env: dict[str, str]
) -> None:
    before_erp = sorted(p.name for p in (workdir / "erp-drop").glob("*.json"))
    before_mail = sorted(p.name for p in (workdir / "outbox").glob("*.eml"))
    again = replenish("run", "--source", "data", "--as-of", AS_OF, "--json", cwd=workdir, env=env)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["run_id"] != first_run["run_id"]
    assert summary["submitted"] == 0
    assert summary["orders"]["created"] == 0
    # Tonight's own orders count as on order now, so the rerun plans at most top-ups,
    # and every order it plans is one the first run already made (none created again).
    assert summary["orders"]["already_proposed"] == summary["orders"]["purchase_orders"]
    assert sorted(p.name for p in (workdir / "erp-drop").glob("*.json")) == before_erp
    assert sorted(p.name for p in (workdir / "outbox").glob("*.eml")) == before_mail


def test_human_summary_names_counts_and_outputs(env: dict[str, str], tmp_path: Path) -> None:
    """A person reading the terminal sees the counts and where the outputs went.

    Run in a fresh folder (its own database): in the shared one the first run's orders
    already count as on order, so a third run of the same night rightly orders nothing.
    Its own eight items rather than a copy of the first run's 40 (about 2 s less of CPU):
    the lines checked are printed whatever the size, and the sample is as dirty.
    """
    sample_data(tmp_path, AS_OF, items=8)
    done = replenish("run", "--source", "data", "--as-of", AS_OF, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "rows read" in done.stdout
    assert "quarantined" in done.stdout
    # printed whether the night orders or not ("Orders: nothing needs ordering tonight.")
    assert "Orders:" in done.stdout
    assert "ERP: file drop in erp-drop (json)" in done.stdout


def test_a_missing_folder_is_one_line_and_no_traceback(tmp_path: Path, env: dict[str, str]) -> None:
    done = replenish("run", "--source", "nowhere", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "replenish: error: source folder nowhere does not exist or is not a folder"
    ]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run"], "no source: give --source DIR"),
        (["run", "--source", ".", "--as-of", "25/11/2026"], "is not a date in the form YYYY-MM-DD"),
        (["sample-data", "--out", "x", "--dirty", "2"], "must be between 0 and 1"),
        (["sample-data", "--out", "x", "--items", "zero"], "is not a whole number"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_arguments_are_one_line(
    args: list[str], fragment: str, tmp_path: Path, env: dict[str, str]
) -> None:
    done = replenish(*args, cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_input_file_fails_the_run_with_the_file_named(
    tmp_path: Path, env: dict[str, str]
) -> None:
    sample_data(tmp_path, AS_OF, items=5)  # the `sample-data` command is first_run's
    items = tmp_path / "data" / "items.csv"
    header, *rows = items.read_text().splitlines()
    items.write_text("\n".join([header.replace("moq", "minimum"), *rows]) + "\n")
    done = replenish("run", "--source", "data", "--as-of", AS_OF, "--json", cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("{"), done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["status"] == "stopped"  # refused its input (exit 1), not a crash
    validate_summary(summary)
    assert "items.csv" in summary["message"]
    assert "moq" in summary["message"]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "erp-drop").exists()


def test_quarantine_lists_every_refused_row_for_the_data_owner(
    first_run: dict, workdir: Path, env: dict[str, str]
) -> None:
    quarantined = sum(f["quarantined"] for f in first_run["rows"].values())
    out = workdir / "refused.csv"
    done = replenish(
        "quarantine", "--run", first_run["run_id"], "--csv", str(out), cwd=workdir, env=env
    )
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == quarantined
    assert all(row["reasons"] and row["file"] and int(row["line"]) >= 2 for row in rows)
    assert {row["file"] for row in rows} <= set(first_run["rows"])
    listed = replenish("quarantine", "--run", first_run["run_id"], cwd=workdir, env=env)
    assert f"{quarantined} quarantined rows" in listed.stdout
    trend = replenish("quarantine", "--trend", cwd=workdir, env=env)
    assert trend.returncode == 0, trend.stderr
    demand = first_run["rows"]["demand_pos.csv"]
    share = demand["quarantined"] / demand["read"]
    assert f"{AS_OF}  {share:6.1%}  demand_pos.csv" in trend.stdout


def test_files_report_how_they_were_read(first_run: dict) -> None:
    demand = first_run["rows"]["demand_pos.csv"]
    assert demand["encoding"] == "utf-8"
    assert demand["delimiter"] == "comma"
    assert demand["top_reasons"]
