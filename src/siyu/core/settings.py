"""Every setting of Siyu, resolved once from the environment (prefix ``SIYU_``).

One object for the CLI, the Dagster definitions, the tests and the benchmarks. Reading the
settings has no side effect: the secrets they point to are made by ``siyu`` commands
(:func:`siyu.core.environment.prepare`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from siyu.core.paths import REPO_ROOT
from siyu.core.secrets import read_secret
from siyu.core.warehouse import owner_password_file, owner_url
from siyu.core.warehouse_roles import LoginRole


class Settings(BaseSettings):
    """Configuration from ``SIYU_*`` variables (and ``WAREHOUSE_URL``, ``DAGSTER_HOME``)."""

    model_config = SettingsConfigDict(env_prefix="SIYU_", frozen=True, extra="ignore")

    data_dir: Path = Field(
        REPO_ROOT / ".data",
        description="embedded PostgreSQL, Superset metadata, secrets, Dagster home",
    )
    landing_dir_override: Path | None = Field(
        None,
        validation_alias=AliasChoices("SIYU_LANDING_DIR", "landing_dir"),
        description="where source files land (default: <data dir>/landing)",
    )
    warehouse_url_override: str | None = Field(
        None,
        validation_alias=AliasChoices("WAREHOUSE_URL", "warehouse_url"),
        description="any PostgreSQL 14+ (default: the embedded server)",
    )
    pg_port: int = Field(55432, description="embedded PostgreSQL port on 127.0.0.1")
    engine: Literal["postgres", "spark", "spark_thrift"] = Field(
        "postgres",
        description="where dbt builds the models (dbt's target of that name): PostgreSQL, "
        "Spark in a local session, or a Spark Thrift server; on Spark the loader also writes "
        "raw as Parquet",
    )
    spark_dir_override: Path | None = Field(
        None,
        validation_alias=AliasChoices("SIYU_SPARK_DIR", "spark_dir"),
        description="Spark's catalog, tables and Parquet raw layer (default: <data dir>/spark)",
    )
    warehouse_roles: bool = Field(
        True,
        description="load as <db>_loader and transform as <db>_transformer (needs an owner "
        "URL that may create roles); false: everything connects as WAREHOUSE_URL",
    )
    column_lineage: bool = Field(
        True,
        description="column-level lineage of every dbt model in the Dagster UI (sqlglot over "
        "each model's compiled SQL: about 30 s a run of the tiny world, set by the models, not "
        "the rows); false keeps "
        "each model's column schema and drops only the lineage",
    )
    dagster_port: int = Field(3000, description="Dagster UI port")
    superset_port: int = Field(8088, description="Superset port")
    seed: int = Field(42, description="seed of the generated demo world")
    scale: str = Field("demo", description="preset of the generated demo world")
    source_api_url: str | None = Field(
        None, description="extract the HTTP sources over their APIs instead of landed files"
    )
    pii_key_override: str | None = Field(
        None,
        validation_alias=AliasChoices("SIYU_PII_KEY", "pii_key"),
        description="phone hash key (default: generated once under <data dir>/secrets)",
    )
    as_of_date: str | None = Field(None, description="day member models are computed as of")
    no_serve: bool = Field(False, description="`siyu demo` exits instead of serving")
    superset_venv: Path = Field(
        REPO_ROOT / ".venv-superset", description="Superset's own environment"
    )
    dagster_home_override: Path | None = Field(
        None, validation_alias=AliasChoices("DAGSTER_HOME", "dagster_home")
    )

    @classmethod
    def from_env(cls) -> Settings:
        return cls()

    @property
    def uses_embedded_postgres(self) -> bool:
        return self.warehouse_url_override is None

    @property
    def pgdata(self) -> Path:
        return self.data_dir.resolve() / "pg"

    @property
    def spark_dir(self) -> Path:
        return (self.spark_dir_override or self.data_dir / "spark").resolve()

    @property
    def lake_dir(self) -> Path | None:
        """Where the loader writes raw as Parquet for Spark; None on PostgreSQL."""
        return None if self.engine == "postgres" else self.spark_dir / "lake"

    @property
    def spool_dir(self) -> Path:
        """Where API pages are written before the loader commits them."""
        return self.data_dir.resolve() / "spool"

    @property
    def landing_dir(self) -> Path:
        return (self.landing_dir_override or self.data_dir / "landing").resolve()

    @property
    def warehouse_url(self) -> str:
        if self.warehouse_url_override:
            return self.warehouse_url_override
        # The embedded server's owner, with the password it was given when it was first
        # started (`siyu warehouse start` and every command that needs the server).
        password = read_secret(owner_password_file(self.pgdata))
        return owner_url(self.pg_port, password, "siyu")

    def role_url(self, purpose: str) -> str:
        """The warehouse URL of the ``loader`` or ``transformer`` role (the owner's when
        SIYU_WAREHOUSE_ROLES is off). Reads the role's password; `siyu` commands make it."""
        if not self.warehouse_roles:
            return self.warehouse_url
        role = LoginRole.for_warehouse(self.warehouse_url, purpose, self.secrets_dir, create=False)
        return role.url(self.warehouse_url)

    @property
    def secrets_dir(self) -> Path:
        """Passwords and the phone hash key, each generated once and kept 0600."""
        return self.data_dir.resolve() / "secrets"

    @property
    def pii_key_file(self) -> Path:
        return self.secrets_dir / "pii_key"

    @property
    def pii_key(self) -> str | None:
        """SIYU_PII_KEY, else the key kept under the data dir (None until `siyu` made it)."""
        return self.pii_key_override or read_secret(self.pii_key_file)

    @property
    def dagster_home(self) -> Path:
        return (self.dagster_home_override or self.data_dir / "dagster").resolve()
