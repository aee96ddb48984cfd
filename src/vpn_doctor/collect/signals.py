"""SIGTERM and SIGHUP as exceptions, so a stopped run saves and reports what it collected.

Why: systemd stops a scheduled ``check`` with SIGTERM (TimeoutStopSec), and a jump-host
session dying sends SIGHUP; Python's default for both is to die on the spot, losing every
output already read and leaving a debug running. Inside :func:`stop_signals_raise` both raise
:class:`Terminated` (a BaseException, like KeyboardInterrupt, so no ``except Exception`` in a
library swallows it), which the collector turns into ``CollectionInterrupted`` with the shell's
exit code (128 + signal: 143 SIGTERM, 129 SIGHUP), and the debug capture into its undo.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

# The signals that mean "stop now, but cleanly" (SIGHUP does not exist on Windows).
STOP_SIGNALS: tuple[int, ...] = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s
)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived; ``exit_code`` is the shell convention 128 + signal."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by signal {signal_name(signum)}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + int(self.signum)


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return str(signum)


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM/SIGHUP raise :class:`Terminated` (main thread only; the
    previous handlers are restored afterwards)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for signum in STOP_SIGNALS:
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
