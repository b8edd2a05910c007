"""The data-quality gate: every input row accepted, repaired (recorded) or quarantined (why).

Pure: pandas frames and pydantic rules in, frames out; no Prefect, database or files.
"""

from dataquality.contract import CONTRACTS, KINDS, ColumnType, TableContract
from dataquality.reasons import Reason
from dataquality.report import gate_breaches, quarantine_share_breaches, summarise
from dataquality.rules import ValidationRules
from dataquality.validate import ValidationResult, validate

__all__ = [
    "CONTRACTS",
    "KINDS",
    "ColumnType",
    "Reason",
    "TableContract",
    "ValidationResult",
    "ValidationRules",
    "gate_breaches",
    "quarantine_share_breaches",
    "summarise",
    "validate",
]
