"""Resources shared by every source: the warehouse and the source clients' common shape."""

from __future__ import annotations

from pathlib import Path

import psycopg
from dagster import ConfigurableResource


class WarehouseResource(ConfigurableResource):
    """The PostgreSQL warehouse (embedded by default, any PostgreSQL 14+ by URL)."""

    url: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.url)


class SourceClient(ConfigurableResource):
    """What a source delivers: the files of one entity, ready for the loader.

    Each source has a live implementation (its real API or drop folder) and a fixture
    implementation reading a landing folder of generated files.
    """

    def entity_files(self, source: str, entity: str) -> list[Path]:
        raise NotImplementedError


class LandingFolderClient(SourceClient):
    """Fixture client: files dropped under ``<root>/<source>/<entity>/*.csv``."""

    root: str

    def entity_files(self, source: str, entity: str) -> list[Path]:
        from extract.loader import entity_files

        return entity_files(Path(self.root), source, entity)
