"""Where the repository's own folders are (the dbt project, the dashboards as code)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DASHBOARDS_DIR = REPO_ROOT / "dashboards"
