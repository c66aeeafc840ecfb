"""The fault table (issue 14): every hostile-input and failure scenario the suite runs records
what the source sent, what the warehouse holds, what was lost, doubled or altered, and what
the user was told. Printed at the end of the session and written to
test-artifacts/faults.md; `make faults` runs just these scenarios. Recording asserts the
zeros, so a scenario that loses, doubles or alters anything fails its test and shows in the
table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACT = Path(__file__).resolve().parents[1] / "test-artifacts" / "faults.md"


@dataclass(frozen=True)
class FaultRow:
    scenario: str
    expected: int | None
    found: int | None
    lost: int
    doubled: int
    altered: int
    told: str

    def cells(self) -> list[str]:
        def number(value: int | None) -> str:
            return "–" if value is None else str(value)

        told = " ".join(self.told.split())
        return [
            self.scenario,
            number(self.expected),
            number(self.found),
            str(self.lost),
            str(self.doubled),
            str(self.altered),
            told[:110] + ("…" if len(told) > 110 else ""),
        ]


ROWS: list[FaultRow] = []
HEADER = ["scenario", "rows expected", "rows found", "lost", "doubled", "altered", "told"]


def record(
    scenario: str,
    *,
    expected: int | None,
    found: int | None,
    doubled: int = 0,
    altered: int = 0,
    told: str,
) -> None:
    """Record one scenario's outcome, then require nothing lost, doubled or altered. ``found``
    counts rows kept anywhere they can be seen again: in the table, or in quarantine with
    their original text."""
    lost = max(0, (expected or 0) - (found or 0)) if expected is not None else 0
    ROWS.append(FaultRow(scenario, expected, found, lost, doubled, altered, told))
    assert (lost, doubled, altered) == (0, 0, 0), ROWS[-1]
    assert told, f"{scenario}: the user was told nothing"


@pytest.fixture()
def fault_table():
    return record


def markdown() -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in ROWS]
    return "\n".join(lines) + "\n"


def pytest_terminal_summary(terminalreporter) -> None:
    if not ROWS:
        return
    terminalreporter.section("fault table (issue 14)")
    terminalreporter.write(markdown())
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text("# Fault table\n\n" + markdown())
    terminalreporter.write_line(f"written to {ARTIFACT}")
