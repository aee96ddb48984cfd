"""Conditional crypto debug capture that is always undone (``diagnose --debug SECONDS``).

Why a debug at all: ``show crypto isakmp sa`` says *where* phase 1 is stuck (MM_WAIT_MSG6);
only the debug says *why* (``PAYLOAD_MALFORMED``, "peer has indicated that something is wrong
with our message"). Why so careful: a crypto debug left running on a production firewall is
worse than the tunnel problem, so the design rules are (shared/DESIGN.md):

* refuse a debug without ``debug crypto condition peer`` unless the engineer forces it
  (:class:`DebugUsageError`, exit 64, names ``--debug-all-peers``); nothing is sent then;
* undo on *every* exit path (normal end, device error, timeout, exception in a callback,
  Ctrl-C, SIGTERM, session lost) through one idempotent routine
  (:class:`vpn_doctor.collect.debug.cleanup.DebugCleanup`), reconnecting if the session died;
* verify with ``show debug``; if that fails raise :class:`DebugLeftOn` (``DebugCleanupFailed``,
  exit 16) whose message lists the exact commands to type by hand;
* never lose a captured line: the capture is attached to every exception as ``.capture``;
  a ring buffer (``max_lines``) bounds memory on a busy box and counts what it dropped.

Sequence: [``show version`` when the version is unknown] -> ``debug crypto condition peer
IP`` -> ``terminal monitor`` -> ``debug crypto ikev1 200`` (+ ``ikev2 protocol/platform
255``; ``isakmp 200`` before 8.4) -> optional ``packet-tracer`` trigger -> a timed read loop ->
cleanup. ``terminal monitor`` goes before the debug so no line lands in the logging buffer
between the two; when monitor is refused (or ``use_monitor=False``), the new lines of
``show logging`` are taken at the end instead.

Rendering is not done here: ``on_line`` gets each line and ``on_tick`` a
:class:`CaptureProgress` (see :mod:`vpn_doctor.report.debug_view`). ``poll`` (``watch
--debug``) is called from the read loop with a command runner on the capture's own channel,
so show commands (the watch's samples) run mid-capture on the same session, their replies
split from the debug lines printed meanwhile; whatever it raises ends the capture through
the same cleanup.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from vpn_doctor.asa.output import SOFTWARE_VERSION, major_minor
from vpn_doctor.collect.allowlist import check_allowed, expand_command
from vpn_doctor.collect.debug.channel import DebugChannel, RawSession, ReplyKind, looks_like_debug
from vpn_doctor.collect.debug.cleanup import (
    MANUAL_COMMANDS,
    CaptureTerminated,
    CleanupResult,
    CleanupStep,
    DebugCleanup,
    SessionFactory,
    SignalGuard,
    manual_instructions,
)
from vpn_doctor.collect.limits import DEFAULT_MAX_LINES as DEFAULT_MAX_LINES
from vpn_doctor.collect.limits import MAX_SECONDS as MAX_SECONDS
from vpn_doctor.collect.signals import Terminated, signal_name
from vpn_doctor.errors import (
    CommandNotAllowed,
    CommandRejected,
    DebugCleanupFailed,
    ExitCode,
    SessionLost,
    VpnDoctorError,
)

if TYPE_CHECKING:
    from vpn_doctor.collect.runner import CommandRunner
    from vpn_doctor.models import Snapshot

MAX_MAX_LINES = 1_000_000
EXIT_TERMINATED = 143  # 128 + SIGTERM, the shell convention
IKEV1_LEVEL = 200
IKEV2_LEVEL = 255
STREAM_POLL_SECONDS = 0.02

# Typed commands that are clearly not packet-tracer arguments (an interface name comes first).
_NOT_A_TRIGGER = frozenset(
    {
        "show",
        "clear",
        "debug",
        "undebug",
        "no",
        "terminal",
        "configure",
        "copy",
        "write",
        "reload",
        "ping",
        "traceroute",
        "crypto",
        "capture",
        "enable",
        "exit",
        "delete",
    }
)

LineCallback = Callable[[str], None]
PollCallback = Callable[["CommandRunner"], None]


class DebugUsageError(VpnDoctorError):
    """The debug request itself is not acceptable (no peer condition, bad bounds); exit 64.
    Raised before anything is sent to the device."""

    exit_code = ExitCode.USAGE


class DebugCaptureInterrupted(VpnDoctorError):
    """The capture stopped early (device error, timeout, Ctrl-C, SIGTERM, callback error),
    but debug *was* undone and verified. ``capture`` holds every line read so far; the exit
    code is the cause's (12 session lost/timeout, 130 Ctrl-C, 143 SIGTERM, ...)."""

    def __init__(self, message: str, *, capture: DebugCapture, exit_code: int) -> None:
        super().__init__(message, host=capture.host)
        self.capture = capture
        self.exit_code = exit_code


