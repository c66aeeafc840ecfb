"""Configuration from the environment, with defaults that run everything on one laptop."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """A secret generated once and kept in a file only its owner can read."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once from the environment."""

    data_dir: Path
    pg_port: int
    warehouse_url_override: str | None
    dagster_port: int
    superset_port: int
    seed: int
    scale: str

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("SIYU_DATA_DIR", REPO_ROOT / ".data")).resolve()
        return cls(
            data_dir=data_dir,
            pg_port=int(os.environ.get("SIYU_PG_PORT", "55432")),
            warehouse_url_override=os.environ.get("WAREHOUSE_URL") or None,
            dagster_port=int(os.environ.get("SIYU_DAGSTER_PORT", "3000")),
            superset_port=int(os.environ.get("SIYU_SUPERSET_PORT", "8088")),
            seed=int(os.environ.get("SIYU_SEED", "42")),
            scale=os.environ.get("SIYU_SCALE", "demo"),
        )

    @property
    def uses_embedded_postgres(self) -> bool:
        return self.warehouse_url_override is None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pg"

    @property
    def source_api_url(self) -> str | None:
        """Base URL of the sources' HTTP APIs (mall, ads, live); unset: read landed files."""
        return os.environ.get("SIYU_SOURCE_API_URL") or None

    @property
    def spool_dir(self) -> Path:
        """Where API pages are written before the loader commits them."""
        return self.data_dir / "spool"

    @property
    def landing_dir(self) -> Path:
        """Where source files land (the generated demo world by default)."""
        return Path(os.environ.get("SIYU_LANDING_DIR", self.data_dir / "landing")).resolve()

    @property
    def warehouse_url(self) -> str:
        if self.warehouse_url_override:
            return self.warehouse_url_override
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/siyu"

    @property
    def pii_key(self) -> str:
        """Key of the phone hash; from SIYU_PII_KEY, else generated once under the data dir."""
        return os.environ.get("SIYU_PII_KEY") or read_or_create_secret(
            self.data_dir / "secrets" / "pii_key"
        )

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME", self.data_dir / "dagster")).resolve()
