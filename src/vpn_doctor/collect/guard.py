"""The per-session send policy: what may be written *now*, and what must be undone later.

Why on top of the allowlist: :func:`vpn_doctor.collect.allowlist.check_allowed` judges one
command alone, but whether a ``debug crypto ikev1 200`` is acceptable depends on the session:
only after a ``debug crypto condition peer X`` (else every tunnel on a busy box is debugged),
unless the caller explicitly forced it. And every debug that reaches the device, through any
path of the session (``run``, ``write_raw``, ``run_raw_until_prompt``), is registered here so
the session can undo it when it closes, even if the caller forgot. :class:`AsaSession` checks
every command here just before writing it and records it just after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vpn_doctor.errors import CommandNotAllowed

NO_CONDITION = "no debug crypto condition"


def _debug_facility(words: list[str]) -> str:
    """``["ikev2", "protocol", "255"]`` -> ``"ikev2 protocol"``; ``["ikev1", "200"]`` ->
    ``"ikev1"``."""
    kept = [w for w in words if not w.isdigit()]
    return " ".join(kept)


@dataclass
class SendPolicy:
    """Session state the allowlist cannot see: active condition, debugs on, forced flags.

    ``force_debug``: a debug without a peer condition is allowed (``--debug-all-peers``).
    ``allow_tech_support``: ``show tech-support`` may be sent (heavy on a loaded box).
    """

    force_debug: bool = False
    allow_tech_support: bool = False
    condition: bool = False
    facilities: list[str] = field(default_factory=list)

    def check(self, command: str) -> None:
        """Raise CommandNotAllowed (never sent) when ``command`` is not acceptable now.
        ``command`` is already allow-listed and normalised."""
        words = command.split()
        unconditioned = not self.condition and not self.force_debug
        if words[:2] == ["debug", "crypto"] and words[2:3] != ["condition"] and unconditioned:
            raise CommandNotAllowed(
                "refused: a crypto debug without an active 'debug crypto condition peer "
                "IP' would debug every peer on the box; set the condition first, or force "
                "it explicitly (--debug-all-peers)",
                command=command,
            )
        if words[:2] == ["show", "tech-support"] and not self.allow_tech_support:
            raise CommandNotAllowed(
                "refused: 'show tech-support' is heavy on a loaded firewall; it is sent only "
                "when explicitly asked for",
                command=command,
            )

    def sent(self, command: str) -> None:
        """Record a command that was written: debugs to undo, undos that happened."""
        words = command.split()
        if words[:4] == ["debug", "crypto", "condition", "peer"]:
            self.condition = True
        elif words[:2] == ["debug", "crypto"]:
            facility = _debug_facility(words[2:])
            if facility and facility not in self.facilities:
                self.facilities.append(facility)
        elif words in (["undebug", "all"], ["no", "debug", "all"]):
            self.facilities.clear()
        elif command == NO_CONDITION:
            self.condition = False
        elif words[:3] == ["no", "debug", "crypto"]:
            facility = _debug_facility(words[3:])
            if facility in self.facilities:
                self.facilities.remove(facility)

    def undo_commands(self) -> list[str]:
        """What turns off everything this session turned on (empty: nothing pending)."""
        commands = [f"no debug crypto {facility}" for facility in self.facilities]
        if self.condition:
            commands.append(NO_CONDITION)
        return commands
