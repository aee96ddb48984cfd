"""The timeline: what several samples say that one cannot (hand-written samples, no mock).

Each case builds ``show crypto ipsec sa peer X`` blocks in the 9.x layout by hand (the
counter and SPI lines are what the analysis reads) and checks the verdict of the window.
"""

from __future__ import annotations

from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.diagnose.timeline import Timeline, analyse, teardown_lines
from vpn_doctor.models import DeviceInfo, DeviceState, ParseResult, ParseStatus, RawSample
from vpn_doctor.parse.isakmp import parse_isakmp_sa
from vpn_doctor.parse.sample import parse_samples

PEER = "203.0.113.9"
IPSEC_CMD = f"show crypto ipsec sa peer {PEER}"

ISAKMP_UP = f"""IKEv1 SAs:

   Active SA: 1
    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)
Total IKE SA: 1

1   IKE Peer: {PEER}
    Type    : L2L             Role    : initiator
    Rekey   : no              State   : MM_ACTIVE

There are no IKEv2 SAs
"""
ACL = "access-list outside_cryptomap_10 extended permit ip " + (
    "10.10.0.0 255.255.255.0 10.20.0.0 255.255.255.0"
)
ISAKMP_WAIT = ISAKMP_UP.replace("MM_ACTIVE", "MM_WAIT_MSG2")
NO_IKE = "There are no IKEv1 SAs\n\nThere are no IKEv2 SAs\n"
NO_IPSEC = "There are no ipsec sas\n"


def ipsec(encaps: int, decaps: int, spi_in: str = "1A2B3C4D", spi_out: str = "5E6F7A8B") -> str:
    return f"""interface: outside
    Crypto map tag: outside_map, seq num: 10, local addr: 192.0.2.1

      {ACL}
      local ident (addr/mask/prot/port): (10.10.0.0/255.255.255.0/0/0)
      remote ident (addr/mask/prot/port): (10.20.0.0/255.255.255.0/0/0)
      current_peer: {PEER}

      #pkts encaps: {encaps}, #pkts encrypt: {encaps}, #pkts digest: {encaps}
      #pkts decaps: {decaps}, #pkts decrypt: {decaps}, #pkts verify: {decaps}
      #pkts compressed: 0, #pkts decompressed: 0
      #pkts not compressed: {encaps}, #pkts comp failed: 0, #pkts decomp failed: 0
      #pre-frag successes: 0, #pre-frag failures: 0, #fragments created: 0
      #PMTUs sent: 0, #PMTUs rcvd: 0, #decapsulated frgs needing reassembly: 0
      #TFC rcvd: 0, #TFC sent: 0
      #Valid ICMP Errors rcvd: 0, #Invalid ICMP Errors rcvd: 0
      #send errors: 0, #recv errors: 0

      local crypto endpt.: 192.0.2.1/0, remote crypto endpt.: {PEER}/0
      path mtu 1500, ipsec overhead 74(44), media mtu 1500
      PMTU time remaining (sec): 0, DF policy: copy-df
      ICMP error validation: disabled, TFC packets: disabled
      current outbound spi: {spi_out}
      current inbound spi : {spi_in}

    inbound esp sas:
      spi: 0x{spi_in} (439041101)
         transform: esp-aes-256 esp-sha-hmac no compression
         in use settings ={{L2L, Tunnel, PFS Group 14, IKEv1, }}
         slot: 0, conn_id: 16384, crypto-map: outside_map
         sa timing: remaining key lifetime (kB/sec): (4373999/28000)
         IV size: 16 bytes
         replay detection support: Y
         Anti replay bitmap:
          0xFFFFFFFF 0xFFFFFFFF
    outbound esp sas:
      spi: 0x{spi_out} (1584364171)
         transform: esp-aes-256 esp-sha-hmac no compression
         in use settings ={{L2L, Tunnel, PFS Group 14, IKEv1, }}
         slot: 0, conn_id: 16384, crypto-map: outside_map
         sa timing: remaining key lifetime (kB/sec): (4373999/28000)
         IV size: 16 bytes
         replay detection support: Y
         Anti replay bitmap:
          0x00000000 0x00000001
"""


