"""Commands and a debug stream on one SSH channel, without losing or misfiling a line.

Why not ``AsaSession.run`` / netmiko ``send_command``: while ``debug crypto ...`` is on, the
device prints debug lines at any moment, including before the echo of a command and between
its echo and its prompt. ``send_command`` throws away everything before the echo, and its
``find_prompt`` can take a debug line for the prompt (shared/NETMIKO-ASA.md section 2).

Why not just ``AsaSession.run_raw_until_prompt``: it stops at the *first* prompt, and after a
command has timed out, the first prompt to arrive is the late one of that earlier command, so
every following reply would be read one command out of step. It also loses what it read when
it times out. Here one reader owns the channel (``write_raw`` + ``read_available`` with the
anchored prompt, the recipe that was tested at 100 lines/s with contiguous numbering) and
files every line into exactly one place:

* outside a command's echo..prompt window, every non-blank line is a debug line;
* inside a window, what the command's :class:`ReplyKind` says: a QUIET command (``debug``,
  ``undebug``, ``terminal``) prints nothing itself except an error, so other lines are
  debug; a SHOW command's lines are all its output (they are only sent while no debug runs);
  a MIXED command (``packet-tracer`` while debug runs) is split with :func:`looks_like_debug`.

Commands are queued: a command that timed out stays in the queue and its late output and
prompt are still recognised as its own, so the channel is back in step for the cleanup.
"""

from __future__ import annotations

import enum
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from vpn_doctor.collect.collector import is_rejection
from vpn_doctor.errors import DeviceTimeout

READ_POLL_SECONDS = 0.01  # how often a command's reply is polled (netmiko uses 10 ms too)

# Debug and syslog lines as an ASA prints them: "Nov 22 10:00:01 [IKEv1]...",
# "IKEv2-PROTO-4: ...", "%ASA-5-713904: ...", "IPSEC(...)", "ISAKMP ...".
_DEBUG_LIKE = re.compile(
    r"\[IKEv[12]|^IKEv2-|%ASA-\d-\d+|^(?:IPSEC|ISAKMP|IKE)\b|"
    r"^(?:[A-Z][a-z]{2}\s+\d{1,2}\s+)?(?:\d{4}\s+)?\d\d:\d\d:\d\d"
)
# What a QUIET command may print itself: a caret line, an ASA error, warning or notice.
_NOTICE = re.compile(r"^\s*(?:\^\s*$|ERROR\b|WARNING\b|INFO\b|%\s)")


def looks_like_debug(line: str) -> bool:
    """True for a line shaped like an IKE debug or syslog message (not command output)."""
    return bool(_DEBUG_LIKE.search(line.strip()))


def _is_output(kind: ReplyKind, line: str) -> bool:
    """Inside a command's echo..prompt window: is this line the command's own output?"""
    if kind is ReplyKind.SHOW:
        return True
    if kind is ReplyKind.MIXED:
        return not looks_like_debug(line)
    return bool(_NOTICE.match(line))


class RawSession(Protocol):
    """What the channel needs from :class:`vpn_doctor.collect.driver.AsaSession`."""

    hostname: str

    @property
    def host(self) -> str: ...

    def write_raw(self, text: str) -> None: ...

    def read_available(self) -> str: ...


class ReplyKind(enum.Enum):
    """How to file the lines printed between a command's echo and its prompt."""

    QUIET = "quiet"  # prints nothing but an error: other lines are debug lines
    SHOW = "show"  # everything is the command's output
    MIXED = "mixed"  # output and debug interleaved: split by looks_like_debug()


@dataclass
class Reply:
    """One command's exchange: its own output lines, whether the device refused it."""

    command: str
    kind: ReplyKind
    output: list[str] = field(default_factory=list)
    echo_seen: bool = False
    done: bool = False
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(self.output)

    @property
    def rejected(self) -> bool:
        return is_rejection(self.text)


