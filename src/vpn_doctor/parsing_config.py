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
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import ntc_templates
import textfsm

from vpn_doctor.config_models import (
    MASKED_SECRET,
    AccessListEntry,
    AclAddress,
    CryptoConfig,
    CryptoMapBinding,
    CryptoMapEntry,
    GroupPolicy,
    IkeEnabledInterface,
    IkePolicy,
    Ikev2IpsecProposal,
    NatRule,
    PacketTracerPhase,
    PacketTracerResult,
    Route,
    SlaMonitor,
    TransformSet,
    TunnelGroup,
)
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import ParseResult, ParseStatus

R = TypeVar("R")

# Canonical command strings for the configuration outputs (Contract 1 file names derive from
# these via commands.snapshot_filename). Arguments (an ACL name, an address) may follow.
SHOW_RUN_CRYPTO = "show running-config crypto"
SHOW_RUN_CRYPTO_MAP = "show running-config crypto map"
SHOW_RUN_ALL_CRYPTO_MAP = "show running-config all crypto map"
SHOW_RUN_CRYPTO_IKEV1 = "show running-config crypto ikev1"
SHOW_RUN_CRYPTO_IKEV2 = "show running-config crypto ikev2"
SHOW_RUN_CRYPTO_ISAKMP = "show running-config crypto isakmp"
SHOW_RUN_CRYPTO_IPSEC = "show running-config crypto ipsec"
SHOW_RUN_TUNNEL_GROUP = "show running-config tunnel-group"
SHOW_RUN_ACCESS_LIST = "show running-config access-list"
SHOW_ACCESS_LIST = "show access-list"
SHOW_RUN_NAT = "show running-config nat"
SHOW_NAT = "show nat"
SHOW_ROUTE = "show route"
SHOW_RUN_SLA_MONITOR = "show running-config sla monitor"
SHOW_RUN_GROUP_POLICY = "show running-config group-policy"
PACKET_TRACER = "packet-tracer"

CONFIG_COMMANDS: tuple[str, ...] = (
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_TUNNEL_GROUP,
    SHOW_RUN_ACCESS_LIST,
    SHOW_RUN_NAT,
    SHOW_NAT,
    SHOW_ROUTE,
    SHOW_RUN_SLA_MONITOR,
    SHOW_RUN_GROUP_POLICY,
)

# --------------------------------------------------------------------------------------------
# Shared plumbing
# --------------------------------------------------------------------------------------------

_ASA_ERROR = re.compile(r"^\s*(ERROR:|% ?Invalid input|% ?Incomplete command|% ?Ambiguous)")
_PROMPT_ECHO = re.compile(r"^\S+(?:\([\w-]+\))?[#>]\s*\S")
_PAGER = re.compile(r"^\s*<--- More --->\s*$")
_PSK = re.compile(r"(pre-shared-key\s+hex\s+)(?!\*+(?:\s|$))\S+")


def mask_secrets_in_line(line: str) -> str:
    """Mask every secret on the line; keys never enter a model.

    :func:`vpn_doctor.masking.mask_secrets` is the project's masking; the local rule runs
    first only for the ``pre-shared-key hex KEY`` form, whose key it would otherwise miss.
    """
    return mask_secrets(_PSK.sub(lambda m: m.group(1) + MASKED_SECRET, line))


@dataclass
class _Collector:
    """Per-parse bookkeeping: warnings and how many lines were understood."""

    command: str
    warnings: list[str] = field(default_factory=list)
    recognised: int = 0
    unrecognised: int = 0
    device_error: bool = False

    def ok(self) -> None:
        self.recognised += 1

    def bad(self, number: int, line: str, why: str = "unrecognised line") -> None:
        self.unrecognised += 1
        self.warnings.append(f"{self.command}: line {number}: {why}: {line.strip()!r}")

    def result(self, records: Iterable[R]) -> ParseResult[R]:
        recs = tuple(records)
        if self.device_error:
            status = ParseStatus.FAILED
        elif not recs and self.recognised == 0 and self.unrecognised == 0:
            status = ParseStatus.EMPTY
        elif not recs and self.recognised == 0:
            status = ParseStatus.FAILED
        elif self.unrecognised:
            status = ParseStatus.PARTIAL
        else:
            status = ParseStatus.OK if recs else ParseStatus.EMPTY
        return ParseResult(self.command, status, recs, tuple(self.warnings))


