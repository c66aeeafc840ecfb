"""`siyu`: the command line of the Siyu data platform.

Every option has its environment variable (shown by ``--help``) and falls back on the one
settings object (:class:`siyu.core.settings.Settings`).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer

from siyu.core import environment
from siyu.core.paths import REPO_ROOT
from siyu.core.settings import Settings

app = typer.Typer(
    name="siyu",
    help="Siyu (私域): warehouse and BI for multi-brand private-domain apparel retail.",
    no_args_is_help=True,
    add_completion=False,
)
warehouse_app = typer.Typer(help="The embedded PostgreSQL.", no_args_is_help=True)
dashboards_app = typer.Typer(help="Superset dashboards kept in dashboards/.", no_args_is_help=True)
audience_app = typer.Typer(help="Activation audiences as CSV.", no_args_is_help=True)
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(dashboards_app, name="dashboards")
app.add_typer(audience_app, name="audience")

AUDIENCES = ("audience_winback", "audience_churn_warning")


class Scale(StrEnum):
    tiny = "tiny"
    demo = "demo"
    bosideng = "bosideng"


def echo(message: str) -> None:
    print(f"[siyu] {message}", flush=True)


def ensure_warehouse(settings: Settings) -> str:
    """Start the embedded PostgreSQL unless WAREHOUSE_URL points elsewhere; create the db."""
    from siyu.core.warehouse import EmbeddedPostgres, ensure_database

    if settings.uses_embedded_postgres:
        EmbeddedPostgres(settings.pgdata, settings.pg_port).start()
    ensure_database(settings.warehouse_url)
    return settings.warehouse_url


def generate_world(
    settings: Settings,
    out: Path | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    defects: bool | None = None,
    quiet: bool = False,
    members: int | None = None,
) -> None:
    from siyu.demo_world.generate import generate

    started = time.perf_counter()
    out = out or settings.landing_dir
    manifest = generate(
        settings.scale,
        settings.seed,
        out,
        start=start,
        days=days,
        defects=defects,
        progress=not quiet,
        members=members,
    )
    rows = sum(e["rows"] for e in manifest["entities"].values())
    echo(
        f"generated the {settings.scale!r} world (seed {settings.seed}) into {out}: "
        f"{rows:,} rows in {time.perf_counter() - started:.1f}s"
    )


def run_once(settings: Settings, wait_seconds: float = 0.0, full_refresh: bool = False) -> int:
    """Materialise every asset once: extract → raw → dbt build → checks; one run at a time
    per warehouse (a second waits up to ``wait_seconds``, then refuses, saying why)."""
    from siyu.core.warehouse import RunInProgress, is_reachable, redacted, run_lock
    from siyu.orchestration.daily_run import run_daily_job

    if not any(settings.landing_dir.glob("*/*/*.*")):
        echo(
            f"no source files under {settings.landing_dir}: run `siyu generate` first "
            "(or set SIYU_LANDING_DIR)"
        )
        return 2
    if settings.as_of_date:
        try:
            dt.date.fromisoformat(settings.as_of_date)
        except ValueError:
            echo(f"--as-of must be a date as YYYY-MM-DD, got {settings.as_of_date!r}")
            return 2
        os.environ["SIYU_AS_OF_DATE"] = settings.as_of_date  # dbt var as_of_date
    ensure_warehouse(settings)
    environment.prepare(settings)
    try:
        with run_lock(settings.warehouse_url, wait_seconds):
            summary = run_daily_job(settings, full_refresh)
    except RunInProgress as busy:
        echo(str(busy))
        return 3
    echo(summary.message())
    if not summary.success and not is_reachable(settings.warehouse_url):
        echo(
            f"the warehouse at {redacted(settings.warehouse_url)} went down during the run: "
            "the failed steps above could not reach it; start it again and re-run "
            "(what was committed stays, nothing loads twice)"
        )
    return 0 if summary.success else 1


def deploy_dashboards(settings: Settings) -> None:
    from siyu.dashboards.superset import SupersetService

    service = SupersetService.from_settings(settings)
    ensure_warehouse(settings)
    service.bootstrap()
    service.deploy()
    echo(f"dashboards deployed to Superset metadata at {service.metadata_db}")
    echo(
        f"Superset reads the warehouse as {service.reader.name} (marts only); brand manager "
        f"login: brand_demo, password in {service.demo_password_file}"
    )


def serve(settings: Settings) -> int:
    """Serve the Dagster UI and Superset until interrupted."""
    from siyu.dashboards.superset import SupersetService

    ensure_warehouse(settings)
    environment.prepare(settings)
    bin_dir = str(Path(sys.executable).parent)  # dagster dev re-parses dbt with this dbt
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    service = SupersetService.from_settings(settings)
    if not service.metadata_db.exists():
        echo("Superset has no metadata yet: bootstrapping it and deploying the dashboards")
        service.bootstrap()
        service.deploy()
    superset = service.serve()
    dagster = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(settings.dagster_port),
            "-m",
            "siyu.orchestration.definitions",
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    try:
        service.wait_until_up()
        echo(f"Dagster UI: http://127.0.0.1:{settings.dagster_port}")
        echo(f"Superset:   {service.base_url}  (user admin, password in {service.password_file})")
        echo("Ctrl-C stops both.")
        dagster.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (dagster, superset):
            proc.terminate()
        for proc in (dagster, superset):
            proc.wait(timeout=30)
    return 0


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


@app.callback()
def _main(ctx: typer.Context) -> None:
    ctx.obj = Settings.from_env()


@app.command("generate")
def generate_command(
    ctx: typer.Context,
    scale: Annotated[Scale | None, typer.Option(envvar="SIYU_SCALE", help="preset")] = None,
    seed: Annotated[int | None, typer.Option(envvar="SIYU_SEED", help="random seed")] = None,
    out: Annotated[
        Path | None,
        typer.Option(envvar="SIYU_LANDING_DIR", help="folder to write (default: landing)"),
    ] = None,
    start: Annotated[
        str | None, typer.Option(envvar="SIYU_WORLD_START", help="first day, YYYY-MM-DD")
    ] = None,
    days: Annotated[int | None, typer.Option(envvar="SIYU_WORLD_DAYS", help="days")] = None,
    defects: Annotated[
        bool | None,
        typer.Option(
            "--defects/--no-defects",
            envvar="SIYU_DEFECTS",
            help="inject source defects (default: on for demo, off for tiny and bosideng)",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(envvar="SIYU_QUIET", help="no progress bar")] = False,
    members: Annotated[
        int | None,
        typer.Option(
            envvar="SIYU_MEMBERS",
            min=1,
            help="members instead of the preset's (stores, guides and brands kept), "
            "e.g. --scale bosideng --members 1000000",
        ),
    ] = None,
) -> int:
    """Write a deterministic demo source world (tiny, demo or bosideng)."""
    updates: dict[str, object] = {"scale": scale.value} if scale else {}
    if seed is not None:
        updates["seed"] = seed
    settings = _settings(ctx).model_copy(update=updates)
    first = dt.date.fromisoformat(start) if start else None
    generate_world(settings, out, first, days, defects, quiet, members)
    return 0


@warehouse_app.command("start")
def warehouse_start(ctx: typer.Context) -> int:
    """Start the embedded PostgreSQL (and create the database)."""
    settings = _settings(ctx)
    if not settings.uses_embedded_postgres:
        echo("WAREHOUSE_URL is set: the embedded server is not used")
        return 0
    from siyu.core.warehouse import redacted

    ensure_warehouse(settings)
    echo(
        f"embedded PostgreSQL running at {redacted(settings.warehouse_url)} "
        f"(`siyu warehouse url` prints it with the owner's password)"
    )
    return 0


@warehouse_app.command("stop")
def warehouse_stop(ctx: typer.Context) -> int:
    """Stop the embedded PostgreSQL."""
    from siyu.core.warehouse import EmbeddedPostgres

    settings = _settings(ctx)
    if not settings.uses_embedded_postgres:
        echo("WAREHOUSE_URL is set: the embedded server is not used")
        return 0
    EmbeddedPostgres(settings.pgdata, settings.pg_port).stop()
    echo("embedded PostgreSQL stopped")
    return 0


@warehouse_app.command("url")
def warehouse_url(ctx: typer.Context) -> int:
    """Print the warehouse URL."""
    print(_settings(ctx).warehouse_url)
    return 0


@app.command("run")
def run_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(envvar="SIYU_AS_OF_DATE", help="member models as of YYYY-MM-DD (today)"),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            envvar="SIYU_RUN_WAIT", help="seconds to wait for a run in progress (0: refuse)"
        ),
    ] = 0.0,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="rebuild the incremental models from all history (after a rule change); "
            "a daily run rebuilds only their look-back window",
        ),
    ] = False,
) -> int:
    """Materialise every asset (extract → raw → dbt → checks)."""
    settings = _settings(ctx)
    if as_of:
        settings = settings.model_copy(update={"as_of_date": as_of})
    return run_once(settings, wait, full_refresh)


@app.command("sql")
def sql_command(ctx: typer.Context, query: str) -> int:
    """Run one query on the warehouse, print CSV with a header."""
    import psycopg

    settings = _settings(ctx)
    ensure_warehouse(settings)
    with psycopg.connect(settings.warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(query)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if cur.description:
            writer.writerow([c.name for c in cur.description])
            for row in cur:
                writer.writerow(["" if v is None else v for v in row])
    return 0


@app.command("spark-thrift")
def spark_thrift_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 10000,
) -> int:
    """Serve the Spark marts over Spark's Thrift server (SIYU_ENGINE=spark) until Ctrl-C."""
    from siyu.core.spark_thrift import SparkThriftServer

    settings = _settings(ctx)
    if not (settings.spark_dir / "metastore_db").exists():
        echo(f"no Spark catalog in {settings.spark_dir}: run `SIYU_ENGINE=spark siyu run` first")
        return 1
    server = SparkThriftServer(settings.spark_dir, port).start()
    echo(f"Spark Thrift server on 127.0.0.1:{port}; Superset URL {server.url}; Ctrl-C stops it")
    try:
        server.process.wait()  # type: ignore[union-attr]
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


