"""Undo a crypto debug on every exit path, verify it, and say loudly when we could not.

Why this is its own module: leaving ``debug crypto ikev1 200`` running on a production
firewall is the one thing this tool must never do (a busy box can spend its CPU printing
debug), so the undo is a single, idempotent routine with one job:

1. on the capture session (if it still works): ``undebug all``, ``no debug crypto
   condition``, ``terminal no monitor``;
2. if that session died or stopped answering: log in again with the same settings and undo
   there (debug is device-wide on an ASA; it outlives the session that typed it);
3. verify with ``show debug`` that nothing is left (one retry of the undo if something is);
4. if it cannot verify, the result carries the exact commands an engineer must type.

:class:`SignalGuard` turns SIGTERM (and Ctrl-C) into an exception at a safe point of the
capture (so ``kill`` runs the cleanup like Ctrl-C does) and holds both signals back *during*
the cleanup, so an impatient second Ctrl-C cannot abort the undo half way; only a third
Ctrl-C abandons it (then the manual commands are printed).
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any, Protocol

from vpn_doctor.collect.debug.channel import DebugChannel, RawSession, ReplyKind
from vpn_doctor.collect.signals import STOP_SIGNALS, Terminated
from vpn_doctor.errors import DeviceError, VpnDoctorError

UNDEBUG_ALL = "undebug all"
NO_CONDITION = "no debug crypto condition"
NO_MONITOR = "terminal no monitor"
SHOW_DEBUG = "show debug"
# What an engineer must type when the tool could not undo or verify (the session is gone,
# so terminal monitor does not matter).
MANUAL_COMMANDS = (UNDEBUG_ALL, NO_CONDITION, f"{SHOW_DEBUG}   (must print nothing)")

RECONNECT_ATTEMPTS = 2
RECONNECT_PAUSE_SECONDS = 0.5
INSIST_SIGINTS = 3  # Ctrl-C presses during the cleanup that abandon it

_LEFT_ON = re.compile(r"^\s*debug\s+\S")


class CaptureTerminated(Terminated):
    """SIGTERM or SIGHUP arrived during a capture (BaseException, like KeyboardInterrupt, so
    no ``except Exception`` in a library between us and the signal can swallow it)."""


class ReconnectSession(RawSession, Protocol):
    """A fresh session for the undo after the capture session died (AsaSession)."""

    def connect(self) -> None: ...

    def close(self) -> None: ...


SessionFactory = Callable[[Any], ReconnectSession]


@dataclass(frozen=True)
class CleanupStep:
    """One command the cleanup sent: where (capture session or a reconnect), the device's
    reply, and whether it was accepted."""

    command: str
    via: str  # "session" | "reconnect"
    ok: bool
    output: str = ""
    seconds: float = 0.0
    error: str = ""


@dataclass
class CleanupResult:
    """What the cleanup did; ``verified`` means ``show debug`` listed nothing afterwards."""

    verified: bool = False
    needed: bool = True
    reconnected: bool = False
    steps: list[CleanupStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    left_on: list[str] = field(default_factory=list)
    seconds: float = 0.0


def leftover_debugs(show_debug_output: str) -> list[str]:
    """The ``debug ...`` lines ``show debug`` still lists (empty: everything is off)."""
    return [line.strip() for line in show_debug_output.splitlines() if _LEFT_ON.match(line)]


def manual_instructions(host: str, hostname: str = "") -> str:
    """The loud part of the DebugCleanupFailed message: exactly what to type, where."""
    prompt = hostname or host
    commands = "\n".join(f"    {prompt}# {command}" for command in MANUAL_COMMANDS)
    where = f"{host} ({hostname})" if hostname and hostname != host else host
    return (
        f"DEBUG MAY STILL BE RUNNING ON {where}. Log in now and run:\n{commands}\n"
        "A crypto debug left on can load a busy firewall's CPU."
    )


class SignalGuard:
    """Ctrl-C, SIGTERM and SIGHUP (a jump-host session dying), handled so that none can
    leave debug on.

    During the capture a signal is *noted* and raised by :meth:`check` at the next safe point
    (the read loops call it every 10-20 ms), as KeyboardInterrupt or
    :class:`CaptureTerminated`; raising at a safe point means no half-read chunk of debug
    output is lost. A second Ctrl-C before that raises at once (a stuck read cannot trap the
    engineer). During the cleanup both are held back (``deferred``); only a third Ctrl-C
    abandons it. Only acts in the main thread (Python's rule for signal handlers); the
    previous handlers are always restored on exit.
    """

    def __init__(self) -> None:
        self.cleaning = False
        self.pending: int | None = None
        self.deferred: list[int] = []
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, *STOP_SIGNALS):
                self._previous[signum] = signal.getsignal(signum)
                signal.signal(signum, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def check(self) -> None:
        """Raise the noted signal, unless the cleanup is running (called at safe points)."""
        if self.cleaning or self.pending is None:
            return
        signum, self.pending = self.pending, None
        raise _exception_for(signum)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.cleaning:
            self.deferred.append(signum)
            if self.deferred.count(signal.SIGINT) >= INSIST_SIGINTS:
                raise KeyboardInterrupt
            return
        if signum == signal.SIGINT and self._previous.get(signum) is signal.SIG_IGN:
            return
        if signum == signal.SIGINT and self.pending == signal.SIGINT:
            self.pending = None
            raise KeyboardInterrupt  # pressed twice: do not wait for a safe point
        self.pending = signum


def _exception_for(signum: int) -> BaseException:
    return KeyboardInterrupt() if signum == signal.SIGINT else CaptureTerminated(signum)


class DebugCleanup:
    """The one cleanup routine; :meth:`run` is idempotent and never raises.

    ``arm()`` is called just before the first debug-changing command is written: until then
    there is nothing to undo (and no reason to reconnect). ``monitor_sent`` says whether
    ``terminal monitor`` must be undone on the capture session.
    """

    def __init__(
        self,
        channel: DebugChannel,
        *,
        settings: Any,
        timeout: float,
        session_factory: SessionFactory,
        on_debug_line: Callable[[str], None],
    ) -> None:
        self.channel = channel
        self.host = channel.session.host
        self.settings = settings
        self.timeout = timeout
        self.session_factory = session_factory
        self.on_debug_line = on_debug_line
        self.armed = False
        self.monitor_sent = False
        self._result: CleanupResult | None = None

    def arm(self) -> None:
        self.armed = True

    def run(self, *, session_usable: bool) -> CleanupResult:
        if self._result is not None:
            return self._result
        result = self._result = CleanupResult(needed=self.armed)
        if not self.armed:
            result.verified = True
            result.notes.append("no debug command had been sent; nothing to undo")
            return result
        started = time.monotonic()
        try:
            if session_usable:
                try:
                    result.verified = self._undo(self.channel, "session", result)
                    return result
                except DeviceError as exc:
                    result.notes.append(
                        f"undo on the capture session failed ({exc.message}); reconnecting"
                    )
            else:
                result.notes.append("the SSH session was lost during the capture; reconnecting")
            result.verified = self._undo_by_reconnecting(result)
        except BaseException as exc:  # a third Ctrl-C, or a bug: report, never propagate
            result.notes.append(f"cleanup abandoned: {type(exc).__name__}: {exc}".rstrip(": "))
            result.verified = False
        finally:
            result.seconds = time.monotonic() - started
        return result

    # -- internals -------------------------------------------------------------------------
    def _undo(self, channel: DebugChannel, via: str, result: CleanupResult) -> bool:
        """Undo and verify on one session; False when ``show debug`` still lists something."""
        for attempt in (1, 2):
            self._step(channel, UNDEBUG_ALL, via, result)
            self._step(channel, NO_CONDITION, via, result)
            if via == "session" and self.monitor_sent and attempt == 1:
                self._step(channel, NO_MONITOR, via, result)
            reply = self._step(channel, SHOW_DEBUG, via, result, kind=ReplyKind.MIXED)
            if reply is None:
                result.notes.append("'show debug' was refused; cannot verify that debug is off")
                return False
            left = leftover_debugs(reply)
            if not left:
                result.left_on = []
                return True
            result.left_on = left
            result.notes.append(f"'show debug' still lists {left} after attempt {attempt}")
        return False

    def _step(
        self,
        channel: DebugChannel,
        command: str,
        via: str,
        result: CleanupResult,
        kind: ReplyKind = ReplyKind.QUIET,
    ) -> str | None:
        """Send one cleanup command; returns its output, None if the device refused it."""
        started = time.monotonic()
        try:
            reply = channel.run(command, self.timeout, kind)
        except VpnDoctorError as exc:
            result.steps.append(
                CleanupStep(command, via, False, seconds=time.monotonic() - started, error=str(exc))
            )
            raise
        ok = not reply.rejected
        result.steps.append(CleanupStep(command, via, ok, reply.text, reply.seconds))
        return reply.text if ok else None

    def _undo_by_reconnecting(self, result: CleanupResult) -> bool:
        drained = self.channel.drain()  # what the device sent before the drop is kept
        if drained:
            result.notes.append(f"kept {drained} characters read after the session dropped")
        if self.settings is None:
            result.notes.append("no connection settings to log in again with")
            return False
        for attempt in range(1, RECONNECT_ATTEMPTS + 1):
            session = self.session_factory(self.settings)
            try:
                session.connect()
                result.reconnected = True
                channel = DebugChannel(session, self.on_debug_line)
                verified = self._undo(channel, "reconnect", result)
                result.notes.append(
                    f"reconnected to {self.host} and undid debug there"
                    + (" (verified with 'show debug')" if verified else " (NOT verified)")
                )
                return verified
            except DeviceError as exc:
                result.notes.append(f"reconnect attempt {attempt} failed: {exc}")
                if attempt < RECONNECT_ATTEMPTS:
                    time.sleep(RECONNECT_PAUSE_SECONDS)
            finally:
                session.close()
        return False
