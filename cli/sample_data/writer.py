"""Writing the sample's CSV files so the same arguments give the same bytes on every OS."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cli.sample_data.arrays import ObjArray


def write_frame(path: Path, frame: pd.DataFrame) -> int:
    """Write a small table; a fixed line ending keeps the files identical on every OS."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return len(frame)


def write_lines(path: Path, header: Sequence[str], pieces: Sequence[ObjArray]) -> None:
    """Write pre-rendered line pieces in large blocks.

    Joining strings is several times faster than a csv writer, and one write per block
    avoids the per-line cost of `writelines`; blocks bound the memory of the text.
    """
    n, block = len(pieces[0]), 500_000
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        for start in range(0, n, block):
            parts = (p[start : start + block] for p in pieces)
            out.write("".join(map("".join, zip(*parts, strict=True))))
