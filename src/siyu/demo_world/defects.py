"""Defects real sources deliver, injected into a generated world at configurable rates.

Each kind is counted (with the files it touched) in the world's manifest, so tests can prove
where every one ends up: re-delivered duplicates (deduplicated in staging), malformed phones
(no phone hash in staging), zero amounts (loaded: GMV 0), negative amounts, unknown guide ids
and a rate-book value outside its list (quarantined rows), POS files in GBK with a BOM
(decoded), an undeclared column one day (set aside, noted), a required column missing (file
rejected whole), a truncated last line (quarantined row).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class DefectRates:
    duplicate_files: float = 0.05  # order / contact files re-delivering rows of the day before
    duplicate_rows_per_file: int = 3
    malformed_phones: float = 0.002  # of member rows
    non_positive_amounts: float = 0.001  # of POS receipt lines and mall order lines
    unknown_guide_ids: float = 0.001  # of WeCom contact adds and transfers
    gbk_files: float = 0.05  # of POS receipt files, written in GBK with a BOM
    extra_column_files: int = 1  # POS receipt files with an undeclared column
    missing_column_files: int = 1  # live boost files without a required column
    truncated_files: float = 0.02  # of POS receipt-line files, last line cut off
    unlisted_rule_values: int = 1  # rows of HQ's rate book with the channel typed in Chinese


def _read(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file or a JSON Lines export, as text."""
    text = path.read_text(encoding=encoding)
    if path.suffix == ".jsonl":
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        header = list(records[0]) if records else []
        return header, [["" if r.get(k) is None else str(r[k]) for k in header] for r in records]
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    if path.suffix == ".jsonl":
        lines = [
            json.dumps(
                {k: (v or None) for k, v in zip(header, row, strict=True)}, ensure_ascii=False
            )
            for row in rows
        ]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _files(out: Path, source: str, entity: str) -> list[Path]:
    folder = out / source / entity
    return sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")])


Rng = np.random.Generator


