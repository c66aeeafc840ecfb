"""Resources shared by every source: the warehouse and the source clients' common shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
from dagster import ConfigurableResource

from extract.loader import LoadResult
from extract.schemas import EntitySchema


class WarehouseResource(ConfigurableResource):
    """The PostgreSQL warehouse (embedded by default, any PostgreSQL 14+ by URL)."""

    url: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url)


class SourceClient(ConfigurableResource):
    """What a source delivers for one entity, handed to the one loader as it arrives.

    Each source has a live implementation (its HTTP API or drop folder) and a fixture
    implementation reading a landing folder of generated files.
    """

    def extract(self, conn: psycopg.Connection, schema: EntitySchema) -> Iterator[LoadResult]:
        raise NotImplementedError


class LandingFolderClient(SourceClient):
    """Files dropped under ``<root>/<source>/<entity>/`` (POS drops, WeCom exports; the fixture)."""

    root: str

    def extract(self, conn: psycopg.Connection, schema: EntitySchema) -> Iterator[LoadResult]:
        from extract.loader import entity_files, load_or_reject

        for path in entity_files(Path(self.root), schema.source, schema.entity):
            yield load_or_reject(conn, path, schema.source, schema.entity)


class HttpApiClient(SourceClient):
    """A source's HTTP JSON API: cursor pages, retries, cursor committed with each page."""

    base_url: str
    spool_dir: str
    page_size: int = 500

    def extract(self, conn: psycopg.Connection, schema: EntitySchema) -> Iterator[LoadResult]:
        from extract.http_client import ApiExtractor

        extractor = ApiExtractor(self.base_url, Path(self.spool_dir), self.page_size)
        yield from extractor.extract(conn, schema)
