"""Write the `replenish run --json` contract: `python -m replenish.run_summary_schema`
regenerates docs/run-summary.schema.json from `replenish.run_summary_model`; a test
fails while the committed file differs from the models."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from replenish.run_summary_model import json_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "run-summary.schema.json"


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else SCHEMA_FILE
    target.write_text(schema_text(), encoding="utf-8")
    print(f"Wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
