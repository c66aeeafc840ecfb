"""Resources: the warehouse, and each source's client in its two versions.

A source entity is read from its live system or from a fixture: the landing folder of files
(POS day files and WeCom exports in real life, the generated demo world in tests and demos),
or the source's HTTP JSON API for the sources whose systems serve one (mall, ads, live;
:attr:`EntitySchema.delivered_over_http`). :class:`SourceClients` picks one per entity.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
from dagster import ConfigurableResource

from siyu.core.settings import Settings
from siyu.ingest.batch_loader import load_files
from siyu.ingest.loader import LoadResult, entity_files
from siyu.ingest.schemas import EntitySchema


class WarehouseResource(ConfigurableResource):
    """The PostgreSQL warehouse (embedded by default, any PostgreSQL 14+ by URL)."""

    url: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url)


class SourceClient(ConfigurableResource):
    """What a source delivers for one entity, handed to the one loader as it arrives."""

    def extract(
        self, conn: psycopg.Connection, schema: EntitySchema, lake: Path | None = None
    ) -> Iterator[LoadResult]:
        raise NotImplementedError


class LandingFolderClient(SourceClient):
    """Files dropped under ``<root>/<source>/<entity>/`` (POS drops, WeCom exports; the fixture)."""

    root: str

    def extract(
        self, conn: psycopg.Connection, schema: EntitySchema, lake: Path | None = None
    ) -> Iterator[LoadResult]:
        yield from load_files(
            conn, entity_files(Path(self.root), schema.source, schema.entity), schema, lake
        )


class HttpApiClient(SourceClient):
    """A source's HTTP JSON API: cursor pages, retries, cursor committed with each page."""

    base_url: str
    spool_dir: str
    page_size: int = 500

    def extract(
        self, conn: psycopg.Connection, schema: EntitySchema, lake: Path | None = None
    ) -> Iterator[LoadResult]:
        from siyu.ingest.http_client import ApiExtractor

        extractor = ApiExtractor(self.base_url, Path(self.spool_dir), self.page_size)
        yield from extractor.extract(conn, schema, lake)


class SourceClients(ConfigurableResource):
    """The client of every source: its HTTP API where it has one and ``api`` is configured
    (SIYU_SOURCE_API_URL), else the landing folder."""

    landing: LandingFolderClient
    api: HttpApiClient | None = None
    # SIYU_ENGINE=spark: the loader also writes each batch here as Parquet (siyu.ingest.lake)
    lake_dir: str | None = None

    @property
    def lake(self) -> Path | None:
        return Path(self.lake_dir) if self.lake_dir else None

    @classmethod
    def from_settings(cls, settings: Settings) -> SourceClients:
        api = (
            HttpApiClient(base_url=settings.source_api_url, spool_dir=str(settings.spool_dir))
            if settings.source_api_url
            else None
        )
        return cls(
            landing=LandingFolderClient(root=str(settings.landing_dir)),
            api=api,
            lake_dir=str(settings.lake_dir) if settings.lake_dir else None,
        )

    def client_for(self, schema: EntitySchema) -> SourceClient:
        if self.api is not None and schema.delivered_over_http:
            return self.api
        return self.landing
