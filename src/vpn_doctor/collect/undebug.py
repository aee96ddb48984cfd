"""``vpn-doctor undebug HOST``: turn crypto debugging and conditions off, and nothing else.

Why a command of its own: after a SIGKILL (or an engineer's forgotten session) a crypto debug
keeps running on the firewall; every live command reports it as DEVICE_DEBUG_LEFT_ON, and
this is the one-line fix. It sends exactly the ``no debug crypto <facility>`` lines for the
crypto debugs ``show debug`` lists and ``no debug crypto condition`` when a condition is set
(other debugs belong to whoever turned them on), then reads ``show debug`` again to verify.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpn_doctor.asa.commands import SHOW_DEBUG
from vpn_doctor.collect.runner import CommandRunner
from vpn_doctor.parse.debug_state import parse_show_debug


@dataclass(frozen=True)
class UndebugResult:
    """What ``show debug`` listed before, what was sent, and what it lists afterwards."""

    before: tuple[str, ...]
    sent: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def verified(self) -> bool:
        return not self.after


def undebug(runner: CommandRunner, show_debug_at_login: str | None = None) -> UndebugResult:
    """Undo the crypto debugs and condition ``show debug`` lists; verify; never anything else."""
    text = show_debug_at_login if show_debug_at_login is not None else runner.run(SHOW_DEBUG)
    before = parse_show_debug(text)
    sent: list[str] = []
    for command in before.undo_commands():
        runner.run(command)
        sent.append(command)
    after = parse_show_debug(runner.run(SHOW_DEBUG)) if sent else before
    return UndebugResult(before.lines, tuple(sent), after.lines)
