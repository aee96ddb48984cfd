"""Run every benchmark, print one table of targets (met / not met), write results/latest.md.

Why one entry point: the figures only mean something side by side with their baselines and
the machine they ran on, so the report records the command, the host load and the versions
next to every table. ``--quick`` is a short smoke run (fewer sizes and repeats), not a
measurement to quote.

Usage: ``python bench/run_all.py [--quick] [--only diagnose,parse,fleet,hub,startup] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/run_all.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import (
    bench_diagnose,
    bench_fleet,
    bench_parse,
    bench_snapshot,
    bench_startup,
    bench_watch,
)
from bench.common import Section, Target, targets_table

BENCHES: dict[str, Callable[[bool], Section]] = {
    "diagnose": bench_diagnose.run,
    "parse": bench_parse.run,
    "fleet": bench_fleet.run,
    "hub": bench_snapshot.run,
    "startup": bench_startup.run,
    "watch": bench_watch.run,
}
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.md"


def environment() -> str:
    """Versions and load: a ratio is comparable across runs, an absolute time is not."""
    import netmiko
    import paramiko
    import textfsm

    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?", "?", "?")
    return (
        f"python {platform.python_version()}, netmiko {netmiko.__version__}, paramiko "
        f"{paramiko.__version__}, textfsm {getattr(textfsm, '__version__', '?')}, "
        f"{os.cpu_count()} CPUs, load average at start {load[0]:.2f} / {load[1]:.2f} / "
        f"{load[2]:.2f} (1/5/15 min)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short version (smoke, ~2 min)")
    parser.add_argument(
        "--only", default="", help="comma-separated subset of: " + ", ".join(BENCHES)
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown report path")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(BENCHES)
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    command = "python bench/run_all.py" + (" --quick" if args.quick else "")
    if args.only:
        command += f" --only {args.only}"
    env = environment()
    started = time.perf_counter()
    sections: list[Section] = []
    for name in chosen:
        print(f"== {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        sections.append(BENCHES[name](args.quick))
        print(f"== {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started

    targets: list[Target] = [t for s in sections for t in s.targets]
    summary = targets_table(targets)
    missed = [t for t in targets if t.met is False]
    verdict = "all targets met" if not missed else f"{len(missed)} target(s) NOT met"

    when = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    report = [
        "# vpn-doctor benchmarks",
        "",
        f"- command: `{command}`",
        f"- run at {when}, {elapsed:.0f} s, {env}",
        "- machine shared with other test runs: compare the ratios (same run, interleaved), "
        "not the absolute seconds",
        "",
        "## Targets",
        "",
        summary,
        "",
        f"**{verdict}**",
        "",
        *(s.markdown() for s in sections),
    ]
    text = "\n".join(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"\n{verdict}; written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