class DebugLeftOn(DebugCleanupFailed):
    """Debug could not be undone or verified (exit 16). The message says what to type."""

    def __init__(self, message: str, *, capture: DebugCapture) -> None:
        super().__init__(message, host=capture.host)
        self.capture = capture
        self.manual_commands = list(MANUAL_COMMANDS)


@dataclass(frozen=True, kw_only=True)
class DebugCaptureOptions:
    """What to debug, for how long, and how.

    ``ike_versions``: which IKE debugs to turn on (1, 2 or both); on software before 8.4
    only ``debug crypto isakmp`` exists. ``asa_version`` (e.g. ``"9.12(4)"``) skips the
    ``show version`` round trip when the caller already knows it. ``trigger_command`` is a
    ``packet-tracer input ...`` line sent once debug is on, so a down tunnel tries to come up
    while we watch.
    """

    peer: str | None = None
    seconds: float = 30.0
    max_lines: int = DEFAULT_MAX_LINES
    all_peers: bool = False
    ike_versions: tuple[int, ...] = (1, 2)
    asa_version: str | None = None
    use_monitor: bool = True
    trigger_command: str | None = None
    command_timeout: float = 10.0
    cleanup_timeout: float = 15.0

    def __post_init__(self) -> None:
        if not 0 < self.seconds <= MAX_SECONDS:
            raise DebugUsageError(f"--debug SECONDS must be between 1 and {MAX_SECONDS}")
        if not 1 <= self.max_lines <= MAX_MAX_LINES:
            raise DebugUsageError(f"--debug-max-lines must be between 1 and {MAX_MAX_LINES}")
        if not self.ike_versions or not set(self.ike_versions) <= {1, 2}:
            raise DebugUsageError("ike_versions must be a non-empty subset of (1, 2)")
        if self.command_timeout <= 0 or self.cleanup_timeout <= 0:
            raise DebugUsageError("timeouts must be positive")
        if self.peer is not None:
            try:
                peer = str(ipaddress.ip_address(self.peer.strip()))
            except ValueError:
                raise DebugUsageError(f"--peer must be an IP address, got {self.peer!r}") from None
            object.__setattr__(self, "peer", peer)
        if self.trigger_command is not None:
            object.__setattr__(self, "trigger_command", normalise_trigger(self.trigger_command))


@dataclass(frozen=True)
class CaptureProgress:
    """Handed to ``on_tick`` about 50 times a second (renderers throttle themselves)."""

    phase: str  # "starting" | "capturing" | "cleanup" | "done"
    elapsed: float
    remaining: float
    total_lines: int
    dropped_count: int

    @property
    def rate(self) -> float:
        return self.total_lines / self.elapsed if self.elapsed > 0 else 0.0


TickCallback = Callable[[CaptureProgress], None]


