"""Check every host of an inventory concurrently; each host's failure is data, never an abort.

Why not ``concurrent.futures``: a hung device would hold a pool thread and, worse, the
executor joins its threads at interpreter exit, so one dead firewall could stall a cron job
for netmiko's full timeout chain. Here each host gets an overall **deadline** counted from
the moment a worker picks it up; when it passes, the host is recorded as ``timeout``, a
replacement worker takes the slot, and the stuck daemon thread is abandoned (it ends when
netmiko's own timeouts fire, or with the process).

Per host: resolve its secrets, connect (:class:`~vpn_doctor.collect.driver.AsaSession`), run the
read-only collection (:func:`~vpn_doctor.collect.collector.collect`; never any debug command),
parse,
diagnose and judge against the inventory (:func:`~vpn_doctor.fleet.expectations.evaluate`).
A host with ``contexts`` (multi-context ASA) is checked context by context over one SSH
session (``changeto context NAME``), one result per context (:func:`flatten_contexts`).

Status and Nagios state per host (``HostResult.nagios``)::

    ok            tunnels judged: CRITICAL if an expected tunnel is down, else UNKNOWN if one
                  could not be determined, else WARNING if one is degraded, else OK. Without
                  ``tunnels`` in the inventory and no tunnel found: UNKNOWN (nothing judged).
                  The standby unit of a failover pair: OK, skipped (its tunnels live on the
                  active unit; DEVICE_STANDBY_UNIT says where).
    unreachable   CRITICAL   \\
    auth_failed   CRITICAL    } a firewall we cannot check is an alert, not a shrug
    timeout       CRITICAL   /
    error         UNKNOWN    our side: a missing secret, an unexpected failure

The run's state is the worst host's, by CRITICAL > UNKNOWN > WARNING > OK (the precedence of
:mod:`vpn_doctor.diagnose.findings`: a confirmed outage is the most actionable).
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from vpn_doctor.asa.commands import DEFAULT_COLLECTION
from vpn_doctor.collect.collector import collect
from vpn_doctor.collect.credentials import CredentialSources
from vpn_doctor.collect.driver import AsaSession, ConnectionSettings
from vpn_doctor.collect.signals import Terminated
from vpn_doctor.diagnose.findings import VERDICT_PRECEDENCE, verdict_exit_code
from vpn_doctor.errors import (
    AuthenticationFailed,
    CollectionInterrupted,
    DeviceTimeout,
    DeviceUnreachable,
    ExitCode,
    NotPrivileged,
    SessionLost,
    VpnDoctorError,
)
from vpn_doctor.fleet import state_file
from vpn_doctor.fleet.expectations import (
    DEFAULT_REKEY_THRESHOLD,
    HealthReport,
    TunnelHealth,
    evaluate,
)
from vpn_doctor.fleet.inventory import InventoryHost, resolve_secrets
from vpn_doctor.models import DeviceState
from vpn_doctor.parse.device import parse_snapshot

HostStatus = Literal["ok", "unreachable", "auth_failed", "timeout", "error", "stopped"]
OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATE_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}
#: Nagios states are the verdicts' exit codes (0 up, 1 degraded, 2 down, 3 unknown), so their
#: order is the one verdict precedence: CRITICAL > UNKNOWN > WARNING > OK.
_SEVERITY_ORDER = {verdict_exit_code(v): rank for rank, v in enumerate(VERDICT_PRECEDENCE)}
_STATUS_BY_CODE: dict[int, HostStatus] = {
    ExitCode.UNREACHABLE: "unreachable",
    ExitCode.AUTH_FAILED: "auth_failed",
    ExitCode.NOT_PRIVILEGED: "auth_failed",
    ExitCode.TIMEOUT: "timeout",
}


def state_rank(state: int) -> int:
    """Sort key, worst first: CRITICAL 0, UNKNOWN 1, WARNING 2, OK 3 (unrecognised: UNKNOWN)."""
    return _SEVERITY_ORDER.get(state, 1)


def worst_state(states: Sequence[int]) -> int:
    """CRITICAL > UNKNOWN > WARNING > OK; an empty run is UNKNOWN (nothing was checked)."""
    return min(states, key=state_rank) if states else UNKNOWN


@dataclass(frozen=True)
class CheckOptions:
    """How each host is checked. ``timeout`` bounds connect/login and (x3) each command;
    ``deadline`` bounds the whole host."""

    timeout: float = 10.0
    deadline: float = 60.0
    rekey_threshold: int = DEFAULT_REKEY_THRESHOLD
    commands: tuple[str, ...] = DEFAULT_COLLECTION
    fallback: CredentialSources = field(default_factory=CredentialSources)
    environ: Mapping[str, str] | None = None
    strict_host_key: bool = False
    state_dir: Path | None = None  # per-device memory between runs (fleet/state_file.py)
    # ConnectionSettings defaults from the command line (--ssh-key, --jump-host, ...); a
    # host's data.vpn_doctor keys win (InventoryHost.transport).
    transport: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HostResult:
    """One host's outcome (Nornir's Result idea): status, the error if any, and the tunnels."""

    host: str
    address: str
    port: int
    status: HostStatus
    error: str = ""
    error_code: int = ExitCode.OK  # the errors.py exit code of the failure (10, 11, 12, 17, ...)
    duration: float = 0.0
    health: HealthReport | None = None
    expectations: bool = True  # the inventory lists this host's tunnels
    context: str | None = None  # multi-context: the security context checked
    # A multi-context host: one result per context (all over one SSH session).
    contexts: tuple[HostResult, ...] = ()

    @property
    def standby(self) -> bool:
        """The standby unit of a failover pair: checked, OK, its tunnels skipped."""
        return self.health is not None and self.health.report.role == "standby"

    @property
    def tunnels(self) -> tuple[TunnelHealth, ...]:
        return self.health.tunnels if self.health else ()

    @property
    def expected(self) -> tuple[TunnelHealth, ...]:
        return tuple(t for t in self.tunnels if t.expected)

    @property
    def reachable(self) -> bool:
        return self.status == "ok"

    @property
    def nagios(self) -> int:
        """This host's Nagios state (module docstring)."""
        if self.status in ("unreachable", "auth_failed", "timeout"):
            return CRITICAL
        if self.status != "ok":
            return UNKNOWN
        if self.contexts:
            return worst_state([c.nagios for c in self.contexts])
        if self.standby:
            return OK
        verdicts = [t.verdict for t in self.expected]
        if not verdicts:
            return OK if self.expectations else UNKNOWN
        if "down" in verdicts:
            return CRITICAL
        if "unknown" in verdicts:
            return UNKNOWN
        return WARNING if "degraded" in verdicts else OK

    @property
    def exit_code(self) -> int:
        """What `vpn-doctor diagnose` would exit with for this host alone."""
        return self.nagios if self.status == "ok" else self.error_code


