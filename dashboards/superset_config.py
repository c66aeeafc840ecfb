"""Superset configuration for Siyu (loaded through SUPERSET_CONFIG_PATH).

Everything comes from the environment that `siyu` sets: metadata in SQLite under .data/,
a SECRET_KEY generated once and kept there too.
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SIYU_SUPERSET_METADATA_URI"]
SQLALCHEMY_TRACK_MODIFICATIONS = False

# The warehouse is read-only for dashboards; no sample data, no outbound calls.
SQLLAB_CTAS_NO_LIMIT = True
PREVENT_UNSAFE_DB_CONNECTIONS = False
FEATURE_FLAGS = {"DASHBOARD_RBAC": False, "ENABLE_TEMPLATE_PROCESSING": False}
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
WTF_CSRF_ENABLED = True
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = CACHE_CONFIG
THUMBNAILS = False
SUPERSET_WEBSERVER_TIMEOUT = 120
BABEL_DEFAULT_LOCALE = "en"
