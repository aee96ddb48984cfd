"""Shared helpers for the benchmarks: interleaved timing, target rows, markdown output.

Why interleaving: the benchmark machine is shared (2 cores, other engineers running tests),
so absolute times drift by tens of percent between minutes. Every comparison here runs ours
and the baseline round-robin in the same loop (A B A B ...) and reports the ratio of the
medians; drift then hits both sides alike.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Whole processes run as an installed tool runs: with bytecode caches. Some shells (this
# sandbox among them) export PYTHONDONTWRITEBYTECODE=1, which makes every child process
# compile vpn-doctor's ~90 modules from source (0.13 s a run, about a quarter of a live
# `diagnose --peer` at 0 ms); pip-installed packages (netmiko, paramiko) ship compiled,
# so that setting handicaps only the editable project. The warm-up runs write the caches.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

Timed = Callable[[], object]


def measure(func: Timed) -> float:
    """Seconds one call of ``func`` takes (perf_counter; GC collected first, not during)."""
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def interleaved(runs: dict[str, Timed], repeat: int, warmup: int = 1) -> dict[str, list[float]]:
    """Run every callable ``repeat`` times, round-robin, rotating the start; seconds per name.

    Rotating who goes first each round cancels "the first one in a round pays for the cache
    or the scheduler" bias. ``warmup`` rounds are run and thrown away (imports, template
    compilation, first SSH key exchange).
    """
    names = list(runs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(warmup + repeat):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            seconds = measure(runs[name])
            if round_index >= warmup:
                times[name].append(seconds)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    """'min-max' of a sample: the reader can see how noisy the median is."""
    if not values:
        return "-"
    return f"{min(values):.3f}-{max(values):.3f}"


@dataclass
class Target:
    """One target line of the final table: what was asked, what was measured, met or not."""

    section: str
    name: str
    target: str
    measured: str
    met: bool | None  # None: informational, no target

    @property
    def verdict(self) -> str:
        if self.met is None:
            return "info"
        return "met" if self.met else "NOT MET"


@dataclass
class Section:
    """A benchmark's output: markdown tables (detail) plus target rows (summary)."""

    title: str
    command: str
    tables: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def markdown(self) -> str:
        parts = [f"## {self.title}", "", f"`{self.command}`", ""]
        for table in self.tables:
            parts += [table, ""]
        parts += [f"- {note}" for note in self.notes]
        return "\n".join(parts).rstrip() + "\n"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub markdown table (also readable as plain text in a terminal)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), sep, *(line(r) for r in cells[1:])])


def targets_table(targets: Sequence[Target]) -> str:
    return table(
        ["section", "measure", "target", "measured", "verdict"],
        [(t.section, t.name, t.target, t.measured, t.verdict) for t in targets],
    )


# ---- generated device outputs (mock_device/render.py) -------------------------------------


@lru_cache(maxsize=8)
def rendered(tunnels: int) -> dict[str, str]:
    """`show crypto isakmp sa` / `ipsec sa` / `vpn-sessiondb detail l2l` for N healthy tunnels.

    Cached: rendering 5,000 tunnels takes ~0.5 s and every benchmark needs the same bytes.
    """
    from mock_device import render

    specs = render.parse_tunnel_specs(render.generate_specs(tunnels))
    return {
        "show crypto isakmp sa": render.render_isakmp_sa(specs),
        "show crypto ipsec sa": render.render_ipsec_sa(specs),
        "show vpn-sessiondb detail l2l": render.render_sessiondb_l2l(specs),
    }


def tunnel_specs(tunnels: int) -> list[dict[str, Any]]:
    """Raw tunnel specs for a scenario's ``tunnels:`` key (first peer is 203.0.113.1)."""
    from mock_device import render

    return render.generate_specs(tunnels)


def bench_scenario(tunnels: int, *, name: str = "bench", hostname: str = "fw-bench") -> Any:
    """An ad-hoc mock scenario with N healthy rendered tunnels (no YAML file needed)."""
    from mock_device import Scenario

    return Scenario.from_dict(
        {
            "name": f"{name}_{tunnels}",
            "description": f"{tunnels} healthy rendered tunnels (benchmark)",
            "hostname": hostname,
            "version": "9.16(4)",
            "tunnels": tunnel_specs(tunnels),
        }
    )


def section_main(doc: str, run: Callable[[bool], Section], quick_help: str) -> None:
    """``python bench/<one section>.py [--quick]``: run it, print its tables and targets."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    section = run(args.quick)
    print(section.markdown())
    print(targets_table(section.targets))
