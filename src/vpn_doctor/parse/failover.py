"""The unit's failover role, from ``show failover`` or, failing that, from the prompt.

Why it matters: on the standby unit of a failover pair every tunnel looks down (the standby
holds no SAs), so a diagnosis there would be a confident wrong answer. The role decides
whether tunnels are diagnosed at all, and ``DEVICE_STANDBY_UNIT`` points at the active unit.

``show failover`` prints (9.x, Active/Standby)::

    Failover On
    ...
            This host: Secondary - Standby Ready
                      Interface outside (198.51.100.1): Normal (Monitored)
            Other host: Primary - Active
                      Interface outside (198.51.100.1): Normal (Monitored)

From the standby, the other host's interface addresses are the active unit's. ``Failover
Off`` is a standalone unit. With ``prompt hostname priority state`` the prompt says the same
thing (``fw/pri/act#``, ``fw/sec/stby#``, ``fw/ctx1/sec/stby#``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_THIS_HOST = re.compile(r"^\s*This host\s*:\s*(?P<unit>\w+)\s*-\s*(?P<state>.+?)\s*$", re.M)
_OTHER_HOST = re.compile(r"^\s*Other host\s*:\s*(?P<unit>\w+)\s*-\s*(?P<state>.+?)\s*$", re.M)
_INTERFACE = re.compile(r"^\s*Interface\s+(?P<name>\S+)\s+\((?P<ip>[0-9A-Fa-f.:]+)\)", re.M)
_OFF = re.compile(r"^\s*Failover\s+Off\b", re.M | re.I)
_PROMPT_STATE = re.compile(r"/(?P<state>act|stby)$", re.I)


@dataclass(frozen=True)
class FailoverRole:
    """``role``: standalone | active | standby ("" when nothing said it).

    ``evidence``: the lines that decided it; ``active_unit``: where the tunnels live when this
    is the standby (the other unit's interface addresses, when printed).
    """

    role: str = ""
    evidence: tuple[str, ...] = ()
    active_unit: tuple[str, ...] = ()


def _state_role(state: str) -> str:
    lowered = state.lower()
    if lowered.startswith("active"):
        return "active"
    if "standby" in lowered or "sync" in lowered or "cold" in lowered or "bulk" in lowered:
        return "standby"
    return ""


def _interfaces(block: str) -> tuple[str, ...]:
    return tuple(f"{m['name']} {m['ip']}" for m in _INTERFACE.finditer(block))


def parse_failover(text: str) -> FailoverRole:
    """The role as ``show failover`` states it ("" role when the output says neither)."""
    off = _OFF.search(text)
    if off is not None:
        return FailoverRole("standalone", (off.group(0).strip(),))
    this = _THIS_HOST.search(text)
    if this is None:
        return FailoverRole()
    role = _state_role(this["state"])
    other = _OTHER_HOST.search(text)
    evidence = [this.group(0).strip()]
    active_unit: tuple[str, ...] = ()
    if other is not None:
        evidence.append(other.group(0).strip())
        if role == "standby":
            active_unit = _interfaces(text[other.end() :])
    return FailoverRole(role, tuple(evidence), active_unit)


def role_from_prompt(hostname: str) -> FailoverRole:
    """``fw/pri/act`` -> active, ``fw/sec/stby`` -> standby ("" when the prompt says nothing)."""
    match = _PROMPT_STATE.search(hostname.strip())
    if match is None:
        return FailoverRole()
    role = "active" if match["state"].lower() == "act" else "standby"
    return FailoverRole(role, (f"prompt {hostname.strip()}#",))


def failover_role(show_failover: str | None, hostname: str) -> FailoverRole:
    """``show failover`` when read, else the prompt, else standalone."""
    if show_failover:
        found = parse_failover(show_failover)
        if found.role:
            return found
    found = role_from_prompt(hostname)
    return found if found.role else FailoverRole("standalone")
