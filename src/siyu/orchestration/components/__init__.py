"""Dagster components of Siyu: a raw source, the dbt project."""