@dataclass
class DebugCapture:
    """The result: the retained lines, what was dropped, timings and the cleanup record.

    ``lines`` are the most recent ``max_lines`` lines (oldest dropped first);
    ``cleanup_verified`` is True only when ``show debug`` listed nothing afterwards.
    """

    host: str
    peer: str | None
    max_lines: int = DEFAULT_MAX_LINES
    total_lines: int = 0
    dropped_count: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    capture_seconds: float = 0.0
    cleanup_seconds: float = 0.0
    cleanup_verified: bool = False
    cleanup_log: list[CleanupStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commands_sent: list[str] = field(default_factory=list)
    source: str = "terminal monitor"
    trigger_output: str = ""
    left_on: list[str] = field(default_factory=list)
    _buffer: deque[str] = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        self._buffer = deque(self._buffer, maxlen=self.max_lines)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self._buffer)

    @property
    def rate(self) -> float:
        """Lines per second over the capture window."""
        return self.total_lines / self.capture_seconds if self.capture_seconds > 0 else 0.0

    def add_line(self, line: str) -> None:
        if len(self._buffer) == self._buffer.maxlen:
            self.dropped_count += 1
        self._buffer.append(line)
        self.total_lines += 1

    def debug_log(self) -> str:
        """The text of ``debug.log`` (Contract 1)."""
        return "".join(line + "\n" for line in self._buffer)

    def progress(self, phase: str, elapsed: float, remaining: float) -> CaptureProgress:
        return CaptureProgress(phase, elapsed, remaining, self.total_lines, self.dropped_count)


def attach_to_snapshot(snapshot: Snapshot, capture: DebugCapture) -> Snapshot:
    """The snapshot with the captured lines as ``debug_lines`` (saved as ``debug.log``)."""
    return dataclasses.replace(snapshot, debug_lines=snapshot.debug_lines + capture.lines)


# -- commands ------------------------------------------------------------------------------


def normalise_trigger(command: str) -> str:
    """``inside icmp 10.1.1.1 8 0 10.2.2.1`` or a full ``packet-tracer input ...`` line ->
    the allow-listed full command. Anything but packet-tracer is refused."""
    text = " ".join(command.split())
    first = expand_command(text).split()[0] if text else ""
    if first in _NOT_A_TRIGGER:
        raise DebugUsageError("--trigger must be a packet-tracer command", command=text)
    if first != "packet-tracer":
        text = f"packet-tracer input {text}"
    try:
        normalised = check_allowed(text)
    except CommandNotAllowed as exc:
        raise DebugUsageError(f"--trigger: {exc.message}", command=text) from None
    if not normalised.startswith("packet-tracer input "):
        raise DebugUsageError("--trigger must be a packet-tracer command", command=text)
    return normalised


def build_trigger_command(
    interface: str, source_ip: str, destination_ip: str, protocol: str = "icmp"
) -> str:
    """A packet-tracer line for interesting traffic (e.g. the first crypto ACL entry):
    an ICMP echo, or a TCP/UDP packet from port 40000 to 443."""
    if protocol == "icmp":
        middle = f"{source_ip} 8 0 {destination_ip}"
    else:
        middle = f"{source_ip} 40000 {destination_ip} 443"
    return normalise_trigger(f"packet-tracer input {interface} {protocol} {middle}")


def parse_version(text: str) -> tuple[int, int] | None:
    """(major, minor) from ``show version`` output or a bare version string ``9.12(4)``."""
    match = SOFTWARE_VERSION.search(text)
    return major_minor(match.group("version") if match else text)


def debug_commands(version: tuple[int, int] | None, ike_versions: Sequence[int]) -> list[str]:
    """The debug commands for this software: ``isakmp`` before 8.4 (no IKEv2 there);
    ``ikev1`` / ``ikev2 protocol`` + ``platform`` from 8.4 on (and when unknown: the
    ``ikev1`` command falls back to ``isakmp`` if the device refuses it)."""
    if version is not None and version < (8, 4):
        return [f"debug crypto isakmp {IKEV1_LEVEL}"]
    commands: list[str] = []
    if 1 in ike_versions:
        commands.append(f"debug crypto ikev1 {IKEV1_LEVEL}")
    if 2 in ike_versions:
        commands.append(f"debug crypto ikev2 protocol {IKEV2_LEVEL}")
        commands.append(f"debug crypto ikev2 platform {IKEV2_LEVEL}")
    return commands


def new_log_lines(before: Sequence[str], after: Sequence[str]) -> list[str]:
    """Lines of ``after`` not already in ``before`` (two reads of the same logging buffer,
    which may have wrapped in between): drop the longest prefix of ``after`` that is a
    suffix of ``before``."""
    if not before:
        return list(after)
    if not after:
        return []
    for start in (i for i, line in enumerate(before) if line == after[0]):
        overlap = len(before) - start
        if list(after[:overlap]) == list(before[start:]):
            return list(after[overlap:])
    return list(after)


