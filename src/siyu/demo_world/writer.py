"""Writes the world's files: one per day of an entity (appended chunk after chunk), or a
snapshot for master data; counts the rows for the manifest."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from siyu.demo_world.common import DATETIME_FORMAT


class WorldWriter:
    """Writes entity frames into per-day files, appending chunk after chunk, and counts rows."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.manifest: dict[str, dict[str, int]] = {}
        self._started: set[Path] = set()

    def daily(
        self,
        source: str,
        entity: str,
        frame: pl.DataFrame,
        day_column: str,
        drop: tuple[str, ...] = (),
        json_lines: bool = False,
    ) -> None:
        """Rows into one file per day of ``day_column`` (the extract's day); ``drop`` helpers.

        A day file written earlier in this run gets the rows appended (no second header).
        ``json_lines``: write a JSON Lines export (``.jsonl``) instead of CSV.
        """
        folder = self.out / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        frame = frame.with_columns(pl.col(day_column).dt.date().alias("__day"))
        for (day,), part in frame.sort("__day", maintain_order=True).group_by(
            "__day", maintain_order=True
        ):
            part = part.drop("__day", *drop)
            path = folder / f"{day.isoformat()}.{'jsonl' if json_lines else 'csv'}"
            first = path not in self._started
            self._started.add(path)
            with path.open("wb" if first else "ab") as handle:
                if json_lines:
                    part.with_columns(
                        pl.col(pl.Datetime).dt.strftime(DATETIME_FORMAT)
                    ).write_ndjson(handle)
                else:
                    part.write_csv(handle, include_header=first, datetime_format=DATETIME_FORMAT)
        entry = self.manifest.setdefault(f"{source}__{entity}", {"rows": 0})
        entry["rows"] += frame.height

    def snapshot(self, source: str, entity: str, frame: pl.DataFrame) -> None:
        folder = self.out / source / entity
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_csv(folder / f"{entity}.csv", datetime_format=DATETIME_FORMAT)
        self.manifest[f"{source}__{entity}"] = {"rows": frame.height}
