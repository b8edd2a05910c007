"""Check a run summary (as `replenish run --json` prints it) against the published
contract, docs/run-summary.schema.json, with a JSON Schema validator independent of the
pydantic models that generated it."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from contracts.run_summary_schema import SCHEMA_FILE


def validate_summary(summary: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` when `summary` breaks the published schema."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(json.loads(json.dumps(summary, default=str)))