def _status_for(exc: VpnDoctorError) -> HostStatus:
    if isinstance(exc, DeviceUnreachable):
        return "unreachable"
    if isinstance(exc, (AuthenticationFailed, NotPrivileged)):
        return "auth_failed"
    if isinstance(exc, (DeviceTimeout, SessionLost)):
        return "timeout"
    if isinstance(exc, CollectionInterrupted):
        return _STATUS_BY_CODE.get(exc.exit_code, "error")
    return "error"


status_for = _status_for  # the exporter maps a probe's failure the same way


def check_host(host: InventoryHost, options: CheckOptions) -> HostResult:
    """Check one host; every failure becomes a HostResult (never raises, except Ctrl-C)."""
    start = time.perf_counter()

    def failed(status: HostStatus, message: str, code: int) -> HostResult:
        return _failure(host, status, message, code, time.perf_counter() - start)

    try:
        transport: dict[str, Any] = {"strict_host_key": options.strict_host_key}
        transport.update({**options.transport, **host.transport})
        keyed = bool(transport.get("ssh_key") or transport.get("allow_agent"))
        password, secret = resolve_secrets(host, options.fallback, options.environ, keyed=keyed)
        settings = ConnectionSettings(
            context=host.contexts[0] if len(host.contexts) == 1 else None,
            host=host.hostname,
            port=host.port,
            username=host.username,
            password=password,
            secret=secret,
            conn_timeout=options.timeout,
            enable_timeout=options.timeout,
            read_timeout=3 * options.timeout,
            **transport,
        )
        if len(host.contexts) > 1:
            return _check_contexts(host, options, settings, start)
        with AsaSession(settings) as session:
            snapshot = collect(session, None, options.commands)
        state = parse_snapshot(snapshot)
        health = _evaluate_with_memory(state, host, options)
    except VpnDoctorError as exc:
        message = exc.message if exc.host else str(exc)
        return failed(_status_for(exc), message, exc.exit_code)
    except Exception as exc:  # a bug on one host must not abort the fleet run
        return failed("error", f"unexpected {type(exc).__name__}: {exc}", ExitCode.UNKNOWN)
    return HostResult(
        host=host.name,
        address=host.hostname,
        port=host.port,
        status="ok",
        duration=time.perf_counter() - start,
        health=health,
        expectations=host.tunnels is not None,
        context=host.contexts[0] if host.contexts else None,
    )


