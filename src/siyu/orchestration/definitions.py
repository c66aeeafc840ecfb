"""The one Definitions of Siyu: everything under ``defs/``, loaded by Dagster's own loader.

Importing this module has no side effect: it reads the environment, writes nothing. `siyu`
commands prepare secrets and the dbt manifest before they load it.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg


def load_definitions() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)


@dg.definitions
def defs() -> dg.Definitions:
    return load_definitions()
