"""Parsing: raw ASA output -> typed models, with an honest status. The only textfsm user.

Public API (docs/INTERFACES.md, "Parsing"):

* :func:`parse_isakmp_sa` -> ``ParseResult[IkeSa]``   (`show crypto isakmp sa` and friends)
* :func:`parse_ipsec_sa` -> ``ParseResult[IpsecSa]``  (`show crypto ipsec sa`)
* :func:`parse_sessiondb_l2l` -> ``ParseResult[VpnSession]`` (`show vpn-sessiondb detail l2l`)
* :func:`parse_version` -> ``DeviceInfo``
* :func:`parse_snapshot` -> ``DeviceState``

None of them raises on bad input. What every status means (the engine relies on this):

* ``OK``: all of the output was understood; ``records`` is complete.
* ``EMPTY``: the device said there is nothing ("There are no IKEv1 SAs").
* ``PARTIAL``: some of it was understood; ``warnings`` says what was not (truncated block,
  unknown line, pager remnant, counters that do not add up). Records may be incomplete.
* ``FAILED``: nothing usable: empty capture, device error (``% Invalid input``), wrong command.
* ``MISSING``: the command was not collected (only from :func:`parse_snapshot`).

Only OK and EMPTY are ``usable``: a failed or partial parse must never read as "no SA".
The per-command code lives in ``parsing_isakmp``, ``parsing_ipsec`` and ``parsing_sessiondb``;
the shared cleaning/status rules in ``parsing_common``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from vpn_doctor.asa.commands import (
    PACKET_TRACER,
    SHOW_DEBUG,
    SHOW_FAILOVER,
    SHOW_IPSEC_SA,
    SHOW_ISAKMP_SA,
    SHOW_ROUTE,
    SHOW_RUN_TUNNEL_GROUP,
    SHOW_SESSIONDB_L2L,
    SHOW_VERSION,
    peer_filtered_commands,
)
from vpn_doctor.asa.output import ASA_SOFTWARE_VERSION
from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.gc_pause import gc_paused
from vpn_doctor.models import (
    DeviceInfo,
    DeviceState,
    IkeSa,
    IpsecSa,
    ParseResult,
    ParseStatus,
    Snapshot,
    VpnSession,
)
from vpn_doctor.parse.config.sections import parse_crypto_config
from vpn_doctor.parse.debug_state import parse_show_debug
from vpn_doctor.parse.failover import failover_role
from vpn_doctor.parse.ipsec import parse_ipsec_sa
from vpn_doctor.parse.isakmp import parse_isakmp_sa
from vpn_doctor.parse.sample import parse_samples
from vpn_doctor.parse.sessiondb import parse_sessiondb_l2l
from vpn_doctor.parse.textfsm_runner import prepare, template_for_command

__all__ = [
    "parse_ipsec_sa",
    "parse_isakmp_sa",
    "parse_sessiondb_l2l",
    "parse_snapshot",
    "parse_version",
    "template_for_command",
]

# Other spellings of the phase 1 command a snapshot may hold instead of the canonical one,
# in order of preference. `ikev1 sa` + `ikev2 sa` together are as good as `isakmp sa`.
_ISAKMP_ALTERNATIVES = ("show crypto isakmp sa detail",)
_IKEV1 = "show crypto ikev1 sa"
_IKEV2 = "show crypto ikev2 sa"
# `... detail` prints the same SA table with more lines: as good as the plain command.
_DETAIL = " detail"

# Outputs that make up the configuration part of a DeviceState (a pasted packet-tracer or
# route table alone is still worth reading).
_CONFIG_COMMANDS = ("show running-config", PACKET_TRACER, SHOW_ROUTE)
# `show run | begin tunnel-group` is the tunnel-group section as people paste it.
_FILTERED_TUNNEL_GROUP = re.compile(r"^show running-config \| (?:begin|include|grep) tunnel-group$")

_HOSTNAME = re.compile(r"^(?P<host>\S+) up (?:\d+ (?:year|day|hour|min|sec)|\d)")
_HARDWARE = re.compile(r"^Hardware:\s+(?P<model>[^,]+)")
_MODEL_ID = re.compile(r"^Model Id:\s+(?P<model>\S+)")


def parse_version(text: str) -> DeviceInfo:
    """Hostname, software version and model from `show version`.

    Plain regexes, not a template: we need three lines out of a long and release-dependent
    output (licences, interfaces, serials), and must not fail because of the other 60.
    Anything not found is left empty.
    """
    hostname = version = model = ""
    prepared = prepare(text if isinstance(text, str) else "", SHOW_VERSION)
    for line in prepared.lines:
        if not version and (match := ASA_SOFTWARE_VERSION.search(line)):
            version = match.group("version")
        elif not hostname and (match := _HOSTNAME.match(line)):
            hostname = match.group("host")
        elif not model and (match := _HARDWARE.match(line)):
            model = match.group("model").strip()
        elif not model and (match := _MODEL_ID.match(line)):
            model = match.group("model")
    return DeviceInfo(hostname=hostname, version=version, model=model)


def _merge_ike(first: ParseResult[IkeSa], second: ParseResult[IkeSa]) -> ParseResult[IkeSa]:
    """`ikev1 sa` + `ikev2 sa` -> one result as if `isakmp sa` had been run."""
    statuses = {first.status, second.status}
    records = first.records + second.records
    if ParseStatus.FAILED in statuses or ParseStatus.PARTIAL in statuses:
        status = ParseStatus.PARTIAL if records else ParseStatus.FAILED
    elif records:
        status = ParseStatus.OK
    else:
        status = ParseStatus.EMPTY
    return ParseResult(
        command=f"{first.command} + {second.command}",
        status=status,
        records=records,
        warnings=first.warnings + second.warnings,
    )


def _ike_result(outputs: dict[str, str]) -> ParseResult[IkeSa]:
    if SHOW_ISAKMP_SA in outputs:
        return parse_isakmp_sa(outputs[SHOW_ISAKMP_SA], SHOW_ISAKMP_SA)
    for command in _ISAKMP_ALTERNATIVES:
        if command in outputs:
            return parse_isakmp_sa(outputs[command], command)
    v1_command = next((c for c in (_IKEV1, _IKEV1 + _DETAIL) if c in outputs), None)
    v2_command = next((c for c in (_IKEV2, _IKEV2 + _DETAIL) if c in outputs), None)
    v1 = parse_isakmp_sa(outputs[v1_command], v1_command) if v1_command else None
    v2 = parse_isakmp_sa(outputs[v2_command], v2_command) if v2_command else None
    if v1 is not None and v2 is not None:
        return _merge_ike(v1, v2)
    if v1 is not None or v2 is not None:
        # Only one IKE version collected: we cannot vouch for the other one.
        single = v1 if v1 is not None else v2
        assert single is not None
        other = _IKEV2 if v1 is not None else _IKEV1
        status = single.status
        if status in (ParseStatus.OK, ParseStatus.EMPTY):
            status = ParseStatus.PARTIAL
        return ParseResult(
            command=single.command,
            status=status,
            records=single.records,
            warnings=(*single.warnings, f"'{other}' not collected: SAs of that version unknown"),
        )
    return _missing(SHOW_ISAKMP_SA)


def _missing(command: str) -> ParseResult[Any]:
    """The result for a command the snapshot does not hold: MISSING, and it says so."""
    return ParseResult(
        command=command, status=ParseStatus.MISSING, warnings=(f"'{command}' was not collected",)
    )


def _collected_variant(outputs: dict[str, str], command: str, peer: str | None) -> str | None:
    """The key under which `command` was collected: box-wide, else its per-peer variant.

    `collect --peer X` stores `show crypto ipsec sa peer X` instead of the box-wide command;
    the ParseResult keeps that command so the engine knows the output covers one peer only
    (for any other peer the engine reads it as not collected, see engine._source).
    """
    if command in outputs:
        return command
    if command + _DETAIL in outputs:
        return command + _DETAIL
    if peer:
        variant = peer_filtered_commands(peer)[command]
        if variant in outputs:
            return variant
    prefix = peer_filtered_commands("").get(command, "").strip()
    for key in outputs:
        if prefix and key.startswith(prefix + " "):
            return key
    return None


def parse_snapshot(snapshot: Snapshot) -> DeviceState:
    """Parse every output of a snapshot; a missing command gives MISSING, never a crash.

    Hostname: the snapshot's (meta.yaml or the live session) wins over `show version`, which
    may be missing or from a context whose prompt differs. The cyclic garbage collector is
    paused meanwhile (see :mod:`vpn_doctor.gc_pause`).
    """
    with gc_paused():
        return _parse_snapshot(snapshot)


def _parse_snapshot(snapshot: Snapshot) -> DeviceState:
    outputs = dict(snapshot.outputs)

    ipsec_command = _collected_variant(outputs, SHOW_IPSEC_SA, snapshot.peer)
    sessions_command = _collected_variant(outputs, SHOW_SESSIONDB_L2L, snapshot.peer)

    ipsec: ParseResult[IpsecSa] = (
        parse_ipsec_sa(outputs[ipsec_command], ipsec_command)
        if ipsec_command
        else _missing(SHOW_IPSEC_SA)
    )
    sessions: ParseResult[VpnSession] = (
        parse_sessiondb_l2l(outputs[sessions_command], sessions_command)
        if sessions_command
        else _missing(SHOW_SESSIONDB_L2L)
    )

    parsed = parse_version(outputs[SHOW_VERSION]) if SHOW_VERSION in outputs else DeviceInfo()
    given = snapshot.device
    device = DeviceInfo(
        hostname=given.hostname or parsed.hostname,
        version=given.version or parsed.version,
        model=given.model or parsed.model,
        context=given.context,
    )
    debug = parse_show_debug(outputs.get(SHOW_DEBUG, ""))
    failover = failover_role(outputs.get(SHOW_FAILOVER), device.hostname)
    return DeviceState(
        device=device,
        debug_left_on=debug.lines,
        debug_undo=debug.undo_commands(),
        ike_sas=_ike_result(outputs),
        ipsec_sas=ipsec,
        sessions=sessions,
        debug_lines=tuple(snapshot.debug_lines),
        raw=outputs,
        collected_at=snapshot.collected_at,
        config=_crypto_config(outputs, snapshot.collected_at),
        samples=parse_samples(snapshot.samples),
        debug_times=snapshot.debug_times,
        role=failover.role,
        role_evidence=failover.evidence,
        active_unit=failover.active_unit,
    )


def _crypto_config(outputs: dict[str, str], collected_at: str) -> CryptoConfig | None:
    """The running-config sections, when any was collected (certificate dates need the
    snapshot's time as their reference)."""
    if not any(command.startswith(_CONFIG_COMMANDS) for command in outputs):
        return None
    config = parse_crypto_config(
        {
            _FILTERED_TUNNEL_GROUP.sub(SHOW_RUN_TUNNEL_GROUP, key): text
            for key, text in outputs.items()
        }
    )
    return replace(config, collected_at=collected_at) if collected_at else config