def _prepare(text: str, col: _Collector, *, keep_blank: bool = False) -> list[tuple[int, str]]:
    """Numbered, de-indented, secret-masked lines; drops the echoed prompt and pager marks.

    Pasted outputs are often indented as a whole (the AWS 8.x sample is), which would make
    every top-level statement look like a sub-command; ``textwrap.dedent`` removes that.
    """
    text = textwrap.dedent(text.expandtabs())
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if _PAGER.match(line) or (not line.strip() and not keep_blank):
            continue
        if _ASA_ERROR.match(line):
            col.device_error = True
            col.warnings.append(f"{col.command}: device error: {line.strip()}")
            continue
        if _PROMPT_ECHO.match(line) and (" show " in f" {line} " or "packet-tracer" in line):
            continue
        out.append((number, mask_secrets_in_line(line)))
    return out


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _blocks(
    lines: list[tuple[int, str]],
) -> Iterator[tuple[int, str, list[tuple[int, str]]]]:
    """Group a config into (number, top-level line, its indented children)."""
    current: tuple[int, str, list[tuple[int, str]]] | None = None
    for number, line in lines:
        if line[:1].isspace():
            if current is None:
                current = (number, "", [])
            current[2].append((number, line))
            continue
        if current is not None:
            yield current
        current = (number, line, [])
    if current is not None:
        yield current


# --------------------------------------------------------------------------------------------
# Crypto: maps, IKE policies, transform sets / proposals, enable lines
# --------------------------------------------------------------------------------------------


@dataclass
class _CryptoParts:
    entries: list[CryptoMapEntry] = field(default_factory=list)
    bindings: list[CryptoMapBinding] = field(default_factory=list)
    policies: list[IkePolicy] = field(default_factory=list)
    enabled: list[IkeEnabledInterface] = field(default_factory=list)
    transform_sets: list[TransformSet] = field(default_factory=list)
    proposals: list[Ikev2IpsecProposal] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


_MAP_BINDING = re.compile(r"^crypto map (\S+) interface (\S+)")
_MAP_ENTRY = re.compile(r"^(no )?crypto (map|dynamic-map) (\S+) (\d+) (.+)$")
_IKE_POLICY = re.compile(r"^crypto (ikev1|isakmp|ikev2) policy (\d+)\s*(.*)$")
_IKE_ENABLE = re.compile(r"^crypto (ikev1|ikev2|isakmp) enable (\S+)")
_TSET = re.compile(r"^crypto ipsec (?:(ikev1) )?transform-set (\S+) (.+)$")
_PROPOSAL = re.compile(r"^crypto ipsec ikev2 ipsec-proposal (\S+)\s*$")
# Statements we model: if one of these fails its own regex it is broken (often a line cut
# by a pager or a paste), not an "other" global crypto setting.
_CRYPTO_MODELLED = re.compile(
    r"^crypto ((dynamic-)?map|(ikev1|ikev2|isakmp) (enable|policy)"
    r"|ipsec (ikev1 |ikev2 )?(transform-set|ipsec-proposal))\b"
)
_ESP_HASH = re.compile(r"^(esp-(md5|sha\S*)-hmac|esp-none)$")


_OTHER_MAP_OPTIONS = frozenset(
    ("ikev1", "ikev2", "trustpoint", "inheritance", "tfc-packets", "validation-usage")
)


def _apply_map_setting(entry: dict[str, Any], body: str, negated: bool) -> bool:
    """Fold one ``crypto map M SEQ <body>`` line into ``entry``; False if not understood."""
    words = body.split()
    if words[:2] == ["match", "address"] and len(words) == 3:
        entry["match_address"] = words[2]
    elif words[:1] == ["ipsec-isakmp"]:
        if words[1:2] == ["dynamic"] and len(words) == 3:
            entry["dynamic_map"] = words[2]
    elif words[:1] != ["set"] or len(words) < 2:
        return False
    elif negated:
        pass  # `no crypto map M 10 set tfc-packets` (show run all): a default, nothing set
    elif words[1] == "peer" and len(words) > 2:
        entry["peers"] = tuple(words[2:])
    elif words[1:3] == ["ikev1", "transform-set"] or words[1] == "transform-set":
        names = words[3:] if words[1] == "ikev1" else words[2:]
        entry["ikev1_transform_sets"] = tuple(names)
    elif words[1:3] == ["ikev2", "ipsec-proposal"]:
        entry["ikev2_ipsec_proposals"] = tuple(words[3:])
    elif words[1] == "pfs":
        # A bare `set pfs` is the ASA default group (group2 on the releases that print it).
        entry["pfs_group"] = words[2] if len(words) > 2 else "group2"
    elif words[1:3] == ["security-association", "lifetime"]:
        rest = words[3:]
        for key, value in zip(rest[::2], rest[1::2], strict=False):
            if key == "seconds":
                entry["sa_lifetime_seconds"] = _int(value)
            elif key == "kilobytes":
                entry["sa_lifetime_kilobytes"] = _int(value)
    elif words[1:3] == ["ikev1", "phase1-mode"] and len(words) > 3:
        entry["phase1_mode"] = words[3]
    elif words[1] == "phase1-mode" and len(words) > 2:
        entry["phase1_mode"] = words[2]
    elif words[1] == "connection-type" and len(words) > 2:
        entry["connection_type"] = words[2]
    elif words[1] == "reverse-route":
        entry["reverse_route"] = True
    elif words[1] == "nat-t-disable":
        entry["nat_t_disable"] = True
    elif words[1] not in _OTHER_MAP_OPTIONS:
        return False  # also what a line cut mid-word looks like: never accept it silently
    # Other valid `set ...` options are kept as evidence without being modelled.
    return True