def _check_contexts(
    host: InventoryHost, options: CheckOptions, settings: ConnectionSettings, start: float
) -> HostResult:
    """Every context of ``host`` over one SSH session (an ASA allows few per context, and a
    login per context would multiply the AAA load). Expected tunnels are judged in the
    context that holds their peer; one found in no context is judged (missing) in the first.
    A failure part-way fails the whole host (raises): what was read is not judged alone.
    """
    states: list[tuple[str, DeviceState]] = []
    with AsaSession(settings) as session:
        for name in host.contexts:
            session.change_context(name)
            states.append((name, parse_snapshot(collect(session, None, options.commands))))
    found = {name: _peers(state) for name, state in states}
    placed = {p for peers in found.values() for p in peers}
    children = []
    for index, (name, state) in enumerate(states):
        wanted = None
        if host.tunnels is not None:
            wanted = tuple(
                t
                for t in host.tunnels
                if t.peer in found[name] or (index == 0 and t.peer not in placed)
            )
        child_host = replace(host, name=f"{host.name}/{name}", tunnels=wanted, contexts=(name,))
        children.append(
            HostResult(
                host=child_host.name,
                address=host.hostname,
                port=host.port,
                status="ok",
                duration=time.perf_counter() - start,
                health=_evaluate_with_memory(state, child_host, options),
                expectations=wanted is not None,
                context=name,
            )
        )
    return HostResult(
        host=host.name,
        address=host.hostname,
        port=host.port,
        status="ok",
        duration=time.perf_counter() - start,
        expectations=host.tunnels is not None,
        contexts=tuple(children),
    )


def _peers(state: DeviceState) -> set[str]:
    """Peers with an IKE or IPsec SA in this context (where its expected tunnels live)."""
    return {sa.peer for sa in state.ike_sas.records} | {sa.peer for sa in state.ipsec_sas.records}


def flatten_contexts(results: Sequence[HostResult]) -> list[HostResult]:
    """One result per context for multi-context hosts (``fw1/ctx1``), others unchanged: what
    every output (status line, JSON, Prometheus) lists."""
    return [leaf for result in results for leaf in (result.contexts or (result,))]


def _evaluate_with_memory(
    state: DeviceState, host: InventoryHost, options: CheckOptions
) -> HealthReport:
    """Judge the device, with what the previous run remembered when there is a state dir.

    The memory is written only after a complete evaluation, so a failed run never
    overwrites a good one.
    """
    if options.state_dir is None:
        return evaluate(state, host.tunnels, rekey_threshold=options.rekey_threshold)
    path = state_file.state_path(options.state_dir, host.name)
    previous, note = state_file.load(path)
    now = time.time()
    memory = state_file.remember(state)
    timelines = state_file.between_runs(previous, memory, now) if previous else None
    health = evaluate(
        state, host.tunnels, rekey_threshold=options.rekey_threshold, timelines=timelines
    )
    try:
        state_file.save(path, memory, now)
    except OSError as exc:
        note = f"{note}; " if note else ""
        note += f"state file {path} not written: {exc.strerror or exc}"
    if note:
        report = replace(health.report, notes=(*health.report.notes, note))
        health = replace(health, report=report)
    return health


