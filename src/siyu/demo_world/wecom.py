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
    contact_adds: np.ndarray  # [guide id, day] WeCom contacts added
    contact_deletes: np.ndarray  # [guide id, day] contacts who deleted the guide
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


@dataclass
class Contacts:
    """The chunk's WeCom contacts: guide, external user, UnionID, when added, and whether the
    contact is still live at the window's end."""

    guide: np.ndarray
    user: np.ndarray
    union: np.ndarray
    added: np.ndarray
    live: np.ndarray


def contact_events(
    m: Master,
    chunk: Chunk,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> Contacts:
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
    np.add.at(totals.contact_adds, (c_guide, c_time // SECONDS_PER_DAY), 1)
    gone = np.flatnonzero(deleted)[d_keep]
    np.add.at(totals.contact_deletes, (c_guide[gone], d_time[d_keep] // SECONDS_PER_DAY), 1)
    live = np.ones(c_time.size, dtype=bool)
    live[np.flatnonzero(deleted)] = False  # deleted, in the window or after it
    return Contacts(c_guide, c_user, c_union, c_time, live)


def contact_transfers(
    m: Master, contacts: Contacts, rng: np.random.Generator, seq: Sequences, writer: WorldWriter
) -> None:
    """WeCom customer transfers of contacts that stay live: every contact of a guide who
    leaves goes to the colleague inheriting the guide's customers (resigned: taken over 24 h
    after the request, unless the colleague is at WeCom's customer limit), and a few contacts
    move on the job to a colleague of the store (the customer may refuse within 24 h). A
    transfer appears in the export once its result is final."""
    guide, added = contacts.guide, contacts.added
    leaves = m.leave_at[guide]
    resigned = contacts.live & (leaves >= 0) & (added < leaves)
    on_job = contacts.live & ~resigned & (leaves < 0) & (rng.random(guide.size) < 0.02)
    on_job &= m.guides_of_store.count[m.guide_store[guide - 1]] > 1
    r_idx, o_idx = np.flatnonzero(resigned), np.flatnonzero(on_job)
    o_from = added[o_idx] + SECONDS_PER_DAY
    requested = np.concatenate(
        [
            leaves[r_idx] + rng.integers(0, 2 * SECONDS_PER_DAY, r_idx.size),
            o_from + (rng.random(o_idx.size) * np.maximum(m.horizon - o_from, 0)).astype(np.int64),
        ]
    )
    o_store = m.guide_store[guide[o_idx] - 1]
    o_takeover = m.guides_of_store.pick(rng, o_store)
    o_takeover = np.where(
        o_takeover == guide[o_idx], m.guides_of_store.pick(rng, o_store), o_takeover
    )
    idx = np.concatenate([r_idx, o_idx])
    takeover = np.concatenate([m.successor[guide[r_idx]], o_takeover])
    kind = np.concatenate([np.full(r_idx.size, "resigned"), np.full(o_idx.size, "on_job")])
    roll = rng.random(idx.size)
    status = np.where(
        roll < 0.03,
        "limit_reached",
        np.where((kind == "on_job") & (roll < 0.15), "refused", "success"),
    )
    finished = requested + SECONDS_PER_DAY
    keep = (finished < m.horizon) & (takeover != guide[idx])
    idx, takeover, kind, status = idx[keep], takeover[keep], kind[keep], status[keep]
    requested, finished = requested[keep], finished[keep]
    writer.daily(
        "wecom",
        "contact_transfers",
        pl.DataFrame(
            {
                "transfer_id": ids("CT", idx.size, 9, seq.take("CT", idx.size)),
                "transfer_type": kind,
                "handover_guide_id": guide[idx],
                "takeover_guide_id": takeover,
                "external_user_id": contacts.user[idx],
                "union_id": nullable(contacts.union[idx]),
                "transfer_status": status,
                "requested_at": timestamps(m.start, requested),
                "taken_over_at": timestamps(m.start, finished),
                "finished_at": timestamps(m.start, finished),
            }
        )
        .with_columns(pl.when(pl.col("transfer_status") == "success").then(pl.col("taken_over_at")))
        .sort("finished_at", "transfer_id"),
        "finished_at",
        json_lines=True,
    )


def guide_service_stats(
    m: Master, rng: np.random.Generator, totals: Totals, writer: WorldWriter
) -> None:
    """WeCom's daily behaviour data per guide, for every day a guide has contacts and has not
    left: requests and new contacts, one-to-one chats (a few of the live contacts a day),
    messages, the share answered (each guide has a habit) and the mean minutes to the first
    answer, and customers who deleted the guide."""
    adds, deletes = totals.contact_adds[:, : m.days], totals.contact_deletes[:, : m.days]
    live = np.cumsum(adds - deletes, axis=1)
    day = np.arange(m.days)
    left_day = np.where(m.leave_at >= 0, m.leave_at // SECONDS_PER_DAY, m.days)
    g_idx, g_day = np.nonzero(((live > 0) | (adds > 0)) & (day[None, :] < left_day[:, None]))
    habit = rng.beta(8, 2, live.shape[0])
    speed = rng.gamma(2.0, 6.0, live.shape[0])
    chats = rng.binomial(np.maximum(live[g_idx, g_day], 0), 0.03)
    replied = rng.binomial(chats, habit[g_idx])
    minutes = np.round(rng.gamma(2.0, speed[g_idx] / 2.0) + 0.5, 2)
    new_contacts = adds[g_idx, g_day]
    writer.daily(
        "wecom",
        "guide_service_daily",
        pl.DataFrame(
            {
                "guide_id": g_idx,
                "stat_date": pl.Series(np.datetime64(m.start) + g_day.astype("timedelta64[D]")),
                "new_apply_cnt": new_contacts + rng.binomial(new_contacts, 0.1),
                "new_contact_cnt": new_contacts,
                "chat_cnt": chats,
                "message_cnt": chats + replied * rng.integers(1, 8, g_idx.size),
                "reply_percentage": pl.Series(
                    np.round(100.0 * replied / np.maximum(chats, 1), 2)
                ).set(pl.Series(chats == 0), None),
                "avg_reply_time": pl.Series(minutes).set(pl.Series(replied == 0), None),
                "negative_feedback_cnt": deletes[g_idx, g_day],
            }
        ).sort("stat_date", "guide_id"),
        "stat_date",
        json_lines=True,
    )


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