def _policy_attribute(policy: dict[str, Any], attribute: str) -> bool:
    words = attribute.split()
    if not words:
        return False
    key, values = words[0], words[1:]
    if key == "authentication" and values:
        policy["authentication"] = values[0]
    elif key == "encryption" and values:
        policy["encryption"] = tuple(values)
    elif key in ("hash", "integrity") and values:
        policy["integrity"] = tuple(values)
    elif key == "group" and values:
        policy["groups"] = tuple(v.removeprefix("group") for v in values)
    elif key == "prf" and values:
        policy["prf"] = tuple(values)
    elif key == "lifetime" and values:
        number = values[-1] if values[0] in ("seconds", "none") else values[0]
        policy["lifetime_seconds"] = _int(number)
    else:
        return False
    return True


def _parse_crypto(text: str, command: str) -> tuple[_CryptoParts, _Collector]:
    col = _Collector(command)
    parts = _CryptoParts()
    entries: dict[tuple[bool, str, int], dict[str, Any]] = {}
    for number, header, children in _blocks(_prepare(text, col)):
        kind: str = ""
        record: dict[str, Any] = {}
        if not header:
            for n, child in children:
                col.bad(n, child, "indented line outside any crypto block")
            continue
        if m := _MAP_BINDING.match(header):
            parts.bindings.append(CryptoMapBinding(m[1], m[2], (header,)))
        elif m := _MAP_ENTRY.match(header):
            key = (m[2] == "dynamic-map", m[3], int(m[4]))
            entry = entries.setdefault(
                key, {"map_name": m[3], "seq": int(m[4]), "is_dynamic": key[0], "lines": []}
            )
            if not _apply_map_setting(entry, m[5], bool(m[1])):
                col.bad(number, header, "unknown crypto map statement")
                continue
            entry["lines"].append(header)
        elif m := _IKE_POLICY.match(header):
            version = 2 if m[1] == "ikev2" else 1
            kind = "policy"
            record = {"version": version, "priority": int(m[2]), "lines": [header]}
            record["legacy"] = m[1] == "isakmp"
            if m[3] and not _policy_attribute(record, m[3]):  # PIX single-line form
                col.bad(number, header, "unknown IKE policy attribute")
        elif m := _IKE_ENABLE.match(header):
            version = 2 if m[1] == "ikev2" else 1
            parts.enabled.append(IkeEnabledInterface(m[2], version, m[1] == "isakmp", (header,)))
        elif m := _TSET.match(header):
            _add_transform_set(parts, m[2], m[3], legacy=m[1] is None, line=header)
        elif m := _PROPOSAL.match(header):
            kind = "proposal"
            record = {"name": m[1], "lines": [header]}
        elif _CRYPTO_MODELLED.match(header):
            col.bad(number, header, "incomplete crypto statement")
            continue
        elif header.startswith("crypto "):
            kind = "other"
            parts.other.append(header)
        else:
            col.bad(number, header)
            continue
        col.ok()
        for n, child in children:
            text_ = child.strip()
            understood = True
            if kind == "policy":
                understood = _policy_attribute(record, text_)
            elif kind == "proposal":
                words = text_.split()
                if words[:3] == ["protocol", "esp", "encryption"]:
                    record["encryption"] = tuple(words[3:])
                elif words[:3] == ["protocol", "esp", "integrity"]:
                    record["integrity"] = tuple(words[3:])
                else:
                    understood = False
            elif kind == "other":
                parts.other.append(child)
            else:
                understood = False
            if not understood:
                col.bad(n, child, "unknown attribute")
                continue
            col.ok()
            if kind in ("policy", "proposal"):
                record["lines"].append(child)
        if kind == "policy":
            record["lines"] = tuple(record["lines"])
            parts.policies.append(IkePolicy(**record))
        elif kind == "proposal":
            record["lines"] = tuple(record["lines"])
            parts.proposals.append(Ikev2IpsecProposal(**record))
    for entry in entries.values():
        entry["lines"] = tuple(entry["lines"])
        parts.entries.append(CryptoMapEntry(**entry))
    return parts, col


def _add_transform_set(
    parts: _CryptoParts, name: str, rest: str, *, legacy: bool, line: str
) -> None:
    words = rest.split()
    existing = next((t for t in parts.transform_sets if t.name == name), None)
    if words[:1] == ["mode"]:
        mode = words[1] if len(words) > 1 else ""
        if existing is not None:
            parts.transform_sets.remove(existing)
            parts.transform_sets.append(
                TransformSet(
                    name,
                    existing.esp_encryption,
                    existing.esp_hash,
                    mode,
                    existing.legacy,
                    (*existing.lines, line),
                )
            )
        else:
            parts.transform_sets.append(TransformSet(name, mode=mode, legacy=legacy, lines=(line,)))
        return
    hashes = [w for w in words if _ESP_HASH.match(w)]
    encryptions = [w for w in words if w.startswith("esp-") and not _ESP_HASH.match(w)]
    parts.transform_sets.append(
        TransformSet(
            name,
            esp_encryption=encryptions[0] if encryptions else "",
            esp_hash=hashes[0] if hashes else "",
            legacy=legacy,
            lines=(line,),
        )
    )


