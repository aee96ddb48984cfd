"""Which tunnel a debug/syslog line is evidence for (vpn_doctor.diagnose.attribution)."""

from __future__ import annotations

from vpn_doctor.asa.commands import logging_filter
from vpn_doctor.diagnose.attribution import attribute, names_in
from vpn_doctor.parse.config.sections import parse_names

PSK = "%ASA-4-713903: Group = {0}, IP = {0}, Error, peer has indicated that something is wrong"


def test_lines_naming_another_peer_are_never_borrowed() -> None:
    line = PSK.format("198.51.100.20")
    given = attribute([line], ["203.0.113.9"], condition="203.0.113.9")
    assert given.lines == {"203.0.113.9": []}
    assert given.other_peers == [line] and given.unattributed == []


def test_whole_tokens_only() -> None:
    line = PSK.format("203.0.113.14")
    given = attribute([line], ["203.0.113.1", "203.0.113.14"])
    assert given.lines == {"203.0.113.1": [], "203.0.113.14": [line]}


def test_ipv6_peers_are_read() -> None:
    assert names_in("Group = 2001:db8::9, IP = 2001:db8::9, PHASE 1 COMPLETED", {}) == [
        "2001:db8::9"
    ]
    assert names_in("IKEv2-PROTO-2: Received Packet [From 2001:db8::9:500/To x]", {}) == [
        "2001:db8::9"
    ]


def test_unnamed_lines_need_a_condition() -> None:
    line = "%ASA-3-717009: Certificate validation failed."
    assert attribute([line], ["203.0.113.9"]).unattributed == [line]
    given = attribute([line], ["203.0.113.9"], condition="203.0.113.9")
    assert given.lines["203.0.113.9"] == [line]


def test_ikev2_handles_follow_the_packet_line() -> None:
    lines = [
        "IKEv2-PROTO-2: Received Packet [From 203.0.113.9:500/To 198.51.100.1:500/VRF i0:f0]",
        "IKEv2-PROTO-2: (17): Failed to find a matching policy",
        "IKEv2-PROTO-2: (17): Received Policies:",
        "Proposal 1: AES-CBC-256 SHA256 SHA256 DH_GROUP_1024_MODP/Group 2",
        "IKEv2-PROTO-2: Received Packet [From 198.51.100.7:500/To 198.51.100.1:500/VRF i0:f0]",
        "IKEv2-PROTO-1: (22): Failed to authenticate the IKE SA",
    ]
    given = attribute(lines, ["203.0.113.9", "198.51.100.7"])
    assert given.lines["203.0.113.9"] == lines[:4]
    assert given.lines["198.51.100.7"] == lines[4:]


def test_names_resolve_both_ways() -> None:
    result = parse_names("names\nname 203.0.113.9 BRANCH-LYON description Lyon\n")
    assert dict(result.records) == {"BRANCH-LYON": "203.0.113.9"}
    line = PSK.format("BRANCH-LYON")
    given = attribute([line], ["203.0.113.9"], names=dict(result.records))
    assert given.lines["203.0.113.9"] == [line]


def test_device_side_log_filter_is_anchored() -> None:
    import re

    pattern = re.compile(logging_filter("203.0.113.1").split(" include ", 1)[1])
    assert pattern.search(PSK.format("203.0.113.1"))
    assert not pattern.search(PSK.format("203.0.113.14"))
    assert not pattern.search(PSK.format("10.203.0.113.1"))
