"""`vpn-doctor exporter`: a multi-target Prometheus exporter (Contract 5), as blackbox_exporter.

Why multi-target and not one big scrape: Prometheus already schedules, retries, shards
(hashmod relabelling over several exporter instances) and alerts; the exporter only answers
``GET /probe?target=HOST[:PORT]&module=NAME[&peer=IP][&context=NAME]`` by logging into that one
firewall, collecting the four read-only state commands (per-peer filtered with ``peer``),
diagnosing and answering its metrics (:mod:`vpn_doctor.fleet.probe_metrics`).
``GET /metrics`` gives the exporter's own metrics (probes by result, durations, SSH sessions
in use, probes waiting, and the process's memory and CPU).

Rules a probe keeps:

- **One SSH session per target at a time.** Two Prometheus servers (HA pairs) or a retry
  must not open parallel sessions on a firewall; the second probe waits for the first.
- **Bounded concurrency.** At most ``max_concurrent_probes`` SSH sessions over all targets
  (a semaphore): 500 targets scraped at once must not mean 500 SSH handshakes at once.
- **The scrape timeout.** Prometheus sends ``X-Prometheus-Scrape-Timeout-Seconds``; the probe
  gets that minus ``timeout_offset`` (time to answer), the SSH timeouts are capped by it, and
  a probe still running then is answered 504 (its session ends when the capped SSH timeouts
  fire; it keeps the target's lock until then, so no second session opens meanwhile).
- **A failed probe is data.** Unreachable, login refused, timed out inside the SSH layer:
  200 with ``vpn_doctor_probe_success 0`` and the status, so alerts can tell a dead device
  from a dead exporter. HTTP errors are for the request itself: 400 a malformed target, peer
  or unknown module, 403 a target no pattern of the config allows, 504 the scrape timeout.

HTTP is the standard library's ThreadingHTTPServer (one thread per request; the probe itself
runs in a worker thread so the request thread can give up at the deadline).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.process_collector import ProcessCollector

from vpn_doctor.asa.commands import DEFAULT_COLLECTION
from vpn_doctor.collect.collector import collect, validate_peer
from vpn_doctor.errors import ExitCode, InputError, VpnDoctorError
from vpn_doctor.fleet.check import HostStatus, status_for
from vpn_doctor.fleet.expectations import evaluate
from vpn_doctor.fleet.exporter_config import (
    DEFAULT_MODULE,
    ExporterConfig,
    ProbeModule,
    parse_listen,
    parse_target,
)
from vpn_doctor.fleet.inventory import ExpectedTunnel, InventoryHost, resolve_secrets
from vpn_doctor.fleet.probe_metrics import ProbeOutcome, probe_families
from vpn_doctor.fleet.prometheus import registry_of
from vpn_doctor.parse.device import parse_snapshot

TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"
MIN_BUDGET = 1.0  # seconds: below this no login can succeed; still tried, never refused


@dataclass(frozen=True)
class ProbeRequest:
    """A validated /probe request."""

    host: str
    port: int
    module: ProbeModule
    peer: str | None = None
    context: str | None = None

    @property
    def target(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class ProbeRefused(Exception):
    """The request itself is wrong: answered with ``status`` (400/403), never probed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"


def _text(status: int, message: str) -> Response:
    return Response(status, (message.rstrip("\n") + "\n").encode("utf-8"))


ProbeFunction = Callable[[ProbeRequest, float, Mapping[str, str]], ProbeOutcome]


def run_probe(request: ProbeRequest, budget: float, environ: Mapping[str, str]) -> ProbeOutcome:
    """Log in, collect, parse, diagnose: one device, every failure an outcome (never raises)."""
    from vpn_doctor.collect.driver import AsaSession, ConnectionSettings

    start = time.perf_counter()
    module = request.module
    host = InventoryHost(
        name=request.target,
        hostname=request.host,
        port=request.port,
        username=module.username,
        platform="cisco_asa",
        credentials=module.credentials,
    )
    try:
        password, secret = resolve_secrets(host, module.credentials, environ)
        extra = dict(module.passthrough)
        if request.context:
            extra["context"] = request.context
        settings = ConnectionSettings(
            host=request.host,
            port=request.port,
            username=module.username,
            password=password,
            secret=secret,
            conn_timeout=min(module.timeout, budget),
            enable_timeout=min(module.timeout, budget),
            read_timeout=min(3 * module.timeout, budget),
            strict_host_key=module.strict_host_key,
            known_hosts=module.known_hosts,
            **extra,
        )
        with AsaSession(settings) as session:
            snapshot = collect(session, request.peer, DEFAULT_COLLECTION)
        state = parse_snapshot(snapshot)
        wanted = (ExpectedTunnel(peer=request.peer),) if request.peer else None
        health = evaluate(state, wanted)
        if request.peer:  # the box-wide IKE list names other peers, whose IPsec SAs we filtered
            health = replace(health, tunnels=health.expected)
    except VpnDoctorError as exc:
        status: HostStatus = status_for(exc)
        return ProbeOutcome(status, time.perf_counter() - start, error=str(exc))
    except Exception as exc:  # a bug on one probe must not kill the exporter
        return ProbeOutcome(
            "error", time.perf_counter() - start, error=f"unexpected {type(exc).__name__}: {exc}"
        )
    return ProbeOutcome("ok", time.perf_counter() - start, health=health, state=state)


