"""Identity resolution's graph step: the connected components of the record–identifier graph.

A record (a mall account, a WeCom contact, an ad follower, a POS card) links the identifiers
it shows; two identifiers belong to one person when a chain of records joins them. That is
the connected components of a bipartite graph, found here by SciPy's linear-time
``connected_components`` — it finishes on any graph, with no cap on rounds. Which identifier
names the member (the oldest, then the most trusted) is a business rule and stays in dbt
(``int_member_identities``); this step only says which identifiers are together, naming each
component after its smallest identifier key so the same links always give the same rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def identifier_components(links: pl.DataFrame) -> pl.DataFrame:
    """One row per identifier of ``links`` (columns ``record_key``, ``identifier_key``):
    ``identifier_key`` and ``component_key``, the smallest identifier key of its component."""
    if links.height == 0:
        return pl.DataFrame(schema={"identifier_key": pl.String, "component_key": pl.String})
    identifiers = links.get_column("identifier_key").unique().sort()
    records = links.get_column("record_key").unique()
    n_identifiers, n_records = identifiers.len(), records.len()
    id_index = pl.DataFrame(
        {"identifier_key": identifiers, "i": np.arange(n_identifiers, dtype=np.int64)}
    )
    record_index = pl.DataFrame(
        {
            "record_key": records,
            "j": np.arange(n_identifiers, n_identifiers + n_records, dtype=np.int64),
        }
    )
    edges = (
        links.select("record_key", "identifier_key")
        .join(id_index, on="identifier_key")
        .join(record_index, on="record_key")
    )
    size = n_identifiers + n_records
    graph = coo_matrix(
        (
            np.ones(edges.height, dtype=np.int8),
            (edges.get_column("i").to_numpy(), edges.get_column("j").to_numpy()),
        ),
        shape=(size, size),
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    component_of_identifier = labels[:n_identifiers]
    # Identifiers are sorted, so a component's first index is its smallest key.
    _, first_index, inverse = np.unique(
        component_of_identifier, return_index=True, return_inverse=True
    )
    return pl.DataFrame(
        {
            "identifier_key": identifiers,
            "component_key": identifiers.gather(first_index[inverse]),
        }
    )
