"""docs/architecture.md names only things that exist.

A newcomer trusts the map: every module path (`purchasing/quantities.py`) and every dotted
name (`services.runs.start_run`) it cites must resolve, or the map has drifted from the house.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = {p.parent.name for p in ROOT.glob("*/__init__.py")}
CITED = re.compile(r"`([^`\s]+)`")


def cited_paths() -> list[str]:
    """Backticked file or folder paths that start at a product package, docs/ or tests/."""
    names = CITED.findall(DOC.read_text())
    roots = PACKAGES | {"docs", "tests", "ops", "benchmarks"}
    return sorted({n for n in names if "/" in n and n.split("/")[0] in roots})


def cited_names() -> list[str]:
    """Backticked dotted names that start at a product package (`flows.nightly.nightly`)."""
    names = CITED.findall(DOC.read_text())
    dotted = re.compile(r"^[a-z_]\w*(\.\w+)+$")
    return sorted({n for n in names if dotted.match(n) and n.split(".")[0] in PACKAGES})


def resolve(name: str) -> object:
    """The object a dotted name means: the longest importable module, then its attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(name)


def test_the_map_cites_modules_at_all() -> None:
    assert len(cited_paths()) > 20
    assert len(cited_names()) > 20


@pytest.mark.parametrize("path", cited_paths())
def test_every_cited_path_exists(path: str) -> None:
    found = list(ROOT.glob(path.rstrip("/"))) if "*" in path else [ROOT / path.rstrip("/")]
    assert found, f"docs/architecture.md cites {path}, which matches nothing"
    assert all(f.exists() for f in found), f"docs/architecture.md cites {path}, which is gone"


@pytest.mark.parametrize("name", cited_names())
def test_every_cited_name_resolves(name: str) -> None:
    try:
        resolve(name)
    except (ModuleNotFoundError, AttributeError) as missing:
        pytest.fail(f"docs/architecture.md cites {name}, which does not exist ({missing})")