# -- the capture ---------------------------------------------------------------------------


class _Sink:
    """Stores each line first, then calls ``on_line``; once the cleanup starts, a failing
    callback can no longer break the undo (the line is still kept)."""

    def __init__(self, capture: DebugCapture, on_line: LineCallback | None) -> None:
        self.capture = capture
        self.on_line = on_line
        self.cleaning = False
        self.callback_failed = False

    def __call__(self, line: str) -> None:
        self.capture.add_line(line)
        if self.on_line is None:
            return
        if not self.cleaning:
            self.on_line(line)
            return
        try:
            self.on_line(line)
        except BaseException:
            if not self.callback_failed:
                self.capture.notes.append("the line callback failed during cleanup; ignored")
            self.callback_failed = True


def _require_scope(options: DebugCaptureOptions) -> None:
    if options.peer is None and not options.all_peers:
        raise DebugUsageError(
            "refusing to run a crypto debug without a peer condition on a production "
            "firewall: give --peer IP, or --debug-all-peers to debug every peer (it can "
            "flood a busy box)"
        )


def _checked(
    channel: DebugChannel,
    capture: DebugCapture,
    command: str,
    timeout: float,
    kind: ReplyKind = ReplyKind.QUIET,
) -> tuple[bool, str]:
    """Run a setup command; (accepted, output)."""
    capture.commands_sent.append(command)
    reply = channel.run(command, timeout, kind)
    return not reply.rejected, reply.text


class _MidCaptureRunner:
    """Show commands while debug runs (what ``poll`` gets): sent on the capture's channel,
    the one reader of the session, and each reply split from the debug lines the device
    prints meanwhile (:attr:`ReplyKind.MIXED`), so neither a sample line nor a debug line is
    lost or misfiled. A refusal raises CommandRejected like ``AsaSession.run``."""

    def __init__(self, channel: DebugChannel, capture: DebugCapture, timeout: float) -> None:
        self.channel = channel
        self.capture = capture
        self.timeout = timeout

    @property
    def host(self) -> str:
        return self.capture.host

    def run(self, command: str) -> str:
        ok, text = _checked(self.channel, self.capture, command, self.timeout, ReplyKind.MIXED)
        if not ok:
            raise CommandRejected(
                "the device refused the command", host=self.host, command=command, output=text
            )
        return text


def _log_lines(show_logging: str) -> list[str]:
    return [line for line in show_logging.splitlines() if looks_like_debug(line)]


