"""A realistic, reproducible nightly extract in the CSV folder format of the data contract.

Demos, tests and benchmarks need data that behaves like production without being
production: the forecaster must meet every demand class it is built for, the planner
real pack sizes and supplier terms, and the data-quality gate the same kinds of dirt the
six source systems produce. Everything is drawn from one seed so a failing run can be
replayed byte for byte.
"""

from cli.sample_data.arrays import IntArray, ObjArray
from cli.sample_data.catalogue import LOCATIONS, PROFILES
from cli.sample_data.demand import CHANNELS, HISTORY_DAYS
from cli.sample_data.demand_lines import DEMAND_COLUMNS
from cli.sample_data.extract import FILES, SampleSummary, sample_profiles, write_sample_data

__all__ = [
    "CHANNELS",
    "DEMAND_COLUMNS",
    "FILES",
    "HISTORY_DAYS",
    "LOCATIONS",
    "PROFILES",
    "IntArray",
    "ObjArray",
    "SampleSummary",
    "sample_profiles",
    "write_sample_data",
]
