"""A local stand-in for the sources' HTTP JSON APIs (mall, ad platforms, live streams).

Serves a generated world on 127.0.0.1 the way real APIs behave: cursor pagination,
``updated_since`` incremental queries, rate limits (429 with Retry-After), occasional 500s and
slow answers, and now and then a page that repeats the previous page's last record.

    GET /v1/<source>/<entity>?cursor=<opaque>&updated_since=YYYY-MM-DD&limit=<n>
    -> {"data": [{column: value, ...}, ...], "next_cursor": "<opaque>", "has_more": bool}

Records are the world's daily files in day order; a cursor is a position (day, row) in them,
so a client that keeps the last cursor it committed resumes exactly there.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from siyu.ingest.schemas import HTTP_API_SOURCES


@dataclass
class Faults:
    """Deterministic misbehaviour: every n-th request (0 = never)."""

    rate_limit_every: int = 7
    error_every: int = 11
    slow_every: int = 13
    slow_seconds: float = 0.2
    retry_after_seconds: float = 0.05
    repeat_record_every_page: int = 5  # by cursor, so a resumed run sees the same pages


def encode_cursor(day: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([day, offset]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, int]:
    day, offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    return str(day), int(offset)


class World:
    """The records of each entity, by day, read from a generated world's files."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def days(self, source: str, entity: str) -> list[str]:
        return sorted(p.stem for p in (self.root / source / entity).glob("*.csv"))

    def records(self, source: str, entity: str, day: str) -> list[dict[str, str | None]]:
        path = self.root / source / entity / f"{day}.csv"
        text = path.read_bytes().decode("utf-8-sig")
        return [
            {k: (v if v != "" else None) for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text))
        ]

    def page(
        self, source: str, entity: str, cursor: str | None, updated_since: str | None, limit: int
    ) -> tuple[list[dict], str, bool]:
        days = [d for d in self.days(source, entity) if not updated_since or d >= updated_since]
        day, offset = decode_cursor(cursor) if cursor else (days[0] if days else "", 0)
        rows: list[dict] = []
        remaining = [d for d in days if d >= day]
        position = (day, offset)
        for current in remaining:
            start = offset if current == day else 0
            records = self.records(source, entity, current)
            take = records[start : start + limit - len(rows)]
            rows.extend(take)
            position = (current, start + len(take))
            if len(rows) >= limit:
                break
        last_day = remaining[-1] if remaining else day
        exhausted = position[0] == last_day and position[1] >= len(
            self.records(source, entity, last_day) if remaining else []
        )
        return rows, encode_cursor(*position), not exhausted


class SourceSimulator:
    """The HTTP server, in a background thread; ``with SourceSimulator(world) as url: ...``."""

    def __init__(self, world: Path, faults: Faults | None = None, page_size: int = 500) -> None:
        self.world = World(world)
        self.faults = faults or Faults()
        self.page_size = page_size
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                simulator._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: dict, headers=()) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests += 1
            n = self.requests
        faults = self.faults
        url = urlparse(handler.path)
        parts = url.path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "v1" or parts[1] not in HTTP_API_SOURCES:
            self._send(handler, 404, {"error": f"no such endpoint {url.path}"})
            return
        if faults.rate_limit_every and n % faults.rate_limit_every == 0:
            self._send(
                handler,
                429,
                {"error": "rate limited"},
                [("Retry-After", str(faults.retry_after_seconds))],
            )
            return
        if faults.error_every and n % faults.error_every == 0:
            self._send(handler, 500, {"error": "internal error"})
            return
        if faults.slow_every and n % faults.slow_every == 0:
            time.sleep(faults.slow_seconds)
        query = parse_qs(url.query)
        cursor = query.get("cursor", [None])[0]
        since = query.get("updated_since", [None])[0]
        limit = min(int(query.get("limit", [self.page_size])[0]), 5000)
        _, source, entity = parts
        if not (self.world.root / source / entity).is_dir():
            self._send(handler, 404, {"error": f"no entity {source}/{entity}"})
            return
        rows, next_cursor, has_more = self.world.page(source, entity, cursor, since, limit)
        digest = int(hashlib.sha256((cursor or "").encode()).hexdigest(), 16)
        repeat = faults.repeat_record_every_page
        if cursor and repeat and digest % repeat == 0:
            # The API's own bug: this page starts with the previous page's last record.
            day, offset = decode_cursor(cursor)
            if offset > 0:
                rows = [self.world.records(source, entity, day)[offset - 1], *rows]
        self._send(handler, 200, {"data": rows, "next_cursor": next_cursor, "has_more": has_more})