def parse_crypto_map(text: str, command: str = SHOW_RUN_CRYPTO_MAP) -> ParseResult[CryptoMapEntry]:
    """Entries of ``show running-config [all] crypto map`` (also works on ``show run crypto``)."""
    parts, col = _parse_crypto(text, command)
    return col.result(parts.entries)


def parse_crypto_map_bindings(
    text: str, command: str = SHOW_RUN_CRYPTO_MAP
) -> ParseResult[CryptoMapBinding]:
    """``crypto map NAME interface IF`` lines of the same output."""
    parts, col = _parse_crypto(text, command)
    return col.result(parts.bindings)


def parse_ike_policies(text: str, command: str = SHOW_RUN_CRYPTO_IKEV1) -> ParseResult[IkePolicy]:
    """IKEv1/IKEv2/isakmp policies from ``show running-config crypto ikev1|ikev2|isakmp``."""
    parts, col = _parse_crypto(text, command)
    return col.result(parts.policies)


def parse_ike_enabled(
    text: str, command: str = SHOW_RUN_CRYPTO_IKEV1
) -> ParseResult[IkeEnabledInterface]:
    """``crypto ikev1|ikev2|isakmp enable IF`` lines."""
    parts, col = _parse_crypto(text, command)
    return col.result(parts.enabled)


def parse_transform_sets(
    text: str, command: str = SHOW_RUN_CRYPTO_IPSEC
) -> ParseResult[TransformSet]:
    """IKEv1 (and 8.x) transform sets from ``show running-config crypto ipsec``."""
    parts, col = _parse_crypto(text, command)
    return col.result(parts.transform_sets)


def parse_ipsec_proposals(
    text: str, command: str = SHOW_RUN_CRYPTO_IPSEC
) -> ParseResult[Ikev2IpsecProposal]:
    """IKEv2 ipsec-proposals from ``show running-config crypto ipsec``."""
    parts, col = _parse_crypto(text, command)
    return col.result(parts.proposals)


# --------------------------------------------------------------------------------------------
# tunnel-group, group-policy, sla monitor
# --------------------------------------------------------------------------------------------

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
                group["keepalive_threshold"] = _int(value)
            elif key == "retry":
                group["keepalive_retry"] = _int(value)
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
    col = _Collector(command)
    groups: dict[str, dict[str, Any]] = {}
    for number, header, children in _blocks(_prepare(text, col)):
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
    col = _Collector(command)
    policies: dict[str, dict[str, Any]] = {}
    header_re = re.compile(r"^group-policy (\S+) (internal|external|attributes)\b")
    for number, header, children in _blocks(_prepare(text, col)):
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
    col = _Collector(command)
    monitors: dict[int, dict[str, Any]] = {}
    for number, header, children in _blocks(_prepare(text, col)):
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
                    sla[words[0]] = _int(words[1])
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


# --------------------------------------------------------------------------------------------
# Access lists (running-config and show access-list share one ACE tokenizer)
# --------------------------------------------------------------------------------------------

_ACL_LINE = re.compile(r"^(\s*)access-list (\S+)(?: line (\d+))? (.*)$")
_ACL_SUMMARY = re.compile(
    r"^(access-list \S+; \d+ elements|access-list cached ACL log flows|\s*alert-interval)"
)
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_PORT_OPS = ("eq", "lt", "gt", "neq")


class _AceError(ValueError):
    pass


def _take_address(words: list[str]) -> AclAddress:
    if not words:
        raise _AceError("address missing")
    word = words.pop(0)
    if word in ("any", "any4", "any6"):
        return AclAddress(word)
    if word in ("host", "object", "object-group", "interface", "fqdn"):
        if not words:
            raise _AceError(f"{word} without a value")
        if word == "fqdn" and words[0] in ("v4", "v6") and len(words) > 1:
            words.pop(0)
        return AclAddress(word, words.pop(0))
    if _IPV4.match(word):
        if not words or not _IPV4.match(words[0]):
            raise _AceError("network without a mask")
        return AclAddress("network", word, words.pop(0))
    if ":" in word and "/" in word:
        address, _, length = word.partition("/")
        return AclAddress("network6", address, length)
    raise _AceError(f"not an address: {word!r}")


