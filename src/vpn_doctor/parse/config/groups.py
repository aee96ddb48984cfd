"""``show running-config tunnel-group``, ``group-policy`` and ``sla monitor``.

These are the per-peer attribute blocks: who the peer is (tunnel-group named by its address),
which vpn-filter applies to its traffic, and whether an SLA probe keeps the tunnel up. Keys are
never stored: the tunnel-group keeps only the fact that one is configured.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from vpn_doctor.asa.commands import (
    SHOW_RUN_GROUP_POLICY,
    SHOW_RUN_SLA_MONITOR,
    SHOW_RUN_TUNNEL_GROUP,
)
from vpn_doctor.config_models import (
    MASKED_SECRET,
    GroupPolicy,
    SlaMonitor,
    TunnelGroup,
)
from vpn_doctor.models import ParseResult
from vpn_doctor.parse.config.base import Collector, blocks, prepare, to_int

_TG_HEADER = re.compile(
    r"^tunnel-group (\S+) (type (\S+)|general-attributes|ipsec-attributes|webvpn-attributes"
    r"|ppp-attributes)\s*(.*)$"
)


def _tunnel_attribute(group: dict[str, Any], attribute: str) -> None:
    words = attribute.split()
    if words[:2] == ["ikev1", "pre-shared-key"] or words[:1] == ["pre-shared-key"]:
        group["ikev1_pre_shared_key"] = MASKED_SECRET
    elif words[:2] == ["ikev2", "local-authentication"]:
        group["ikev2_local_authentication"] += (" ".join(words[2:]),)
    elif words[:2] == ["ikev2", "remote-authentication"]:
        group["ikev2_remote_authentication"] += (" ".join(words[2:]),)
    elif words[:1] == ["peer-id-validate"] and len(words) > 1:
        group["peer_id_validate"] = words[1]
    elif words[:2] == ["isakmp", "keepalive"]:
        group["isakmp_keepalive"] = " ".join(words[2:])
        rest = words[2:]
        for key, value in zip(rest[::2], rest[1::2], strict=False):
            if key == "threshold":
                group["keepalive_threshold"] = to_int(value)
            elif key == "retry":
                group["keepalive_retry"] = to_int(value)
    elif words == ["chain"]:
        group["chain"] = True
    elif words[:2] == ["ikev1", "trust-point"] or words[:1] == ["trust-point"]:
        group["trust_point"] = words[-1]
    elif words[:1] == ["default-group-policy"] and len(words) > 1:
        group["default_group_policy"] = words[1]
    # Remote-access and other attributes are kept in ``lines`` only.


def parse_tunnel_groups(
    text: str, command: str = SHOW_RUN_TUNNEL_GROUP
) -> ParseResult[TunnelGroup]:
    """``show running-config tunnel-group``: one record per name, attribute blocks merged."""
    col = Collector(command)
    groups: dict[str, dict[str, Any]] = {}
    for number, header, children in blocks(prepare(text, col)):
        m = _TG_HEADER.match(header)
        if not m:
            col.bad(number, header or children[0][1])
            for n, child in children[1 if not header else 0 :]:
                col.bad(n, child, "line outside any tunnel-group block")
            continue
        col.ok()
        group = groups.setdefault(
            m[1],
            {
                "name": m[1],
                "lines": [],
                "ikev2_local_authentication": (),
                "ikev2_remote_authentication": (),
            },
        )
        group["lines"].append(header)
        if m[3]:
            group["type"] = m[3]
        if m[4]:  # `tunnel-group X ipsec-attributes pre-shared-key K` (single-line form)
            _tunnel_attribute(group, m[4])
        for _n, child in children:
            col.ok()
            group["lines"].append(child)
            _tunnel_attribute(group, child.strip())
    records = []
    for group in groups.values():
        group["lines"] = tuple(group["lines"])
        records.append(TunnelGroup(**group))
    return col.result(records)


def parse_group_policies(
    text: str, command: str = SHOW_RUN_GROUP_POLICY
) -> ParseResult[GroupPolicy]:
    """``show running-config group-policy``: the vpn-filter is what L2L diagnosis needs."""
    col = Collector(command)
    policies: dict[str, dict[str, Any]] = {}
    header_re = re.compile(r"^group-policy (\S+) (internal|external|attributes)\b")
    for number, header, children in blocks(prepare(text, col)):
        m = header_re.match(header)
        if not m:
            col.bad(number, header or children[0][1])
            for n, child in children[0 if header else 1 :]:
                col.bad(n, child, "line outside any group-policy block")
            continue
        col.ok()
        policy = policies.setdefault(m[1], {"name": m[1], "lines": []})
        policy["lines"].append(header)
        if m[2] != "attributes":
            policy["policy_type"] = m[2]
        for _n, child in children:
            col.ok()
            policy["lines"].append(child)
            words = child.split()
            if words[:1] == ["vpn-filter"] and len(words) > 1:
                policy["vpn_filter"] = words[-1]
            elif words[:1] == ["vpn-tunnel-protocol"]:
                policy["vpn_tunnel_protocols"] = tuple(words[1:])
    records = []
    for policy in policies.values():
        policy["lines"] = tuple(policy["lines"])
        records.append(GroupPolicy(**policy))
    return col.result(records)


_SLA_HEADER = re.compile(r"^sla monitor (\d+)\s*$")
_SLA_SCHEDULE = re.compile(r"^sla monitor schedule (\d+)\s*(.*)$")
_SLA_ECHO = re.compile(r"^type echo protocol (\S+) (\S+)(?: interface (\S+))?")


def parse_sla_monitors(text: str, command: str = SHOW_RUN_SLA_MONITOR) -> ParseResult[SlaMonitor]:
    """``sla monitor N`` blocks merged with their ``sla monitor schedule N`` lines."""
    col = Collector(command)
    monitors: dict[int, dict[str, Any]] = {}
    for number, header, children in blocks(prepare(text, col)):
        if m := _SLA_SCHEDULE.match(header):
            sla = monitors.setdefault(int(m[1]), {"sla_id": int(m[1]), "lines": []})
            sla["lines"].append(header)
            sla["scheduled"] = True
            words = m[2].split()
            for key, value in itertools.pairwise(words):
                if key == "life":
                    sla["schedule_life"] = value
                elif key == "start-time":
                    sla["schedule_start"] = value
            col.ok()
        elif m := _SLA_HEADER.match(header):
            sla = monitors.setdefault(int(m[1]), {"sla_id": int(m[1]), "lines": []})
            sla["lines"].append(header)
            col.ok()
            for n, child in children:
                words = child.split()
                if e := _SLA_ECHO.match(child.strip()):
                    sla.update(probe_type="echo", protocol=e[1], target=e[2], interface=e[3] or "")
                elif words[:1] in (["frequency"], ["timeout"], ["threshold"]) and len(words) > 1:
                    sla[words[0]] = to_int(words[1])
                elif not words[:1] or words[0] not in ("num-packets", "request-data-size", "tos"):
                    col.bad(n, child, "unknown sla monitor attribute")
                    continue
                col.ok()
                sla["lines"].append(child)
            continue
        else:
            col.bad(number, header or children[0][1])
        for n, child in children:
            col.bad(n, child, "line outside any sla monitor block")
    records = []
    for sla in monitors.values():
        sla["lines"] = tuple(sla["lines"])
        records.append(SlaMonitor(**sla))
    return col.result(records)
