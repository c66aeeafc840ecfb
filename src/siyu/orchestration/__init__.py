"""Dagster: components (a raw source, the dbt project) and the ``defs/`` folder they are
declared in, loaded by ``load_from_defs_folder``."""
