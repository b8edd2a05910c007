"""`replenish report --source FOLDER`: the newest extract named on the command line is
read as the operator wrote it, dated by its own stock. The CSV source keeps repeated
text, such as the stock's date, as categories, which have no order to take a maximum
of: with a few dirty rows (the sample's 3%) the command stopped with a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from cli.sample_data import write_sample_data
from dataquality import ValidationRules
from services.value_extracts import read_later_extracts


def test_a_folder_given_on_the_command_line_is_read_and_dated_by_its_stock(
    tmp_path: Path,
) -> None:
    as_of = date(2026, 11, 20)
    write_sample_data(tmp_path / "data", items=60, seed=3, dirty=0.03, as_of=as_of)

    later = read_later_extracts([], ValidationRules(), latest_folder=tmp_path / "data")

    assert later.folders_read == 1
    assert later.known_until == pd.Timestamp(as_of) - pd.Timedelta(days=1)
    nights = set(pd.to_datetime(later.stock["night"]))
    assert pd.Timestamp(as_of) in nights  # the extract's own stock, dated by its as_of
    assert len(later.demand) > 0
