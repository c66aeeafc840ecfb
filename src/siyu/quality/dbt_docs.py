"""The dbt project's documentation conventions, checked from its manifest.

Every model has a description and at least one test; every column a model documents has a
description; every column the warehouse holds for a model is documented (when a catalog,
``dbt docs generate``'s ``catalog.json``, is there to say what the warehouse holds).

    python -m siyu.quality.dbt_docs [target folder]     # exit 1 and a list when one is missing
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from siyu.core.paths import DBT_PROJECT_DIR


def missing_docs(manifest: dict, catalog: dict | None = None) -> list[str]:
    """What the conventions ask for and the project lacks, one line each."""
    tested = {
        depends
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("test", "unit_test")
        for depends in node["depends_on"]["nodes"]
    } | {
        test["depends_on"]["nodes"][0]
        for test in manifest.get("unit_tests", {}).values()
        if test["depends_on"]["nodes"]
    }
    problems = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model" or node["package_name"] != manifest_project(manifest):
            continue
        name = node["name"]
        if not (node.get("description") or "").strip():
            problems.append(f"model {name}: no description")
        if unique_id not in tested:
            problems.append(f"model {name}: no test")
        for column, props in node["columns"].items():
            if not (props.get("description") or "").strip():
                problems.append(f"model {name}: column {column} has no description")
        held = (catalog or {}).get("nodes", {}).get(unique_id, {}).get("columns", {})
        for column in held:
            if column.lower() not in {c.lower() for c in node["columns"]}:
                problems.append(f"model {name}: column {column} is not documented")
    return problems


def manifest_project(manifest: dict) -> str:
    return manifest["metadata"].get("project_name") or "siyu"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DBT_PROJECT_DIR / "target"
    manifest_path = target / "manifest.json"
    if not manifest_path.exists():
        print(f"{manifest_path} is missing: run `dbt parse` first", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    catalog_path = target / "catalog.json"
    catalog = json.loads(catalog_path.read_text()) if catalog_path.exists() else None
    problems = missing_docs(manifest, catalog)
    for problem in problems:
        print(problem)
    models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
    print(
        f"{models} models checked{' against the catalog' if catalog else ''}: "
        f"{len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