def _take_port(words: list[str], *, allow_group: bool) -> str:
    if words and words[0] in _PORT_OPS and len(words) > 1:
        return f"{words.pop(0)} {words.pop(0)}"
    if words and words[0] == "range" and len(words) > 2:
        low, high = words[1], words[2]
        del words[:3]
        return f"range {low} {high}"
    if allow_group and words and words[0] in ("object-group", "object") and len(words) > 1:
        return f"{words.pop(0)} {words.pop(0)}"
    return ""


def _parse_ace(acl: str, line: int | None, body: str, raw: str, expanded: bool) -> AccessListEntry:
    words = body.split()
    acl_type = "extended"
    if words and words[0] in ("extended", "standard", "webtype", "ethertype"):
        acl_type = words.pop(0)
    if not words or words[0] not in ("permit", "deny"):
        raise _AceError("no permit/deny")
    action = words.pop(0)
    hitcnt: int | None = None
    inactive = False
    # Trailing show-access-list decorations: "(hitcnt=N)", "(inactive)", "0xhash".
    tail = [w for w in words if w.startswith("(hitcnt=") or w == "(inactive)" or w.startswith("0x")]
    for w in tail:
        if w.startswith("(hitcnt="):
            hitcnt = _int(w[len("(hitcnt=") : -1])
        elif w == "(inactive)":
            inactive = True
    words = [w for w in words if w not in tail]
    if acl_type == "standard":
        return AccessListEntry(
            acl,
            action,
            "",
            AclAddress("any"),
            _take_address(words),
            acl_type=acl_type,
            line=line,
            hitcnt=hitcnt,
            expanded=expanded,
            inactive=inactive,
            raw=raw,
        )
    if not words:
        raise _AceError("protocol missing")
    protocol = words.pop(0)
    if protocol in ("object", "object-group") and words:
        protocol = f"{protocol} {words.pop(0)}"
    source = _take_address(words)
    source_port = _take_port(words, allow_group=False)
    destination = _take_address(words)
    destination_port = _take_port(words, allow_group=True)
    if "inactive" in words:
        inactive = True
    return AccessListEntry(
        acl,
        action,
        protocol,
        source,
        destination,
        source_port,
        destination_port,
        acl_type,
        line,
        hitcnt,
        expanded,
        inactive,
        raw,
    )


def _parse_acl_text(text: str, command: str) -> ParseResult[AccessListEntry]:
    col = _Collector(command)
    records: list[AccessListEntry] = []
    for number, line in _prepare(text, col):
        if _ACL_SUMMARY.match(line):
            col.ok()
            continue
        m = _ACL_LINE.match(line)
        if not m:
            col.bad(number, line)
            continue
        body = m[4]
        if body.split()[:1] == ["remark"]:
            col.ok()
            continue
        try:
            records.append(_parse_ace(m[2], _int(m[3] or ""), body, line.strip(), bool(m[1])))
        except _AceError as err:
            col.bad(number, line, f"unparsable ACE ({err})")
            continue
        col.ok()
    return col.result(records)


def parse_running_access_lists(
    text: str, command: str = SHOW_RUN_ACCESS_LIST
) -> ParseResult[AccessListEntry]:
    """``show running-config access-list [NAME]``: ACEs as configured (no hit counts)."""
    return _parse_acl_text(text, command)


def parse_access_list_hits(
    text: str, command: str = SHOW_ACCESS_LIST
) -> ParseResult[AccessListEntry]:
    """``show access-list [NAME]``: ACEs with ``line``, ``hitcnt`` and object-group expansion."""
    return _parse_acl_text(text, command)


# --------------------------------------------------------------------------------------------
# ntc-templates, driven line by line
# --------------------------------------------------------------------------------------------


def _ntc_template(name: str) -> Path:
    return Path(ntc_templates.__file__).resolve().parent / "templates" / name


def _run_template(
    template: Path, lines: list[tuple[int, str]], col: _Collector
) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """Feed a TextFSM template one line at a time so one bad line costs a warning, not the
    whole output. Returns rows with the input lines consumed since the previous row."""
    with template.open(encoding="utf-8") as handle:
        fsm = textfsm.TextFSM(handle)  # a fresh FSM per parse: TextFSM objects keep state
    rows: list[tuple[dict[str, Any], tuple[str, ...]]] = []
    pending: list[str] = []

    def harvest(result: list[list[Any]]) -> None:
        while len(rows) < len(result):
            rows.append((dict(zip(fsm.header, result[len(rows)], strict=False)), tuple(pending)))
            pending.clear()

    for number, line in lines:
        try:
            result = fsm.ParseText(line + "\n", eof=False)
        except textfsm.TextFSMError:
            col.bad(number, line)
            continue
        if line.strip():  # blank lines drive the template (Clearall) but prove nothing
            col.ok()
            pending.append(line)
        harvest(result)
    harvest(fsm.ParseText("", eof=True))
    return rows