class DebugChannel:
    """The single reader of one session while debug may be flowing.

    ``on_debug_line`` gets every debug line, in the order the device printed it, exactly once.
    """

    def __init__(
        self,
        session: RawSession,
        on_debug_line: Callable[[str], None],
        checkpoint: Callable[[], None] | None = None,
    ) -> None:
        self.session = session
        self._on_debug_line = on_debug_line
        self._checkpoint = checkpoint  # raises a noted Ctrl-C/SIGTERM at a safe point
        self._fragment = ""  # an incomplete last line, kept until its newline arrives
        self._lines: deque[str] = deque()  # complete lines not yet filed
        self._queue: deque[Reply] = deque()
        hostname = re.escape(session.hostname)
        self._prompt = re.compile(rf"{hostname}(?:\([^)\r\n]*\))?[#>] ?")

    # -- reading -----------------------------------------------------------------------
    def pump(self) -> int:
        """Read what the device printed so far and file it; returns characters read.

        Lines are queued before any is filed: if filing one raises (the line callback), the
        rest of the chunk is filed on the next pump instead of being lost.
        """
        if self._checkpoint is not None:
            self._checkpoint()
        data = self.session.read_available()
        self.feed(data)
        return len(data)

    def feed(self, data: str) -> None:
        """File raw channel text (public for unit tests; ``pump`` is the normal way in)."""
        if data:
            text = self._fragment + data.replace("\r\n", "\n").replace("\r", "")
            *lines, self._fragment = text.split("\n")
            self._lines.extend(lines)
        while self._lines:
            self._line(self._lines.popleft())
        if self._prompt.fullmatch(self._fragment):  # the prompt never ends with a newline
            self._fragment = ""
            self._on_prompt()

    def drain(self, max_reads: int = 100) -> int:
        """Read and file whatever is still buffered on a session that died, until a read is
        empty or fails; never raises. Called before reconnecting after a drop, so a debug
        line the device had already sent is kept (and filed before the undo session's)."""
        total = 0
        for _ in range(max_reads):
            try:
                data = self.session.read_available()
            except Exception:  # the session is gone: whatever was buffered has been read
                break
            if not data:
                break
            self.feed(data)
            total += len(data)
        return total

    def flush(self) -> None:
        """File what is left (at the very end, when nothing more will come)."""
        self.feed("")
        fragment, self._fragment = self._fragment, ""
        if fragment.strip():
            self._line(fragment)

    def _line(self, line: str) -> None:
        text = line.rstrip()
        prompt = self._prompt.match(text)
        if prompt is not None:
            self._on_prompt()
            text = text[prompt.end() :]
        if not text.strip():
            return
        if self._open_window(text):
            return
        head = self._queue[0] if self._queue and self._queue[0].echo_seen else None
        if head is not None and _is_output(head.kind, text):
            head.output.append(text)
        else:
            self._on_debug_line(text)

    def _open_window(self, text: str) -> bool:
        """Is ``text`` the echo of a queued command? Commands before it are abandoned."""
        if self._queue and self._queue[0].echo_seen:
            return False
        stripped = text.strip()
        for index, reply in enumerate(self._queue):
            if reply.command == stripped:
                for _ in range(index):  # their echo never came: nothing more will come
                    self._queue.popleft().done = True
                reply.echo_seen = True
                return True
        return False

    def _on_prompt(self) -> None:
        if self._queue and self._queue[0].echo_seen:
            self._queue.popleft().done = True

    # -- commands ----------------------------------------------------------------------
    def run(self, command: str, timeout: float, kind: ReplyKind = ReplyKind.QUIET) -> Reply:
        """Send one allow-listed command and wait for its prompt; debug lines keep flowing.

        Raises DeviceTimeout (the reply stays queued, so its late output is still filed
        correctly) or the session's own errors (SessionLost, CommandNotAllowed).
        """
        reply = Reply(command=command, kind=kind)
        started = time.monotonic()
        self._queue.append(reply)
        try:
            self.session.write_raw(command + "\n")
        except BaseException:
            self._queue.remove(reply)
            raise
        deadline = started + timeout
        # A session that can wait on its channel (AsaSession) is read the moment the reply
        # arrives; anything else is polled every READ_POLL_SECONDS.
        wait = getattr(self.session, "wait_readable", None) or time.sleep
        while True:
            self.pump()
            if reply.done:
                reply.seconds = time.monotonic() - started
                return reply
            if time.monotonic() >= deadline:
                raise DeviceTimeout(
                    f"no prompt within {timeout:g} s",
                    host=self.session.host,
                    command=command,
                    output=reply.text or None,
                )
            wait(READ_POLL_SECONDS)
