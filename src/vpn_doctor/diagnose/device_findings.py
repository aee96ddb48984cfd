"""Findings about the device itself, not one tunnel (Contract 2's ``device.findings``).

Why apart from the tunnel walk: a crypto debug left running says nothing about whether a
tunnel is up, so it must never change a tunnel's verdict or push the tunnel's root cause out
of ``findings[0]``; it is still the first thing an engineer should fix on that box. The text
comes from the playbooks' finding catalogue (playbooks/findings.yaml) like every other code,
so ``vpn-doctor explain DEVICE_DEBUG_LEFT_ON`` and the reports agree.
"""

from __future__ import annotations

from vpn_doctor.diagnose.findings import DEVICE_DEBUG_LEFT_ON, DEVICE_STANDBY_UNIT, Finding
from vpn_doctor.diagnose.playbook import PlaybookSet
from vpn_doctor.models import DeviceState


def device_findings(state: DeviceState, book: PlaybookSet) -> tuple[Finding, ...]:
    """DEVICE_DEBUG_LEFT_ON and DEVICE_STANDBY_UNIT, in that order (the debug is urgent)."""
    return (*_debug_left_on(state, book), *_standby_unit(state, book))


def _standby_unit(state: DeviceState, book: PlaybookSet) -> tuple[Finding, ...]:
    """DEVICE_STANDBY_UNIT on the standby of a failover pair, naming the active unit."""
    if state.role != "standby":
        return ()
    entry = book.catalogue[DEVICE_STANDBY_UNIT]
    active = (
        f"the active unit answers on: {', '.join(state.active_unit)}"
        if state.active_unit
        else "the active unit is the other unit of the pair (show failover on it says Active)"
    )
    return (
        Finding(
            code=entry.code,
            severity="info",
            title=entry.title,
            meaning=entry.meaning,
            evidence=(*state.role_evidence, active),
            checks=entry.checks,
            remediation=entry.remediation,
            confidence="confirmed",
            source="state",
        ),
    )


def _debug_left_on(state: DeviceState, book: PlaybookSet) -> tuple[Finding, ...]:
    """DEVICE_DEBUG_LEFT_ON when ``show debug`` (read at login) listed crypto debugging."""
    if not state.debug_left_on:
        return ()
    entry = book.catalogue[DEVICE_DEBUG_LEFT_ON]
    undo = tuple(f"{command}   (exec mode)" for command in state.debug_undo)
    return (
        Finding(
            code=entry.code,
            severity="critical" if entry.severity == "critical" else "warning",
            title=entry.title,
            meaning=entry.meaning,
            evidence=state.debug_left_on,
            checks=entry.checks,
            remediation=(*entry.remediation[:1], *undo),
            confidence="confirmed",
            source="state",
        ),
    )
