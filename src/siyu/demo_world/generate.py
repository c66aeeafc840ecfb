"""A deterministic demo source world: the files five sources and master data would deliver.

Layout written under OUT: ``<source>/<entity>/<YYYY-MM-DD>.csv`` for daily extracts and
``master/<entity>/<entity>.csv`` for master data. Timestamps are local Beijing time (the
sources' own convention), so business dates are their date part. Same seed, same bytes.

The world is made in three steps so that any size fits in memory: master data (brands,
stores, guides, products, live sessions, community groups: ``master.py``), then the members in
chunks of ``Scale.chunk_members`` (each chunk registers, buys, joins groups, orders in the mall,
at the till and in live rooms, is added on WeCom, is bound to a guide and claims coupons, with
its own random stream, appending its rows to the day files), then what spans all members
(walk-in receipts, shared store phones, live sessions and boosts, ad campaigns with their
reports and follows, targets, group and guide statistics, HQ's tasks to guides and its rule
book). ID sequences run across chunks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from siyu.demo_world.ads import ads
from siyu.demo_world.common import CNY_EVES, Sequences
from siyu.demo_world.coupons import coupons
from siyu.demo_world.defects import DefectRates, inject_defects
from siyu.demo_world.live import live_orders, live_sessions
from siyu.demo_world.mall import guide_bindings, mall_orders
from siyu.demo_world.master import Master, build_master
from siyu.demo_world.members import register_members, shared_phone_accounts
from siyu.demo_world.pos import member_receipts, walk_ins
from siyu.demo_world.presets import PRESETS, Scale
from siyu.demo_world.purchases import buy_till_you_die
from siyu.demo_world.rules import rule_book
from siyu.demo_world.targets import targets
from siyu.demo_world.tasks import tasks
from siyu.demo_world.wecom import (
    Totals,
    community_memberships,
    community_stats,
    contact_events,
    contact_transfers,
    guide_service_stats,
)
from siyu.demo_world.writer import WorldWriter

__all__ = ["CNY_EVES", "digest", "generate"]


def member_chunk(
    m: Master,
    lo: int,
    hi: int,
    rng: np.random.Generator,
    seq: Sequences,
    totals: Totals,
    writer: WorldWriter,
) -> None:
    """Members ``lo + 1`` .. ``hi`` and everything they do, appended to the day files (in
    this order: each part draws from the chunk's random stream after the one before)."""
    chunk = register_members(m, lo, hi, rng, seq, writer)
    purchases = buy_till_you_die(m, chunk, rng)
    groups = community_memberships(m, chunk, rng, seq, totals, writer)
    orders = mall_orders(m, chunk, purchases, groups, rng, seq, totals, writer)
    member_receipts(m, chunk, purchases, rng, seq, totals, writer)
    live_orders(m, chunk, purchases, rng, seq, totals, writer)
    contacts = contact_events(m, chunk, rng, seq, totals, writer)
    guide_bindings(m, chunk, rng, seq, writer)
    coupons(m, chunk, orders, rng, seq, writer)
    contact_transfers(m, contacts, rng, seq, writer)


def _spanning_all_members(
    m: Master, seed: int, seq: Sequences, totals: Totals, writer: WorldWriter
) -> None:
    """What spans all members, each part with its own random stream."""
    walk_ins(m, np.random.default_rng([seed, 11]), seq, totals, writer)
    shared_phone_accounts(m, np.random.default_rng([seed, 12]), seq, writer)
    live_sessions(m, np.random.default_rng([seed, 13]), seq, totals, writer)
    ads(m, np.random.default_rng([seed, 14]), seq, writer)
    targets(m, np.random.default_rng([seed, 15]), totals, writer)
    community_stats(m, np.random.default_rng([seed, 16]), totals, writer)
    guide_service_stats(m, np.random.default_rng([seed, 17]), totals, writer)
    tasks(m, np.random.default_rng([seed, 18]), seq, writer)
    rule_book(m, writer)


def _scale(scale: Scale | str) -> Scale:
    if isinstance(scale, Scale):
        return scale
    if scale not in PRESETS:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[scale]


def generate(
    scale: Scale | str,
    seed: int,
    out: Path,
    start: dt.date | None = None,
    days: int | None = None,
    defects: bool | DefectRates | None = None,
    chunk_members: int | None = None,
    progress: bool = False,
    members: int | None = None,
) -> dict:
    """Generate a world and write it under ``out`` (replacing what was there).

    ``defects``: None follows the preset (on in demo, off in tiny), True uses the default
    rates, False none, or the rates to use. ``chunk_members``: members per chunk (the preset's
    by default); ``progress``: draw a progress bar on stderr. ``members``: the preset cut to
    (or grown to) this many members, stores, guides and brands kept, to measure how cost
    grows with size.
    """
    scale = _scale(scale)
    if members is not None:
        if members < 1:
            raise ValueError(f"members must be at least 1, not {members}")
        scale = dataclasses.replace(scale, members=members)
    start, days = start or scale.start, days or scale.days
    chunk = max(1, chunk_members or scale.chunk_members)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    writer, seq = WorldWriter(out), Sequences()
    m = build_master(scale, start, days, np.random.default_rng(seed), writer)
    totals = Totals(
        buyers_per_session=np.zeros(m.session_ids.size, dtype=np.int64),
        group_delta=np.zeros((m.group_ids.size, days + 1), dtype=np.int64),
        contact_adds=np.zeros((m.leave_at.size, days + 1), dtype=np.int64),
        contact_deletes=np.zeros((m.leave_at.size, days + 1), dtype=np.int64),
    )
    bounds = [*range(0, scale.members, chunk), scale.members]
    with tqdm(
        total=scale.members,
        unit=" members",
        unit_scale=True,
        desc=f"generate {scale.name}",
        disable=not progress,
        mininterval=1.0,
    ) as bar:
        for index, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            member_chunk(m, lo, hi, np.random.default_rng([seed, 10, index]), seq, totals, writer)
            bar.update(hi - lo)
        bar.set_postfix_str("walk-ins, ads, live, targets, groups")
        _spanning_all_members(m, seed, seq, totals, writer)
        manifest = {
            "scale": asdict(scale) | {"start": start.isoformat(), "days": days},
            "seed": seed,
            "entities": dict(sorted(writer.manifest.items())),
        }
        if defects is None:
            defects = scale.defects
        if defects:
            bar.set_postfix_str("defects")
            rates = defects if isinstance(defects, DefectRates) else DefectRates()
            manifest["defects"] = inject_defects(out, seed, rates)
        bar.set_postfix_str("done")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return manifest


def digest(out: Path) -> str:
    """One hash over every file written, for byte-identity checks."""
    h = hashlib.sha256()
    for path in sorted(Path(out).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(out)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()