@audience_app.command("export")
def audience_export(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=f"one of {', '.join(AUDIENCES)}")],
    out: Annotated[Path | None, typer.Option(help="CSV file (default: stdout)")] = None,
) -> int:
    """Write an audience (marts.audience_*) as CSV for a CRM."""
    from siyu.marts_export import export_audience

    if name not in AUDIENCES:
        echo(f"unknown audience {name!r}; choose one of {', '.join(AUDIENCES)}")
        return 2
    settings = _settings(ctx)
    ensure_warehouse(settings)
    rows = export_audience(settings.warehouse_url, name, out)
    if rows is None:
        echo(f"marts.{name} does not exist yet: run `siyu run` first")
        return 1
    if out:
        echo(f"{rows:,} members of {name} written to {out}")
    return 0


@dashboards_app.command("deploy")
def dashboards_deploy(ctx: typer.Context) -> int:
    """(Re)import dashboards/ into Superset, idempotent."""
    deploy_dashboards(_settings(ctx))
    return 0


@app.command("serve")
def serve_command(ctx: typer.Context) -> int:
    """Serve the Dagster UI and Superset."""
    return serve(_settings(ctx))


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    scale: Annotated[Scale | None, typer.Option(envvar="SIYU_SCALE", help="preset")] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", envvar="SIYU_NO_SERVE", help="run, then exit")
    ] = False,
) -> int:
    """Generate the demo world if missing, run everything, deploy dashboards, serve."""
    settings = _settings(ctx)
    if scale:
        settings = settings.model_copy(update={"scale": scale.value})
    if not (settings.landing_dir / "manifest.json").exists():
        generate_world(settings)
    if run_once(settings) != 0:
        return 1
    deploy_dashboards(settings)
    if no_serve or settings.no_serve:
        echo("done (not serving: --no-serve)")
        return 0
    return serve(settings)


def main(argv: list[str] | None = None) -> int:
    """Entry point: the command's exit code (0 on success)."""
    from siyu.core.warehouse import WarehouseUnreachable

    try:
        result = app(args=argv, standalone_mode=False)
    except WarehouseUnreachable as down:
        echo(str(down))
        return 1
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
