"""The `replenish run --json` contract as the text of docs/run-summary.schema.json, from
`contracts.run_summary` (`python -m cli.generated_docs` writes it); a test
fails while the committed file differs from the models."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.run_summary import json_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "run-summary.schema.json"


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"
