"""Benchmark: the member build (identity → members → lifecycle → BG/NBD) on a generated world.

    .venv/bin/python -m bench.bench_members [tiny|demo]

Generates the world into a throw-away embedded PostgreSQL, runs the whole job once (as of the
world's last day), then times the member part alone: `dbt build` of the member models and
audiences (tests included), and the BG/NBD fit with its predictions. Prints the figures a
reader checks for plausibility: members, unknown share, merges, segments, cross-brand shares,
mean P(alive).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psycopg

from bench.bench_pipeline import timed
from siyu.core.warehouse import EmbeddedPostgres, dbt_env, ensure_database, free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
MEMBER_MODELS = [
    "path:models/intermediate/members",
    "path:models/marts/members",
    "path:models/marts/audiences",
    "path:models/staging/ml",
]


def main(scale: str) -> None:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        server = EmbeddedPostgres(data / "pg", free_port())
        server.start()
        try:
            url = server.url("siyu_bench")
            ensure_database(url)
            landing = data / "landing"
            env = {
                **os.environ,
                "WAREHOUSE_URL": url,
                "SIYU_DATA_DIR": str(data),
                "SIYU_LANDING_DIR": str(landing),
                "SIYU_PII_KEY": "bench",
                "DAGSTER_HOME": str(data / "dagster"),
            }
            print(f"scale {scale}")
            timed("generate", [str(bin_dir / "siyu"), "generate", "--scale", scale], env)
            manifest = json.loads((landing / "manifest.json").read_text())
            start = dt.date.fromisoformat(manifest["scale"]["start"])
            as_of = (start + dt.timedelta(days=manifest["scale"]["days"] - 1)).isoformat()
            env["SIYU_AS_OF_DATE"] = as_of
            timed(f"whole job as of {as_of}", [str(bin_dir / "siyu"), "run"], env)
            dbt_environment = {**env, **dbt_env(url)}
            timed(
                "member models: dbt build (with tests)",
                [
                    str(bin_dir / "dbt"),
                    "build",
                    "--select",
                    *MEMBER_MODELS,
                    "--project-dir",
                    "dbt",
                    "--profiles-dir",
                    "dbt",
                    "--target-path",
                    str(data / "dbt-target"),
                ],
                dbt_environment,
            )
            from siyu.ml.btyd import fit_bg_nbd, predict

            with psycopg.connect(url) as conn:
                inputs = pd.DataFrame(
                    conn.execute(
                        "select member_key, frequency, recency, t "
                        "from intermediate.int_member_btyd_inputs"
                    ).fetchall(),
                    columns=["customer_id", "frequency", "recency", "T"],
                )
                started = time.perf_counter()
                fit = fit_bg_nbd(inputs)
                predicted = predict(fit, inputs, 90)
                elapsed = time.perf_counter() - started
                mean_alive = predicted["p_alive"].mean()
                print(
                    f"{'BG/NBD MAP fit + predictions':<44} {elapsed:>8.1f} s"
                    f"  ({len(inputs):,} buyers; r {fit.r:.3f}, alpha {fit.alpha:.1f}, "
                    f"a {fit.a:.3f}, b {fit.b:.3f}; mean P(alive) {mean_alive:.2f})"
                )
                figures = {
                    "members": "select count(*) from marts.dim_members",
                    "unknown members": "select count(*) from marts.dim_members where is_unknown",
                    "mall accounts": "select count(*) from intermediate.int_member_accounts",
                    "merges logged": "select count(*) from intermediate.int_member_merges",
                    "overshared identifiers": (
                        "select count(*) from intermediate.int_identifiers_overshared"
                    ),
                    "churn warnings": "select count(*) from marts.audience_churn_warning",
                    "win-back list (member x brand)": (
                        "select count(*) from marts.audience_winback"
                    ),
                }
                for label, sql in figures.items():
                    print(f"{label:<44} {conn.execute(sql).fetchone()[0]:>10,}")
                for segment, count in conn.execute(
                    "select lifecycle_segment, count(*) from marts.dim_members "
                    "group by 1 order by 2 desc"
                ):
                    print(f"{'  segment ' + segment:<44} {count:>10,}")
                buyers, multi, repeat, repeat_multi = conn.execute(
                    "select buyers, multi_brand_buyers, repeat_buyers, repeat_multi_brand_buyers "
                    "from marts.fct_cross_brand_purchase where scope = 'group'"
                ).fetchone()
                print(
                    f"{'2+ brand share (all / repeat buyers)':<44} "
                    f"{multi / buyers:>9.0%} / {repeat_multi / max(repeat, 1):.0%}"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tiny")
