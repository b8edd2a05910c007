"""Write the pages of docs/ that are generated from the code: `python -m
cli.generated_docs`. Tests fail while a committed page differs from what this
writes, so the published contract and the rule table never drift from the code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cli.flag_rules_doc import DOC_FILE, doc_text
from contracts.run_summary_schema import SCHEMA_FILE, schema_text

PAGES: dict[Path, Callable[[], str]] = {SCHEMA_FILE: schema_text, DOC_FILE: doc_text}


def main() -> int:
    for path, text in PAGES.items():
        path.write_text(text(), encoding="utf-8")
        print(f"Wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