def samples(*polls: tuple[str, str], every: float = 5.0) -> list[RawSample]:
    return [
        RawSample(PEER, i * every, f"2026-12-06T10:00:{i:02d}+00:00", {
            "show crypto isakmp sa": ike, IPSEC_CMD: sa,
        })
        for i, (ike, sa) in enumerate(polls)
    ]  # fmt: skip


def timeline(*polls: tuple[str, str], logs: tuple[str, ...] = ()) -> Timeline:
    return analyse(PEER, parse_samples(samples(*polls)), logs)


def test_counters_since_birth_fine_but_decaps_stopped_now_is_one_way() -> None:
    t = timeline(
        (ISAKMP_UP, ipsec(48211, 47962)),
        (ISAKMP_UP, ipsec(48411, 48100)),
        (ISAKMP_UP, ipsec(48611, 48100)),
        (ISAKMP_UP, ipsec(48811, 48100)),
    )
    w = t.window
    assert w is not None and w.comparable
    assert (w.encaps_delta, w.decaps_delta) == (400, 0)  # the last two intervals only
    assert not w.flapping and not w.idle


def test_a_normal_rekey_is_not_a_flap() -> None:
    t = timeline(
        (ISAKMP_UP, ipsec(100, 90)),
        (ISAKMP_UP, ipsec(200, 180)),
        (ISAKMP_UP, ipsec(210, 185, spi_in="AAAA0001", spi_out="BBBB0001")),
    )
    w = t.window
    assert w is not None
    assert w.rekeys == 1 and w.teardowns == 0 and not w.flapping
    assert any("rekey" in e.event for e in t.events)


def test_gone_then_back_with_new_spis_is_a_flap() -> None:
    t = timeline(
        (ISAKMP_UP, ipsec(100, 90)),
        (NO_IKE, NO_IPSEC),
        (ISAKMP_UP, ipsec(3, 2, spi_in="AAAA0001", spi_out="BBBB0001")),
    )
    w = t.window
    assert w is not None and w.flapping and (w.teardowns, w.rebuilds) == (1, 1)


def test_new_spis_with_counters_from_zero_and_no_gap_is_still_a_rekey() -> None:
    """The ASA restarts the counters of a rekeyed SA too: without a gap or a teardown
    message, calling this a flap would be a confident wrong answer."""
    t = timeline(
        (ISAKMP_UP, ipsec(5000, 4900)),
        (ISAKMP_UP, ipsec(12, 10, spi_in="AAAA0001", spi_out="BBBB0001")),
    )
    assert t.window is not None and t.window.rekeys == 1 and not t.window.flapping


def test_teardown_lines_between_samples_count_and_give_the_reason() -> None:
    line = (
        "Dec 06 2026 10:00:02: %ASA-4-113019: Group = 203.0.113.9, Username = 203.0.113.9, "
        "IP = 203.0.113.9, Session disconnected. Session Type: LAN-to-LAN, Duration: "
        "0h:00m:02s, Bytes xmt: 100, Bytes rcv: 90, Reason: Lost Service"
    )
    other = line.replace("203.0.113.9", "203.0.113.99")  # another peer: not ours
    t = timeline(
        (ISAKMP_UP, ipsec(100, 90)),
        (ISAKMP_UP, ipsec(150, 140)),
        logs=(line, line.replace("10:00:02", "10:00:05"), other),
    )
    w = t.window
    assert w is not None and w.teardowns == 2 and w.flapping
    assert w.teardown_reasons == ("Lost Service",)
    assert len(teardown_lines([other], PEER)) == 0