class _Injected:
    """What was injected, per defect kind: how many, in which files (relative to ``out``)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.kinds: dict[str, dict] = {}

    def note(self, kind: str, path: Path, count: int = 1) -> None:
        entry = self.kinds.setdefault(kind, {"count": 0, "files": []})
        entry["count"] += count
        relative = str(path.relative_to(self.out))
        if relative not in entry["files"]:
            entry["files"].append(relative)


def malformed_phones(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """Malformed phones typed at registration."""
    for path in _files(out, "mall", "members"):
        header, rows = _read(path)
        phone = header.index("phone")
        hit = 0
        for row in rows:
            if row[phone] and rng.random() < rates.malformed_phones:
                row[phone] = (
                    row[phone][:7] if rng.random() < 0.5 else row[phone][:5] + "O0" + row[phone][7:]
                )
                hit += 1
        if hit:
            _write(path, header, rows)
            injected.note("malformed_phones", path, hit)


def non_positive_amounts(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """Zero amounts (a line paid by a coupon, a gift: loaded as GMV 0) and negative ones
    (quarantined); never on a refunded mall line, whose refund would dangle."""
    refunded = {row[1] for path in _files(out, "mall", "refunds") for row in _read(path)[1]}
    for source, entity, key in (
        ("pos", "receipt_lines", "receipt_line_id"),
        ("mall", "order_lines", "order_line_id"),
    ):
        for path in _files(out, source, entity):
            header, rows = _read(path)
            amount, ident = header.index("paid_amount"), header.index(key)
            zero = negative = 0
            for row in rows:
                if row[ident] not in refunded and rng.random() < rates.non_positive_amounts:
                    if rng.random() < 0.5:
                        row[amount], zero = "0.00", zero + 1
                    else:
                        row[amount], negative = f"-{row[amount]}", negative + 1
            if zero or negative:
                _write(path, header, rows)
            if zero:
                injected.note("zero_amounts", path, zero)
            if negative:
                injected.note("negative_amounts", path, negative)


def unknown_guide_ids(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """Contacts added under, or transferred to, a guide id master data does not know."""
    for entity, column in (
        ("contact_events", "guide_id"),
        ("contact_transfers", "takeover_guide_id"),
    ):
        for path in _files(out, "wecom", entity):
            header, rows = _read(path)
            guide = header.index(column)
            kind = header.index("event_type") if "event_type" in header else None
            hit = 0
            for row in rows:
                if (kind is None or row[kind] == "add") and rng.random() < rates.unknown_guide_ids:
                    row[guide] = "999999"
                    hit += 1
            if hit:
                _write(path, header, rows)
                injected.note("unknown_guide_ids", path, hit)


def gbk_and_drifted_files(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """POS receipt files from Windows tills: GBK with a BOM; one day an undeclared column."""
    receipt_files = _files(out, "pos", "receipts")
    gbk = [p for p in receipt_files if rng.random() < rates.gbk_files]
    drift = [p for p in receipt_files if p not in gbk][: rates.extra_column_files]
    for path in drift:
        header, rows = _read(path)
        _write(path, [*header, "remark"], [[*row, "会员日"] for row in rows])
        injected.note("extra_column_files", path)
        gbk.append(path)
    for path in sorted(gbk):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_text(encoding="utf-8").encode("gbk"))
        injected.note("gbk_bom_files", path)


def missing_column_files(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """A boost file exported without a required column: unusable as a whole."""
    count = rates.missing_column_files
    for path in _files(out, "live", "boosts")[-count:] if count else []:
        header, rows = _read(path)
        drop = header.index("boost_points")
        _write(
            path,
            [h for i, h in enumerate(header) if i != drop],
            [[v for i, v in enumerate(row) if i != drop] for row in rows],
        )
        injected.note("missing_column_files", path)
        injected.kinds["missing_column_files"].setdefault("rows", 0)
        injected.kinds["missing_column_files"]["rows"] += len(rows)


def truncated_lines(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """A write cut off mid-line."""
    for path in _files(out, "pos", "receipt_lines"):
        if rng.random() < rates.truncated_files:
            text = path.read_text(encoding="utf-8").rstrip("\n")
            last = text.rfind("\n")
            if last > 0 and len(text) - last > 10:
                path.write_text(text[: last + (len(text) - last) // 2], encoding="utf-8")
                injected.note("truncated_lines", path)


def duplicate_rows(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """Re-delivered records (last, from clean rows): a few rows of a day arrive again in the
    next day's file."""
    for source, entity in (
        ("mall", "orders"),
        ("wecom", "contact_events"),
        ("wecom", "contact_transfers"),
    ):
        files = _files(out, source, entity)
        for earlier, later in zip(files, files[1:], strict=False):
            if rng.random() >= rates.duplicate_files:
                continue
            _, rows = _read(earlier)
            header, later_rows = _read(later)
            # clean rows only: a damaged row re-delivered would be counted twice
            again = [r for r in rows if "999999" not in r][: rates.duplicate_rows_per_file]
            _write(later, header, later_rows + again)
            injected.note("duplicate_rows", later, len(again))


def unlisted_rule_values(
    out: Path, rng: np.random.Generator, rates: DefectRates, injected: _Injected
) -> None:
    """HQ's rate book edited by hand: an extra row in its latest delivery spells the channel
    线上 ("online") instead of one of the values the rate book allows."""
    files = _files(out, "rules", "commission_rates")
    if not files or not rates.unlisted_rule_values:
        return
    header, rows = _read(files[-1])
    typos = []
    for row in rows[: rates.unlisted_rule_values]:
        typo = list(row)
        typo[header.index("rule_id")] += "-typo"
        typo[header.index("channel")] = "线上"
        typos.append(typo)
    _write(files[-1], header, rows + typos)
    injected.note("unlisted_rule_values", files[-1], len(typos))


# In this order: each kind draws from one random stream after the one before.
DEFECT_KINDS = (
    malformed_phones,
    non_positive_amounts,
    unknown_guide_ids,
    gbk_and_drifted_files,
    missing_column_files,
    truncated_lines,
    duplicate_rows,
    unlisted_rule_values,
)


def inject_defects(out: Path, seed: int, rates: DefectRates) -> dict:
    """Damage the world under ``out`` in place; return what was done, per defect kind."""
    rng = np.random.default_rng([seed, 2])
    injected = _Injected(out)
    for kind in DEFECT_KINDS:
        kind(out, rng, rates, injected)
    return {"rates": asdict(rates), "injected": injected.kinds}
