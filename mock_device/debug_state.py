"""Device-wide debug state: which crypto debugs are on, at what level, for which peers.

Why device-wide: on a real ASA `debug crypto isakmp 200` keeps running after the SSH
session that typed it is gone. vpn-doctor's cleanup logic (reconnect and undo) is only
testable if the mock behaves the same, so this state lives on the device, not the session.
`terminal monitor` is the one per-session setting and lives on the session.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# facility name as typed after `debug crypto` -> display order in `show debug`
FACILITIES = ("isakmp", "ikev1", "ikev2 protocol", "ikev2 platform", "ipsec", "ca")
IKE_FACILITIES = frozenset({"isakmp", "ikev1", "ikev2 protocol", "ikev2 platform"})


class DebugCommandError(ValueError):
    """The debug command is malformed (bad level); the CLI turns it into an ASA error."""


@dataclass
class DebugState:
    """Levels per facility and the `debug crypto condition peer` set."""

    levels: dict[str, int] = field(default_factory=dict)
    condition_peers: list[str] = field(default_factory=list)

    @property
    def ike_debug_on(self) -> bool:
        return any(f in IKE_FACILITIES for f in self.levels)

    @property
    def any_on(self) -> bool:
        return bool(self.levels or self.condition_peers)

    def matches(self, peer: str | None) -> bool:
        """The condition filter: no condition set, or the peer is one of the conditions."""
        return not self.condition_peers or peer is None or peer in self.condition_peers

    def streams_for(self, peer: str | None) -> bool:
        """Whether IKE debug lines about `peer` would be printed right now."""
        return self.ike_debug_on and self.matches(peer)

    def enable(self, facility: str, level: str | None) -> None:
        value = 1 if level is None else _level(level)
        self.levels[facility] = value

    def disable(self, facility: str) -> None:
        self.levels.pop(facility, None)

    def add_condition(self, peer: str) -> None:
        if peer not in self.condition_peers:
            self.condition_peers.append(peer)

    def clear_condition(self, peer: str | None = None) -> None:
        if peer is None:
            self.condition_peers.clear()
        elif peer in self.condition_peers:
            self.condition_peers.remove(peer)

    def undebug_all(self) -> None:
        """`undebug all` / `no debug all`: every debug off. Conditions stay, as on the ASA."""
        self.levels.clear()

    def show_debug(self) -> str:
        """`show debug` text: one line per condition and enabled debug; empty when none."""
        lines = [f"debug crypto condition peer {p}" for p in self.condition_peers]
        lines += [
            f"debug crypto {f} enabled at level {self.levels[f]}"
            for f in FACILITIES
            if f in self.levels
        ]
        return "".join(line + "\n" for line in lines)

    def snapshot(self) -> DebugState:
        """A copy safe to hand to another thread (tests read it while the loop runs)."""
        return DebugState(dict(self.levels), list(self.condition_peers))


def _level(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 255:
        raise DebugCommandError(text)
    return int(text)
