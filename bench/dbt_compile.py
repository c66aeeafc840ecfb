"""``dbt compile`` against one warehouse, for benchmarks that time the SQL dbt writes.

dbt runs in a process of its own, so the warehouse's settings (``dbt_env``) never pass
through the benchmark's environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from siyu.core.warehouse import dbt_env

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt"


def dbt_compile(url: str, *selection: str) -> str:
    """The SQL dbt compiles for ``selection`` (``--select m`` or ``--inline sql`` and any
    other ``dbt compile`` arguments) against the warehouse at ``url``."""
    env = os.environ | dbt_env(url) | {"SIYU_PII_KEY": os.environ.get("SIYU_PII_KEY", "bench")}
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "compile", *selection, "--project-dir", str(DBT_DIR),
         "--profiles-dir", str(DBT_DIR), "--quiet", "--output", "json"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        what = " ".join(selection)[:200]
        raise RuntimeError(f"dbt compile {what} failed: {result.stdout}{result.stderr}")
    return json.loads(result.stdout)["compiled"]
