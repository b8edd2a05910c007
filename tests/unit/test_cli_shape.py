"""One CLI shape: every command is a module with `register`, sets its handler, and its
errors reach the person through the one path in `cli.main` (one line, one exit code
from `ExitCode`)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cli import main as cli
from cli.commands.base import CliError, Refused
from cli.exit_codes import ExitCode, for_status


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_registered_by_a_module_and_has_a_handler() -> None:
    commands = _subcommands()
    assert set(commands) == {
        "sample-data", "run", "demo", "backtest", "simulate", "business-case", "submit",
        "reconcile", "erp", "quarantine", "review", "review-server", "rollback", "runs",
        "explain", "shadow-report", "report", "proposals",
    }  # fmt: skip
    for name, parser in commands.items():
        assert callable(parser.get_default("handler")), name


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--source", "."],
        ["backtest"],
        ["simulate"],
        ["submit"],
        ["reconcile"],
        ["erp", "check"],
        ["quarantine"],
        ["review", "list"],
        ["review", "approve", "RPL-1", "--as", "a@example.com"],
        ["review-server"],
        ["rollback", "0123abcd", "--reason", "bad extract", "--as", "a@example.com"],
        ["runs"],
        ["runs", "show"],
        ["explain", "SKU-1", "DC-NORTH"],
        ["shadow-report"],
    ],
)
def test_a_missing_config_file_is_one_line_and_exit_2_from_every_command(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    assert cli.main([*argv, "--config", str(missing)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err == f"replenish: error: config file {missing} not found\n"


@pytest.mark.parametrize("argv", [["run"], ["backtest"], ["simulate"]])
def test_a_missing_source_folder_is_one_line_from_every_command_that_reads_one(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*argv, "--source", str(tmp_path / "gone")]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err == (
        f"replenish: error: source folder {tmp_path / 'gone'} does not exist or is not a folder\n"
    )


def test_a_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sample-data", "--out", "x", "--items", "0"])
    assert exit_.value.code == ExitCode.USAGE
    assert "replenish sample-data: error: argument --items: 0 must be at least 1" in (
        capsys.readouterr().err
    )


def test_refusals_and_errors_keep_their_label_and_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(args: argparse.Namespace) -> ExitCode:
        raise Refused("RPL-1 was already approved by a@example.com")

    from cli.commands import submit

    monkeypatch.setattr(submit, "run", refuse)  # the handler is looked up when parsing
    code = cli.main(["submit"])
    assert code == ExitCode.REFUSED
    assert code == 3  # the number an operator's script tests
    assert capsys.readouterr().err == (
        "replenish: refused: RPL-1 was already approved by a@example.com\n"
    )
    assert isinstance(Refused("x"), CliError)


@pytest.mark.parametrize(
    ("status", "code"),
    [("succeeded", 0), ("stopped", 1), ("failed", 1), ("partial", 4), ("stood_aside", 5)],
)
def test_run_statuses_map_to_the_documented_exit_codes(status: str, code: int) -> None:
    assert for_status(status) == code
