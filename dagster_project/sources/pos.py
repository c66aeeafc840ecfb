"""Offline POS: daily receipt files dropped into the landing folder, picked up by a sensor."""

import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from dagster_project.sources.raw_assets import raw_assets_for

SOURCE = "pos"

assets = raw_assets_for(SOURCE)

pos_drop_job = define_asset_job(
    "pos_drop_job",
    selection=AssetSelection.assets(*assets),
    description="Load newly dropped POS files into raw (the daily job builds the marts).",
)


def new_drops(landing: Path, seen: set[str]) -> list[str]:
    """POS files in the landing folder not seen before, as paths relative to it."""
    files = sorted(str(path.relative_to(landing)) for path in (landing / SOURCE).glob("*/*.csv"))
    return [f for f in files if f not in seen]


def build_pos_drop_sensor(landing: Path):
    @sensor(
        job=pos_drop_job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description=f"Watches {landing / SOURCE} and loads each new POS drop.",
    )
    def pos_drop_sensor(context: SensorEvaluationContext):
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        new = new_drops(landing, seen)
        if not new:
            return SkipReason(f"no new POS files under {landing / SOURCE}")
        context.update_cursor(json.dumps(sorted(seen | set(new))))
        return RunRequest(run_key=new[-1] + f"+{len(new)}", tags={"pos_files": str(len(new))})

    return pos_drop_sensor