def _nat_from_ntc(row: dict[str, Any], lines: tuple[str, ...]) -> NatRule:
    section = _int(str(row["NAT_SECTION_NUMBER"]))
    return NatRule(
        kind="object" if section == 2 else "twice",
        real_interface=row["SOURCE_INTERFACE"],
        mapped_interface=row["DESTINATION_INTERFACE"],
        section=section,
        position=_int(row["LINE_NUMBER"]),
        after_auto=section == 3,
        object_name=row["SOURCE_REAL"] if section == 2 else "",
        source_type=row["SOURCE_TYPE"],
        source_real=row["SOURCE_REAL"],
        source_mapped=row["SOURCE_MAPPED"],
        destination_type="static" if row["DESTINATION_REAL"] else "",
        destination_real=row["DESTINATION_REAL"],
        destination_mapped=row["DESTINATION_MAPPED"],
        service=" ".join(
            v for v in (row["SERVICE_PROTOCOL"], row["SERVICE_REAL"], row["SERVICE_MAPPED"]) if v
        ),
        no_proxy_arp=bool(row["NO_PROXY_ARP"]),
        route_lookup=bool(row["ROUTE_LOOKUP"]),
        unidirectional=bool(row["UNIDIRECTIONAL"]),
        inactive=bool(row["INACTIVE"]),
        description=row["DESCRIPTION"],
        translate_hits=_int(row["TRANSLATE_HITS"]),
        untranslate_hits=_int(row["UNTRANSLATE_HITS"]),
        lines=lines,
    )


_NAT_DETAIL = re.compile(r"^\s+(Source|Destination|Service) - ")
_NAT_SECTION = re.compile(r"^(Manual|Auto) NAT Policies")


def parse_nat_hits(text: str, command: str = SHOW_NAT) -> ParseResult[NatRule]:
    """``show nat [detail]`` via the ntc template: rules in order with translate hits."""
    col = _Collector(command)
    lines = _prepare(text, col, keep_blank=True)
    detail = [(n, line) for n, line in lines if _NAT_DETAIL.match(line)]
    col.recognised += len(detail)
    lines = [(n, line) for n, line in lines if not _NAT_DETAIL.match(line)]
    rows = _run_template(_ntc_template("cisco_asa_show_nat.textfsm"), lines, col)
    return col.result(
        _nat_from_ntc(row, tuple(x for x in used if not _NAT_SECTION.match(x)))
        for row, used in rows
    )


_NAT_IFACES = re.compile(r"^nat \(([^,)]+)(?:,([^)]+))?\)\s*(.*)$")
_NAT_FLAGS = {
    "no-proxy-arp": "no_proxy_arp",
    "route-lookup": "route_lookup",
    "unidirectional": "unidirectional",
    "inactive": "inactive",
}


def _parse_nat_statement(line: str, object_name: str) -> NatRule | None:
    m = _NAT_IFACES.match(line.strip())
    if not m:
        return None
    real_if, mapped_if, rest = m[1], m[2] or "", m[3].split()
    fields: dict[str, Any] = {"real_interface": real_if, "mapped_interface": mapped_if}
    if not m[2]:  # 8.2 and older: nat (inside) 0 access-list NONAT
        fields.update(kind="legacy", nat_id=rest[0] if rest else "")
        if rest[1:2] == ["access-list"] and len(rest) > 2:
            fields["access_list"] = rest[2]
        elif len(rest) > 1:
            fields["source_real"] = " ".join(rest[1:3])
        return NatRule(lines=(line,), **fields)
    if rest[:1] == ["after-auto"]:
        fields["after_auto"] = True
        rest = rest[1:]
    if rest[:1] and rest[0].isdigit():
        fields["position"] = int(rest.pop(0))
    if object_name:
        fields.update(kind="object", object_name=object_name, source_real=object_name)
        if not rest or rest[0] not in ("static", "dynamic"):
            return None
        fields["source_type"] = rest.pop(0)
        mapped = rest.pop(0) if rest else ""
        if mapped == "pat-pool" and rest:
            mapped = f"pat-pool {rest.pop(0)}"
        fields["source_mapped"] = mapped
    else:
        fields["kind"] = "twice"
        if rest[:1] != ["source"] or len(rest) < 4:
            return None
        fields.update(source_type=rest[1], source_real=rest[2], source_mapped=rest[3])
        rest = rest[4:]
        if fields["source_mapped"] == "pat-pool" and rest:
            fields["source_mapped"] = f"pat-pool {rest.pop(0)}"
        if rest[:1] == ["destination"] and len(rest) >= 4:
            fields.update(
                destination_type=rest[1], destination_real=rest[2], destination_mapped=rest[3]
            )
            rest = rest[4:]
    while rest:
        word = rest.pop(0)
        if word in _NAT_FLAGS:
            fields[_NAT_FLAGS[word]] = True
        elif word == "service":
            fields["service"] = " ".join(rest[:3])
            rest = rest[3:]
        elif word == "description":
            fields["description"] = " ".join(rest)
            rest = []
    return NatRule(lines=(line,), **fields)


