"""Siyu (私域): the warehouse and BI of a multi-brand private-domain apparel group.

Rooms: ``core`` (settings, the warehouse), ``ingest`` (source schemas, the one loader, the
HTTP client), ``quality`` (Great Expectations), ``ml`` (the BG/NBD model), ``dashboards``
(Superset as code), ``orchestration`` (Dagster: components and the ``defs/`` folder), ``cli``
(the ``siyu`` command) and ``demo_world`` (the generated source world and its HTTP
simulator, which production code never imports).
"""
