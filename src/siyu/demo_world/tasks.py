"""HQ's tasks to guides (SFE, a CSV drop per day): every month each brand dispatches a few
tasks to its guides (add friends, share a product, bring viewers to a live session, win back an
audience), each with a target per guide, a start and a deadline. Guides differ in how much of
a target they do; some finish after the deadline."""

from __future__ import annotations

import numpy as np
import polars as pl

from siyu.demo_world.common import SECONDS_PER_DAY, Sequences, ids, nullable, timestamps
from siyu.demo_world.master import Master
from siyu.demo_world.writer import WorldWriter

TASK_TYPES = np.array(["add_friends", "share_product", "live_viewers", "winback"])
TITLES = {
    "add_friends": "加好友冲刺 Add friends",
    "share_product": "新品分享 Share the new product",
    "live_viewers": "直播引流 Bring viewers to the live session",
    "winback": "沉睡唤醒 Win back sleeping members",
}
TARGETS = {
    "add_friends": (5, 20),
    "share_product": (10, 30),
    "live_viewers": (5, 15),
    "winback": (5, 10),
}
DAYS_TO_DO = {"add_friends": 14, "share_product": 7, "live_viewers": 5, "winback": 21}


def _plan(m: Master, rng: np.random.Generator) -> pl.DataFrame:
    """Two tasks per brand every 30 days, of two random kinds; a live task is tied to the
    brand's next live session and due at its start."""
    rows = []
    for month_start in range(0, m.days, 30):
        for brand in m.brand_ids:
            for kind in rng.choice(TASK_TYPES, 2, replace=False):
                start = month_start + int(rng.integers(0, 10))
                due = start + DAYS_TO_DO[str(kind)]
                session = None
                if kind == "live_viewers":
                    ahead = np.flatnonzero(
                        (m.session_brand == brand) & (m.session_day >= start + 3)
                    )
                    if ahead.size == 0:
                        continue
                    session = int(ahead[np.argmin(m.session_day[ahead])])
                    due = int(m.session_day[session])
                low, high = TARGETS[str(kind)]
                rows.append(
                    (int(brand), str(kind), start, due, session, int(rng.integers(low, high + 1)))
                )
    plan = pl.DataFrame(
        rows,
        schema=["brand_id", "task_type", "start_day", "due_day", "session", "target"],
        orient="row",
    )
    return plan.filter(pl.col("start_day") < m.days).with_row_index("task")


def tasks(m: Master, rng: np.random.Generator, seq: Sequences, writer: WorldWriter) -> None:
    """Tasks, their assignments to the brand's guides still in post, and completions."""
    plan = _plan(m, rng)
    n = plan.height
    task_ids = ids("TK", n, 6, seq.take("TK", n))
    start = plan["start_day"].to_numpy() * SECONDS_PER_DAY + 9 * 3600
    due = plan["due_day"].to_numpy() * SECONDS_PER_DAY + 20 * 3600
    kind = plan["task_type"].to_numpy()
    brand = plan["brand_id"].to_numpy()
    sku = np.where(kind == "share_product", m.pick_skus(rng, brand)[0], -1)
    session = plan["session"].fill_null(-1).to_numpy()
    writer.daily(
        "tasks",
        "tasks",
        pl.DataFrame(
            {
                "task_id": task_ids,
                "brand_id": brand,
                "task_type": kind,
                "title": [TITLES[k] for k in kind],
                "sku_id": nullable(np.where(sku >= 0, m.sku_codes[np.maximum(sku, 0)], None)),
                "session_id": nullable(
                    np.where(session >= 0, m.session_ids[np.maximum(session, 0)], None)
                ),
                "target_per_guide": plan["target"].to_numpy(),
                "starts_at": timestamps(m.start, start),
                "due_at": timestamps(m.start, due),
                "published_at": timestamps(m.start, start - 3600),
            }
        ),
        "published_at",
    )
    _assignments_and_completions(m, rng, seq, writer, task_ids, brand, start, due, plan)


def _assignments_and_completions(
    m: Master,
    rng: np.random.Generator,
    seq: Sequences,
    writer: WorldWriter,
    task_ids: np.ndarray,
    brand: np.ndarray,
    start: np.ndarray,
    due: np.ndarray,
    plan: pl.DataFrame,
) -> None:
    """Every guide of the brand in post at the start gets the task; a guide's effort is their
    habit times a draw; a fifth of the work is done in the week after the deadline."""
    counts = m.guides_of_brand.count[brand]
    a_task = np.repeat(np.arange(brand.size), counts)
    offsets = np.arange(a_task.size) - np.repeat(np.cumsum(counts) - counts, counts)
    a_guide = m.guides_of_brand.values[m.guides_of_brand.first[brand[a_task]] + offsets]
    leaves = m.leave_at[a_guide]
    in_post = (leaves < 0) | (leaves > start[a_task])
    a_task, a_guide = a_task[in_post], a_guide[in_post]
    target = plan["target"].to_numpy()[a_task]
    writer.daily(
        "tasks",
        "task_assignments",
        pl.DataFrame(
            {
                "task_id": task_ids[a_task],
                "guide_id": a_guide,
                "target": target,
                "assigned_at": timestamps(m.start, start[a_task]),
            }
        ),
        "assigned_at",
    )
    habit = rng.beta(2.0, 1.5, m.leave_at.size) * 1.4
    done = rng.binomial(target, np.minimum(habit[a_guide], 1.0)) + rng.binomial(
        target, np.maximum(habit[a_guide] - 1.0, 0.0)
    )
    c_assignment = np.repeat(np.arange(a_task.size), done)
    c_task, c_guide = a_task[c_assignment], a_guide[c_assignment]
    span = due[c_task] - start[c_task]
    late = rng.random(c_task.size) < 0.2
    at = start[c_task] + (rng.random(c_task.size) * span).astype(np.int64)
    at = np.where(late, due[c_task] + rng.integers(60, 7 * SECONDS_PER_DAY, c_task.size), at)
    leaves = m.leave_at[c_guide]
    keep = (at < m.horizon) & ((leaves < 0) | (at < leaves))
    c_task, c_guide, at = c_task[keep], c_guide[keep], at[keep]
    order = np.lexsort((c_guide, c_task, at))
    c_task, c_guide, at = c_task[order], c_guide[order], at[order]
    reached = rng.random(at.size) < 0.7
    writer.daily(
        "tasks",
        "task_completions",
        pl.DataFrame(
            {
                "completion_id": ids("TC", at.size, 9, seq.take("TC", at.size)),
                "task_id": task_ids[c_task],
                "guide_id": c_guide,
                "external_user_id": nullable(
                    np.where(
                        reached,
                        np.char.add("wt_", rng.integers(1, 10**9, at.size).astype(str)),
                        None,
                    )
                ),
                "completed_at": timestamps(m.start, at),
            }
        ),
        "completed_at",
    )