class _Capture:
    """One capture run: the steps in order; every exit goes through capture_debug's cleanup."""

    def __init__(
        self,
        channel: DebugChannel,
        cleanup: DebugCleanup,
        sink: _Sink,
        options: DebugCaptureOptions,
        capture: DebugCapture,
        on_tick: TickCallback | None,
        poll: PollCallback | None = None,
    ) -> None:
        self.channel = channel
        self.cleanup = cleanup
        self.sink = sink
        self.options = options
        self.capture = capture
        self.on_tick = on_tick
        self.poll = poll
        self.t0 = time.monotonic()

    def tick(self, phase: str) -> None:
        if self.on_tick is not None:
            elapsed = time.monotonic() - self.t0
            remaining = max(0.0, self.options.seconds - elapsed)
            self.on_tick(self.capture.progress(phase, elapsed, remaining))

    def run(self) -> None:
        opts, capture, timeout = self.options, self.capture, self.options.command_timeout
        self.tick("starting")
        version = parse_version(opts.asa_version or "")
        if opts.asa_version is None:
            _, text = _checked(self.channel, capture, "show version", timeout, ReplyKind.SHOW)
            version = parse_version(text)
        planned = debug_commands(version, opts.ike_versions)
        self.cleanup.arm()  # from here on the device may have debug state to undo
        if opts.peer is not None:
            command = f"debug crypto condition peer {opts.peer}"
            ok, text = _checked(self.channel, capture, command, timeout)
            if not ok:
                raise CommandRejected(
                    "the device refused the peer condition",
                    host=capture.host,
                    command=command,
                    output=text,
                )
        else:
            capture.notes.append("no peer condition: debug ran for every peer (--debug-all-peers)")
        monitor = opts.use_monitor
        if monitor:
            self.cleanup.monitor_sent = True
            monitor, text = _checked(self.channel, capture, "terminal monitor", timeout)
            if not monitor:
                capture.notes.append(
                    f"'terminal monitor' refused ({text.strip()}); "
                    "reading the logging buffer instead"
                )
        baseline: list[str] = []
        if not monitor:
            capture.source = "show logging"
            _, text = _checked(self.channel, capture, "show logging", timeout, ReplyKind.SHOW)
            baseline = _log_lines(text)
        self._enable(planned)
        capture.started_at = datetime.now(timezone.utc)
        self.t0 = time.monotonic()
        if opts.trigger_command:
            _, capture.trigger_output = _checked(
                self.channel, capture, opts.trigger_command, timeout, ReplyKind.MIXED
            )
        self._stream()
        if not monitor:
            _, text = _checked(self.channel, capture, "show logging", timeout, ReplyKind.SHOW)
            for line in new_log_lines(baseline, _log_lines(text)):
                self.sink(line)
        capture.capture_seconds = time.monotonic() - self.t0

    def _enable(self, planned: list[str]) -> None:
        timeout, capture = self.options.command_timeout, self.capture
        enabled = []
        for command in planned:
            ok, text = _checked(self.channel, capture, command, timeout)
            if not ok and " ikev1 " in command:  # 8.0-8.3 with an unknown version string
                command = f"debug crypto isakmp {IKEV1_LEVEL}"
                ok, text = _checked(self.channel, capture, command, timeout)
            if ok:
                enabled.append(command)
            else:
                capture.notes.append(f"'{command}' refused by the device: {text.strip()}")
        if not enabled:
            raise CommandRejected(
                "the device refused every debug command", host=capture.host, command=planned[0]
            )
        capture.notes.append("debug on: " + ", ".join(enabled))

    def _stream(self) -> None:
        """The timed read loop: read what is there, sleep a little, until the time is up
        (``poll`` runs its show commands between two reads)."""
        end = self.t0 + self.options.seconds
        runner = _MidCaptureRunner(self.channel, self.capture, self.options.command_timeout)
        while True:
            self.channel.pump()
            if self.poll is not None:
                self.poll(runner)
            self.tick("capturing")
            now = time.monotonic()
            if now >= end:
                return
            time.sleep(min(STREAM_POLL_SECONDS, end - now))


def _default_factory(settings: Any) -> Any:
    from vpn_doctor.collect.driver import AsaSession

    return AsaSession(settings)


