"""Fleet check: 10 / 50 / 200 mock ASAs at 100 ms per command, vs the sequential time.

Why: `vpn-doctor check --inventory` runs from cron over hundreds of firewalls; what matters
is the wall time of the whole sweep and whether concurrency really overlaps the per-device
waiting (SSH round trips, the device's own slowness) instead of serialising somewhere
(GIL-bound parsing, a lock, a too-small pool).

What runs per device is the code `check` runs: :func:`vpn_doctor.health.check_host`
(connect, collect, parse, judge) under :func:`vpn_doctor.health.run_checks` (the deadline-
aware worker pool), with the CLI's default worker count when ``vpn-doctor check`` exposes
one. If health.py is missing, an equivalent thread pool of driver + collect + parse +
diagnose per device is used instead, and the report says so.

Baseline in the same run: the single-device time (one host checked alone, same fleet,
interleaved with the fleet runs); sequential = N x single. The fleet runs in a child
process (bench/fleet_server.py) so the mock's SSH servers do not share our GIL.

Run alone: ``python bench/bench_fleet.py [--quick]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

if __package__ in (None, ""):  # run as `python bench/bench_fleet.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Section, Target, median, spread, table, targets_table

REPO = Path(__file__).resolve().parents[1]
DELAY_MS = 100
FULL_SIZES = (10, 50, 200)
QUICK_SIZES = (10, 50)
TARGET_SECONDS_200 = 30.0
FALLBACK_WORKERS = 20  # used only when `vpn-doctor check` does not expose a default
_PW_ENV = "VPN_DOCTOR_BENCH_FLEET_PASSWORD"
_SECRET_ENV = "VPN_DOCTOR_BENCH_FLEET_SECRET"
_START_TIMEOUT = 120.0


class FleetProcess:
    """``with FleetProcess(200, 100) as fleet:`` a MockFleet in a child process."""

    def __init__(self, count: int, delay_ms: int) -> None:
        self.count = count
        self.delay_ms = delay_ms
        self.info: dict[str, Any] = {}
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> FleetProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.fleet_server", str(self.count), str(self.delay_ms)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line: list[str] = []
        assert self._proc.stdout is not None
        reader = threading.Thread(
            target=lambda: line.append(self._proc.stdout.readline() if self._proc else ""),
            daemon=True,
        )
        reader.start()
        reader.join(_START_TIMEOUT)
        if not line or not line[0].strip():
            self.__exit__(None, None, None)
            raise RuntimeError(f"mock fleet of {self.count} did not start in {_START_TIMEOUT} s")
        self.info = json.loads(line[0])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()  # our own child, by its handle
            proc.wait(timeout=10)

    @property
    def ports(self) -> list[int]:
        return list(self.info["ports"])


def default_workers() -> tuple[int, str]:
    """The worker count `vpn-doctor check` uses by default, and where it came from."""
    try:
        from vpn_doctor.cli import build_parser

        with contextlib.redirect_stderr(io.StringIO()):  # argparse's "invalid choice" noise
            args = build_parser().parse_args(["check", "--inventory", "bench-inventory.yaml"])
        workers = getattr(args, "workers", None)
        if isinstance(workers, int) and workers > 0:
            return workers, "`vpn-doctor check` default (--workers)"
    except (SystemExit, Exception):  # argparse exits on an unknown sub-command
        pass
    return FALLBACK_WORKERS, f"fallback {FALLBACK_WORKERS} (`vpn-doctor check` has no default yet)"


@dataclass
class SweepResult:
    wall: float
    statuses: Counter[str]
    durations: list[float]


Sweep = Callable[[Sequence[int]], SweepResult]


def health_sweep(fleet: FleetProcess, workers: int) -> tuple[Sweep, str]:
    """The code path of `vpn-doctor check`: health.run_checks over health.check_host."""
    from vpn_doctor import health
    from vpn_doctor.inventory import CredentialRefs, InventoryHost

    environ = {_PW_ENV: fleet.info["password"], _SECRET_ENV: fleet.info["secret"]}
    options = health.CheckOptions(environ=environ)
    refs = CredentialRefs(password_env=_PW_ENV, secret_env=_SECRET_ENV)

    def sweep(ports: Sequence[int]) -> SweepResult:
        hosts = [
            InventoryHost(
                name=f"fw{i:03d}",
                hostname="127.0.0.1",
                port=port,
                username=fleet.info["username"],
                platform="cisco_asa",
                credentials=refs,
            )
            for i, port in enumerate(ports)
        ]
        start = time.perf_counter()
        results = health.run_checks(
            hosts,
            lambda host: health.check_host(host, options),
            workers=workers,
            deadline=options.deadline,
        )
        wall = time.perf_counter() - start
        statuses = Counter(
            f"{r.status}/{health.STATE_NAMES.get(r.nagios, r.nagios)}" for r in results
        )
        return SweepResult(wall, statuses, [r.duration for r in results])

    return sweep, "vpn_doctor.health.run_checks + check_host (what `check` runs)"


def pool_sweep(fleet: FleetProcess, workers: int) -> tuple[Sweep, str]:
    """Equivalent when health.py is missing: a thread pool of driver+collect+parse+diagnose."""
    from vpn_doctor.collect import collect
    from vpn_doctor.driver import AsaSession, ConnectionSettings
    from vpn_doctor.engine import diagnose
    from vpn_doctor.parsing import parse_snapshot

    def one(port: int) -> tuple[str, float]:
        start = time.perf_counter()
        settings = ConnectionSettings(
            host="127.0.0.1",
            port=port,
            username=fleet.info["username"],
            password=fleet.info["password"],
            secret=fleet.info["secret"],
        )
        try:
            with AsaSession(settings) as session:
                snapshot = collect(session)
            code = diagnose(parse_snapshot(snapshot)).exit_code()
            status = f"ok/exit {code}"
        except Exception as exc:  # one device's failure is data
            status = type(exc).__name__
        return status, time.perf_counter() - start

    def sweep(ports: Sequence[int]) -> SweepResult:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(one, ports))
        wall = time.perf_counter() - start
        return SweepResult(wall, Counter(s for s, _ in done), [d for _, d in done])

    return sweep, "thread pool of AsaSession + collect + parse_snapshot + diagnose (equivalent)"


def run(quick: bool = False) -> Section:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    repeat = 2 if quick else 3
    workers, workers_from = default_workers()
    section = Section(
        title=f"3. Fleet check at {DELAY_MS} ms per command (vs N x one device, same run)",
        command="python bench/bench_fleet.py" + (" --quick" if quick else ""),
    )
    rows = []
    with FleetProcess(max(sizes), DELAY_MS) as fleet:
        try:
            sweep, what = health_sweep(fleet, workers)
        except ImportError:
            sweep, what = pool_sweep(fleet, workers)
        section.notes.append(f"Per device: {what}; workers: {workers} ({workers_from}).")
        sweep(fleet.ports[:1])  # warm-up: imports, first key exchange
        for size in sizes:
            singles: list[float] = []
            walls: list[float] = []
            statuses: Counter[str] = Counter()
            durations: list[float] = []
            for _ in range(repeat):  # interleaved: one device alone, then the sweep
                singles.append(sweep(fleet.ports[:1]).wall)
                result = sweep(fleet.ports[:size])
                walls.append(result.wall)
                statuses = result.statuses
                durations = result.durations
            single, wall = median(singles), median(walls)
            sequential = size * single
            ideal = math.ceil(size / workers) * single
            rows.append(
                (
                    size,
                    f"{wall:.2f} ({spread(walls)})",
                    f"{single:.3f} ({spread(singles)})",
                    f"{sequential:.1f}",
                    f"{sequential / wall:.1f}x",
                    f"{wall / size * 1000:.0f}",
                    f"{ideal:.1f}",
                    f"{wall / ideal:.2f}x",
                    f"{median(durations):.2f} / {max(durations):.2f}",
                    ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
                )
            )
            if size == 200:
                section.targets.append(
                    Target(
                        "fleet",
                        f"200 devices, {DELAY_MS} ms/command, {workers} workers",
                        f"< {TARGET_SECONDS_200:.0f} s",
                        f"{wall:.1f} s (sequential {sequential:.0f} s)",
                        wall < TARGET_SECONDS_200,
                    )
                )
            ok = all(k.startswith("ok") for k in statuses)
            section.targets.append(
                Target(
                    "fleet",
                    f"{size} devices: every device checked OK",
                    "all ok",
                    ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
                    ok,
                )
            )
    section.tables.append(
        table(
            [
                "devices",
                "wall s (min-max)",
                "one device s (min-max)",
                "sequential s (N x one)",
                "speed-up",
                "wall per device ms",
                "ideal s (ceil(N/W) x one)",
                "wall / ideal",
                "per-device s median / max (under load)",
                "statuses",
            ],
            rows,
        )
    )
    section.notes += [
        f"Median of {repeat} sweeps per size, each preceded by a one-device run (the baseline), "
        "against one MockFleet of healthy devices in a child process (bench/fleet_server.py).",
        "ideal = ceil(N / workers) x one-device time: perfect overlap with this pool size; "
        "wall / ideal above 1 is the cost of contention (2 shared cores run both the "
        "client threads and the mock's pure-Python SSH servers).",
    ]
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 and 50 devices, 2 sweeps each")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    section = run(quick=args.quick)
    print(section.markdown())
    print(targets_table(section.targets))


if __name__ == "__main__":
    main()
