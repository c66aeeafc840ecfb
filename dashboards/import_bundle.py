"""Import the dashboards bundle so that what `dashboards/` says is what Superset shows.

Runs in Superset's own environment (`.venv-superset/bin/python dashboards/import_bundle.py
bundle.zip admin`), with the server's configuration (SUPERSET_CONFIG_PATH); `siyu dashboards
deploy` builds the zip and calls it.

`superset import-dashboards` overwrites dashboards but imports their charts and datasets with
`overwrite=False`: a chart or dataset that Superset already has keeps its old definition, so
an edit to `dashboards/bundle/charts/*.yaml` would never reach a running install. Here the
datasets, then the charts, then the dashboards are each imported with `overwrite=True`
(objects matched by uuid), which is idempotent: importing the same bundle again writes the
same definitions.
"""

from __future__ import annotations

import sys
from zipfile import ZipFile

import yaml


def _as_kind(contents: dict[str, str], kind: str) -> dict[str, str]:
    """The bundle's files with its metadata declaring ``kind`` (each importer checks it)."""
    metadata = yaml.safe_load(contents["metadata.yaml"])
    return {**contents, "metadata.yaml": yaml.safe_dump({**metadata, "type": kind})}


def import_bundle(path: str, username: str) -> None:
    from superset import security_manager
    from superset.commands.chart.importers.dispatcher import ImportChartsCommand
    from superset.commands.dashboard.importers.dispatcher import ImportDashboardsCommand
    from superset.commands.dataset.importers.dispatcher import ImportDatasetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle
    from superset.utils.core import override_user

    with ZipFile(path) as bundle:
        contents = get_contents_from_bundle(bundle)
    with override_user(security_manager.find_user(username=username)):
        ImportDatasetsCommand(_as_kind(contents, "SqlaTable"), overwrite=True).run()
        ImportChartsCommand(_as_kind(contents, "Slice"), overwrite=True).run()
        ImportDashboardsCommand(contents, overwrite=True).run()


def main() -> None:
    from superset.app import create_app

    path, username = sys.argv[1], sys.argv[2]
    with create_app().app_context():
        import_bundle(path, username)
    print("imported")


if __name__ == "__main__":
    main()
