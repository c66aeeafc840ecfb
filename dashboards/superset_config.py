"""Superset configuration for Siyu (loaded through SUPERSET_CONFIG_PATH).

Everything comes from the environment that `siyu` sets: metadata in SQLite under .data/,
a SECRET_KEY generated once and kept there too.
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SIYU_SUPERSET_METADATA_URI"]
SQLALCHEMY_TRACK_MODIFICATIONS = False
# SQLite metadata (WAL, set at bootstrap): wait for a writer instead of failing at once.
SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 30}}

# The warehouse is read through a role that can select the marts schema and nothing else
# (siyu.core.warehouse_roles); brand roles see their brand's rows only (dashboards/access.py).
SQLLAB_CTAS_NO_LIMIT = True
# No SQLite or other "unsafe" database can be added through the UI or API.
PREVENT_UNSAFE_DB_CONNECTIONS = True
FEATURE_FLAGS = {"DASHBOARD_RBAC": False, "ENABLE_TEMPLATE_PROCESSING": False}
# Security headers and a content security policy (Superset's own TALISMAN_CONFIG; it does not
# force HTTPS, so the local http://127.0.0.1 server keeps working).
TALISMAN_ENABLED = True
CONTENT_SECURITY_POLICY_WARNING = True
WTF_CSRF_ENABLED = True
# Login attempts are rate limited (5 per second per client), the rest of the app too.
RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = "5 per second"
RATELIMIT_APPLICATION = "100 per second"
# One process's memory: enough for one local server (a shared Redis would be the production
# choice behind several).
RATELIMIT_STORAGE_URI = "memory://"
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = CACHE_CONFIG
THUMBNAILS = False
SUPERSET_WEBSERVER_TIMEOUT = 120
# Money is RMB: "$" in a chart's or metric's d3 format (e.g. "$,.0f") prints "¥".
D3_FORMAT = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}
# Chinese first, English one click away (the language menu in the top right).
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}
