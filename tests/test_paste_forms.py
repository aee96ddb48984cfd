"""What pasting does to a capture, one form at a time (issue 12, part C).

tests/test_real_outputs.py shows these forms on real files; here each is isolated, so a
regression names the form that broke: line ends, markdown, prompts of failover pairs and
contexts, abbreviations and upper case, prompt-less pastes, wrapped syslog lines, flattened
columns, cut outputs (no phantom peer) and remote-access SAs kept apart.
"""

from __future__ import annotations

import pytest

from vpn_doctor.collect.terminal_log import parse_terminal_log
from vpn_doctor.models import ParseStatus
from vpn_doctor.parse.ipsec import parse_ipsec_sa
from vpn_doctor.parse.isakmp import parse_isakmp_sa
from vpn_doctor.parse.paste import join_wrapped, normalise_paste, split_bare
from vpn_doctor.parse.sessiondb import parse_sessiondb_l2l

ISAKMP = """IKEv1 SAs:

   Active SA: 1
    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)
Total IKE SA: 1

1   IKE Peer: 203.0.113.9
    Type    : L2L             Role    : initiator
    Rekey   : no              State   : MM_ACTIVE

There are no IKEv2 SAs"""

IPSEC = """interface: outside
    Crypto map tag: CMAP, seq num: 10, local addr: 198.51.100.1

      access-list ACL-VPN extended permit ip 10.1.0.0 255.255.255.0 10.2.0.0 255.255.255.0
      local ident (addr/mask/prot/port): (10.1.0.0/255.255.255.0/0/0)
      remote ident (addr/mask/prot/port): (10.2.0.0/255.255.255.0/0/0)
      current_peer: 203.0.113.9

      #pkts encaps: 120, #pkts encrypt: 120, #pkts digest: 120
      #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0
      #send errors: 0, #recv errors: 0

      local crypto endpt.: 198.51.100.1/0, remote crypto endpt.: 203.0.113.9/0
      path mtu 1500, ipsec overhead 74(44), media mtu 1500
      current outbound spi: 6D9F8D3B
      current inbound spi : 48B456A6

    inbound esp sas:
      spi: 0x48B456A6 (1219778214)
         transform: esp-aes-256 esp-sha-hmac no compression
         in use settings ={L2L, Tunnel, IKEv1, }
         sa timing: remaining key lifetime (kB/sec): (4374000/3593)
    outbound esp sas:
      spi: 0x6D9F8D3B (1839172923)
         transform: esp-aes-256 esp-sha-hmac no compression
         in use settings ={L2L, Tunnel, IKEv1, }
         sa timing: remaining key lifetime (kB/sec): (4374000/3593)"""


def _session(prompt: str, isakmp_cmd: str = "show crypto isakmp sa") -> str:
    return f"{prompt} {isakmp_cmd}\n{ISAKMP}\n{prompt} show crypto ipsec sa\n{IPSEC}\n{prompt}\n"


def _check(snapshot_outputs: dict[str, str]) -> None:
    ike = parse_isakmp_sa(snapshot_outputs["show crypto isakmp sa"])
    assert ike.status is ParseStatus.OK, ike.warnings
    assert [(r.peer, r.state, r.role) for r in ike.records] == [
        ("203.0.113.9", "MM_ACTIVE", "initiator")
    ]
    ipsec = parse_ipsec_sa(snapshot_outputs["show crypto ipsec sa"])
    assert ipsec.status is ParseStatus.OK, ipsec.warnings
    (sa,) = ipsec.records
    assert (sa.peer, sa.pkts_encaps, sa.pkts_decaps) == ("203.0.113.9", 120, 0)
    assert (sa.inbound_spis, sa.outbound_spis) == (("0x48B456A6",), ("0x6D9F8D3B",))


@pytest.mark.parametrize(
    "prompt",
    ["fw>", "fw#", "fw/pri/act#", "fw/sec/stby#", "fw/ctx1/pri/act#", "fw/act(config)#",
     "fw(config)#", "FW-01.lab#", "#"],
)  # fmt: skip
def test_prompts_of_failover_pairs_and_contexts(prompt: str) -> None:
    snapshot = parse_terminal_log(_session(prompt))
    assert list(snapshot.outputs) == ["show crypto isakmp sa", "show crypto ipsec sa"]
    _check(snapshot.outputs)


