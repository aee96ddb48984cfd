"""``show debug``: is crypto debugging (or a crypto debug condition) left on?

Why it matters: a ``debug crypto ikev1 200`` that an earlier session (ours after a SIGKILL, or
an engineer's) left running loads a busy firewall's CPU and fills its logging buffer, and
nothing on the box says so except ``show debug``. Every live command reads it once after
login; the engine turns a crypto entry into the device-level finding ``DEVICE_DEBUG_LEFT_ON``
and ``vpn-doctor undebug HOST`` undoes exactly what is listed here (crypto only: other debugs
belong to whoever turned them on).

The ASA prints one line per enabled debug (``debug crypto ikev1 enabled at level 200``) and
the conditional-debug filter (``debug crypto condition peer 203.0.113.9``, or on some images
``Crypto conditional debug is turned ON`` followed by the filters). An empty output means
nothing is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "debug crypto ikev2 protocol enabled at level 255" -> "ikev2 protocol"
_LEVEL = re.compile(
    r"^\s*debug\s+crypto\s+(?P<facility>[a-z0-9-]+(?:\s+(?:protocol|platform))?)"
    r"\s+enabled\s+at\s+level\s+\d+",
    re.IGNORECASE,
)
_CRYPTO = re.compile(r"^\s*debug\s+crypto\s+\S", re.IGNORECASE)
_CONDITION = re.compile(
    r"^\s*debug\s+crypto\s+condition\b|conditional\s+debug\s+is\s+turned\s+on", re.IGNORECASE
)


@dataclass(frozen=True)
class DebugStatus:
    """The crypto part of ``show debug``: the lines as printed, and what they mean."""

    lines: tuple[str, ...] = ()  # the crypto lines, verbatim (evidence)
    facilities: tuple[str, ...] = ()  # "ikev1", "ikev2 protocol", ...
    condition: bool = False  # a `debug crypto condition` filter is set

    @property
    def crypto_on(self) -> bool:
        return bool(self.lines)

    def undo_commands(self) -> tuple[str, ...]:
        """The exec-mode commands that turn off exactly the crypto debugs listed (and the
        condition), nothing else; allow-listed."""
        commands = [f"no debug crypto {facility}" for facility in self.facilities]
        if self.lines and not self.facilities and not self.condition:
            commands.append("undebug all")  # a crypto line we could not read: be thorough
        if self.condition:
            commands.append("no debug crypto condition")
        return tuple(commands)


def parse_show_debug(text: str) -> DebugStatus:
    """The crypto debugs and condition ``show debug`` lists (empty: none)."""
    lines: list[str] = []
    facilities: list[str] = []
    condition = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _CONDITION.search(line):
            condition = True
            lines.append(line)
            continue
        level = _LEVEL.match(line)
        if level is not None:
            facility = " ".join(level.group("facility").lower().split())
            if facility not in facilities:
                facilities.append(facility)
            lines.append(line)
        elif _CRYPTO.match(line):
            lines.append(line)
    return DebugStatus(tuple(lines), tuple(facilities), condition)
