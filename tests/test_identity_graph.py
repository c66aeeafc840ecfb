"""Identity resolution's graph step finds whole components, however long the chain."""

from __future__ import annotations

import polars as pl

from siyu.ml.identity_graph import identifier_components


def _components(pairs: list[tuple[str, str]]) -> dict[str, str]:
    links = pl.DataFrame(pairs, schema=["record_key", "identifier_key"], orient="row")
    return dict(identifier_components(links).iter_rows())


def test_the_unit_test_graph_of_int_member_identities() -> None:
    # The links of dbt's unit test identity_merge_keeps_older_key, overshared phone:p7 left out.
    got = _components(
        [
            ("mall_account:1", "union_id:u1"),
            ("mall_account:1", "phone:p1"),
            ("mall_account:1", "mall_account:1"),
            ("mall_account:2", "union_id:u2"),
            ("mall_account:2", "phone:p1"),
            ("mall_account:2", "mall_account:2"),
            ("wecom:w1", "wecom_external_id:w1"),
            ("wecom:w1", "union_id:u2"),
            ("ad_follower:o9", "openid:o9"),
            ("mall_account:3", "mall_account:3"),
            ("mall_account:4", "mall_account:4"),
        ]
    )
    person = {k for k, v in got.items() if v == "mall_account:1"}
    assert person == {
        "union_id:u1",
        "phone:p1",
        "mall_account:1",
        "union_id:u2",
        "mall_account:2",
        "wecom_external_id:w1",
    }
    assert got["openid:o9"] == "openid:o9"
    assert got["mall_account:3"] != got["mall_account:4"]


def test_a_chain_longer_than_any_fixed_number_of_rounds_is_one_component() -> None:
    # 5,000 records each sharing one identifier with the next: label propagation with a fixed
    # number of rounds would leave it in pieces.
    pairs = []
    for i in range(5_000):
        pairs += [(f"r{i}", f"id:{i:05d}"), (f"r{i}", f"id:{i + 1:05d}")]
    got = _components(pairs)
    assert len(got) == 5_001
    assert set(got.values()) == {"id:00000"}


def test_same_links_in_any_order_give_the_same_rows() -> None:
    pairs = [(f"r{i % 37}", f"id:{(i * 7919) % 101}") for i in range(400)]
    links = pl.DataFrame(pairs, schema=["record_key", "identifier_key"], orient="row")
    first = identifier_components(links).sort("identifier_key")
    second = identifier_components(links.reverse()).sort("identifier_key")
    assert first.equals(second)
    # every identifier lands in a component named after its smallest member
    smallest = first.group_by("component_key").agg(pl.col("identifier_key").min())
    assert (smallest["component_key"] == smallest["identifier_key"]).all()


def test_no_links_no_components() -> None:
    assert _components([]) == {}
