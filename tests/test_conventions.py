"""The house rules a new engineer can rely on: rooms without import cycles, production apart
from the demo world, no side effects on import, documented dbt models and columns."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, query

PACKAGE = REPO_ROOT / "src" / "siyu"


def _room(module: str) -> str:
    """The room of a module: siyu.<room>[.…] (a top-level module is its own room)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports() -> dict[str, set[str]]:
    """Each module of the package → the siyu modules it imports (anywhere in the file)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("siyu"):
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names if a.name.startswith("siyu")}
        found[module] = names
    return found


def test_production_code_never_imports_the_demo_world() -> None:
    offenders = {
        module: sorted(n for n in names if _room(n) == "demo_world")
        for module, names in _imports().items()
        if _room(module) not in ("demo_world", "cli")
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_the_rooms_import_each_other_without_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for module, names in _imports().items():
        for name in names:
            if _room(name) != _room(module) and _room(module) != "siyu":
                edges.setdefault(_room(module), set()).add(_room(name))
    visiting: list[str] = []
    done: set[str] = set()

    def visit(room: str) -> None:
        assert room not in visiting, f"import cycle: {' → '.join([*visiting, room])}"
        if room in done:
            return
        visiting.append(room)
        for other in sorted(edges.get(room, ())):
            visit(other)
        visiting.pop()
        done.add(room)

    for room in sorted(edges):
        visit(room)
    assert not edges.get("core", set()) - {"core"}, "core depends on nothing else"


def test_loading_the_definitions_writes_nothing_and_changes_no_variable(
    definitions, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    script = (
        "import json, os, sys\n"
        # Polars tunes its own allocator through a variable when imported: not ours.
        "import polars\n"
        "before = dict(os.environ)\n"
        "from siyu.orchestration.definitions import load_definitions\n"
        "defs = load_definitions()\n"
        "assert defs.resolve_job_def('daily_job') is not None\n"
        "print(json.dumps({k: v for k, v in os.environ.items() if before.get(k) != v}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SIYU_PII_KEY"}
    env |= {"SIYU_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(tmp_path / "dagster")}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}
    assert not data_dir.exists(), "importing the definitions created files"


def test_every_model_and_column_is_described_and_every_model_tested(definitions) -> None:
    from siyu.quality.dbt_docs import missing_docs

    manifest = json.loads((REPO_ROOT / "dbt" / "target" / "manifest.json").read_text())
    assert missing_docs(manifest) == []


@pytest.mark.fullstack
def test_every_column_the_warehouse_holds_is_documented(materialised, pipeline_env: dict) -> None:
    manifest = json.loads((REPO_ROOT / "dbt" / "target" / "manifest.json").read_text())
    documented = {
        (node["schema"], node["name"]): set(node["columns"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    held = query(
        pipeline_env["WAREHOUSE_URL"],
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts')",
    )
    undocumented = sorted(
        (schema, table, column)
        for schema, table, column in held
        if (schema, table) in documented and column not in documented[(schema, table)]
    )
    assert undocumented == []
    assert len(held) > 300


def test_every_source_table_declares_its_freshness(definitions) -> None:
    manifest = json.loads((REPO_ROOT / "dbt" / "target" / "manifest.json").read_text())
    sources = manifest["sources"].values()
    assert sources
    stale = [
        s["unique_id"]
        for s in sources
        if not (s.get("freshness") or {}).get("warn_after", {}).get("count")
        or not s.get("loaded_at_field")
    ]
    assert stale == []
