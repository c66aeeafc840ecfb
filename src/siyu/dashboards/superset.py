"""Superset in its own environment: bootstrap, import the dashboards kept as code, serve.

Superset pins libraries the pipeline does not want (SQLAlchemy 1.4, pandas 2.1), so it lives
in `.venv-superset` (see `dashboards/superset_env/`) and is driven here as a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import time
import zipfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from siyu.core.paths import DASHBOARDS_DIR, DBT_PROJECT_DIR
from siyu.core.secrets import read_or_create_secret
from siyu.core.settings import Settings
from siyu.core.warehouse import psycopg2_sqlalchemy_url
from siyu.core.warehouse_roles import ReaderRole
from siyu.dashboards.access import AccessSpec, demo_user, warehouse_brands

BUNDLE_DIR = DASHBOARDS_DIR / "bundle"
ACCESS_SCRIPT = DASHBOARDS_DIR / "access.py"
IMPORT_SCRIPT = DASHBOARDS_DIR / "import_bundle.py"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
DATABASE_URI_PLACEHOLDER = "${WAREHOUSE_URL}"


ColumnDocs = dict[tuple[str, str], dict[str, str]]


def dbt_column_docs(manifest_path: Path = MANIFEST_PATH) -> ColumnDocs:
    """Each dbt model's column descriptions, by (schema, model name), from the manifest."""
    if not manifest_path.exists():
        raise FileNotFoundError(
            f"{manifest_path} is missing: the dataset column descriptions come from dbt's "
            "manifest; run `siyu run` (or `dbt parse`) first"
        )
    manifest = json.loads(manifest_path.read_text())
    return {
        (node["schema"], node["name"]): {
            name: column.get("description") or "" for name, column in node["columns"].items()
        }
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def with_dbt_descriptions(dataset: dict, docs: ColumnDocs) -> dict:
    """The dataset with each physical column described as dbt describes it (one source)."""
    described = docs.get((dataset["schema"], dataset["table_name"]), {})
    for column in dataset.get("columns", []):
        if column.get("expression") is None and described.get(column["column_name"]):
            column["description"] = described[column["column_name"]]
    return dataset


def build_bundle(
    warehouse_url: str, bundle_dir: Path = BUNDLE_DIR, docs: ColumnDocs | None = None
) -> bytes:
    """Zip the export YAML under dashboards/bundle: the database URI filled in, and dataset
    column descriptions from the dbt manifest (``docs``, read from it when not given)."""
    docs = dbt_column_docs() if docs is None else docs
    buffer = io.BytesIO()
    uri = psycopg2_sqlalchemy_url(warehouse_url)  # Superset reads through psycopg2
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(bundle_dir.rglob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if path.parent.name == "databases":
                text = text.replace(DATABASE_URI_PLACEHOLDER, uri)
            if path.parent.parent.name == "datasets":
                dataset = with_dbt_descriptions(yaml.safe_load(text), docs)
                text = yaml.safe_dump(dataset, allow_unicode=True, sort_keys=False)
            archive.writestr(f"siyu_dashboards/{path.relative_to(bundle_dir)}", text)
    return buffer.getvalue()


def bundle_objects(kind: str, bundle_dir: Path = BUNDLE_DIR) -> list[dict]:
    """The YAML objects of one kind (databases, datasets, charts, dashboards) in the bundle."""
    return [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((bundle_dir / kind).rglob("*.yaml"))
    ]


@dataclass(frozen=True)
class SupersetService:
    venv: Path
    home: Path
    port: int
    warehouse_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> SupersetService:
        venv = settings.superset_venv
        return cls(
            venv=venv,
            home=settings.data_dir / "superset",
            port=settings.superset_port,
            warehouse_url=settings.warehouse_url,
        )

    @property
    def metadata_db(self) -> Path:
        return self.home / "superset.db"

    @property
    def password_file(self) -> Path:
        return self.home / "admin_password"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def reader(self) -> ReaderRole:
        """The warehouse role Superset reads through (marts only)."""
        return ReaderRole.for_warehouse(self.warehouse_url, self.home)

    @property
    def demo_password_file(self) -> Path:
        return self.home / "brand_demo_password"

    def demo_user_password(self) -> str:
        """The demo brand manager's password, generated once and kept (0600)."""
        return read_or_create_secret(self.demo_password_file, 9)

    def admin_password(self) -> str:
        """SUPERSET_ADMIN_PASSWORD, else one generated once, kept (0600) and printed once."""
        if os.environ.get("SUPERSET_ADMIN_PASSWORD"):
            return os.environ["SUPERSET_ADMIN_PASSWORD"]
        if not self.password_file.exists():
            password = read_or_create_secret(self.password_file, 12)
            print(
                f"[siyu] Superset admin password (kept in {self.password_file}): {password}",
                flush=True,
            )
            return password
        return self.password_file.read_text().strip()

    def env(self) -> dict[str, str]:
        self.home.mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(DASHBOARDS_DIR / "superset_config.py"),
            "SUPERSET_SECRET_KEY": read_or_create_secret(self.home / "secret_key"),
            "SIYU_SUPERSET_METADATA_URI": f"sqlite:///{self.metadata_db}?check_same_thread=false",
            "FLASK_APP": "superset.app:create_app()",
            "SUPERSET_HOME": str(self.home),
            "PYTHONWARNINGS": "ignore",
        }

    def _run(
        self, program: str, *args: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run a program of Superset's environment (``superset``, or ``python`` with one of
        dashboards/'s scripts) in Superset's configuration; its output is in the error."""
        exe = self.venv / "bin" / program
        if not exe.exists():
            raise RuntimeError(f"Superset is not installed at {self.venv}: run `make setup`")
        result = subprocess.run(
            [str(exe), *args], input=stdin, env=self.env(), capture_output=True, text=True
        )
        if result.returncode != 0:
            shown = Path(args[0]).name if program == "python" else f"superset {' '.join(args[:2])}"
            raise RuntimeError(
                f"{shown} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def _superset(self, *args: str) -> subprocess.CompletedProcess:
        return self._run("superset", *args)

    def _python(
        self, script: Path, *args: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run one of dashboards/'s scripts in Superset's environment and configuration."""
        return self._run("python", str(script), *args, stdin=stdin)

    def bootstrap(self) -> None:
        """Create or upgrade the metadata database, the admin user and the roles."""
        self._superset("db", "upgrade")
        password = self.admin_password()
        self._superset(
            "fab",
            "create-admin",
            "--username",
            "admin",
            "--firstname",
            "Siyu",
            "--lastname",
            "Admin",
            "--email",
            "admin@siyu.local",
            "--password",
            password,
        )
        self._superset("fab", "reset-password", "--username", "admin", "--password", password)
        self._superset("init")
        # Users, password hashes and the warehouse connection live in this file (and its
        # WAL files beside it): only the owner may enter the folder or read it.
        self.home.chmod(0o700)
        self.metadata_db.chmod(0o600)
        # Write-ahead logging: the server's threads read while one writes (the action log
        # commits on every request); the rollback journal gave "disk I/O error" under load.
        with closing(sqlite3.connect(self.metadata_db)) as conn:
            conn.execute("pragma journal_mode=wal")

    def deploy(self) -> None:
        """Import dashboards/bundle (idempotent: objects are matched by uuid and overwritten),
        read through the marts-only warehouse role, then apply brand-scoped access."""
        reader = self.reader
        reader.ensure(self.warehouse_url)
        bundle = self.home / "bundle.zip"
        bundle.write_bytes(build_bundle(reader.url(self.warehouse_url)))
        bundle.chmod(0o600)
        try:
            self._python(IMPORT_SCRIPT, str(bundle), "admin")
        finally:
            bundle.unlink(missing_ok=True)
        brands = warehouse_brands(self.warehouse_url)
        self.apply_access(
            AccessSpec(
                database=bundle_objects("databases")[0]["database_name"],
                brands=brands,
                users=[demo_user(brands, self.demo_user_password())],
            )
        )

    def apply_access(self, spec: AccessSpec) -> dict:
        """Roles, row-level security and users as ``spec`` says (idempotent)."""
        result = self._python(ACCESS_SCRIPT, stdin=json.dumps(spec.as_json()))
        return json.loads(result.stdout.strip().splitlines()[-1])

    def serve(self) -> subprocess.Popen:
        gunicorn = self.venv / "bin" / "gunicorn"
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.home / "superset.log", "ab")  # noqa: SIM115 - owned by the process
        return subprocess.Popen(
            [
                str(gunicorn),
                # One process (its threads share the SQLite metadata under one lock), threads
                # for concurrent chart queries.
                "-w",
                "1",
                "--threads",
                "8",
                "-k",
                "gthread",
                "--timeout",
                "120",
                "-b",
                f"127.0.0.1:{self.port}",
                "superset.app:create_app()",
            ],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        log = self.home / "superset.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise RuntimeError(f"Superset did not answer on {self.base_url} in {timeout}s:\n{tail}")