@pytest.mark.parametrize(
    "typed", ["sh cry is sa", "sh cry isa sa", "SHOW CRYPTO ISAKMP SA", "sho crypto isakmp sa"]
)
def test_abbreviations_and_upper_case(typed: str) -> None:
    _check(parse_terminal_log(_session("fw/pri/act#", typed)).outputs)


@pytest.mark.parametrize(
    ("name", "transform"),
    [
        ("crlf", lambda t: t.replace("\n", "\r\n")),
        ("cr only", lambda t: t.replace("\n", "\r")),
        ("flattened", lambda t: "\n".join(" ".join(line.split()) for line in t.split("\n"))),
        ("markdown code block", lambda t: "\n".join("    " + line for line in t.split("\n"))),
        ("list markers", lambda t: "\n".join("- " + line for line in t.split("\n"))),
        ("numbered list", lambda t: "\n".join(f"{i}. {x}" for i, x in enumerate(t.split("\n")))),
        ("fenced", lambda t: "```\n" + t + "```\n"),
        ("escaped newlines", lambda t: t.replace("\n", "\\n")),
        ("markdown escapes", lambda t: t.replace("current_peer", "current\\_peer")),
        ("nbsp", lambda t: t.replace("  ", "\u00a0 ")),
    ],
)
def test_pasted_forms_read_the_same(name: str, transform: object) -> None:
    assert callable(transform)
    _check(parse_terminal_log(transform(_session("fw/pri/act#"))).outputs)


def test_pager_remnants_with_cr_and_spaces() -> None:
    text = _session("fw#").replace(
        "Total IKE SA: 1\n", "Total IKE SA: 1\n<--- More --->\r              \r"
    )
    _check(parse_terminal_log(text).outputs)


def test_bold_state_in_ikev2_table() -> None:
    text = """fw# show crypto ikev2 sa
IKEv2 SAs:
Session-id:5, Status:UP-ACTIVE, IKE count:1, CHILD count:1
Tunnel-id Local Remote Status Role
12345 198.51.100.1/500 2001:db8::9/500 **READY** INITIATOR
Encr: AES-GCM, keysize: 256, Hash: N/A, DH Grp:20, Auth sign: PSK, Auth verify: PSK
Life/Active Time: 86400/60 sec
Child sa: local selector 10.1.0.0/0 - 10.1.0.255/65535
remote selector 10.2.0.0/0 - 10.2.0.255/65535
ESP spi in/out: 0x1/0x2
"""
    outputs = parse_terminal_log(text).outputs
    result = parse_isakmp_sa(outputs["show crypto ikev2 sa"], "show crypto ikev2 sa")
    assert result.status is ParseStatus.OK, result.warnings
    (sa,) = result.records
    assert (sa.peer, sa.state, sa.role, sa.remote_port) == (
        "2001:db8::9",
        "READY",
        "initiator",
        500,
    )


def test_no_prompt_outputs_and_syslog_are_recognised() -> None:
    text = "\n".join(
        [
            ISAKMP,
            IPSEC,
            "<166>Dec 06 2026 10:00:00: %ASA-6-602303: IPSEC: An outbound LAN-to-LAN SA "
            "(SPI= 0x6D9F8D3B) between 198.51.100.1 and 203.0.113.9 (user= 203.0.113.9) has "
            "been",
            "created.",
            "%FTD-vpn-5-752004: Tunnel Manager dispatching a KEY_ACQUIRE message to IKEv1.",
            "172.16.200.253:514 : local7.notice %PIX-5-713041: IP = 203.0.113.7, IKE Initiator",
        ]
    )
    snapshot = parse_terminal_log(text)
    assert set(snapshot.outputs) == {"show crypto isakmp sa", "show crypto ipsec sa"}
    _check(snapshot.outputs)
    assert len(snapshot.debug_lines) == 3
    assert snapshot.debug_lines[0].endswith("has been created.")  # the wrapped line joined


def test_short_or_indented_debug_lines_are_not_joined() -> None:
    lines = [
        "Dec 06 10:00:00 [IKEv1]: IP = 203.0.113.9, IKE_DECODE RECEIVED Message (msgid=0)",
        "  Proposal # 1, Transform # 1 acceptable",
        "%ASA-5-713119: PHASE 1 COMPLETED",
        "Local subnet: 10.1.0.0",
    ]
    assert join_wrapped(lines) == lines


