"""Marts handed to other systems: an activation audience as CSV for a CRM."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import psycopg


def export_audience(warehouse_url: str, name: str, out: Path | None) -> int | None:
    """Write marts.<name> as CSV (to ``out`` or stdout); the rows written, None if missing."""
    handle = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        with psycopg.connect(warehouse_url) as conn, conn.cursor() as cur:
            try:
                cur.execute(f"select * from marts.{name} order by 1, 2")
            except psycopg.errors.UndefinedTable:
                return None
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.name for c in cur.description])
            rows = 0
            for row in cur:
                writer.writerow(["" if v is None else v for v in row])
                rows += 1
    finally:
        if out:
            handle.close()
    return rows
