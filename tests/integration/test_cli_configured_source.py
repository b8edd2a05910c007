"""`backtest` and `simulate` read the configured source, as `run` does: a SQL database
named in the config file (a SQLite file here) gives the same report as the same rows in
a CSV folder given with --source."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine

from cli.main import main

AS_OF = "2026-11-25"
KINDS = ("items", "suppliers", "stock", "open_orders", "demand")


@pytest.fixture(scope="module")
def same_rows_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A CSV folder and a config file naming a SQLite database with the same rows."""
    from cli.sample_data import write_sample_data

    sample = tmp_path_factory.mktemp("sample")
    write_sample_data(sample, items=12, seed=3, dirty=0.0, as_of=date.fromisoformat(AS_OF))
    folder = tmp_path_factory.mktemp("folder")
    url = f"sqlite:///{tmp_path_factory.mktemp('erp') / 'erp.db'}"
    engine = create_engine(url)
    for kind in KINDS:
        files = (
            sorted(sample.glob(f"{kind}*.csv")) if kind == "demand" else [sample / f"{kind}.csv"]
        )
        frame = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])
        frame.to_csv(folder / f"{kind}.csv", index=False)
        frame.to_sql(kind, engine, index=False)
    engine.dispose()
    tables = "\n".join(f'{kind} = "{kind}"' for kind in KINDS)
    config = folder.parent / "sql-source.toml"
    config.write_text(f'[source]\nkind = "sql"\n[source.sql]\nurl = "{url}"\n'
                      f"[source.sql.tables]\n{tables}\n")  # fmt: skip
    return folder, config


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(argv) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.slow  # two backtests of the sample catalogue
def test_backtest_reads_the_configured_sql_source(
    same_rows_twice: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, config = same_rows_twice
    common = ["backtest", "--as-of", AS_OF, "--json", "--horizon", "2", "--windows", "2"]
    from_sql = _json([*common, "--config", str(config)], capsys)
    from_folder = _json([*common, "--source", str(folder)], capsys)
    assert from_sql["overall"]["series"] > 0  # type: ignore[index]
    assert from_sql == from_folder


@pytest.mark.slow  # two replays of the sample catalogue
def test_simulate_reads_the_configured_sql_source(
    same_rows_twice: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, config = same_rows_twice
    common = ["simulate", "--as-of", AS_OF, "--json", "--estimates", "trailing",
              "--plot", str(tmp_path / "curve.svg")]  # fmt: skip
    from_sql = _json([*common, "--config", str(config)], capsys)
    from_folder = _json([*common, "--source", str(folder)], capsys)
    assert from_sql["policy"]["series"] > 0  # type: ignore[index]
    assert from_sql == from_folder


def test_a_broken_configured_source_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "broken.toml"
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'erp.db'}"
    tables = "\n".join(f'{kind} = "{kind}"' for kind in KINDS)
    # one attempt: the retries' doubling waits (5 s, 10 s, ...) are not what is tested here
    config.write_text(f'[source]\nkind = "sql"\n[source.sql]\nurl = "{url}"\n'
                      f"connect_attempts = 1\n[source.sql.tables]\n{tables}\n")  # fmt: skip
    assert main(["simulate", "--config", str(config), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert err.startswith("replenish: error:")
    assert len(err.strip().splitlines()) == 1
