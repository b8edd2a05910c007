"""The `replenish run --json` contract: the committed docs/run-summary.schema.json is the
models' schema, and summaries (a real run's, in tests/e2e; a stood-aside one here) match it."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator, ValidationError
from summary_contract import validate_summary  # tests/ is on sys.path (rootdir conftest)

from contracts.run_summary import summary_json
from contracts.run_summary_schema import SCHEMA_FILE, schema_text
from services.run_summary import stood_aside


def test_the_published_schema_is_the_models_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "run `python -m cli.generated_docs` and commit docs/run-summary.schema.json"
    )
    Draft202012Validator.check_schema(json.loads(schema_text()))


def test_a_stood_aside_summary_matches_the_schema() -> None:
    validate_summary(summary_json(stood_aside("2026-11-30", "another run holds the lock")))


def test_the_schema_refuses_a_summary_missing_a_key_or_with_a_wrong_type() -> None:
    summary = summary_json(stood_aside("2026-11-30", "another run holds the lock"))
    with pytest.raises(ValidationError):
        validate_summary({k: v for k, v in summary.items() if k != "message"})
    with pytest.raises(ValidationError):
        validate_summary({**summary, "status": "maybe"})
