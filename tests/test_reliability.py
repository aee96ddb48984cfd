"""The reliability suite (bench/reliability.py) at a small N: every fault family runs, and
the targets hold (0 everywhere; SIGKILL may leave debug on, but the next run reports it).
The full figures come from ``python bench/reliability.py`` (see the README)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import reliability

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_small_reliability_run_meets_the_targets() -> None:
    rows = reliability.run(captures=3, kills=1, truncations=0, seed=13)
    assert set(rows) == {
        "capture, random drop",
        "kill SIGINT",
        "kill SIGTERM",
        "kill SIGHUP",
        "kill SIGKILL",
    }
    assert all(row.runs for row in rows.values())
    assert reliability.failures(rows) == [], reliability.render(rows)
    assert rows["kill SIGKILL"].not_reported == 0
    # The kills land while the run is alive (a kill after the run ended tests nothing: a run
    # that finished exits 2, the verdict of mm_wait_msg6).
    kills = [row for name, row in rows.items() if name.startswith("kill")]
    assert any(note != "exit 2" for row in kills for note in row.notes), reliability.render(rows)


def test_gap_counter_counts_missing_numbered_lines() -> None:
    lines = [f"x seq={n:03d} y" for n in (98, 99, 100, 1, 3)]
    assert reliability.gaps(lines) == 1
