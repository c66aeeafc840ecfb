"""Siyu's loader against plain COPY, dlt and pandas ``to_sql`` on the same files of one table.

Every method loads into a table of the declared columns and types (``schemas.KINDS``) in a
scratch database of the same server, so the ratios are taken within one run. Siyu's loader
does what it always does (content hash, decoding, checks, quarantine, lineage columns, load
log); plain COPY streams the files' bytes as they are. dlt runs in its own environment
(bench/.dlt-venv, made here with uv on first use), so it never enters Siyu's lock file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from siyu.core.warehouse import ensure_database
from siyu.ingest.batch_loader import load_files
from siyu.ingest.loader import entity_files, load_file
from siyu.ingest.raw_tables import ensure_raw_tables
from siyu.ingest.schemas import KINDS, SCHEMAS, EntitySchema

PANDAS_MAX_ROWS = 200_000
DLT_MAX_ROWS = 1_000_000
DLT_REQUIREMENT = "dlt[postgres]==1.31.0"
BENCH = Path(__file__).resolve().parent
DLT_VENV = BENCH / ".dlt-venv"


def _scratch_url(url: str) -> str:
    scratch = url.rsplit("/", 1)[0] + "/siyu_loader_bench"
    ensure_database(scratch)
    return scratch


def _plain_table(conn: psycopg.Connection, schema: EntitySchema, name: str) -> str:
    columns = ", ".join(f'"{c.name}" {KINDS[c.kind]}' for c in schema.columns)
    conn.execute("create schema if not exists bench")
    conn.execute(f"drop table if exists bench.{name}")
    conn.execute(f"create table bench.{name} ({columns})")
    conn.commit()
    return f"bench.{name}"


def _copy_files(url: str, table: str, files: list[Path]) -> None:
    with psycopg.connect(url) as conn:
        for path in files:
            header = path.open(encoding="utf-8").readline().strip()
            with (
                conn.cursor() as cur,
                cur.copy(
                    f"copy {table} ({header}) from stdin with (format csv, header true)"
                ) as copy,
            ):
                with path.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        copy.write(block)
            conn.commit()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def compare_loaders(url: str, landing: Path, manifest: dict) -> dict:
    """Rows per second of each method on the CSV files of the largest table."""
    csv_schemas = [s for s in SCHEMAS if entity_files(landing, s.source, s.entity)]
    csv_schemas = [
        s for s in csv_schemas if entity_files(landing, s.source, s.entity)[0].suffix == ".csv"
    ]
    schema = max(csv_schemas, key=lambda s: manifest["entities"].get(s.table, {}).get("rows", 0))
    files = entity_files(landing, schema.source, schema.entity)
    scratch = _scratch_url(url)
    results: dict[str, object] = {"table": schema.table, "files": len(files)}
    with psycopg.connect(scratch) as conn:
        ensure_raw_tables(conn)
        conn.commit()
        for master in SCHEMAS:  # the reference tables the row rules look up, not timed
            if master.source == "master":
                for path in entity_files(landing, master.source, master.entity):
                    load_file(conn, path, master.source, master.entity)
        plain = _plain_table(conn, schema, "plain_copy")
        parallel = _plain_table(conn, schema, "parallel_copy")
        siyu_seconds = _timed(lambda: list(load_files(conn, files, schema)))
        rows = conn.execute(f"select count(*) from {schema.qualified_table}").fetchone()[0]
    copy_seconds = _timed(lambda: _copy_files(scratch, plain, files))
    halves = [files[0::2], files[1::2]]
    threads = [threading.Thread(target=_copy_files, args=(scratch, parallel, h)) for h in halves]
    parallel_seconds = _timed(lambda: ([t.start() for t in threads], [t.join() for t in threads]))
    results |= {
        "rows": rows,
        "siyu_rows_per_s": rows / siyu_seconds,
        "copy_rows_per_s": rows / copy_seconds,
        "parallel_copy_rows_per_s": rows / parallel_seconds,
        "siyu_seconds": siyu_seconds,
        "copy_seconds": copy_seconds,
        "parallel_copy_seconds": parallel_seconds,
    }
    results |= _pandas_to_sql(scratch, schema, files)
    results |= _dlt(scratch, schema, files)
    return results


def _dlt_python() -> Path:
    """The benchmark's own dlt environment, made with uv (from PyPI) the first time."""
    python = DLT_VENV / "bin" / "python"
    if not python.exists():
        uv = shutil.which("uv") or "uv"
        base = os.path.realpath(sys.executable)
        subprocess.run([uv, "venv", "--quiet", "--python", base, str(DLT_VENV)], check=True)
        subprocess.run(
            [uv, "pip", "install", "--quiet", "--python", str(python), DLT_REQUIREMENT],
            check=True,
        )
    return python


def _dlt(url: str, schema: EntitySchema, files: list[Path]) -> dict:
    """dlt (its default insert_values loading) on up to DLT_MAX_ROWS rows of the same files."""
    try:
        python = _dlt_python()
    except (OSError, subprocess.CalledProcessError) as error:
        return {"dlt_error": f"dlt could not be installed: {error}"}
    done = subprocess.run(
        [str(python), str(BENCH / "dlt_load.py"), url, schema.entity, str(DLT_MAX_ROWS)]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return {"dlt_error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return measured | {"dlt_rows_per_s": measured["dlt_rows"] / measured["dlt_seconds"]}


def _pandas_to_sql(url: str, schema: EntitySchema, files: list[Path]) -> dict:
    """pandas ``read_csv`` + ``to_sql`` (the default inserts) on up to PANDAS_MAX_ROWS rows."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    rows, taken = 0, []
    for path in files:
        taken.append(path)
        rows += sum(1 for _ in path.open(encoding="utf-8")) - 1
        if rows >= PANDAS_MAX_ROWS:
            break

    def load() -> None:
        for index, path in enumerate(taken):
            frame = pd.read_csv(path, dtype=str)
            frame.to_sql(
                "pandas_to_sql",
                engine,
                schema="bench",
                if_exists="replace" if index == 0 else "append",
                index=False,
            )

    seconds = _timed(load)
    engine.dispose()
    return {"pandas_rows": rows, "pandas_rows_per_s": rows / seconds, "pandas_seconds": seconds}
