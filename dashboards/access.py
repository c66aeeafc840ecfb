"""Brand-scoped access in Superset: roles, row-level security and users, applied idempotently.

Runs in Superset's own environment (`.venv-superset/bin/python dashboards/access.py`), with the
same configuration as the server (SUPERSET_CONFIG_PATH), reading a JSON spec on stdin that
`siyu dashboards deploy` writes (siyu.dashboards.access):

    {"database": "Siyu warehouse", "schema": "marts",
     "brand_column": "brand_id",
     "brands": [{"brand_id": "B01", "role": "Brand B01"}],
     "group_role": "Group",
     "roles_without_rule": ["..."],
     "users": [{"username": "...", "password": "...", "roles": ["Gamma", "Brand B01"]}]}

What it makes:
- one role per brand with read access to the marts schema and a Regular RLS filter
  `brand_id = '<brand>'` on every dataset of that schema (or on the column a dataset names
  in its extra, `{"siyu_brand_column": "home_brand_id"}`), all in group key `brand`, so a
  manager holding several brand roles sees the union of their brands;
- the group role, the same access and no filter (executives of the whole group);
- one Base RLS filter `1 = 0` on every dataset, for everyone but Admin, the group role and
  the brand roles: deny by default, whoever else is given access to the marts sees no row;
- the users of the spec, with exactly the roles listed (passwords reset to the spec's).
No role made here holds a SQL Lab permission.
"""

from __future__ import annotations

import json
import sys

DENY_FILTER = "Siyu: no brand rule, no rows"
BRAND_GROUP_KEY = "brand"


def _role_with_schema_access(sm, name: str, schema_perm: str):
    role = sm.find_role(name) or sm.add_role(name)
    permission = sm.add_permission_view_menu("schema_access", schema_perm)
    if permission not in role.permissions:
        sm.add_permission_role(role, permission)
    return role


def _upsert_filter(db, model, name: str, **fields) -> None:
    rule = db.session.query(model).filter_by(name=name).one_or_none() or model(name=name)
    for key, value in fields.items():
        setattr(rule, key, value)
    db.session.add(rule)


def _upsert_user(sm, user: dict, roles: list) -> None:
    existing = sm.find_user(username=user["username"])
    if existing is None:
        created = sm.add_user(
            user["username"],
            user.get("first_name", user["username"]),
            user.get("last_name", "Siyu"),
            user.get("email", f"{user['username']}@siyu.local"),
            roles,
            password=user["password"],
        )
        if not created:
            raise RuntimeError(f"Superset refused to create user {user['username']!r}")
        return
    existing.roles = roles
    sm.update_user(existing)
    sm.reset_password(existing.id, user["password"])


def _datasets_by_brand_column(datasets: list, default: str) -> dict[str, list]:
    """Datasets grouped by the column that names their brand: ``default``, or the one a
    dataset declares in its extra (``{"siyu_brand_column": "home_brand_id"}``)."""
    by_column: dict[str, list] = {}
    unscoped = []
    for dataset in datasets:
        column = json.loads(dataset.extra or "{}").get("siyu_brand_column", default)
        if column not in {c.column_name for c in dataset.columns}:
            unscoped.append(f"{dataset.table_name}.{column}")
        by_column.setdefault(column, []).append(dataset)
    if unscoped:
        raise RuntimeError(f"datasets without their brand column cannot be scoped: {unscoped}")
    return by_column


def apply(spec: dict) -> dict:
    from superset import db
    from superset import security_manager as sm
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
    from superset.utils.core import RowLevelSecurityFilterType

    datasets = (
        db.session.query(SqlaTable)
        .filter(SqlaTable.schema == spec["schema"])
        .filter(SqlaTable.database.has(database_name=spec["database"]))
        .all()
    )
    if not datasets:
        raise RuntimeError(f"no dataset on {spec['database']}.{spec['schema']}: deploy first")
    (schema_perm,) = {d.schema_perm for d in datasets}
    by_column = _datasets_by_brand_column(datasets, spec["brand_column"])

    brand_roles = []
    for brand in spec["brands"]:
        role = _role_with_schema_access(sm, brand["role"], schema_perm)
        brand_roles.append(role)
        literal = brand["brand_id"].replace("'", "''")
        for column, tables in by_column.items():
            suffix = "" if column == spec["brand_column"] else f" [{column}]"
            _upsert_filter(
                db,
                RowLevelSecurityFilter,
                f"Siyu: {brand['role']}{suffix}",
                filter_type=RowLevelSecurityFilterType.REGULAR,
                group_key=BRAND_GROUP_KEY,
                clause=f"{column} = '{literal}'",
                description=f"{brand['role']} sees brand {brand['brand_id']} only ({column}).",
                roles=[role],
                tables=tables,
            )
    group_role = _role_with_schema_access(sm, spec["group_role"], schema_perm)
    for name in spec.get("roles_without_rule", []):
        _role_with_schema_access(sm, name, schema_perm)
    _upsert_filter(
        db,
        RowLevelSecurityFilter,
        DENY_FILTER,
        filter_type=RowLevelSecurityFilterType.BASE,
        group_key=None,
        clause="1 = 0",
        description="Deny by default: any role without a brand rule (nor Admin, nor the group "
        "role) reads no row of the marts.",
        roles=[sm.find_role("Admin"), group_role, *brand_roles],
        tables=datasets,
    )
    db.session.commit()
    for user in spec.get("users", []):
        roles = [sm.find_role(name) for name in user["roles"]]
        if None in roles:
            raise RuntimeError(f"unknown role among {user['roles']}")
        _upsert_user(sm, user, roles)
    db.session.commit()
    return {"datasets": len(datasets), "brand_roles": len(brand_roles)}


def main() -> None:
    from superset.app import create_app

    spec = json.load(sys.stdin)
    with create_app().app_context():
        print(json.dumps(apply(spec)))


if __name__ == "__main__":
    main()
