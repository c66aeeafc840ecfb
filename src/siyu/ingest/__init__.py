"""Sources into ``raw``: the declared schema of every source entity, the one loader, raw-table
DDL and the HTTP client."""
