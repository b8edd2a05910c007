"""Extract and validate: every input row read, then accepted, repaired or quarantined.

Tasks are called directly inside the flow (about 3 ms each) and take whole frames:
never one task per item or series. `NO_CACHE` because hashing a million-row frame to
build a cache key would cost more than the stage itself.
"""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from dataquality import ValidationResult, ValidationRules, validate
from dataquality.report import gate_breaches, summarise
from flows.outcomes import QualityGateFailed
from integrations.sources.base import Source
from integrations.sources.csv_folder import RawExtract
from integrations.sources.errors import SourceError
from replenish.bootstrap import Services
from services.artifact_rows import json_rows
from services.runs import record_inputs


@task(name="extract", cache_policy=NO_CACHE)
def extract(source: Source) -> RawExtract:
    """Read one night's extract (CSV folder or database), every cell as text.

    A broken file raises `SourceError`: the task ends Failed (it found the problem) and
    the flow stops the run with the error's one line, naming the file.
    """
    logger = get_run_logger()
    try:
        raw = source.read()
    except SourceError as error:
        logger.error("Cannot read the extract from %s: %s", source.describe(), error)
        raise
    for info in raw.files:
        how = f" ({info.encoding}, {info.delimiter_name})" if info.delimiter else ""
        logger.info("Read %s: %s rows%s", info.file, info.rows, how)
        for found, column in info.renamed_columns:
            logger.warning("%s: column '%s' read as '%s'", info.file, found, column)
        if info.unknown_columns:
            logger.info("%s: columns kept aside: %s", info.file, ", ".join(info.unknown_columns))
    return raw


@task(name="validate", cache_policy=NO_CACHE)
def validate_inputs(raw: RawExtract, as_of: date, rules: ValidationRules) -> ValidationResult:
    """Accept, repair or quarantine every input row, each with its reason."""
    files: dict[str, list[str]] = {}
    for info in raw.files:
        files.setdefault(info.kind, []).append(info.file)
    checked = validate(raw.frames, as_of=as_of, rules=rules, files=files)
    totals = checked.counts[["read", "accepted", "repaired", "quarantined"]].sum()
    get_run_logger().info(
        "Validated %d rows: %d accepted, %d repaired, %d quarantined",
        totals["read"],
        totals["accepted"],
        totals["repaired"],
        totals["quarantined"],
    )
    return checked


@task(name="record-data-quality", cache_policy=NO_CACHE)
def record_data_quality(services: Services, run_id: str, checked: ValidationResult) -> None:
    """Store per-file counts and every repaired or quarantined row; publish the report."""
    record_inputs(services.uow, run_id, checked)
    create_table_artifact(
        key="data-quality",
        table=json_rows(summarise(checked)),
        description="Rows read, accepted, repaired and quarantined per file, with top reasons.",
    )


@task(name="quality-gate", cache_policy=NO_CACHE)
def quality_gate(checked: ValidationResult, rules: ValidationRules) -> None:
    """Raise `QualityGateFailed` (the task ends Failed) when the run must not order from
    this data: a file too dirty, an empty file, stock missing for too many items."""
    breaches = gate_breaches(checked, rules)
    for message in breaches:
        get_run_logger().error(message)
    if breaches:
        raise QualityGateFailed(breaches)
