"""Extract from the sources' HTTP JSON APIs: pages by cursor, retries with backoff, and a
cursor that only advances in the transaction that committed the page to ``raw``.

A crash mid-extract therefore resumes from the last committed page: the page being fetched
is fetched again, nothing is skipped and nothing loads twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from siyu.ingest.loader import LoadResult, load_or_reject, save_cursor
from siyu.ingest.schemas import EntitySchema


class RetryableResponse(Exception):
    """A 429 or 5xx answer: try again (after Retry-After when the API says so)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code} from {response.request.url}")
        self.retry_after = float(response.headers.get("Retry-After", 0) or 0)


def _retryable(error: BaseException) -> bool:
    return isinstance(error, RetryableResponse | httpx.TransportError)


def _canonical(record: dict) -> str:
    """One text per record content, to recognise a record sent again."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class Page:
    rows: list[dict]
    next_cursor: str
    has_more: bool


class ApiExtractor:
    """Pages of one API, as files for the one loader."""

    def __init__(
        self, base_url: str, spool_dir: Path, page_size: int = 500, attempts: int = 8
    ) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(10.0))
        self.spool_dir = Path(spool_dir)
        self.page_size = page_size
        self.fetch = retry(
            retry=retry_if_exception(_retryable),
            wait=wait_exponential(multiplier=0.05, max=2),
            stop=stop_after_attempt(attempts),
            reraise=True,
        )(self._fetch)

    def _fetch(self, source: str, entity: str, cursor: str | None) -> Page:
        params = {"limit": self.page_size}
        if cursor:
            params["cursor"] = cursor
        response = self.client.get(f"/v1/{source}/{entity}", params=params)
        if response.status_code == 429 or response.status_code >= 500:
            error = RetryableResponse(response)
            if error.retry_after:
                time.sleep(error.retry_after)
            raise error
        response.raise_for_status()
        body = response.json()
        return Page(body["data"], body["next_cursor"], body["has_more"])

    def _spool(self, schema: EntitySchema, cursor: str | None, rows: list[dict]) -> Path:
        declared = [c.name for c in schema.columns]
        extra = sorted({k for row in rows for k in row} - set(declared))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(declared + extra)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in declared + extra])
        name = hashlib.sha256((cursor or "start").encode()).hexdigest()[:20]
        path = self.spool_dir / schema.source / schema.entity / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path

    def extract(
        self, conn: psycopg.Connection, schema: EntitySchema, lake: Path | None = None
    ) -> Iterator[LoadResult]:
        """Every page after the committed cursor, each loaded with its cursor in one commit
        (and, with ``lake``, written as Parquet for Spark too).

        A page that starts with the last record already committed (an API's own repeat, or a
        re-run of a finished extract) loads it once only: the repeat is dropped. A spool file
        is deleted once its page is committed (it holds personal data in clear).
        """
        row = conn.execute(
            "select cursor, last_record from raw._cursors where table_name = %s",
            (schema.table,),
        ).fetchone()
        conn.commit()
        cursor, last = row if row else (None, None)
        while True:
            page = self.fetch(schema.source, schema.entity, cursor)
            rows = page.rows
            if rows and last is not None and _canonical(rows[0]) == last:
                rows = rows[1:]
            if not rows and not page.has_more:
                break
            path = self._spool(schema, cursor, rows)
            last = _canonical(rows[-1]) if rows else last

            def advance(
                cur: psycopg.Cursor, next_cursor: str = page.next_cursor, record=last
            ) -> None:
                save_cursor(cur, schema.table, next_cursor, record)

            result = load_or_reject(conn, path, schema.source, schema.entity, advance, lake)
            if result.status != "rejected":
                path.unlink(missing_ok=True)
            yield result
            cursor = page.next_cursor
            if not page.has_more:
                break
