"""The dbt project as Dagster assets, through dagster-dbt's ``DbtProjectComponent``.

Declared in ``defs/dbt/*/defs.yaml``; two declarations of the same project make the two dbt
steps around the Python assets (models reading the ``ml`` source run after the BG/NBD asset).
The translator follows rules, never names:

- a dbt source is the raw table it reads: key ``[schema, identifier]`` (``raw/mall__orders``),
  the same key the raw-source component materialises, so lineage runs from extract to marts;
- a model's key is ``[layer, name]``, the layer being its first folder under ``models/``;
- a model's group is its second folder (the source for staging, the domain after that).
"""

import importlib.metadata
import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster.components.utils.defs_state import DefsStateConfig
from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject, DbtProjectComponent
from dagster_dbt.asset_utils import build_dbt_specs
from dagster_dbt.components.dbt_component_utils import _set_resolution_context
from dagster_dbt.dagster_dbt_translator import validate_translator
from dagster_dbt.dbt_manifest import validate_manifest
from packaging.version import Version

from siyu.core.environment import dbt_process_environment
from siyu.core.paths import DBT_PROJECT_DIR
from siyu.core.settings import Settings
from siyu.ingest.lake import prepare_lake

# A run with this tag set to "true" rebuilds the incremental models from all history.
FULL_REFRESH_TAG = "siyu/full_refresh"
# The dbt of this environment, whether or not its bin folder is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# dagster-dbt gives every invocation its own target folder, `<op>-<run id>-<uuid>`.
INVOCATION_TARGET = re.compile(r".+-[0-9a-f]{7}-[0-9a-f]{7}$")
# How many invocations' artifacts (run_results.json, compiled SQL, dbt.log) are kept: the
# four dbt steps of the last two runs.
KEPT_INVOCATIONS = 8


def asset_key_for(props: Mapping[str, Any]) -> dg.AssetKey:
    if props["resource_type"] == "source":
        return dg.AssetKey([props["schema"], props["identifier"]])
    fqn = props["fqn"]
    return dg.AssetKey([fqn[1] if len(fqn) > 2 else "models", props["name"]])


def group_for(props: Mapping[str, Any]) -> str:
    if props["resource_type"] == "source":
        return props["source_name"]
    fqn = props["fqn"]
    return fqn[2] if len(fqn) > 3 else fqn[1]


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class SiyuDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, which knows this environment's dbt version.

    dagster-dbt asks the dbt executable for its version (`dbt --version`: a new Python
    process that imports dbt, 3.7 s on its own here and ~5.6 s a step during a run) once per
    resource, and a Dagster step makes its own resource, so every dbt step and every parse
    paid for it. ``DBT_EXECUTABLE`` is this environment's dbt, so its version is the
    installed dbt-core's.
    """

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable) != Path(DBT_EXECUTABLE):
            return DbtCliResource._cli_version.func(self)
        return Version(importlib.metadata.version("dbt-core"))


def dbt_cli(project: DbtProject | None = None) -> DbtCliResource:
    return SiyuDbtCliResource(project_dir=project or dbt_project(), dbt_executable=DBT_EXECUTABLE)


def discard_scratch(invocation: DbtCliInvocation, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Free what a finished dbt invocation leaves on disk.

    A selection of more than 200 nodes makes dagster-dbt run dbt in a copy of the project
    under the system temp folder (with a generated selectors.yml) that it never removes:
    every daily run left one, target/ included. That copy goes, after its run_results.json is
    kept under the project's target/ like any other invocation's. In the project itself only
    the newest ``KEPT_INVOCATIONS`` invocation target folders stay, for a look at the last
    runs' compiled SQL and run_results.json; Dagster's event log keeps the rest of the record.
    """
    target = project_dir / "target"
    if invocation.project_dir.resolve() != project_dir.resolve():
        step_target = Path(invocation.target_path)
        results = step_target / "run_results.json"
        if results.is_file():
            kept = target / step_target.name
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copy2(results, kept / results.name)
        shutil.rmtree(invocation.project_dir, ignore_errors=True)
    if not target.is_dir():
        return
    runs = [d for d in target.iterdir() if d.is_dir() and INVOCATION_TARGET.match(d.name)]
    runs.sort(key=lambda d: (d.stat().st_mtime, d.name), reverse=True)
    for stale in runs[KEPT_INVOCATIONS:]:
        shutil.rmtree(stale, ignore_errors=True)