def _failure(
    host: InventoryHost, status: HostStatus, message: str, code: int, duration: float = 0.0
) -> HostResult:
    """A host that yielded no diagnosis: the why, as data (the fleet run goes on)."""
    return HostResult(
        host=host.name,
        address=host.hostname,
        port=host.port,
        status=status,
        error=message,
        error_code=code,
        duration=duration,
        expectations=host.tunnels is not None,
    )


def _deadline_result(host: InventoryHost, deadline: float) -> HostResult:
    message = f"no result within the per-device deadline of {deadline:g} s"
    return _failure(host, "timeout", message, ExitCode.TIMEOUT, deadline)


def _crashed_result(host: InventoryHost, exc: Exception, duration: float) -> HostResult:
    message = f"internal error while checking: {exc.__class__.__name__}: {exc}"
    return _failure(host, "error", message, ExitCode.UNKNOWN, duration)


def _stopped_result(host: InventoryHost) -> HostResult:
    return _failure(host, "stopped", "not checked: stopped", ExitCode.UNKNOWN)


class ChecksStopped(Terminated):
    """SIGTERM/SIGHUP during ``run_checks`` (systemd's TimeoutStopSec): ``results`` holds the
    devices done and, for the rest, UNKNOWN "not checked: stopped", so the caller can still
    write the JSON, the status line and the Prometheus file before exiting 143/129."""

    def __init__(self, signum: int, results: list[HostResult]) -> None:
        super().__init__(signum)
        self.results = results


Checker = Callable[[InventoryHost], HostResult]
OnDone = Callable[[HostResult], None]


def run_checks(
    hosts: Sequence[InventoryHost],
    check: Checker,
    *,
    workers: int,
    deadline: float,
    on_done: OnDone | None = None,
) -> list[HostResult]:
    """Run ``check`` on every host with at most ``workers`` threads; results in host order.

    A host still running ``deadline`` seconds after it started is recorded as a timeout and
    its thread abandoned (daemon); a fresh worker takes its place so the rest keep moving.
    """
    jobs: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(hosts)):
        jobs.put(index)
    events: queue.SimpleQueue[tuple[int, float, HostResult | None]] = queue.SimpleQueue()
    abandoned: set[int] = set()
    lock = threading.Lock()

    def worker() -> None:
        while True:
            try:
                index = jobs.get_nowait()
            except queue.Empty:
                return
            events.put((index, time.monotonic(), None))
            started_at = time.monotonic()
            try:
                result = check(hosts[index])
            except Exception as exc:  # a checker bug is this host's failure, not a hang
                result = _crashed_result(hosts[index], exc, time.monotonic() - started_at)
            events.put((index, time.monotonic(), result))
            with lock:
                if index in abandoned:
                    return  # its slot was given to a replacement worker

    def spawn() -> None:
        threading.Thread(target=worker, name="vpn-doctor-check", daemon=True).start()

    for _ in range(max(1, min(workers, len(hosts)))):
        spawn()
    started: dict[int, float] = {}
    results: dict[int, HostResult] = {}
    # Running hosts by start time: the next deadline is at the top, so each event costs
    # O(log n) instead of a scan of every started host (1,000 hosts: 2,000 scans of 1,000).
    running: list[tuple[float, int]] = []

    def record(index: int, result: HostResult) -> None:
        results[index] = result
        if on_done is not None:
            on_done(result)

    try:
        while len(results) < len(hosts):
            while running and running[0][1] in results:
                heapq.heappop(running)
            wait = max(0.01, running[0][0] + deadline - time.monotonic()) if running else 1.0
            try:
                index, at, result = events.get(timeout=wait)
            except queue.Empty:
                pass
            else:
                if result is None:
                    if index not in started:
                        started[index] = at
                        heapq.heappush(running, (at, index))
                elif index not in results:
                    record(index, result)
            now = time.monotonic()
            while running and (running[0][1] in results or now - running[0][0] >= deadline):
                _, index = heapq.heappop(running)
                if index in results:
                    continue
                with lock:
                    abandoned.add(index)
                record(index, _deadline_result(hosts[index], deadline))
                spawn()
    except Terminated as exc:  # systemd stop: what is done is kept, the rest is "stopped"
        stopped = [results.get(i) or _stopped_result(host) for i, host in enumerate(hosts)]
        raise ChecksStopped(exc.signum, stopped) from exc
    return [results[index] for index in range(len(hosts))]
