"""Staging's de-duplication in PostgreSQL: ranking every key's rows against keeping each row
that no newer row of its key replaces (``dbt/macros/latest_load.sql``).

Staging is views, so every read of a staging model runs its de-duplication. For the largest
raw tables, both forms are compiled by dbt from the macros themselves (the ranking is
``default__latest_load``, which Spark uses; PostgreSQL's is ``postgres__latest_load``) and
timed on three reads a build makes:

- the whole model (a full build, a ``unique`` test): count and checksum of every row;
- a filtered read (a ``not_null`` test): the rows where a required column is empty;
- the last load's rows (an incremental model's look-back): count and checksum.

Each read gives the same answer under both forms, or the benchmark fails. Run it against a
built warehouse, with nothing else running:

    .venv/bin/python -m bench.staging_dedup postgresql://…/siyu_bench

It prints the table and writes ``bench/results/<date>-staging-dedup-<database>.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from dataclasses import dataclass

import psycopg

from bench.dbt_compile import DBT_DIR, dbt_compile
from bench.report import machine

DEFAULT_ORDER = "_loaded_at desc, _batch_id desc, _source_line desc"
CALL = re.compile(
    r"latest_load\(\s*source\('(\w+)', '(\w+)'\),\s*partition_by='([^']+)'"
    r"(?:,\s*order_by='([^']+)')?"
)
FORMS = ("default", "postgres")
SPLIT = "-- siyu:next"
CLOCK = 0.01  # the report's resolution, in seconds


@dataclass(frozen=True)
class Dedup:
    model: str
    source: str
    table: str
    partition_by: str
    order_by: str

    def call(self, form: str) -> str:
        return (
            f"{{{{ {form}__latest_load(source('{self.source}', '{self.table}'), "
            f"'{self.partition_by}', '{self.order_by}') }}}}"
        )


def staging_dedups() -> list[Dedup]:
    """Every staging model's de-duplication, as its SQL file calls it."""
    found = []
    for path in sorted((DBT_DIR / "models" / "staging").rglob("stg_*.sql")):
        call = CALL.search(path.read_text())
        if call:
            source, table, keys, order = call.groups()
            found.append(Dedup(path.stem, source, table, keys, order or DEFAULT_ORDER))
    return found


def compiled_forms(url: str, dedups: list[Dedup]) -> dict[tuple[str, str], str]:
    """Both forms of each de-duplication, compiled by one dbt process of its own."""
    calls = [(d.model, form) for d in dedups for form in FORMS]
    by_model = {d.model: d for d in dedups}
    inline = f"\n{SPLIT}\n".join(by_model[m].call(f) for m, f in calls)
    sql = dbt_compile(url, "--inline", inline).split(SPLIT)
    return dict(zip(calls, sql, strict=True))


def _reads(conn: psycopg.Connection, dedup: Dedup) -> dict[str, str]:
    """The three reads of one model, each over a ``{form}`` placeholder."""
    raw = f"raw.{dedup.source}__{dedup.table}"
    columns = [
        r[0]
        for r in conn.execute(
            "select column_name, is_nullable from information_schema.columns "
            "where table_schema = 'raw' and table_name = %s order by ordinal_position",
            (f"{dedup.source}__{dedup.table}",),
        ).fetchall()
    ]
    keys = {k.strip() for k in dedup.partition_by.split(",")}
    probe = next(c for c in columns if c not in keys and not c.startswith("_"))
    row = ", ".join(f"t.{c}" for c in columns)
    checksum = f"count(*), coalesce(sum(hashtext(row({row})::text)::bigint), 0)"
    return {
        "whole model": f"select {checksum} from ({{form}}) as t",
        f"`{probe} is null`": f"select count(*) from ({{form}}) as t where t.{probe} is null",
        "the last load": (
            f"select {checksum} from ({{form}}) as t "
            f"where t._loaded_at >= (select max(_loaded_at) from {raw})"
        ),
    }


def _timed(conn: psycopg.Connection, query: str) -> tuple[float, tuple]:
    started = time.perf_counter()
    answer = conn.execute(query).fetchone()
    return time.perf_counter() - started, tuple(answer or ())


def measure(url: str, largest: int = 4) -> list[dict]:
    with psycopg.connect(url, autocommit=True) as conn:
        sizes = dict(
            conn.execute(
                "select relname, reltuples::bigint from pg_class c join pg_namespace n "
                "on n.oid = c.relnamespace where n.nspname = 'raw'"
            ).fetchall()
        )
        dedups = sorted(staging_dedups(), key=lambda d: -sizes.get(f"{d.source}__{d.table}", 0))
        dedups = dedups[:largest]
        forms = compiled_forms(url, dedups)
        rows = []
        for dedup in dedups:
            for read, query in _reads(conn, dedup).items():
                timed = {f: _timed(conn, query.format(form=forms[dedup.model, f])) for f in FORMS}
                answers = {f: answer for f, (_, answer) in timed.items()}
                if answers["default"] != answers["postgres"]:
                    raise AssertionError(f"{dedup.model}, {read}: the forms differ: {answers}")
                rows.append(
                    {
                        "model": dedup.model,
                        "rows": sizes.get(f"{dedup.source}__{dedup.table}", 0),
                        "read": read,
                        "ranking": timed["default"][0],
                        "anti_join": timed["postgres"][0],
                    }
                )
                print(
                    f"{dedup.model:40} {read:28} ranking {timed['default'][0]:6.2f} s  "
                    f"not exists {timed['postgres'][0]:6.2f} s",
                    flush=True,
                )
    return rows


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= CLOCK else f"< {CLOCK} s"


def report(url: str, rows: list[dict]) -> str:
    lines = [
        f"# Staging de-duplication: {url.rsplit('/', 1)[-1]}",
        "",
        f"Machine: {machine()}. Command: `.venv/bin/python -m bench.staging_dedup <url>`, "
        "each read once, one after the other, nothing else running.",
        "",
        "Both forms compiled from `dbt/macros/latest_load.sql`: the ranking "
        "(`default__latest_load`, Spark's) and `not exists` a newer row "
        "(`postgres__latest_load`). Every read gave the same count and checksum under both.",
        "",
        "| model | raw rows | read | ranking | not exists | ranking ÷ not exists |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = (
            f"{r['ranking'] / r['anti_join']:.1f} ×"
            if r["anti_join"] >= CLOCK
            else f"> {r['ranking'] / CLOCK:.0f} ×"
        )
        lines.append(
            f"| {r['model']} | {r['rows']:,} | {r['read']} | {_seconds(r['ranking'])} | "
            f"{_seconds(r['anti_join'])} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    url = args[0] if args else os.environ["WAREHOUSE_URL"]
    text = report(url, measure(url))
    from bench.scale import RESULTS as target

    name = f"{dt.date.today().isoformat()}-staging-dedup-{url.rsplit('/', 1)[-1]}.md"
    (target / name).write_text(text)
    print(f"\nwritten to {target / name}")


if __name__ == "__main__":
    main()
