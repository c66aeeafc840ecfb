"""Helpers every part of the demo world uses: ids, timestamps, names, phones, spans, picks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from siyu.demo_world.presets import GIVEN, SURNAMES

SECONDS_PER_DAY = 86_400
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Chinese New Year's Eve, per year: stores go quiet for a week from it.
CNY_EVES = {
    2024: dt.date(2024, 2, 9),
    2025: dt.date(2025, 1, 28),
    2026: dt.date(2026, 2, 16),
    2027: dt.date(2027, 2, 5),
}
CNY_STORE_TRAFFIC = 0.3  # share of the usual store purchases in that week


def seasonality(days: np.ndarray, start: dt.date, category: np.ndarray) -> np.ndarray:
    """Relative purchase intensity (max 1) per day offset and brand category."""
    dates = np.datetime64(start) + days.astype("timedelta64[D]")
    month = (dates.astype("datetime64[M]").astype(int) % 12) + 1
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    weight = np.full(days.shape, 0.55)
    down = category == "down_jacket"
    weight = np.where(down & np.isin(month, [10, 11, 12, 1]), 1.0, weight)
    weight = np.where(down & np.isin(month, [5, 6, 7, 8]), 0.2, weight)
    double11 = (month == 11) & (day_of_month >= 9) & (day_of_month <= 11)
    six18 = (month == 6) & (day_of_month >= 16) & (day_of_month <= 18)
    return np.where(double11 | six18, 1.0, weight * 0.6)


def cny_week(days: np.ndarray, start: dt.date) -> np.ndarray:
    """True for day offsets in the week from a Chinese New Year's Eve."""
    quiet = np.zeros(days.shape, dtype=bool)
    for eve in CNY_EVES.values():
        offset = (eve - start).days
        quiet |= (days >= offset) & (days < offset + 7)
    return quiet


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    given = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    return np.char.add(surname.astype(str), given.astype(str))


def ids(prefix: str, n: int, width: int = 8, first: int = 1) -> np.ndarray:
    """``prefix`` + zero-padded numbers ``first`` .. ``first + n - 1``."""
    if n == 0:
        return np.array([], dtype=str)
    return np.char.add(prefix, np.char.zfill(np.arange(first, first + n).astype(str), width))


def prefixed(prefix: str, numbers: np.ndarray, width: int = 10) -> np.ndarray:
    """``prefix`` + each of ``numbers`` zero-padded to ``width``."""
    if np.asarray(numbers).size == 0:
        return np.array([], dtype=str)
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width))


def timestamps(start: dt.date, seconds: np.ndarray) -> pl.Series:
    """Local timestamps (second precision) at ``seconds`` after midnight of ``start``."""
    base = dt.datetime.combine(start, dt.time())
    offsets = pl.Series(np.asarray(seconds, dtype=np.int64) * 1000).cast(pl.Duration("ms"))
    return (offsets + base).cast(pl.Datetime("ms"))


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random mainland mobile numbers (11 digits starting with 1)."""
    return prefixed("1", rng.integers(3_000_000_000, 9_999_999_999, n), 10)


def nullable(values: np.ndarray) -> pl.Series:
    """Strings with None where ``values`` holds None."""
    return pl.Series(values.tolist(), dtype=pl.String)


def span_events(
    at: np.ndarray,
    ends: np.ndarray,
    ended_at: np.ndarray,
    kinds: tuple[str, str],
    columns: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Events of spans (a contact added then deleted, a follow then an unfollow, ...): one
    event of ``kinds[0]`` per span at ``at``, one of ``kinds[1]`` at ``ended_at`` for the spans
    indexed by ``ends``; each with its span's ``columns``. Returns the columns and
    ``event_type``, and the seconds, in time order."""
    seconds = np.concatenate([at, ended_at])
    kind = np.concatenate([np.full(at.size, kinds[0]), np.full(ends.size, kinds[1])])
    order = np.argsort(seconds, kind="stable")
    events = {name: np.concatenate([v, v[ends]])[order] for name, v in columns.items()}
    return events | {"event_type": kind[order]}, seconds[order]


def lines_for(rng: np.random.Generator, count: int) -> np.ndarray:
    """Lines per order or receipt (1 to 3)."""
    return 1 + rng.binomial(2, 0.25, count)


@dataclass(frozen=True)
class Lookup:
    """The values of each key 1..K, for vectorised random picks of one value per key."""

    values: np.ndarray
    first: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray, n_keys: int) -> Lookup:
        order = np.argsort(keys, kind="stable")
        count = np.bincount(keys, minlength=n_keys + 1)
        first = np.concatenate([[0], np.cumsum(count)[:-1]])
        return cls(values[order], first, count)

    def pick(self, rng: np.random.Generator, keys: np.ndarray, missing: int = 0) -> np.ndarray:
        """One random value of each key in ``keys`` (``missing`` for a key without values)."""
        count = self.count[keys]
        index = self.first[keys] + (rng.random(keys.size) * count).astype(np.int64)
        if self.values.size == 0:
            return np.full(keys.size, missing, dtype=np.int64)
        return np.where(count > 0, self.values[np.minimum(index, self.values.size - 1)], missing)


class Sequences:
    """ID sequences that run on across member chunks."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, name: str, count: int) -> int:
        """The first of ``count`` new numbers (1-based) of sequence ``name``."""
        first = self._next.get(name, 1)
        self._next[name] = first + count
        return first