def parse_dbt_project() -> None:
    """Build target/manifest.json (what `dagster dev` does on load); `siyu run` calls this."""
    dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project().target_path).wait()


@dataclass
class SiyuDbtProjectComponent(DbtProjectComponent):
    """DbtProjectComponent with Siyu's key and group rules, this environment's dbt, and the
    warehouse settings exported to dbt for the duration of each invocation."""

    @property
    def defs_state_config(self) -> DefsStateConfig:
        """One state key per dbt step (the two steps share a project)."""
        base = super().defs_state_config
        step = self.op.name if self.op and self.op.name else "build"
        return DefsStateConfig(
            key=f"{base.key}[{step}]",
            management_type=base.management_type,
            refresh_if_dev=base.refresh_if_dev,
        )

    def get_cli_args(self, context: dg.AssetExecutionContext) -> list[str]:
        """The declared dbt command, with ``--full-refresh`` only when the run asks for a
        full rebuild (tag ``siyu/full_refresh``: ``siyu run --full-refresh``, or the tag set
        on a run launched from the UI): never by accident."""
        args = super().get_cli_args(context)
        if context.run.tags.get(FULL_REFRESH_TAG) == "true":
            args = [*args, "--full-refresh"]
        return args

    def execute(self, context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
        """The component's dbt invocation and metadata, leaving no scratch copy behind."""
        # dagster-dbt's metadata threads chdir into the project concurrently and can leave
        # the process there; come back before the scratch copy goes.
        cwd = os.getcwd()
        invocation = dbt.cli(self.get_cli_args(context), context=context)
        events = invocation.stream()
        # Column and row-count metadata query the warehouse from this process. On Spark that
        # would start a second Spark session here, whose catalog (an embedded Derby database,
        # one process at a time) the next dbt step could then not open.
        settings = Settings.from_env()
        queried = settings.engine == "postgres"
        if "column_metadata" in self.include_metadata and queried:
            events = events.fetch_column_metadata(with_column_lineage=settings.column_lineage)
        if "row_count" in self.include_metadata and queried:
            events = events.fetch_row_counts()
        try:
            yield from events
        finally:
            os.chdir(cwd)
            discard_scratch(invocation)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        return spec.replace_attributes(key=asset_key_for(props), group_name=group_for(props))

    def build_defs_from_state(
        self, context: dg.ComponentLoadContext, state_path: Path | None
    ) -> dg.Definitions:
        """The component's multi-asset, calling this environment's dbt (the component's own
        looks for `dbt` on PATH, which `.venv/bin/siyu` does not need to have).

        Always the project in the repository, never the snapshot under `.local_defs_state`:
        `dagster dev` copies the project there and the component would then build that copy,
        so a model edited afterwards was silently built as it was at the last `dagster dev`
        (`siyu run` parses the live project, and dbt runs what it parsed)."""
        del state_path  # the snapshot's location: not used, see above
        project = self._project_manager.get_project(None)
        asset_specs, check_specs = build_dbt_specs(
            translator=validate_translator(self.translator),
            manifest=validate_manifest(project.manifest_path),
            select=self.select,
            exclude=self.exclude,
            selector=self.selector,
            project=project,
            io_manager_key=None,
        )
        op_spec = self._get_op_spec(project)
        resolution = context.resolution_context

        @dg.multi_asset(
            specs=asset_specs,
            check_specs=check_specs,
            can_subset=True,
            name=op_spec.name,
            op_tags=op_spec.tags,
            pool=op_spec.pool,
        )
        def _dbt_build(context: dg.AssetExecutionContext):
            cli = dbt_cli(project)
            settings = Settings.from_env()
            if settings.lake_dir is not None:  # Spark: every source dbt registers has a file
                prepare_lake(settings.lake_dir)
            with (
                _set_resolution_context(resolution),
                dbt_process_environment(settings),
            ):
                yield from self.execute(context=context, dbt=cli)

        return dg.Definitions(assets=[_dbt_build])