def test_bare_sessiondb_flattened_keeps_columns_apart() -> None:
    text = """Session Type: LAN-to-LAN Detailed
Connection : 203.0.113.9
Index : 7 IP Addr : 203.0.113.9
Protocol : IKEv1 IPsec
Encryption : IKEv1: (1)AES256 IPsec: (1)AES256
Hashing : IKEv1: (1)SHA1 IPsec: (1)SHA1
Bytes Tx : 100 Bytes Rx : 0
Login Time : 10:00:00 UTC Sun Dec 6 2026
Duration : 0h:10m:00s
IKEv1 Tunnels: 1
IPsec Tunnels: 1
IKEv1:
Tunnel ID : 7.1
UDP Src Port : 500 UDP Dst Port : 500
IKE Neg Mode : Main Auth Mode : preSharedKeys
Encryption : AES256 Hashing : SHA1
Rekey Int (T): 86400 Seconds Rekey Left(T): 86000 Seconds
D/H Group : 14
IPsec:
Tunnel ID : 7.2
Local Addr : 10.1.0.0/255.255.255.0/0/0
Remote Addr : 10.2.0.0/255.255.255.0/0/0
Encryption : AES256 Hashing : SHA1
Encapsulation: Tunnel PFS Group : 14
Rekey Int (T): 3600 Seconds Rekey Left(T): 3000 Seconds
Bytes Tx : 100 Bytes Rx : 0
Pkts Tx : 2 Pkts Rx : 0"""
    outputs = split_bare(normalise_paste(text)).outputs
    result = parse_sessiondb_l2l(outputs["show vpn-sessiondb detail l2l"])
    assert result.status is ParseStatus.OK, result.warnings
    (session,) = result.records
    assert (session.ike[0].encryption, session.ike[0].hashing) == ("AES256", "SHA1")
    (ipsec,) = session.ipsec
    assert (ipsec.encapsulation, ipsec.pfs_group, ipsec.bytes_tx) == ("Tunnel", "14", 100)


@pytest.mark.parametrize(
    ("text", "command", "parse"),
    [
        (ISAKMP.split("    Type")[0].rstrip() + "\n2   IKE Peer: 192", "show crypto isakmp sa",
         parse_isakmp_sa),
        (IPSEC.split("current_peer")[0] + "current_peer: 203.0", "show crypto ipsec sa",
         parse_ipsec_sa),
        ("Session Type: LAN-to-LAN Detailed\n\nConnection   : 203.0",
         "show vpn-sessiondb detail l2l", parse_sessiondb_l2l),
    ],
)  # fmt: skip
def test_output_cut_on_a_peer_line_has_no_phantom_peer(
    text: str, command: str, parse: object
) -> None:
    assert callable(parse)
    result = parse(text, command)
    assert result.status is ParseStatus.PARTIAL, result.warnings
    peers = {getattr(r, "peer", None) or getattr(r, "connection", None) for r in result.records}
    assert not peers & {"192", "203.0"}


def test_isakmp_without_its_ikev2_part_is_partial_not_empty() -> None:
    result = parse_isakmp_sa("There are no IKEv1 SAs\n", "show crypto isakmp sa")
    assert result.status is ParseStatus.PARTIAL
    ikev1_only = parse_isakmp_sa("There are no IKEv1 SAs\n", "show crypto ikev1 sa")
    assert ikev1_only.status is ParseStatus.EMPTY


def test_remote_access_and_ezvpn_sas_are_marked() -> None:
    ra = IPSEC.replace("{L2L, Tunnel, IKEv1, }", "{RA, Tunnel, IKEv1, }")
    (sa,) = parse_ipsec_sa(ra).records
    assert sa.remote_access
    ezvpn = IPSEC.replace("CMAP, seq num", "_vpnc_cm, seq num")
    assert parse_ipsec_sa(ezvpn).records[0].remote_access
    assert not parse_ipsec_sa(IPSEC).records[0].remote_access
    user = ISAKMP.replace("Type    : L2L", "Type    : user")
    assert parse_isakmp_sa(user).records[0].remote_access
    assert not parse_isakmp_sa(ISAKMP).records[0].remote_access
