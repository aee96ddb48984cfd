"""netmiko without its fixed costs: reads that wait on the channel, not on the clock.

Why (issue 19, measured on the mock at 0 ms per command): netmiko's ``cisco_asa`` spent
0.81 s of a 1.66 s ``diagnose --peer`` in ``time.sleep``: ``read_until_pattern`` sleeps
10 ms between reads, ``send_command`` sleeps in its own loop and first reads the echo with
``command_echo_read`` (another loop), ``clear_buffer`` and ``find_prompt`` sleep on every
prompt search, ``_try_session_preparation`` types an Enter and sleeps 0.1 s before anything,
and ``cleanup`` searches the prompt once more (for configuration mode we never enter)
before typing ``exit``.

:class:`LeanAsaChannel` is a mixin for netmiko's connection class that keeps netmiko (its
SSH setup, authentication, channel, linefeed normalisation, session log, exceptions) and
replaces only those loops:

* every read waits on the paramiko channel's own readiness (``select`` on
  ``Channel.fileno()``), so a reply is read the moment it arrives and nothing is slept;
* the prompt search scans only the new part of the output (a window rounded to a line
  start), not the whole output again after every chunk: a 5 MB hub output is no longer
  searched a few hundred times over;
* ``send_command`` with an ``expect_string`` (the only way vpn-doctor calls it) writes the
  command once and reads until the prompt that follows the command's echo: a prompt left
  in the channel by an earlier Enter can never end a read early;
* the session starts from the prompt the ASA prints after login (no Enter, no sleep),
  reaches ``#`` with one ``enable`` when needed, and turns the pager off; no configuration
  mode (see ``driver._AsaConnection``), one prompt search in all;
* ``cleanup`` types ``exit`` and nothing else.
"""

from __future__ import annotations

import re
import select
import time
from typing import TYPE_CHECKING, Any

from netmiko.exceptions import ReadTimeout

# How far back a prompt search looks into output it has already seen: a prompt (or any
# pattern netmiko waits for) is one short line, so re-scanning more of a large output is
# wasted work.
_SEARCH_WINDOW = 4096
# The longest single wait before the deadline and the channel state are looked at again
# (a closed channel also makes the channel readable, so this is only a safety net).
_MAX_WAIT = 0.25
# A login prompt: the last thing on the screen, `fw1>` or `fw1#` (also `fw1/ctx#`).
_LOGIN_PROMPT = r"([^\s#>]+[#>] ?)$"
# How long to wait for the ASA to print its prompt by itself before typing an Enter.
_PROMPT_UNPROMPTED = 1.0


def search_start(text: str, seen: int) -> int:
    """Where to resume a pattern search in ``text`` whose first ``seen`` characters were
    already searched: a window before them, moved back to a line start so that ``^`` in
    a multi-line pattern still matches."""
    if seen <= _SEARCH_WINDOW:
        return 0
    line_start = text.rfind("\n", 0, seen - _SEARCH_WINDOW)
    return line_start + 1 if line_start >= 0 else 0


def ending_prompt(reply: str) -> str:
    """The prompt a reply read up to a prompt ends with (``fw1#``): its last line, stripped.
    Every read that ends on a prompt (login, enable, pager, FTD's greeting, ``changeto``)
    names the session's prompt this way."""
    return reply.strip().splitlines()[-1].strip()


