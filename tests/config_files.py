"""Config files for the settings tests: written to a temporary folder, read by the loader
exactly as an operator's file is."""

from __future__ import annotations

from pathlib import Path


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path
