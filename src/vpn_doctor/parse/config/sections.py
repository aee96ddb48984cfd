"""Parse the ASA's VPN configuration outputs into :mod:`vpn_doctor.config_models`.

Why not TextFSM everywhere
--------------------------
ntc-templates 9.3.0 was evaluated against the real outputs in the project's samples:

* ``show running-config crypto map``: the ntc template takes one peer only (``set peer A B``,
  the AWS two-endpoint form, raises), accepts ``set pfs group\\d`` only (``group14`` and the
  8.x bare ``set pfs`` raise), does not know ``set ikev2 ipsec-proposal``, the 8.x
  ``set transform-set``, kilobyte lifetimes, reverse-route, nat-t-disable or dynamic maps,
  and requires every entry to start with ``match address``. Not usable.
* ``show running-config crypto ikev1`` / ``ipsec``: no ``crypto isakmp`` (8.x) syntax, no
  ``enable`` lines, no IKEv2 policies, transform-sets need a trailing space, proposals are
  capped at a fixed number of algorithms, and unknown lines are silently ignored (which would
  read as "not configured"). Not usable.
* ``show running-config tunnel-group``: built for remote-access; no ``isakmp keepalive``,
  clear-text keys (``more system:running-config``) and the 8.x ``pre-shared-key`` are missed,
  no error on unknown lines. Not usable.
* ``show access-list``: correct on our samples, but it returns ~80 flat columns and cannot
  read ``show running-config access-list`` (no ``line N``); one ACE tokenizer for both commands
  guarantees the configured ACE and its hit-counted twin compare equal. Ours.
* ``show nat`` and ``show route`` (table form): correct and complete for what we need; used.
  ``show route X`` prints a different ``Routing entry for`` block, parsed here.
* packet-tracer has no ntc template.

The running-config outputs are one statement per line (``crypto map M 10 set peer X``) or a
header with indented attribute lines; each line is self-describing, so a table of line
regexes in Python reads more plainly than a TextFSM state machine and, more importantly, lets
us keep every recognised line as evidence and flag every unrecognised one as a warning
without losing the rest of the parse (TextFSM's ``Error`` aborts the whole output). The ntc
templates we do use are driven line by line for the same reason: a line that hits ``Error``
becomes a warning and parsing continues (truncated output still gives a partial result).

packet-tracer is parsed in Python too: it has two record shapes (phases, then one verdict)
and free-form "Additional Information" text, which a single TextFSM table cannot express.

Nothing here raises on bad input: every function returns a
:class:`~vpn_doctor.models.ParseResult` whose status is honest (``partial``/``failed`` with
warnings), and :func:`parse_crypto_config` records per-command status and warnings.
Pre-shared keys are masked in every stored line.

Module layout
-------------
This module is the aggregate (:func:`parse_crypto_config`) and re-exports every parser so
``from vpn_doctor.parse.config.sections import parse_routes`` keeps working. The grammar lives in:

* :mod:`~vpn_doctor.parse.config.base`: shared plumbing (line preparation, status
  bookkeeping, secret masking, ntc-templates driven line by line);
* :mod:`~vpn_doctor.parse.config.crypto`: crypto maps, IKE policies, transform sets;
* :mod:`~vpn_doctor.parse.config.groups`: tunnel-groups, group-policies, SLA monitors;
* :mod:`~vpn_doctor.parse.config.acl_nat`: access lists and NAT;
* :mod:`~vpn_doctor.parse.config.route_tracer`: routes and packet-tracer;
* :mod:`~vpn_doctor.parse.config.certs`: ``show crypto ca certificates``.

The command strings live in :mod:`vpn_doctor.asa.commands` (re-exported here too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from vpn_doctor.addresses import is_ip, normalise_peer
from vpn_doctor.asa.commands import (
    CONFIG_COMMANDS,
    PACKET_TRACER,
    SHOW_ACCESS_LIST,
    SHOW_CRYPTO_CA_CERTIFICATES,
    SHOW_NAT,
    SHOW_ROUTE,
    SHOW_RUN_ACCESS_LIST,
    SHOW_RUN_ALL_CRYPTO_MAP,
    SHOW_RUN_CRYPTO,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_CRYPTO_ISAKMP,
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_GROUP_POLICY,
    SHOW_RUN_INTERFACE,
    SHOW_RUN_NAMES,
    SHOW_RUN_NAT,
    SHOW_RUN_SLA_MONITOR,
    SHOW_RUN_TUNNEL_GROUP,
)
from vpn_doctor.config_models import (
    AccessListEntry,
    CaCertificate,
    CryptoConfig,
    GroupPolicy,
    NatRule,
    PacketTracerResult,
    Route,
    SlaMonitor,
    TunnelGroup,
    TunnelInterface,
)
from vpn_doctor.models import ParseResult, ParseStatus
from vpn_doctor.parse.config.acl_nat import (
    parse_access_list_hits,
    parse_nat_hits,
    parse_running_access_lists,
    parse_running_nat,
)
from vpn_doctor.parse.config.base import R, mask_secrets_in_line
from vpn_doctor.parse.config.certs import parse_ca_certificates
from vpn_doctor.parse.config.crypto import (
    CryptoParts,
    parse_crypto_map,
    parse_crypto_map_bindings,
    parse_crypto_parts,
    parse_ike_enabled,
    parse_ike_policies,
    parse_ipsec_profiles,
    parse_ipsec_proposals,
    parse_transform_sets,
)
from vpn_doctor.parse.config.groups import (
    parse_group_policies,
    parse_sla_monitors,
    parse_tunnel_groups,
)
from vpn_doctor.parse.config.interfaces import parse_tunnel_interfaces
from vpn_doctor.parse.config.route_tracer import parse_packet_tracer, parse_routes

__all__ = [
    "CONFIG_COMMANDS",
    "PACKET_TRACER",
    "SHOW_ACCESS_LIST",
    "SHOW_CRYPTO_CA_CERTIFICATES",
    "SHOW_NAT",
    "SHOW_ROUTE",
    "SHOW_RUN_ACCESS_LIST",
    "SHOW_RUN_ALL_CRYPTO_MAP",
    "SHOW_RUN_CRYPTO",
    "SHOW_RUN_CRYPTO_IKEV1",
    "SHOW_RUN_CRYPTO_IKEV2",
    "SHOW_RUN_CRYPTO_IPSEC",
    "SHOW_RUN_CRYPTO_ISAKMP",
    "SHOW_RUN_CRYPTO_MAP",
    "SHOW_RUN_GROUP_POLICY",
    "SHOW_RUN_NAT",
    "SHOW_RUN_SLA_MONITOR",
    "SHOW_RUN_TUNNEL_GROUP",
    "mask_secrets_in_line",
    "parse_access_list_hits",
    "parse_ca_certificates",
    "parse_crypto_config",
    "parse_crypto_map",
    "parse_crypto_map_bindings",
    "parse_group_policies",
    "parse_ike_enabled",
    "parse_ike_policies",
    "parse_ipsec_profiles",
    "parse_ipsec_proposals",
    "parse_nat_hits",
    "parse_packet_tracer",
    "parse_routes",
    "parse_running_access_lists",
    "parse_running_nat",
    "parse_sla_monitors",
    "parse_transform_sets",
    "parse_tunnel_groups",
    "parse_tunnel_interfaces",
]


def _normalise(command: str) -> str:
    return " ".join(command.split())


def _dedupe(records: Iterable[R], key: Callable[[R], object]) -> tuple[R, ...]:
    """First occurrence per key wins, except that a record with more evidence lines replaces
    a poorer one (``show run all crypto map`` after ``show run crypto map``)."""
    chosen: dict[object, R] = {}
    for record in records:
        k = key(record)
        old = chosen.get(k)
        if old is None or len(getattr(record, "lines", ())) > len(getattr(old, "lines", ())):
            chosen[k] = record
    return tuple(chosen.values())


_NAME_LINE = re.compile(r"^\s*name\s+(?P<addr>\S+)\s+(?P<name>\S+)")


def parse_names(text: str, command: str = SHOW_RUN_NAMES) -> ParseResult[tuple[str, str]]:
    """`show running-config names` -> (name, address) records (`name 203.0.113.9 BRANCH-LYON
    [description ...]`); `names` alone and blank lines are skipped, anything else is a
    warning (the result is then PARTIAL)."""
    records: list[tuple[str, str]] = []
    unknown: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped == "names" or stripped.startswith("!"):
            continue
        match = _NAME_LINE.match(stripped)
        if match and is_ip(match.group("addr")):
            records.append((match.group("name"), normalise_peer(match.group("addr"))))
        else:
            unknown.append(f"unrecognised line: {stripped[:80]}")
    status = ParseStatus.OK if records else ParseStatus.EMPTY
    return ParseResult(
        command, ParseStatus.PARTIAL if unknown else status, tuple(records), tuple(unknown)
    )


def parse_crypto_config(outputs: dict[str, str]) -> CryptoConfig:
    """Build a :class:`CryptoConfig` from canonical command -> raw output.

    Unknown commands are ignored; a command absent from ``outputs`` leaves its part empty and
    absent from ``status``. Never raises: parse trouble becomes ``status``/``warnings``.
    """
    crypto = CryptoParts()
    groups: list[TunnelGroup] = []
    acls: list[AccessListEntry] = []
    hits: list[AccessListEntry] = []
    nat: list[NatRule] = []
    nat_hits: list[NatRule] = []
    routes: list[Route] = []
    slas: list[SlaMonitor] = []
    policies: list[GroupPolicy] = []
    traces: dict[str, PacketTracerResult] = {}
    certificates: list[CaCertificate] = []
    tunnels: list[TunnelInterface] = []
    status: dict[str, ParseStatus] = {}
    warnings: list[str] = []
    names: dict[str, str] = {}

    for raw_command, text in outputs.items():
        command = _normalise(raw_command)
        try:
            result: ParseResult[Any]
            if command.startswith((SHOW_RUN_CRYPTO, "show running-config all crypto")):
                parts, col = parse_crypto_parts(text, command)
                for name in (
                    "entries",
                    "bindings",
                    "policies",
                    "enabled",
                    "transform_sets",
                    "proposals",
                    "profiles",
                    "other",
                ):
                    getattr(crypto, name).extend(getattr(parts, name))
                result = col.result(
                    [
                        *parts.entries,
                        *parts.bindings,
                        *parts.policies,
                        *parts.enabled,
                        *parts.transform_sets,
                        *parts.proposals,
                        *parts.profiles,
                        *parts.other,
                    ]
                )
            elif command.startswith(SHOW_RUN_TUNNEL_GROUP):
                result = parse_tunnel_groups(text, command)
                groups.extend(result.records)
            elif command.startswith(SHOW_RUN_ACCESS_LIST):
                result = parse_running_access_lists(text, command)
                acls.extend(result.records)
            elif command.startswith(SHOW_ACCESS_LIST):
                result = parse_access_list_hits(text, command)
                hits.extend(result.records)
            elif command.startswith(SHOW_RUN_NAT):
                result = parse_running_nat(text, command)
                nat.extend(result.records)
            elif command.startswith(SHOW_NAT):
                result = parse_nat_hits(text, command)
                nat_hits.extend(result.records)
            elif command.startswith(SHOW_ROUTE):
                result = parse_routes(text, command)
                routes.extend(result.records)
            elif command.startswith(SHOW_RUN_SLA_MONITOR):
                result = parse_sla_monitors(text, command)
                slas.extend(result.records)
            elif command.startswith(SHOW_RUN_GROUP_POLICY):
                result = parse_group_policies(text, command)
                policies.extend(result.records)
            elif command.startswith(SHOW_CRYPTO_CA_CERTIFICATES):
                result = parse_ca_certificates(text, command)
                certificates.extend(result.records)
            elif command.startswith(SHOW_RUN_INTERFACE):
                result = parse_tunnel_interfaces(text, command)
                tunnels.extend(result.records)
            elif command.startswith(SHOW_RUN_NAMES):
                result = parse_names(text, command)
                names.update(result.records)
            elif command.startswith(PACKET_TRACER):
                result = parse_packet_tracer(text, command)
                if result.records:
                    traces[command] = result.records[0]
            else:
                continue
        except Exception as err:  # a parser bug must not take the diagnosis down with it
            status[command] = ParseStatus.FAILED
            warnings.append(f"{command}: parser error: {type(err).__name__}: {err}")
            continue
        status[command] = result.status
        warnings.extend(result.warnings)

    return CryptoConfig(
        crypto_maps=_dedupe(crypto.entries, lambda e: (e.is_dynamic, e.map_name, e.seq)),
        bindings=_dedupe(crypto.bindings, lambda b: (b.map_name, b.interface)),
        ike_policies=_dedupe(crypto.policies, lambda p: (p.version, p.priority)),
        ike_interfaces=_dedupe(crypto.enabled, lambda i: (i.interface, i.version)),
        transform_sets=_dedupe(crypto.transform_sets, lambda t: t.name),
        ipsec_proposals=_dedupe(crypto.proposals, lambda p: p.name),
        ipsec_profiles=_dedupe(crypto.profiles, lambda p: p.name),
        tunnel_interfaces=_dedupe(tunnels, lambda t: t.name),
        tunnel_groups=_dedupe(groups, lambda g: g.name),
        access_lists=_dedupe(acls, lambda a: a.raw),
        access_list_hits=_dedupe(hits, lambda a: a.raw),
        nat_rules=tuple(nat),
        nat_hits=tuple(nat_hits),
        routes=_dedupe(routes, lambda r: (r.network, r.mask, r.next_hop, r.interface)),
        sla_monitors=_dedupe(slas, lambda s: s.sla_id),
        group_policies=_dedupe(policies, lambda g: g.name),
        packet_traces=traces,
        ca_certificates=_dedupe(
            certificates, lambda c: (c.role, c.serial, c.trustpoints, c.subject)
        ),
        other_crypto_lines=tuple(dict.fromkeys(crypto.other)),
        names=names,
        status=status,
        warnings=tuple(warnings),
    )