def _exit_code(failure: BaseException) -> int:
    if isinstance(failure, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(failure, Terminated):
        return failure.exit_code  # 143 SIGTERM, 129 SIGHUP
    if isinstance(failure, VpnDoctorError):
        return failure.exit_code
    return ExitCode.UNKNOWN


def _describe(failure: BaseException) -> str:
    if isinstance(failure, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(failure, Terminated):
        return f"terminated ({signal_name(failure.signum)})"
    if isinstance(failure, VpnDoctorError):  # the host is already in our own message
        return f"'{failure.command}': {failure.message}" if failure.command else failure.message
    return f"{type(failure).__name__}: {failure}"


def capture_debug(
    session: RawSession,
    options: DebugCaptureOptions,
    *,
    on_line: LineCallback | None = None,
    on_tick: TickCallback | None = None,
    settings_for_reconnect: Any = None,
    session_factory: SessionFactory | None = None,
    poll: PollCallback | None = None,
) -> DebugCapture:
    """Run a conditional crypto debug for ``options.seconds`` and always undo it.

    ``session`` is a connected :class:`vpn_doctor.collect.driver.AsaSession` (privileged).
    ``settings_for_reconnect`` (a ``ConnectionSettings``; default: the session's own) is used
    to log in again and undo when the session dies. Returns the capture when debug was undone
    and verified; raises :class:`DebugCaptureInterrupted` (undone, capture cut short) or
    :class:`DebugLeftOn` (exit 16, could not undo/verify); both carry ``.capture``.
    ``poll`` is called between reads with a runner for show commands on this channel.
    """
    _require_scope(options)
    # The session's own send policy refuses a debug without a peer condition too (issue 13:
    # enforced where commands are sent); --debug-all-peers is the explicit force.
    policy = getattr(session, "policy", None)
    forced_before = bool(getattr(policy, "force_debug", False))
    if policy is not None and options.all_peers:
        policy.force_debug = True
    try:
        return _capture(
            session, options, on_line, on_tick, settings_for_reconnect, session_factory, poll
        )
    finally:
        if policy is not None:
            policy.force_debug = forced_before


def _capture(
    session: RawSession,
    options: DebugCaptureOptions,
    on_line: LineCallback | None,
    on_tick: TickCallback | None,
    settings_for_reconnect: Any,
    session_factory: SessionFactory | None,
    poll: PollCallback | None = None,
) -> DebugCapture:
    """capture_debug's body (the scope was checked and the force applied by the caller)."""
    capture = DebugCapture(host=session.host, peer=options.peer, max_lines=options.max_lines)
    sink = _Sink(capture, on_line)
    guard = SignalGuard()
    channel = DebugChannel(session, sink, checkpoint=guard.check)
    cleanup = DebugCleanup(
        channel,
        settings=settings_for_reconnect or getattr(session, "settings", None),
        timeout=options.cleanup_timeout,
        session_factory=session_factory or _default_factory,
        on_debug_line=sink,
    )
    run = _Capture(channel, cleanup, sink, options, capture, on_tick, poll)
    failure: BaseException | None = None
    with guard:
        try:
            run.run()
        except BaseException as exc:
            failure = exc
        finally:
            guard.cleaning = True
            sink.cleaning = True
            result = _clean(run, cleanup, failure)
    _record(capture, result, run)
    if failure is None and (guard.deferred or guard.pending is not None):
        received = [s for s in (*guard.deferred, guard.pending) if s is not None]
        interrupted = signal.SIGINT in received
        failure = KeyboardInterrupt() if interrupted else CaptureTerminated(received[0])
    if not result.verified:
        reason = f" The capture stopped because: {_describe(failure)}." if failure else ""
        raise DebugLeftOn(
            f"could not {'verify' if result.steps else 'undo'} the crypto debug "
            f"({'; '.join(result.notes) or 'no reason recorded'}).{reason}\n"
            + manual_instructions(capture.host, str(getattr(session, "hostname", "") or "")),
            capture=capture,
        ) from failure
    if failure is not None:
        if isinstance(failure, (SystemExit, GeneratorExit)):
            raise failure
        if not result.needed:
            state = "no debug had been turned on yet"
        elif result.reconnected:
            state = "debug was undone and verified off (the session was lost; reconnected to undo)"
        else:
            state = "debug was undone and verified off"
        raise DebugCaptureInterrupted(
            f"debug capture stopped after {capture.total_lines} lines: {_describe(failure)}; "
            + state,
            capture=capture,
            exit_code=_exit_code(failure),
        ) from failure
    return capture


def _clean(run: _Capture, cleanup: DebugCleanup, failure: BaseException | None) -> CleanupResult:
    if run.capture.capture_seconds == 0.0 and run.capture.started_at is not None:
        run.capture.capture_seconds = time.monotonic() - run.t0
    with contextlib.suppress(BaseException):  # a failing renderer must not stop the undo
        run.tick("cleanup")
    return cleanup.run(session_usable=not isinstance(failure, SessionLost))


def _record(capture: DebugCapture, result: CleanupResult, run: _Capture) -> None:
    run.channel.flush()
    capture.ended_at = datetime.now(timezone.utc)
    capture.cleanup_verified = result.verified
    capture.cleanup_seconds = result.seconds
    capture.cleanup_log.extend(result.steps)
    capture.notes.extend(result.notes)
    capture.left_on = list(result.left_on)
    with contextlib.suppress(BaseException):
        run.tick("done")


# -- command line --------------------------------------------------------------------------
