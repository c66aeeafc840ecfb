"""Secrets generated once and kept in files only their owner can read."""

from __future__ import annotations

import secrets
from pathlib import Path


def read_secret(path: Path) -> str | None:
    """The secret kept in ``path``, or None when it was never made."""
    return path.read_text().strip() if path.exists() else None


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """The secret in ``path``, generated (0600) the first time. Only `siyu` commands call this:
    importing Siyu never writes a file."""
    existing = read_secret(path)
    if existing:
        return existing
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(nbytes)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value
