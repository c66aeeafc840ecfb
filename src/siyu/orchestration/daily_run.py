"""Run the daily job once, in this process, and say what happened."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from siyu.core.settings import Settings


@dataclass(frozen=True)
class RunSummary:
    success: bool
    run_id: str
    seconds: float
    failed_steps: list[str] = field(default_factory=list)
    checks: int = 0
    failed_checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def message(self) -> str:
        if not self.success:
            return f"daily_job FAILED after {self.seconds:.0f}s; failed steps: {self.failed_steps}"
        text = (
            f"daily_job succeeded in {self.seconds:.0f}s (run {self.run_id}); "
            f"{self.checks} checks, {len(self.failed_checks)} failed {self.failed_checks or ''}"
        )
        if self.warnings:
            text += f", {len(self.warnings)} warnings {self.warnings}"
        return text


def run_daily_job(settings: Settings, full_refresh: bool = False) -> RunSummary:
    """Parse the dbt project, load the definitions and execute ``daily_job`` once;
    ``full_refresh`` rebuilds the incremental models from all history."""
    from dagster import AssetCheckSeverity, DagsterInstance

    from siyu.orchestration.components.dbt_project import FULL_REFRESH_TAG, parse_dbt_project
    from siyu.orchestration.definitions import load_definitions

    parse_dbt_project()  # always parse: the models may have changed since the last run
    definitions = load_definitions()
    started = time.perf_counter()
    with DagsterInstance.get() as instance:
        result = definitions.resolve_job_def("daily_job").execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={FULL_REFRESH_TAG: "true"} if full_refresh else None,
        )
    elapsed = time.perf_counter() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        return RunSummary(False, result.run_id, elapsed, failed_steps=failed)
    checks = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed = [c for c in checks if not c.passed]
    return RunSummary(
        True,
        result.run_id,
        elapsed,
        checks=len(checks),
        failed_checks=[c.check_name for c in failed if c.severity == AssetCheckSeverity.ERROR],
        warnings=[
            f"{c.asset_key.to_user_string()}:{c.check_name}"
            for c in failed
            if c.severity != AssetCheckSeverity.ERROR
        ],
    )
