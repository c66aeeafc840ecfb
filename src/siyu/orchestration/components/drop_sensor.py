"""A sensor over a source's drop folder: a run for each batch of new files."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import (
    AssetsDefinition,
    AssetSelection,
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)


def new_drops(landing: Path, source: str, seen: set[str]) -> list[str]:
    """Files of ``source`` in the landing folder not seen before, relative to it."""
    files = sorted(str(path.relative_to(landing)) for path in (landing / source).glob("*/*.csv"))
    return [f for f in files if f not in seen]


def drop_job(source: str, assets: list[AssetsDefinition]) -> JobDefinition:
    return define_asset_job(
        f"{source}_drop_job",
        selection=AssetSelection.assets(*assets),
        description=f"Load newly dropped {source} files into raw (the daily job builds the marts).",
    )


def build_drop_sensor(source: str, landing: Path, job: JobDefinition) -> SensorDefinition:
    @sensor(
        name=f"{source}_drop_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Watches {landing / source} and loads each new {source} drop.",
    )
    def _sensor(context: SensorEvaluationContext):
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        new = new_drops(landing, source, seen)
        if not new:
            return SkipReason(f"no new {source} files under {landing / source}")
        context.update_cursor(json.dumps(sorted(seen | set(new))))
        return RunRequest(run_key=new[-1] + f"+{len(new)}", tags={f"{source}_files": str(len(new))})

    return _sensor
