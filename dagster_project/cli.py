"""`siyu`: the command line of the Siyu data platform."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from dagster_project.settings import REPO_ROOT, Settings


def _echo(message: str) -> None:
    print(f"[siyu] {message}", flush=True)


def ensure_warehouse(settings: Settings) -> str:
    """Start the embedded PostgreSQL unless WAREHOUSE_URL points elsewhere; create the db."""
    from dagster_project.warehouse import EmbeddedPostgres, ensure_database

    if settings.uses_embedded_postgres:
        EmbeddedPostgres(settings.pgdata, settings.pg_port).start()
    ensure_database(settings.warehouse_url)
    return settings.warehouse_url


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from extract.generate import generate

    started = time.perf_counter()
    out = Path(args.out) if args.out else settings.landing_dir
    start = dt.date.fromisoformat(args.start) if args.start else None
    manifest = generate(
        args.scale,
        args.seed,
        out,
        start=start,
        days=args.days,
        defects=args.defects,
        progress=not args.quiet,
    )
    rows = sum(e["rows"] for e in manifest["entities"].values())
    _echo(
        f"generated the {args.scale!r} world (seed {args.seed}) into {out}: "
        f"{rows:,} rows in {time.perf_counter() - started:.1f}s"
    )
    return 0


def cmd_warehouse(args: argparse.Namespace, settings: Settings) -> int:
    from dagster_project.warehouse import EmbeddedPostgres

    if args.action == "url":
        print(settings.warehouse_url)
        return 0
    if not settings.uses_embedded_postgres:
        _echo("WAREHOUSE_URL is set: the embedded server is not used")
        return 0
    server = EmbeddedPostgres(settings.pgdata, settings.pg_port)
    if args.action == "start":
        ensure_warehouse(settings)
        _echo(f"embedded PostgreSQL running at {settings.warehouse_url}")
    else:
        server.stop()
        _echo("embedded PostgreSQL stopped")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Materialise every asset once: extract → raw → dbt build → checks."""
    if not any(settings.landing_dir.glob("*/*/*.*")):
        _echo(
            f"no source files under {settings.landing_dir}: run `siyu generate` first "
            "(or set SIYU_LANDING_DIR)"
        )
        return 2
    as_of = getattr(args, "as_of", None)
    if as_of:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            _echo(f"--as-of must be a date as YYYY-MM-DD, got {as_of!r}")
            return 2
        os.environ["SIYU_AS_OF_DATE"] = as_of  # dbt var as_of_date (member models)
    ensure_warehouse(settings)
    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    from dagster import AssetCheckSeverity, DagsterInstance

    from dagster_project.dbt_project import parse_dbt_project

    parse_dbt_project()  # always parse: the models may have changed since the last run
    from dagster_project.definitions import defs

    started = time.perf_counter()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("daily_job").execute_in_process(
            instance=instance, raise_on_error=False
        )
    elapsed = time.perf_counter() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        _echo(f"daily_job FAILED after {elapsed:.0f}s; failed steps: {failed}")
        return 1
    checks = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed = [c for c in checks if not c.passed]
    errors = [c.check_name for c in failed if c.severity == AssetCheckSeverity.ERROR]
    warnings = [
        f"{c.asset_key.to_user_string()}:{c.check_name}"
        for c in failed
        if c.severity != AssetCheckSeverity.ERROR
    ]
    _echo(
        f"daily_job succeeded in {elapsed:.0f}s (run {result.run_id}); "
        f"{len(checks)} checks, {len(errors)} failed {errors or ''}"
        + (f", {len(warnings)} warnings {warnings}" if warnings else "")
    )
    return 0


