"""Fleet check: 10 / 50 / 200 mock ASAs at 100 ms per command, vs the sequential time.

Why: `vpn-doctor check --inventory` runs from cron over hundreds of firewalls; what matters
is the wall time of the whole sweep and whether concurrency really overlaps the per-device
waiting (SSH round trips, the device's own slowness) instead of serialising somewhere
(GIL-bound parsing, a lock, a too-small pool).

What runs per device is the code `check` runs: :func:`vpn_doctor.fleet.check.check_host`
(connect, collect, parse, judge) under :func:`vpn_doctor.fleet.check.run_checks` (the deadline-
aware worker pool), with the CLI's default worker count when ``vpn-doctor check`` exposes
one. If health.py is missing, an equivalent thread pool of driver + collect + parse +
diagnose per device is used instead, and the report says so.

Baseline in the same run: the single-device time (one host checked alone, same fleet,
interleaved with the fleet runs); sequential = N x single. The fleet runs in a child
process (bench/fleet_server.py) so the mock's SSH servers do not share our GIL.

Run alone: ``python bench/bench_fleet.py [--quick]``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
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

from bench.common import Section, Target, median, section_main, spread, table

REPO = Path(__file__).resolve().parents[1]
DELAY_MS = 100
FULL_SIZES = (10, 50, 200, 1_000)
TARGET_IDEAL_RATIO = 1.3  # 1,000 devices: wall within 1.3x of the pool ideal (issue 19)
QUICK_SIZES = (10, 50)
TARGET_SECONDS_200 = 30.0
FALLBACK_WORKERS = 20  # used only when `vpn-doctor check` does not expose a default
_PW_ENV = "VPN_DOCTOR_BENCH_FLEET_PASSWORD"
_SECRET_ENV = "VPN_DOCTOR_BENCH_FLEET_SECRET"
_START_TIMEOUT = 120.0


class FleetProcess:
    """``with FleetProcess(200, 100) as fleet:`` a MockFleet in a child process."""

    def __init__(self, count: int, delay_ms: int, tunnels: int = 0) -> None:
        self.count = count
        self.delay_ms = delay_ms
        self.tunnels = tunnels  # 0: the `healthy` scenario; N: hubs of N rendered tunnels
        self.info: dict[str, Any] = {}
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> FleetProcess:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fleet_server",
                str(self.count),
                str(self.delay_ms),
                str(self.tunnels),
            ],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line: list[str] = []
        stdout = self._proc.stdout
        assert stdout is not None
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
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


def default_workers(hosts: int) -> tuple[int, str]:
    """The worker count `vpn-doctor check` uses by default for ``hosts``, and its source."""
    try:
        from vpn_doctor.cli.check import default_workers as check_default
    except ImportError:
        return FALLBACK_WORKERS, f"fallback {FALLBACK_WORKERS} (no `vpn-doctor check` default)"
    return check_default(hosts), "check's default (one per host, <= 16 per core, <= 64)"


@dataclass
class SweepResult:
    wall: float  # the whole sweep (for the CLI: the process, startup included)
    statuses: Counter[str]
    durations: list[float]  # per device, as the checker measured it


Sweep = Callable[[Sequence[int]], SweepResult]


def cli_available() -> bool:
    """True when `vpn-doctor check` is a real sub-command (not the placeholder)."""
    try:
        from vpn_doctor.cli import build_parser

        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(["check", "--inventory", "x.yaml"])
    except (SystemExit, Exception):
        return False
    return True


def write_inventory(path: Path, fleet: FleetProcess, ports: Sequence[int]) -> None:
    """A Nornir-style hosts file for ``ports``: secrets by environment variable only."""
    lines = []
    for i, port in enumerate(ports):
        lines += [
            f"fw{i:03d}:",
            "  hostname: 127.0.0.1",
            f"  port: {port}",
            f"  username: {fleet.info['username']}",
            "  platform: cisco_asa",
            "  data:",
            f"    password_env: {_PW_ENV}",
            f"    secret_env: {_SECRET_ENV}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# `python -c` prefix that loads the playbooks once before `check` starts its workers: what
# the proposed fix in health.run_checks would do (see bench/README.md, findings).
_PREWARM = (
    "import sys; from vpn_doctor.diagnose.engine import default_playbooks; default_playbooks(); "
    "from vpn_doctor.cli import main; sys.exit(main(sys.argv[1:]))"
)


# `vpn-doctor` as `python -c` (the cli package has no __main__; same as the console script).
_CLI = "import sys; from vpn_doctor.cli import main; sys.exit(main(sys.argv[1:]))"


def cli_sweep(fleet: FleetProcess, workdir: Path, prewarm: bool = False) -> tuple[Sweep, str]:
    """`vpn-doctor check --inventory FILE --format json` as its own process, default workers.

    ``prewarm`` loads the playbooks before the workers start (demonstrates the fix for the
    cold-cache stampede: every worker thread loading them at once).
    """
    env = {**os.environ, _PW_ENV: fleet.info["password"], _SECRET_ENV: fleet.info["secret"]}

    def sweep(ports: Sequence[int]) -> SweepResult:
        inventory = workdir / f"hosts-{len(ports)}.yaml"
        if not inventory.exists():
            write_inventory(inventory, fleet, ports)
        entry = ["-c", _PREWARM if prewarm else _CLI]
        argv = [sys.executable, *entry, "check", "--inventory", str(inventory)]
        start = time.perf_counter()
        proc = subprocess.run(
            [*argv, "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
        wall = time.perf_counter() - start
        try:
            devices = json.loads(proc.stdout)["devices"]
        except (ValueError, KeyError):
            raise RuntimeError(f"check exited {proc.returncode}: {proc.stderr[-500:]}") from None
        statuses = Counter(f"{d['status']}/{d['state']}" for d in devices)
        return SweepResult(wall, statuses, [float(d["duration_seconds"]) for d in devices])

    return sweep, "`vpn-doctor check --inventory FILE --format json` (own process, timed whole)"


def health_sweep(fleet: FleetProcess) -> tuple[Sweep, str]:
    """The code path of `vpn-doctor check`: health.run_checks over health.check_host."""
    from vpn_doctor.collect.credentials import CredentialSources
    from vpn_doctor.fleet import check as health
    from vpn_doctor.fleet.inventory import InventoryHost

    environ = {_PW_ENV: fleet.info["password"], _SECRET_ENV: fleet.info["secret"]}
    options = health.CheckOptions(environ=environ)
    refs = CredentialSources(password_env=_PW_ENV, secret_env=_SECRET_ENV)

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
            workers=default_workers(len(hosts))[0],
            deadline=options.deadline,
        )
        wall = time.perf_counter() - start
        statuses = Counter(
            f"{r.status}/{health.STATE_NAMES.get(r.nagios, r.nagios)}" for r in results
        )
        return SweepResult(wall, statuses, [r.duration for r in results])

    return sweep, "vpn_doctor.fleet.check.run_checks + check_host (what `check` runs)"


def pool_sweep(fleet: FleetProcess) -> tuple[Sweep, str]:
    """Equivalent when health.py is missing: a thread pool of driver+collect+parse+diagnose."""
    from vpn_doctor.collect.collector import collect
    from vpn_doctor.collect.driver import AsaSession, ConnectionSettings
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.parse.device import parse_snapshot

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
        with ThreadPoolExecutor(max_workers=default_workers(len(ports))[0]) as pool:
            done = list(pool.map(one, ports))
        wall = time.perf_counter() - start
        return SweepResult(wall, Counter(s for s, _ in done), [d for _, d in done])

    return sweep, "thread pool of AsaSession + collect + parse_snapshot + diagnose (equivalent)"


def _choose(fleet: FleetProcess, workdir: Path) -> tuple[Sweep, str]:
    """The real command when it exists, else the health API, else an equivalent pool."""
    if cli_available():
        return cli_sweep(fleet, workdir)
    try:
        return health_sweep(fleet)
    except ImportError:
        return pool_sweep(fleet)


def run(quick: bool = False) -> Section:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    repeat = 2 if quick else 3
    section = Section(
        title=f"3. Fleet check at {DELAY_MS} ms per command (vs N x one device, same run)",
        command="python bench/bench_fleet.py" + (" --quick" if quick else ""),
    )
    rows = []
    with FleetProcess(max(sizes), DELAY_MS) as fleet, tempfile.TemporaryDirectory() as tmp:
        sweep, what = _choose(fleet, Path(tmp))
        section.notes.append(f"Per sweep: {what}; workers: {default_workers(max(sizes))[1]}.")
        sweep(fleet.ports[:1])  # warm-up: first process start, first key exchange
        for size in sizes:
            workers = default_workers(size)[0]
            one_device: list[float] = []
            one_wall: list[float] = []
            walls: list[float] = []
            statuses: Counter[str] = Counter()
            durations: list[float] = []
            for _ in range(1 if size >= 500 else repeat):  # one device alone, then the sweep
                alone = sweep(fleet.ports[:1])
                one_device.append(alone.durations[0])
                one_wall.append(alone.wall)
                result = sweep(fleet.ports[:size])
                walls.append(result.wall)
                statuses = result.statuses
                durations = result.durations
            single, wall = median(one_device), median(walls)
            startup = max(0.0, median(one_wall) - single)  # process start, inventory, report
            sequential = size * single
            ideal = startup + math.ceil(size / workers) * single
            rows.append(
                (
                    size,
                    workers,
                    f"{wall:.2f} ({spread(walls)})",
                    f"{single:.3f} ({spread(one_device)})",
                    f"{startup:.2f}",
                    f"{sequential:.1f}",
                    f"{sequential / wall:.1f}x",
                    f"{wall / size * 1000:.0f}",
                    f"{ideal:.1f}",
                    f"{wall / ideal:.2f}x",
                    f"{median(durations):.2f} / {max(durations):.2f}",
                    ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
                )
            )
            if size == 1_000:
                section.targets.append(
                    Target(
                        "fleet",
                        f"{size:,} devices, {DELAY_MS} ms/command: wall / pool ideal",
                        f"<= {TARGET_IDEAL_RATIO}x",
                        f"{wall / ideal:.2f}x ({wall:.0f} s vs ideal {ideal:.0f} s, "
                        f"{workers} workers)",
                        wall / ideal <= TARGET_IDEAL_RATIO,
                    )
                )
            if size == 200:
                section.targets.append(
                    Target(
                        "fleet",
                        f"{size} devices, {DELAY_MS} ms/command, default workers ({workers})",
                        f"< {TARGET_SECONDS_200:.0f} s",
                        f"{wall:.1f} s (sequential {sequential:.0f} s)",
                        wall < TARGET_SECONDS_200,
                    )
                )
            section.targets.append(
                Target(
                    "fleet",
                    f"{size} devices: every device checked OK",
                    "all ok/OK",
                    ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
                    all(k == "ok/OK" for k in statuses),
                )
            )
    section.tables.append(
        table(
            [
                "devices",
                "workers",
                "wall s (min-max)",
                "one device s (min-max)",
                "startup s",
                "sequential s (N x one)",
                "speed-up",
                "wall per device ms",
                "ideal s",
                "wall / ideal",
                "per-device s median / max (under load)",
                "statuses",
            ],
            rows,
        )
    )
    section.notes += [
        f"Median of {repeat} sweeps per size, each preceded by a one-device sweep (the "
        "baseline, same fleet, same run); one MockFleet of healthy devices in a child "
        "process (bench/fleet_server.py).",
        "one device = that host's own duration (connect, collect, parse, judge) in the "
        "one-host run; startup = the one-host command's wall minus it (interpreter start, "
        "imports, inventory, report); sequential = N x one device (a loop over the fleet).",
        "ideal = startup + ceil(N / workers) x one device: perfect overlap with that pool; "
        "wall / ideal above 1 is contention (2 shared cores run the client threads, the "
        "mock's pure-Python SSH servers and other people's tests).",
        "1,000 devices: one sweep (a one-device sweep first); every device is a TCP "
        "connection, an SSH key exchange and a login on the mock's single event loop.",
    ]
    return section


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    section_main(__doc__, run, "10 and 50 devices, 2 sweeps each")


if __name__ == "__main__":
    main()