class LeanAsaChannel:
    """Mixin placed before netmiko's ``CiscoAsaSSH`` (see the module docstring)."""

    # Provided by netmiko's BaseConnection (declared for the type checker).
    remote_conn: Any
    base_prompt: str
    secret: str
    RETURN: str
    read_timeout_override: float | None
    _read_buffer: str

    if TYPE_CHECKING:  # netmiko's methods this mixin calls (no runtime stubs: MRO)

        def read_channel(self) -> str: ...

        def write_channel(self, out_data: str) -> None: ...

        def normalize_linefeeds(self, a_string: str) -> str: ...

        def _sanitize_output(
            self,
            output: str,
            strip_command: bool = False,
            command_string: str | None = None,
            strip_prompt: bool = False,
        ) -> str: ...

    # -- waiting ------------------------------------------------------------------------
    def wait_readable(self, seconds: float) -> None:
        """Block until the channel has data (or is closed), at most ``seconds``.

        paramiko's ``Channel.fileno()`` is a pipe it sets whenever data is buffered or the
        channel closes: the documented way to ``select`` on a channel. Anything else (a
        test double without a file descriptor) falls back to a short sleep.
        """
        seconds = max(0.0, min(seconds, _MAX_WAIT))
        try:
            fd = self.remote_conn.fileno()
        except (AttributeError, OSError, TypeError):
            time.sleep(min(seconds, 0.01))
            return
        select.select([fd], [], [], seconds)

    def read_until_pattern(
        self,
        pattern: str = "",
        read_timeout: float = 10.0,
        re_flags: int = 0,
        max_loops: int | None = None,
    ) -> str:
        """netmiko's contract (everything up to and including the first match; the rest
        stays in the read buffer; ``ReadTimeout`` after ``read_timeout`` seconds, 0 = no
        limit), with channel waits instead of 10 ms sleeps and a windowed search."""
        del max_loops  # deprecated in netmiko 4, never used here
        if self.read_timeout_override:
            read_timeout = self.read_timeout_override
        compiled = re.compile(pattern, re_flags)
        return self._read_until(compiled, read_timeout, after=None)

    def _read_until(
        self, compiled: re.Pattern[str], read_timeout: float, *, after: str | None
    ) -> str:
        """Read until ``compiled`` matches; with ``after``, only a match that follows the
        first occurrence of that text (a command's echo) counts."""
        deadline = time.monotonic() + read_timeout if read_timeout else float("inf")
        output = ""
        searched = 0
        floor = 0 if after is None else -1  # where a match may start (-1: echo not seen)
        while True:
            output += self.read_channel()
            if floor < 0 and after is not None:
                echo_at = output.find(after)
                if echo_at >= 0:
                    floor = echo_at + len(after)
            if floor >= 0:
                match = compiled.search(output, max(floor, search_start(output, searched)))
                if match is not None:
                    end = match.end()
                    if end < len(output):
                        self._read_buffer = output[end:] + self._read_buffer
                    return output[:end]
            searched = len(output)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReadTimeout(
                    f"Pattern not detected: {compiled.pattern!r} in output "
                    f"(last 200 characters: {output[-200:]!r})"
                )
            self.wait_readable(remaining)

    # -- commands -----------------------------------------------------------------------
    def send_command(self, command_string: str, *args: Any, **kwargs: Any) -> Any:
        """The lean path for ``send_command(cmd, expect_string=..., read_timeout=...,
        strip_prompt=..., strip_command=...)``; any other use is netmiko's own."""
        lean_keys = {"expect_string", "read_timeout", "strip_prompt", "strip_command"}
        expect_string = kwargs.get("expect_string")
        if args or not expect_string or set(kwargs) - lean_keys or "changeto" in command_string:
            return super().send_command(command_string, *args, **kwargs)  # type: ignore[misc]
        command = command_string.strip()
        self.write_channel(command + self.RETURN)
        output = self._read_until(
            re.compile(expect_string),
            float(kwargs.get("read_timeout", 10.0)),
            after=command,
        )
        # Nothing before the echo's line is this command's: a stale prompt, an Enter.
        echo_line = output.rfind("\n", 0, output.find(command)) + 1
        return self._sanitize_output(  # netmiko's, unchanged
            self.normalize_linefeeds(output[echo_line:]),
            strip_command=bool(kwargs.get("strip_command", True)),
            command_string=command,
            strip_prompt=bool(kwargs.get("strip_prompt", True)),
        )

    # -- session start and end -----------------------------------------------------------
    def _try_session_preparation(self, force_data: bool = True) -> None:
        """netmiko types an Enter and sleeps 0.1 s first; the ASA prints its prompt after
        login by itself (:meth:`read_login_prompt` types the Enter only if it does not)."""
        super()._try_session_preparation(force_data=False)  # type: ignore[misc]

    def read_login_prompt(self, timeout: float) -> str:
        """The prompt the ASA printed after login (``fw1>`` / ``fw1#``), stripped; an Enter
        is typed once if nothing prompt-like arrived within a second."""
        pattern = re.compile(_LOGIN_PROMPT)
        try:
            output = self._read_until(pattern, min(_PROMPT_UNPROMPTED, timeout), after=None)
        except ReadTimeout:
            self.write_channel(self.RETURN)
            output = self._read_until(pattern, timeout, after=None)
        return ending_prompt(output)

    def exec_command(self, command: str, timeout: float) -> str:
        """One exec-mode command during session preparation (``terminal pager 0``): typed
        once, read to the prompt after its echo; returns the raw reply."""
        prompt = rf"(^{re.escape(self.base_prompt)}[#>] ?$)"
        self.write_channel(command + self.RETURN)
        return self._read_until(re.compile(prompt, re.M), timeout, after=command)

    def cleanup(self, command: str = "exit") -> None:
        """``exit`` only: netmiko's ASA cleanup first searches the prompt for configuration
        mode, which this session never enters."""
        self.write_channel(command + self.RETURN)
