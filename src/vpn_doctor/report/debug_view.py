"""Show a running debug capture: a rich live view on a terminal, plain progress otherwise.

Why separate from :mod:`vpn_doctor.collect.debug.capture`: the capture must behave the same under
cron, in tests and on a terminal, so it only calls ``on_line`` / ``on_tick``; all drawing
lives here (rich is imported only in this module). On a terminal (stderr is a TTY) the
engineer sees the countdown, the line count, the rate and the last lines as they arrive;
in a pipe or a log file a progress line every few seconds is enough (the lines themselves
end up in ``debug.log``). Everything goes to stderr so stdout stays clean for reports.

Debug lines are shown as :class:`rich.text.Text`, never as markup: ``[IKEv1]`` would
otherwise be read as a style tag.
"""

from __future__ import annotations

import time
from collections import deque
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

if TYPE_CHECKING:
    from vpn_doctor.collect.debug.capture import CaptureProgress, DebugCapture

LIVE_REFRESH_SECONDS = 0.125  # 8 frames a second is smooth enough and cheap
PLAIN_EVERY_SECONDS = 5.0


class DebugView:
    """Context manager; pass ``on_line`` and ``on_tick`` to ``capture_debug``, then call
    ``finish(capture)``. ``live=None`` picks the rich view when stderr is a terminal."""

    def __init__(
        self,
        *,
        host: str,
        peer: str | None,
        seconds: float,
        live: bool | None = None,
        last_lines: int = 12,
        console: Console | None = None,
    ) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.live = self.console.is_terminal if live is None else live
        self.host = host
        self.peer = peer
        self.seconds = seconds
        self._last: deque[str] = deque(maxlen=last_lines)
        self._progress: CaptureProgress | None = None
        self._phase = ""
        self._live: Live | None = None
        self._last_draw = 0.0
        self._last_plain = 0.0

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> DebugView:
        if self.live:
            self._live = Live(
                self._render(), console=self.console, auto_refresh=False, transient=False
            )
            self._live.start()
        else:
            scope = f"peer {self.peer}" if self.peer else "ALL peers"
            self.console.print(
                Text(f"debug: capturing on {self.host} for {self.seconds:g} s ({scope})")
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()

    # -- callbacks -----------------------------------------------------------------------
    def on_line(self, line: str) -> None:
        self._last.append(line)

    def on_tick(self, progress: CaptureProgress) -> None:
        self._progress = progress
        now = time.monotonic()
        phase_changed = progress.phase != self._phase
        self._phase = progress.phase
        if self._live is not None:
            if phase_changed or now - self._last_draw >= LIVE_REFRESH_SECONDS:
                self._last_draw = now
                self._live.update(self._render(), refresh=True)
        elif progress.phase == "capturing" and now - self._last_plain >= PLAIN_EVERY_SECONDS:
            self._last_plain = now
            self.console.print(Text(f"debug: {self._status(progress)}"))
        elif phase_changed and progress.phase == "cleanup":
            self.console.print(Text("debug: undoing debug (undebug all) and verifying..."))

    def finish(self, capture: DebugCapture, error: str | None = None) -> None:
        """Stop the live view and print the outcome (and the error, if any)."""
        self._stop()
        verdict = (
            "undone and verified off"
            if capture.cleanup_verified
            else "NOT verified off: see the message below"
        )
        dropped = f", {capture.dropped_count} oldest dropped" if capture.dropped_count else ""
        summary = (
            f"debug: {capture.total_lines} lines in {capture.capture_seconds:.1f} s "
            f"({capture.rate:.1f} lines/s{dropped}); {verdict} "
            f"(cleanup {capture.cleanup_seconds:.2f} s)"
        )
        style = "green" if capture.cleanup_verified and error is None else "bold red"
        self.console.print(Text(summary, style=style))
        for note in capture.notes:
            self.console.print(Text(f"  note: {note}", style="dim"))
        if error:
            self.console.print(Text(error, style="bold red"))

    # -- drawing -------------------------------------------------------------------------
    def _stop(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.update(self._render(), refresh=True)
            live.stop()

    def _status(self, progress: CaptureProgress) -> str:
        dropped = f", {progress.dropped_count} dropped" if progress.dropped_count else ""
        return (
            f"{progress.remaining:4.0f} s left, {progress.total_lines} lines, "
            f"{progress.rate:.1f} lines/s{dropped}"
        )

    def _render(self) -> Panel:
        progress = self._progress
        scope = f"peer {self.peer}" if self.peer else "ALL peers"
        if progress is None or progress.phase == "starting":
            status = "turning debug on..."
        elif progress.phase == "cleanup":
            status = f"undoing debug... ({progress.total_lines} lines captured)"
        elif progress.phase == "done":
            status = f"done: {progress.total_lines} lines"
        else:
            status = self._status(progress)
        header = Text(f"{self.host}  {scope}  |  {status}", style="bold")
        body = Text("\n".join(self._last) if self._last else "(no debug lines yet)")
        body.no_wrap = True
        body.overflow = "ellipsis"
        return Panel(Group(header, body), title="crypto debug (always undone)", expand=True)
