"""Who sees what in Superset: a role per brand with row-level security, a group role, and the
demo brand manager, applied by `dashboards/access.py` inside Superset's environment.

The brands come from the warehouse's brand master (`staging.stg_master__brands`), so a new
brand gets its role at the next deploy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

GROUP_ROLE = "Group 集团"
BRAND_COLUMN = "brand_id"
DEMO_USER = "brand_demo"
DEMO_USER_BRANDS = 2


@dataclass(frozen=True)
class Brand:
    brand_id: str
    code: str
    name: str

    @property
    def role(self) -> str:
        return f"Brand {self.code} {self.name}"


def warehouse_brands(warehouse_url: str) -> list[Brand]:
    """Every brand of the brand master, in brand_id order."""
    with psycopg.connect(warehouse_url) as conn:
        rows = conn.execute(
            "select brand_id::text, brand_code, brand_name "
            "from staging.stg_master__brands order by brand_id"
        ).fetchall()
    if not rows:
        raise RuntimeError("the brand master is empty: run `siyu run` before deploying")
    return [Brand(*row) for row in rows]


@dataclass(frozen=True)
class AccessSpec:
    """What `dashboards/access.py` applies (its JSON input)."""

    database: str
    brands: list[Brand]
    users: list[dict] = field(default_factory=list)
    roles_without_rule: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "database": self.database,
            "schema": "marts",
            "brand_column": BRAND_COLUMN,
            "brands": [{"brand_id": b.brand_id, "role": b.role} for b in self.brands],
            "group_role": GROUP_ROLE,
            "roles_without_rule": self.roles_without_rule,
            "users": self.users,
        }


def demo_user(brands: list[Brand], password: str) -> dict:
    """The demo manager of the first two brands (Gamma: dashboards, no SQL Lab)."""
    managed = brands[:DEMO_USER_BRANDS]
    return {
        "username": DEMO_USER,
        "password": password,
        "first_name": "Brand",
        "last_name": "Manager",
        "roles": ["Gamma", *(b.role for b in managed)],
    }
