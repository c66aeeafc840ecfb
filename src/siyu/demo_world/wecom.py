"""WeCom: members (and prospects) joining and leaving customer groups, guides' contact
add/delete events (a JSON Lines export), and WeCom's daily group statistics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from siyu.demo_world.common import (
    SECONDS_PER_DAY,
    Sequences,
    ids,
    nullable,
    prefixed,
    span_events,
    timestamps,
)
from siyu.demo_world.master import Master
from siyu.demo_world.members import Chunk
from siyu.demo_world.writer import WorldWriter


@dataclass
class Memberships:
    """The chunk's members' customer group (-1 for none), when they joined and left (-1)."""

    group: np.ndarray
    joined: np.ndarray
    left: np.ndarray


@dataclass
class Totals:
    """What the member chunks add up for the parts written after them."""

    buyers_per_session: np.ndarray
    group_delta: np.ndarray  # [group, day] joins minus leaves
    contacts: int = 0
    sales: float = 0.0


def community_memberships(
    m: Master,
    chunk: Chunk,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> Memberships:
    """Some members join one group of their home brand, prospects join too; some leave."""
    n, horizon = chunk.n, m.horizon
    joiners = np.flatnonzero((rng.random(n) < 0.3) & ~chunk.store_only)
    member_group = np.full(n, -1, dtype=np.int64)
    member_group[joiners] = m.groups_of_brand.pick(rng, chunk.home_brand[joiners], missing=-1)
    joiners = joiners[member_group[joiners] >= 0]
    n_guests = n // 50
    guest_group = rng.integers(0, m.group_ids.size, n_guests)
    j_group = np.concatenate([member_group[joiners], guest_group])
    j_user = np.concatenate(
        [
            prefixed("wm_", chunk.member_ids[joiners]),
            ids("wg_", n_guests, 10, seq.take("wg", n_guests)),
        ]
    )
    j_union = np.concatenate([chunk.union_id[joiners], np.full(n_guests, None)])
    j_from = np.maximum(
        m.group_created[j_group],
        np.concatenate([np.maximum(chunk.registered[joiners], 0), np.zeros(n_guests, np.int64)]),
    )
    j_time = j_from + (rng.random(j_group.size) * (horizon - j_from)).astype(np.int64)
    j_left = rng.random(j_group.size) < 0.2
    l_time_all = j_time + rng.integers(3600, 90 * SECONDS_PER_DAY, j_group.size)
    j_leave = np.where(j_left & (l_time_all < horizon), l_time_all, -1)
    member_join = np.full(n, -1, dtype=np.int64)
    member_leave = np.full(n, -1, dtype=np.int64)
    member_join[joiners] = j_time[: joiners.size]
    member_leave[joiners] = j_leave[: joiners.size]
    left = j_leave >= 0
    events, seconds = span_events(
        j_time,
        np.flatnonzero(left),
        j_leave[left],
        ("join", "leave"),
        {"group": j_group, "user": j_user, "union": j_union},
    )
    writer.daily(
        "wecom",
        "community_member_events",
        pl.DataFrame(
            {
                "event_id": ids("GE", seconds.size, 9, seq.take("GE", seconds.size)),
                "group_id": m.group_ids[events["group"]],
                "external_user_id": events["user"],
                "union_id": nullable(events["union"]),
                "event_type": events["event_type"],
                "occurred_at": timestamps(m.start, seconds),
            }
        ),
        "occurred_at",
    )
    np.add.at(totals.group_delta, (j_group, j_time // SECONDS_PER_DAY), 1)
    np.add.at(totals.group_delta, (j_group[left], j_leave[left] // SECONDS_PER_DAY), -1)
    return Memberships(member_group, member_join, member_leave)


def contact_events(
    m: Master,
    chunk: Chunk,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> None:
    """Most members in the window are added by their guide around registration, prospects
    (contacts who never became members) too; some contacts delete the guide."""
    n, horizon, registered = chunk.n, m.horizon, chunk.registered
    added = (registered >= 0) & (rng.random(n) < 0.7) & ~chunk.store_only
    a_idx = np.flatnonzero(added)
    a_time = registered[a_idx] + rng.integers(0, 3 * 3600, a_idx.size)
    a_keep = a_time < horizon
    a_idx, a_time = a_idx[a_keep], a_time[a_keep]
    n_prospects = n // 5
    pr_guide = rng.choice(m.guide_ids, n_prospects, p=m.guide_p)
    pr_time = rng.integers(0, horizon, n_prospects)
    c_guide = np.concatenate([chunk.home_guide[a_idx], pr_guide])
    c_user = np.concatenate(
        [
            prefixed("wm_", chunk.member_ids[a_idx]),
            ids("wp_", n_prospects, 10, seq.take("wp", n_prospects)),
        ]
    )
    c_union = np.concatenate([chunk.union_id[a_idx], np.full(n_prospects, None)])
    c_time = np.concatenate([a_time, pr_time])
    # How each contact was added: by the guide, by the store's QR code, in a live room.
    c_way = rng.choice(np.array(["guide", "store_qr", "live_room"]), c_time.size, p=[0.6, 0.3, 0.1])
    deleted = rng.random(c_time.size) < 0.1
    d_time = c_time[deleted] + rng.integers(1, 60, int(deleted.sum())) * SECONDS_PER_DAY
    d_keep = d_time < horizon
    events, seconds = span_events(
        c_time,
        np.flatnonzero(deleted)[d_keep],
        d_time[d_keep],
        ("add", "delete"),
        {"guide": c_guide, "user": c_user, "union": c_union, "way": c_way.astype(object)},
    )
    # WeCom hands contact events over as a JSON Lines export.
    writer.daily(
        "wecom",
        "contact_events",
        pl.DataFrame(
            {
                "event_id": ids("CE", seconds.size, 9, seq.take("CE", seconds.size)),
                "guide_id": events["guide"],
                "external_user_id": events["user"],
                "union_id": nullable(events["union"]),
                "event_type": events["event_type"],
                "add_way": nullable(np.where(events["event_type"] == "add", events["way"], None)),
                "occurred_at": timestamps(m.start, seconds),
            }
        ),
        "occurred_at",
        json_lines=True,
    )
    totals.contacts += int(c_time.size)


def community_stats(
    m: Master, rng: np.random.Generator, totals: Totals, writer: WorldWriter
) -> None:
    """WeCom's daily group-chat statistics: members at end of day, who spoke, messages."""
    members_eod = np.cumsum(totals.group_delta, axis=1)[:, : m.days]
    g_idx, g_day = np.nonzero(members_eod > 0)
    speakers = rng.binomial(members_eod[g_idx, g_day], 0.06)
    writer.daily(
        "wecom",
        "community_daily_stats",
        pl.DataFrame(
            {
                "group_id": m.group_ids[g_idx],
                "stat_date": pl.Series(np.datetime64(m.start) + g_day.astype("timedelta64[D]")),
                "member_count": members_eod[g_idx, g_day],
                "speaker_count": speakers,
                "message_count": speakers * rng.integers(1, 6, g_idx.size),
            }
        ).sort("stat_date", "group_id"),
        "stat_date",
    )