def parse_running_nat(text: str, command: str = SHOW_RUN_NAT) -> ParseResult[NatRule]:
    """``show running-config nat``: twice NAT lines and object NAT under ``object network``."""
    col = _Collector(command)
    records: list[NatRule] = []
    for number, header, children in _blocks(_prepare(text, col)):
        if header.startswith("object network "):
            col.ok()
            name = header.split()[2] if len(header.split()) > 2 else ""
            for n, child in children:
                if child.strip().startswith("nat "):
                    rule = _parse_nat_statement(child, name)
                    if rule is None:
                        col.bad(n, child, "unparsable object NAT")
                        continue
                    records.append(replace(rule, lines=(header, child)))
                col.ok()
            continue
        if header.startswith("nat "):
            rule = _parse_nat_statement(header, "")
            if rule is None:
                col.bad(number, header, "unparsable NAT rule")
            else:
                records.append(rule)
                col.ok()
        elif header.startswith(("global ", "static ")):
            col.ok()  # 8.2 global/static statements: recognised, not modelled
        else:
            col.bad(number, header or children[0][1])
            continue
        for n, child in children:
            col.bad(n, child, "indented line outside object network")
    return col.result(records)


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

_ROUTE_ENTRY = re.compile(r"^Routing entry for (\S+) (\S+)")
_ROUTE_KNOWN = re.compile(r'^\s+Known via "([^"]+)", distance (\d+), metric (\d+)')
_ROUTE_HOP = re.compile(r"^\s+\*?\s*(directly connected|\S+), via (\S+)")
_KNOWN_VIA = {
    "static": "S",
    "connected": "C",
    "local": "L",
    "ospf": "O",
    "bgp": "B",
    "eigrp": "D",
    "rip": "R",
    "isis": "i",
    "vpn": "V",
}


def _parse_route_entry(lines: list[tuple[int, str]], col: _Collector) -> list[Route]:
    """``show route X`` on the ASA prints a ``Routing entry for`` block, not the table."""
    routes: list[Route] = []
    net = mask = code = ""
    distance = metric = None
    block: list[str] = []
    for number, line in lines:
        if m := _ROUTE_ENTRY.match(line):
            net, mask, code = m[1], m[2].rstrip(","), ""
            block = [line]
        elif net and (m := _ROUTE_KNOWN.match(line)):
            code = _KNOWN_VIA.get(m[1].split()[0], m[1])
            distance, metric = int(m[2]), int(m[3])
            block.append(line)
        elif net and (m := _ROUTE_HOP.match(line)) and not line.strip().startswith("Route"):
            hop = "" if m[1] == "directly connected" else m[1]
            block.append(line)
            routes.append(Route(code, net, mask, hop, m[2], distance, metric, tuple(block)))
        elif net and line.strip().startswith(("Routing Descriptor", "Route metric")):
            pass
        else:
            col.bad(number, line)
            continue
        col.ok()
    return routes


def _route_lines(used: tuple[str, ...]) -> tuple[str, ...]:
    """The route's own lines: from its last unindented line (drops the Codes legend)."""
    starts = [i for i, line in enumerate(used) if not line[:1].isspace()]
    return used[starts[-1] :] if starts else used


def parse_routes(text: str, command: str = SHOW_ROUTE) -> ParseResult[Route]:
    """``show route`` (table, via the ntc template) or ``show route X`` (entry block)."""
    col = _Collector(command)
    lines = _prepare(text, col, keep_blank=True)
    if any(line.strip().startswith("% Network not in table") for _, line in lines):
        col.recognised += 1
        return col.result([])  # explicitly no route: EMPTY, which is a diagnosis
    if any(_ROUTE_ENTRY.match(line) for _, line in lines):
        return col.result(_parse_route_entry([x for x in lines if x[1].strip()], col))
    rows = _run_template(_ntc_template("cisco_asa_show_route.textfsm"), lines, col)
    routes = [
        Route(
            code=row["PROTOCOL"] + (f" {row['TYPE']}" if row["TYPE"] else ""),
            network=row["NETWORK"],
            mask=row["NETMASK"],
            next_hop=row["NEXTHOPIP"],
            interface=row["NEXTHOPIF"],
            distance=_int(row["DISTANCE"]),
            metric=_int(row["METRIC"]),
            lines=_route_lines(used),
        )
        for row, used in rows
    ]
    return col.result(routes)


# --------------------------------------------------------------------------------------------
# packet-tracer
# --------------------------------------------------------------------------------------------

_PT_FINAL_KEYS = {
    "input-interface": "input_interface",
    "input-status": "input_status",
    "output-interface": "output_interface",
    "output-status": "output_status",
    "action": "action",
}


