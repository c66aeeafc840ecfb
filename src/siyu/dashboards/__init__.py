"""Superset as code: bootstrap, import the export YAML under ``dashboards/``, serve."""