def cmd_sql(args: argparse.Namespace, settings: Settings) -> int:
    import psycopg

    ensure_warehouse(settings)
    with psycopg.connect(settings.warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(args.query)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if cur.description:
            writer.writerow([c.name for c in cur.description])
            for row in cur:
                writer.writerow(["" if v is None else v for v in row])
    return 0


AUDIENCES = ("audience_winback", "audience_churn_warning")


def cmd_audience(args: argparse.Namespace, settings: Settings) -> int:
    """Write an audience (marts.audience_*) as CSV for a CRM, to a file or stdout."""
    import psycopg

    if args.name not in AUDIENCES:
        _echo(f"unknown audience {args.name!r}; choose one of {', '.join(AUDIENCES)}")
        return 2
    ensure_warehouse(settings)
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        with psycopg.connect(settings.warehouse_url) as conn, conn.cursor() as cur:
            try:
                cur.execute(f"select * from marts.{args.name} order by 1, 2")
            except psycopg.errors.UndefinedTable:
                _echo(f"marts.{args.name} does not exist yet: run `siyu run` first")
                return 1
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([c.name for c in cur.description])
            rows = 0
            for row in cur:
                writer.writerow(["" if v is None else v for v in row])
                rows += 1
    finally:
        if args.out:
            out.close()
    if args.out:
        _echo(f"{rows:,} members of {args.name} written to {args.out}")
    return 0


def cmd_dashboards(args: argparse.Namespace, settings: Settings) -> int:
    from dashboards.superset import SupersetService

    service = SupersetService.from_settings(settings)
    if args.action == "deploy":
        ensure_warehouse(settings)
        service.bootstrap()
        service.deploy()
        _echo(f"dashboards deployed to Superset metadata at {service.metadata_db}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the Dagster UI and Superset until interrupted."""
    from dashboards.superset import SupersetService

    ensure_warehouse(settings)
    bin_dir = str(Path(sys.executable).parent)  # dagster dev re-parses dbt with this dbt
    env = {
        **os.environ,
        "DAGSTER_HOME": str(settings.dagster_home),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    service = SupersetService.from_settings(settings)
    if not service.metadata_db.exists():
        _echo("Superset has no metadata yet: bootstrapping it and deploying the dashboards")
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
            "dagster_project.definitions",
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    try:
        service.wait_until_up()
        _echo(f"Dagster UI: http://127.0.0.1:{settings.dagster_port}")
        _echo(f"Superset:   {service.base_url}  (user admin, password in {service.password_file})")
        _echo("Ctrl-C stops both.")
        dagster.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (dagster, superset):
            proc.terminate()
        for proc in (dagster, superset):
            proc.wait(timeout=30)
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Generate the demo world if missing, run everything, deploy dashboards, serve."""
    if not (settings.landing_dir / "manifest.json").exists():
        gen = argparse.Namespace(
            scale=args.scale,
            seed=settings.seed,
            out=None,
            start=None,
            days=None,
            defects=None,
            quiet=False,
        )
        cmd_generate(gen, settings)
    if cmd_run(args, settings) != 0:
        return 1
    cmd_dashboards(argparse.Namespace(action="deploy"), settings)
    if args.no_serve or os.environ.get("SIYU_NO_SERVE"):
        _echo("done (not serving: --no-serve)")
        return 0
    return cmd_serve(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="siyu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a deterministic demo source world")
    gen.add_argument(
        "--scale",
        default="tiny",
        choices=["tiny", "demo", "bosideng"],
        help="tiny (tests), demo (the README's job) or bosideng (benchmarks, ~10 GB of files)",
    )
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", help="folder to write (default: the landing folder)")
    gen.add_argument("--start", help="first day, YYYY-MM-DD (default: the preset's)")
    gen.add_argument("--days", type=int, help="number of days (default: the preset's)")
    gen.add_argument(
        "--defects",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="inject source defects (default: on for demo, off for tiny and bosideng)",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.set_defaults(func=cmd_generate)

    wh = sub.add_parser("warehouse", help="the embedded PostgreSQL")
    wh.add_argument("action", choices=["start", "stop", "url"])
    wh.set_defaults(func=cmd_warehouse)

    run = sub.add_parser("run", help="materialise every asset (extract → raw → dbt → checks)")
    run.add_argument(
        "--as-of", help="compute member models as of this day, YYYY-MM-DD (default: today)"
    )
    run.set_defaults(func=cmd_run)

    sql = sub.add_parser("sql", help="run one query on the warehouse, print CSV with a header")
    sql.add_argument("query")
    sql.set_defaults(func=cmd_sql)

    aud = sub.add_parser("audience", help="export an activation audience as CSV")
    aud.add_argument("action", choices=["export"])
    aud.add_argument("name", help=f"one of {', '.join(AUDIENCES)}")
    aud.add_argument("--out", help="CSV file to write (default: standard output)")
    aud.set_defaults(func=cmd_audience)

    dash = sub.add_parser("dashboards", help="Superset dashboards kept in dashboards/")
    dash.add_argument("action", choices=["deploy"])
    dash.set_defaults(func=cmd_dashboards)

    serve = sub.add_parser("serve", help="serve the Dagster UI and Superset")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="generate, run, deploy dashboards, then serve")
    demo.add_argument("--scale", default=os.environ.get("SIYU_SCALE", "demo"))
    demo.add_argument("--no-serve", action="store_true", help="run everything, then exit")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Settings.from_env())


if __name__ == "__main__":
    raise SystemExit(main())