def parse_packet_tracer(text: str, command: str = PACKET_TRACER) -> ParseResult[PacketTracerResult]:
    """``packet-tracer input ... [detailed]``: phases, then the final ``Result:`` verdict.

    A run cut before ``Action:`` gives a ``partial`` result: the phases seen so far are real
    evidence, but "no drop seen" must not be read as "allowed".
    """
    col = _Collector(command)
    phases: list[PacketTracerPhase] = []
    final: dict[str, Any] = {"extra": [], "lines": []}
    phase: dict[str, Any] | None = None
    section = ""  # "", "config", "info", "final"

    def close() -> None:
        nonlocal phase
        if phase is not None:
            phases.append(
                PacketTracerPhase(
                    phase["number"],
                    phase.get("type", ""),
                    phase.get("subtype", ""),
                    phase.get("result", ""),
                    tuple(phase["config"]),
                    tuple(phase["extra"]),
                    tuple(phase["lines"]),
                )
            )
        phase = None

    for number, line in _prepare(text, col):
        stripped = line.strip()
        if m := re.match(r"^Phase:\s*(\d+)", stripped):
            close()
            phase = {"number": int(m[1]), "config": [], "extra": [], "lines": [line]}
            section = ""
        elif stripped == "Result:" or (section == "final" and phase is None):
            if stripped == "Result:":
                close()
                section = "final"
                final["lines"].append(line)
            else:
                key, _, value = stripped.partition(":")
                name = _PT_FINAL_KEYS.get(key.strip().lower())
                final["lines"].append(line)
                if name:
                    final[name] = value.strip().lower() if name == "action" else value.strip()
                elif key.strip().lower() == "drop-reason":
                    reason = value.strip().split(", Drop-location:")[0].strip()
                    final["drop_reason"] = reason
                    if dm := re.match(r"^\(([^)]+)\)", reason):
                        final["drop_code"] = dm[1]
                    if ", Drop-location:" in value:
                        final["extra"].append("Drop-location:" + value.split("Drop-location:")[1])
                else:
                    final["extra"].append(stripped)
        elif phase is None:
            col.bad(number, line, "line outside any phase")
            continue
        else:
            phase["lines"].append(line)
            key, sep, value = stripped.partition(":")
            if section == "" and key in ("Type", "Subtype", "Result") and sep:
                phase[key.lower()] = value.strip()
            elif stripped == "Config:":
                section = "config"
            elif stripped == "Additional Information:":
                section = "info"
            elif section == "config":
                phase["config"].append(stripped)
            elif section == "info" or key in ("Time Taken", "Elapsed time"):
                phase["extra"].append(stripped)
            else:
                col.bad(number, line, "unexpected line in phase")
                continue
        col.ok()
    close()
    if not phases and not final["lines"]:
        return col.result([])
    if "action" not in final:
        col.unrecognised += 1
        col.warnings.append(f"{command}: output ends before the final Action (truncated?)")
    final["extra"] = tuple(final["extra"])
    final["lines"] = tuple(final["lines"])
    return col.result([PacketTracerResult(phases=tuple(phases), **final)])


# --------------------------------------------------------------------------------------------
# Aggregate
# --------------------------------------------------------------------------------------------


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


def parse_crypto_config(outputs: dict[str, str]) -> CryptoConfig:
    """Build a :class:`CryptoConfig` from canonical command -> raw output.

    Unknown commands are ignored; a command absent from ``outputs`` leaves its part empty and
    absent from ``status``. Never raises: parse trouble becomes ``status``/``warnings``.
    """
    crypto = _CryptoParts()
    groups: list[TunnelGroup] = []
    acls: list[AccessListEntry] = []
    hits: list[AccessListEntry] = []
    nat: list[NatRule] = []
    nat_hits: list[NatRule] = []
    routes: list[Route] = []
    slas: list[SlaMonitor] = []
    policies: list[GroupPolicy] = []
    traces: dict[str, PacketTracerResult] = {}
    status: dict[str, ParseStatus] = {}
    warnings: list[str] = []

    for raw_command, text in outputs.items():
        command = _normalise(raw_command)
        try:
            result: ParseResult[Any]
            if command.startswith((SHOW_RUN_CRYPTO, "show running-config all crypto")):
                parts, col = _parse_crypto(text, command)
                for name in (
                    "entries",
                    "bindings",
                    "policies",
                    "enabled",
                    "transform_sets",
                    "proposals",
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
        tunnel_groups=_dedupe(groups, lambda g: g.name),
        access_lists=_dedupe(acls, lambda a: a.raw),
        access_list_hits=_dedupe(hits, lambda a: a.raw),
        nat_rules=tuple(nat),
        nat_hits=tuple(nat_hits),
        routes=_dedupe(routes, lambda r: (r.network, r.mask, r.next_hop, r.interface)),
        sla_monitors=_dedupe(slas, lambda s: s.sla_id),
        group_policies=_dedupe(policies, lambda g: g.name),
        packet_traces=traces,
        other_crypto_lines=tuple(dict.fromkeys(crypto.other)),
        status=status,
        warnings=tuple(warnings),
    )