class Exporter:
    """The probe logic and the exporter's own metrics, independent of HTTP (tests call it)."""

    def __init__(
        self,
        config: ExporterConfig,
        *,
        environ: Mapping[str, str],
        probe: ProbeFunction = run_probe,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.environ = environ
        self._probe = probe
        self._log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._sessions = threading.BoundedSemaphore(config.max_concurrent_probes)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created: noise here
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self._probes = Counter(
            "vpn_doctor_exporter_probes",
            "Probes answered, by module and result "
            "(success, failure, timeout, bad_request, forbidden).",
            ["module", "result"],
            registry=self.registry,
        )
        self._durations = Histogram(
            "vpn_doctor_exporter_probe_duration_seconds",
            "Wall time of the probes that reached a device (login to answer).",
            ["module"],
            buckets=(0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 120),
            registry=self.registry,
        )
        self._in_use = Gauge(
            "vpn_doctor_exporter_sessions_in_use",
            "SSH sessions open (or being opened) right now.",
            registry=self.registry,
        )
        self._waiting = Gauge(
            "vpn_doctor_exporter_probes_waiting",
            "Probes waiting for a session slot or for the target's previous probe.",
            registry=self.registry,
        )
        Gauge(
            "vpn_doctor_exporter_max_sessions",
            "The max_concurrent_probes setting.",
            registry=self.registry,
        ).set(config.max_concurrent_probes)

    # ---- request validation ------------------------------------------------------------

    def parse_request(self, query: Mapping[str, list[str]]) -> ProbeRequest:
        """The validated probe request; ProbeRefused(400/403) when it cannot be probed."""

        def one(key: str) -> str | None:
            values = query.get(key)
            if not values:
                return None
            if len(values) > 1:
                raise ProbeRefused(400, f"{key} given {len(values)} times")
            return values[0]

        module_name = one("module") or DEFAULT_MODULE
        module = self.config.modules.get(module_name)
        if module is None:
            known = ", ".join(sorted(self.config.modules))
            raise ProbeRefused(400, f"unknown module {module_name!r} (configured: {known})")
        target = one("target")
        if not target:
            raise ProbeRefused(400, "target parameter is missing: /probe?target=HOST[:PORT]")
        try:
            host, port = parse_target(target, module.port)
        except ValueError as exc:
            raise ProbeRefused(400, f"bad target {target!r}: {exc}") from None
        if not self.config.allows(host, port):
            raise ProbeRefused(
                403, f"target {target!r} is not allowed by the targets of {self.config.source}"
            )
        peer = one("peer")
        if peer is not None:
            try:
                peer = validate_peer(peer)
            except InputError as exc:
                raise ProbeRefused(400, exc.message) from None
        context = one("context")
        if context is not None:
            from vpn_doctor.fleet.exporter_config import driver_options

            if not context or not context.replace("-", "").replace("_", "").isalnum():
                raise ProbeRefused(400, f"bad context name {context!r}")
            if "context" not in driver_options():
                raise ProbeRefused(
                    400, "context= is not supported by the SSH driver of this vpn-doctor build yet"
                )
        return ProbeRequest(host=host, port=port, module=module, peer=peer, context=context)

    def budget(self, header: str | None) -> float:
        """Seconds the probe may take: the scrape timeout minus the offset (default if none)."""
        timeout = self.config.default_scrape_timeout
        if header:
            try:
                value = float(header)
            except ValueError:
                value = 0.0
            if value > 0:
                timeout = value
        return max(MIN_BUDGET, timeout - self.config.timeout_offset)

    def _lock(self, target: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(target, threading.Lock())

    # ---- probing -----------------------------------------------------------------------

    def probe(self, query: Mapping[str, list[str]], timeout_header: str | None) -> Response:
        """Answer one /probe request."""
        try:
            request = self.parse_request(query)
        except ProbeRefused as exc:
            module = (query.get("module") or [DEFAULT_MODULE])[0]
            result = "forbidden" if exc.status == 403 else "bad_request"
            self._probes.labels(module if module in self.config.modules else "", result).inc()
            return _text(exc.status, exc.message)
        budget = self.budget(timeout_header)
        deadline = time.monotonic() + budget
        done = threading.Event()
        box: list[ProbeOutcome] = []

        def work() -> None:
            try:
                box.append(self._run_locked(request, deadline))
            finally:
                done.set()

        threading.Thread(target=work, name=f"probe {request.target}", daemon=True).start()
        name = request.module.name
        if not done.wait(budget) or not box:
            self._probes.labels(name, "timeout").inc()
            self._log(f"probe {request.target}: no answer within {budget:g} s (504)")
            return _text(
                504,
                f"probe of {request.target} did not finish within {budget:g} s "
                f"(scrape timeout minus {self.config.timeout_offset:g} s)",
            )
        outcome = box[0]
        self._probes.labels(name, "success" if outcome.success else "failure").inc()
        if outcome.status != "busy":
            self._durations.labels(name).observe(outcome.duration)
        if outcome.error:
            self._log(f"probe {request.target}: {outcome.status}: {outcome.error}")
        body = generate_latest(registry_of(probe_families(outcome)))
        return Response(200, body, CONTENT_TYPE_LATEST)

    def _run_locked(self, request: ProbeRequest, deadline: float) -> ProbeOutcome:
        """Wait (until the deadline) for the target's lock and a session slot, then probe."""
        start = time.perf_counter()
        lock = self._lock(request.target)
        self._waiting.inc()
        try:
            got_lock = lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
            got_slot = got_lock and self._sessions.acquire(
                timeout=max(0.0, deadline - time.monotonic())
            )
        finally:
            self._waiting.dec()
        if got_slot and deadline - time.monotonic() < MIN_BUDGET / 10:
            self._sessions.release()  # nobody waits for the answer any more: do not log in
            got_slot = False
        if not got_slot:
            if got_lock:
                lock.release()
            return ProbeOutcome(
                "busy",
                time.perf_counter() - start,
                error="still waiting for the target's previous probe or a session slot",
            )
        self._in_use.inc()
        try:
            remaining = max(MIN_BUDGET, deadline - time.monotonic())
            return self._probe(request, remaining, self.environ)
        finally:
            self._in_use.dec()
            self._sessions.release()
            lock.release()

    def metrics(self) -> Response:
        return Response(200, generate_latest(self.registry), CONTENT_TYPE_LATEST)


_INDEX = """<html><head><title>vpn-doctor exporter</title></head><body>
<h1>vpn-doctor exporter</h1>
<p><a href="/probe?target=127.0.0.1:2222">/probe?target=HOST[:PORT][&amp;module=NAME]
[&amp;peer=IP][&amp;context=NAME]</a> probes one firewall;
<a href="/metrics">/metrics</a> the exporter's own metrics.</p></body></html>
"""


def make_handler(exporter: Exporter) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``exporter``."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "vpn-doctor-exporter"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/probe":
                query = parse_qs(url.query, keep_blank_values=True)
                response = exporter.probe(query, self.headers.get(TIMEOUT_HEADER))
            elif url.path == "/metrics":
                response = exporter.metrics()
            elif url.path == "/":
                response = Response(200, _INDEX.encode(), "text/html; charset=utf-8")
            else:
                response = _text(404, f"not found: {url.path} (use /probe or /metrics)")
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(response.body)  # else Prometheus gave up on the scrape

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: one line per scrape would drown the real messages (probe failures)."""

    return Handler


class ExporterServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def start_server(exporter: Exporter, listen: str) -> ExporterServer:
    """Bind ``listen`` (HOST:PORT; port 0 picks a free one) and serve in a daemon thread."""
    host, port = parse_listen(listen)
    try:
        server = ExporterServer((host, port), make_handler(exporter))
    except OSError as exc:
        raise InputError(f"cannot listen on {listen}: {exc.strerror or exc}") from None
    threading.Thread(target=server.serve_forever, name="exporter-http", daemon=True).start()
    return server


def serve(exporter: Exporter, listen: str, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or ``stop``); the exit code."""
    server = start_server(exporter, listen)
    host, port = server.server_address[:2]
    host = host.decode() if isinstance(host, bytes) else host
    print(
        f"vpn-doctor exporter listening on http://{host}:{port}/ "
        f"({len(exporter.config.modules)} module(s), targets: "
        f"{', '.join(exporter.config.targets)})",
        file=sys.stderr,
        flush=True,
    )
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("vpn-doctor exporter: stopping", file=sys.stderr)
        return ExitCode.INTERRUPTED
    finally:
        server.shutdown()
        server.server_close()
    return ExitCode.OK
