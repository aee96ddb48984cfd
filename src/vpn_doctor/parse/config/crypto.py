"""``show running-config crypto ...``: crypto maps, bindings, IKE policies, enable lines,
IKEv1 transform sets, IKEv2 ipsec-proposals and ipsec profiles (the phase 2 of a VTI).

One pass over the output feeds every record type (:func:`parse_crypto_parts`), because the
ASA prints them interleaved in ``show running-config crypto``; the public ``parse_*``
functions return one record type each for callers (and tests) that want only that.
Unknown ``crypto ...`` globals are kept as evidence lines, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vpn_doctor.asa.commands import (
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_CRYPTO_MAP,
)
from vpn_doctor.config_models import (
    CryptoMapBinding,
    CryptoMapEntry,
    IkeEnabledInterface,
    IkePolicy,
    Ikev2IpsecProposal,
    IpsecProfile,
    TransformSet,
)
from vpn_doctor.models import ParseResult
from vpn_doctor.parse.config.base import Collector, blocks, prepare, to_int


@dataclass
class CryptoParts:
    entries: list[CryptoMapEntry] = field(default_factory=list)
    bindings: list[CryptoMapBinding] = field(default_factory=list)
    policies: list[IkePolicy] = field(default_factory=list)
    enabled: list[IkeEnabledInterface] = field(default_factory=list)
    transform_sets: list[TransformSet] = field(default_factory=list)
    proposals: list[Ikev2IpsecProposal] = field(default_factory=list)
    profiles: list[IpsecProfile] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


_MAP_BINDING = re.compile(r"^crypto map (\S+) interface (\S+)")
_MAP_ENTRY = re.compile(r"^(no )?crypto (map|dynamic-map) (\S+) (\d+) (.+)$")
_IKE_POLICY = re.compile(r"^crypto (ikev1|isakmp|ikev2) policy (\d+)\s*(.*)$")
_IKE_ENABLE = re.compile(r"^crypto (ikev1|ikev2|isakmp) enable (\S+)")
_TSET = re.compile(r"^crypto ipsec (?:(ikev1) )?transform-set (\S+) (.+)$")
_PROPOSAL = re.compile(r"^crypto ipsec ikev2 ipsec-proposal (\S+)\s*$")
_IPSEC_PROFILE = re.compile(r"^crypto ipsec profile (\S+)\s*$")
# Statements we model: if one of these fails its own regex it is broken (often a line cut
# by a pager or a paste), not an "other" global crypto setting.
_CRYPTO_MODELLED = re.compile(
    r"^crypto ((dynamic-)?map|(ikev1|ikev2|isakmp) (enable|policy)"
    r"|ipsec (ikev1 |ikev2 )?(transform-set|ipsec-proposal)|ipsec profile)\b"
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
                entry["sa_lifetime_seconds"] = to_int(value)
            elif key == "kilobytes":
                entry["sa_lifetime_kilobytes"] = to_int(value)
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
    elif words[1] == "trustpoint" and len(words) > 2:
        entry["trustpoint"] = words[2]  # `set trustpoint TP [chain]`
    elif words[1] not in _OTHER_MAP_OPTIONS:
        return False  # also what a line cut mid-word looks like: never accept it silently
    # Other valid `set ...` options are kept as evidence without being modelled.
    return True


# What a ``crypto ipsec profile`` may set that a crypto map entry also sets (same grammar).
_PROFILE_SETTINGS = (
    "ikev1_transform_sets",
    "ikev2_ipsec_proposals",
    "pfs_group",
    "sa_lifetime_seconds",
    "sa_lifetime_kilobytes",
)
# Valid profile options kept as evidence only (``set ikev2 ...`` other than ipsec-proposal,
# ``set trustpoint TP`` for certificate authentication).
_OTHER_PROFILE_OPTIONS = frozenset(("ikev2", "trustpoint"))


def _apply_profile_setting(profile: dict[str, Any], line: str) -> bool:
    """Fold one `` set ...`` line of a ``crypto ipsec profile`` into ``profile``; False if not
    understood. The ``set`` grammar is the crypto map entry's (:func:`_apply_map_setting`);
    options only a crypto map has (peer, match address, ...) are refused here."""
    words = line.split()
    # Read in both forms: the stored ASA guides did not settle whether the running-config
    # prints ``responder-only`` with or without ``set``.
    if words in (["set", "responder-only"], ["responder-only"]):
        profile["responder_only"] = True
        return True
    scratch: dict[str, Any] = {}
    if not _apply_map_setting(scratch, line, False) or words[:1] != ["set"]:
        return False
    scratch.pop("trustpoint", None)
    if not scratch:
        return len(words) > 1 and words[1] in _OTHER_PROFILE_OPTIONS
    if set(scratch) - set(_PROFILE_SETTINGS):
        return False
    if not re.fullmatch(r"group\d+", scratch.get("pfs_group") or "group0"):
        return False  # `set pfs gro`: a line cut by the pager or a paste
    profile.update(scratch)
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
        policy["lifetime_seconds"] = to_int(number)
    else:
        return False
    return True


def parse_crypto_parts(text: str, command: str) -> tuple[CryptoParts, Collector]:
    col = Collector(command)
    parts = CryptoParts()
    entries: dict[tuple[bool, str, int], dict[str, Any]] = {}
    for number, header, children in blocks(prepare(text, col)):
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
        elif m := _IPSEC_PROFILE.match(header):
            kind = "profile"
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
            elif kind == "profile":
                understood = _apply_profile_setting(record, text_)
            elif kind == "other":
                parts.other.append(child)
            else:
                understood = False
            if not understood:
                col.bad(n, child, "unknown attribute")
                continue
            col.ok()
            if kind in ("policy", "proposal", "profile"):
                record["lines"].append(child)
        if kind == "policy":
            record["lines"] = tuple(record["lines"])
            parts.policies.append(IkePolicy(**record))
        elif kind == "proposal":
            record["lines"] = tuple(record["lines"])
            parts.proposals.append(Ikev2IpsecProposal(**record))
        elif kind == "profile":
            record["lines"] = tuple(record["lines"])
            parts.profiles.append(IpsecProfile(**record))
    for entry in entries.values():
        entry["lines"] = tuple(entry["lines"])
        parts.entries.append(CryptoMapEntry(**entry))
    return parts, col


def _add_transform_set(
    parts: CryptoParts, name: str, rest: str, *, legacy: bool, line: str
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
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.entries)


def parse_crypto_map_bindings(
    text: str, command: str = SHOW_RUN_CRYPTO_MAP
) -> ParseResult[CryptoMapBinding]:
    """``crypto map NAME interface IF`` lines of the same output."""
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.bindings)


def parse_ike_policies(text: str, command: str = SHOW_RUN_CRYPTO_IKEV1) -> ParseResult[IkePolicy]:
    """IKEv1/IKEv2/isakmp policies from ``show running-config crypto ikev1|ikev2|isakmp``."""
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.policies)


def parse_ike_enabled(
    text: str, command: str = SHOW_RUN_CRYPTO_IKEV1
) -> ParseResult[IkeEnabledInterface]:
    """``crypto ikev1|ikev2|isakmp enable IF`` lines."""
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.enabled)


def parse_transform_sets(
    text: str, command: str = SHOW_RUN_CRYPTO_IPSEC
) -> ParseResult[TransformSet]:
    """IKEv1 (and 8.x) transform sets from ``show running-config crypto ipsec``."""
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.transform_sets)


def parse_ipsec_proposals(
    text: str, command: str = SHOW_RUN_CRYPTO_IPSEC
) -> ParseResult[Ikev2IpsecProposal]:
    """IKEv2 ipsec-proposals from ``show running-config crypto ipsec``."""
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.proposals)


def parse_ipsec_profiles(
    text: str, command: str = SHOW_RUN_CRYPTO_IPSEC
) -> ParseResult[IpsecProfile]:
    """``crypto ipsec profile`` blocks (VTI phase 2) from ``show running-config crypto ipsec``."""
    parts, col = parse_crypto_parts(text, command)
    return col.result(parts.profiles)