def test_both_counters_still_is_idle() -> None:
    t = timeline((ISAKMP_UP, ipsec(100, 90)), (ISAKMP_UP, ipsec(100, 90)))
    assert t.window is not None and t.window.idle


def test_stuck_phase1_versus_progressing() -> None:
    stuck = timeline((ISAKMP_WAIT, NO_IPSEC), (ISAKMP_WAIT, NO_IPSEC), (ISAKMP_WAIT, NO_IPSEC))
    assert stuck.window is not None and stuck.window.phase1_stuck
    moving = timeline((ISAKMP_WAIT, NO_IPSEC), (ISAKMP_UP, ipsec(1, 1)))
    assert moving.window is not None and not moving.window.phase1_stuck
    assert moving.window.phase1_states == ("MM_WAIT_MSG2", "MM_ACTIVE")


def test_sa_expires_and_no_new_one_is_a_failed_rekey() -> None:
    t = timeline((ISAKMP_UP, ipsec(100, 90)), (ISAKMP_UP, NO_IPSEC), (ISAKMP_UP, NO_IPSEC))
    assert t.window is not None and t.window.rekey_failed and not t.window.flapping


def test_a_cut_output_is_unread_not_gone() -> None:
    cut = ipsec(150, 140).split("#pkts decaps")[0]  # the capture stops mid-block
    t = timeline((ISAKMP_UP, ipsec(100, 90)), (ISAKMP_UP, cut), (ISAKMP_UP, ipsec(200, 190)))
    w = t.window
    assert w is not None and w.teardowns == 0 and not w.flapping
    assert any("partial" in e.event or "failed" in e.event for e in t.events)


def _state(last_ike: str, last_ipsec: str, raw: list[RawSample]) -> DeviceState:
    from vpn_doctor.parse.ipsec import parse_ipsec_sa

    return DeviceState(
        device=DeviceInfo(hostname="fw1"),
        ike_sas=parse_isakmp_sa(last_ike),
        ipsec_sas=parse_ipsec_sa(last_ipsec, IPSEC_CMD),
        sessions=ParseResult("show vpn-sessiondb detail l2l", ParseStatus.MISSING),
        raw={"show crypto isakmp sa": last_ike, IPSEC_CMD: last_ipsec},
        samples=parse_samples(raw),
    )


def test_engine_names_one_way_now_and_says_why() -> None:
    polls = [
        (ISAKMP_UP, ipsec(48211, 47962)),
        (ISAKMP_UP, ipsec(48411, 47962)),
        (ISAKMP_UP, ipsec(48611, 47962)),
    ]
    report = diagnose(_state(*polls[-1], samples(*polls)), PEER)
    tunnel = report.tunnels[0]
    assert tunnel.findings[0].code == "IPSEC_ONE_WAY"
    assert any("(+0)" in line for line in tunnel.findings[0].evidence)
    assert [e.event for e in tunnel.timeline][:2] == [
        "phase 1: MM_ACTIVE",
        "IPsec SA up (SPIs 0x1a2b3c4d/0x5e6f7a8b)",
    ]


def test_engine_single_sample_keeps_judging_since_birth() -> None:
    one = [(ISAKMP_UP, ipsec(48211, 47962))]
    report = diagnose(_state(*one[-1], samples(*one)), PEER)
    assert report.tunnels[0].findings[0].code == "TUNNEL_HEALTHY"


def test_engine_flapping_comes_first_even_when_the_sa_is_down_now() -> None:
    polls = [
        (ISAKMP_UP, ipsec(100, 90)),
        (NO_IKE, NO_IPSEC),
        (ISAKMP_UP, ipsec(5, 4, "AAAA0001", "BBBB0001")),
        (NO_IKE, NO_IPSEC),
    ]
    report = diagnose(_state(*polls[-1], samples(*polls)), PEER)
    tunnel = report.tunnels[0]
    assert tunnel.findings[0].code == "TUNNEL_FLAPPING"
    assert tunnel.verdict == "degraded"
