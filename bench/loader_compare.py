"""Siyu's loader against plain COPY, dlt and pandas ``to_sql`` on the same files of one table.

Every method loads into a table of the declared columns and types (``schemas.KINDS``) in a
scratch database of the same server, so the ratios are taken within one run. Siyu's loader
does what it always does (content hash, decoding, checks, quarantine, lineage columns, load
log); plain COPY streams the files' bytes as they are. dlt runs in its own environment
(bench/.dlt-venv, made here with uv on first use), so it never enters Siyu's lock file.

Siyu's loader is also measured on the two largest CSV tables at once, each in a process of
its own (as Dagster's multiprocess executor runs two raw assets), and on the largest JSON
Lines table. Alone, on a generated landing folder and a throw-away warehouse:

    .venv/bin/python -m bench.loader_compare <landing folder>
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
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


def _largest(landing: Path, manifest: dict, suffix: str) -> list[EntitySchema]:
    """The entities whose files end in ``suffix``, the most rows first."""
    found = [s for s in SCHEMAS if entity_files(landing, s.source, s.entity)]
    found = [s for s in found if entity_files(landing, s.source, s.entity)[0].suffix == suffix]
    return sorted(found, key=lambda s: -manifest["entities"].get(s.table, {}).get("rows", 0))


def _load_table(url: str, landing: str, source: str, entity: str) -> int:
    """One raw table loaded afresh by Siyu's loader, in this process; the rows loaded."""
    schema = next(s for s in SCHEMAS if (s.source, s.entity) == (source, entity))
    with psycopg.connect(url) as conn:
        conn.execute(f"truncate {schema.qualified_table}")
        conn.execute("delete from raw._load_log where table_name = %s", (schema.table,))
        conn.commit()
        files = entity_files(Path(landing), source, entity)
        return sum(r.rows for r in load_files(conn, files, schema))


def _tables_at_once(url: str, landing: Path, schemas: list[EntitySchema]) -> dict:
    """Siyu's loader on ``schemas`` one after the other, then all at once, a process each."""
    args = [(url, str(landing), s.source, s.entity) for s in schemas]
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(args)) as pool:  # started (and imports done) before the clock
        pool.starmap(_noop, [()] * len(args))
        started = time.perf_counter()
        rows = sum(pool.starmap(_load_table, args))
        together = time.perf_counter() - started
    started = time.perf_counter()
    alone = sum(_load_table(*a) for a in args)
    serial = time.perf_counter() - started
    return {
        "together_tables": [s.table for s in schemas],
        "together_rows": rows,
        "together_rows_per_s": rows / together,
        "serial_rows_per_s": alone / serial,
    }


def _noop() -> None:
    import siyu.ingest.batch_loader  # noqa: F401  (the imports, before the clock starts)


def compare_loaders(url: str, landing: Path, manifest: dict) -> dict:
    """Rows per second of each method on the CSV files of the largest table."""
    csv_schemas = _largest(landing, manifest, ".csv")
    schema = csv_schemas[0]
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
    results |= _tables_at_once(scratch, landing, csv_schemas[:2])
    results |= _json_lines(scratch, landing, manifest)
    results |= _pandas_to_sql(scratch, schema, files)
    results |= _dlt(scratch, schema, files)
    return results


def _json_lines(url: str, landing: Path, manifest: dict) -> dict:
    """Siyu's loader on the largest JSON Lines table (WeCom's exports)."""
    schemas = _largest(landing, manifest, ".jsonl")
    if not schemas:
        return {}
    started = time.perf_counter()
    rows = _load_table(url, str(landing), schemas[0].source, schemas[0].entity)
    return {"json_table": schemas[0].table, "json_rows_per_s": rows / _since(started)}


def _since(started: float) -> float:
    return time.perf_counter() - started


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


def main(argv: list[str] | None = None) -> None:
    """The comparison alone, on a landing folder, in a throw-away warehouse; prints and
    writes bench/results/<date>-loader-<folder name>.md."""
    from bench.report import loader_report
    from bench.warehouse import measure_in_throwaway

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("landing", type=Path)
    args = parser.parse_args(argv)
    landing = args.landing.resolve()
    manifest = json.loads((landing / "manifest.json").read_text())
    measured: dict = {}
    measure_in_throwaway(
        "siyu-loader-",
        None,
        lambda data, url, env: measured.update(compare_loaders(url, landing, manifest)),
    )
    target = BENCH / "results" / f"{dt.date.today().isoformat()}-loader-{landing.name}.md"
    text = loader_report(target, landing.name, manifest, measured)
    print(text)


if __name__ == "__main__":
    main()
