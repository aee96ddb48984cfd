"""Parse-speed probe for ``show crypto ipsec sa``: ours vs the ntc-templates baseline.

Run: ``python bench/parse_speed_probe.py [tunnels]`` (default 5000). It generates one big
9.x-style output by repeating a realistic block with varied peers, proxies and counters, then
times (a) ntc-templates' cisco_asa_show_crypto_ipsec_sa through TextFSM and (b)
``vpn_doctor.parsing.parse_ipsec_sa``. Not part of CI; the target is < 2 s for 5,000 tunnels
and at least as fast as the ntc baseline.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

BLOCK = """\
    Crypto map tag: OUTSIDE_MAP, seq num: {seq}, local addr: 198.51.100.1

      access-list OUTSIDE_cryptomap_{seq} extended permit ip 10.1.0.0 255.255.255.0 {rnet} {rmask}
      local ident (addr/mask/prot/port): (10.1.0.0/255.255.255.0/0/0)
      remote ident (addr/mask/prot/port): (10.{a}.{b}.0/255.255.255.0/0/0)
      current_peer: 203.0.{a}.{b}


      #pkts encaps: {enc}, #pkts encrypt: {enc}, #pkts digest: {enc}
      #pkts decaps: {dec}, #pkts decrypt: {dec}, #pkts verify: {dec}
      #pkts compressed: 0, #pkts decompressed: 0
      #pkts not compressed: {enc}, #pkts comp failed: 0, #pkts decomp failed: 0
      #pre-frag successes: 0, #pre-frag failures: 0, #fragments created: 0
      #PMTUs sent: 0, #PMTUs rcvd: 0, #decapsulated frgs needing reassembly: 0
      #TFC rcvd: 0, #TFC sent: 0
      #Valid ICMP Errors rcvd: 0, #Invalid ICMP Errors rcvd: 0
      #send errors: 0, #recv errors: {rerr}

      local crypto endpt.: 198.51.100.1/500, remote crypto endpt.: 203.0.{a}.{b}/500
      path mtu 1500, ipsec overhead 74(44), media mtu 1500
      PMTU time remaining (sec): 0, DF policy: copy-df
      ICMP error validation: disabled, TFC packets: disabled
      current outbound spi: {spo:08X}
      current inbound spi : {spi:08X}

    inbound esp sas:
      spi: 0x{spi:08X} ({spi})
         SA State: active
         transform: esp-aes-256 esp-sha-hmac no compression
         in use settings ={{L2L, Tunnel, PFS Group 14, IKEv1, }}
         slot: 0, conn_id: {conn}, crypto-map: OUTSIDE_MAP
         sa timing: remaining key lifetime (kB/sec): (3914999/{life})
         IV size: 16 bytes
         replay detection support: Y
         Anti replay bitmap:
          0xFFFFFFFF 0xFFFFFFFF
    outbound esp sas:
      spi: 0x{spo:08X} ({spo})
         SA State: active
         transform: esp-aes-256 esp-sha-hmac no compression
         in use settings ={{L2L, Tunnel, PFS Group 14, IKEv1, }}
         slot: 0, conn_id: {conn}, crypto-map: OUTSIDE_MAP
         sa timing: remaining key lifetime (kB/sec): (3914999/{life})
         IV size: 16 bytes
         replay detection support: Y
         Anti replay bitmap:
          0x00000000 0x00000001

"""


def make_output(tunnels: int) -> str:
    """One `show crypto ipsec sa` output with ``tunnels`` SA blocks."""
    parts = ["interface: outside\n"]
    for i in range(tunnels):
        parts.append(
            BLOCK.format(
                seq=i + 1,
                rmask="255.255.255.0",
                rnet=f"10.{(i // 250) % 250 + 1}.{i % 250 + 1}.0",
                a=(i // 250) % 250 + 1,
                b=i % 250 + 1,
                enc=i * 7919 % 10_000_000,
                dec=i * 104_729 % 10_000_000,
                rerr=i % 3,
                spi=(0x10000000 + i * 2654435761) % 0xFFFFFFFF,
                spo=(0x20000000 + i * 40503) % 0xFFFFFFFF,
                conn=4710400 + i,
                life=3600 - i % 3600,
            )
        )
    return "".join(parts)


def time_it(label: str, func, text: str, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        count = func(text)
        best = min(best, time.perf_counter() - start)
    lines = text.count("\n")
    print(f"{label:<28} {best:7.3f} s  {lines / best:12,.0f} lines/s  ({count} records)")
    return best


def ntc_baseline(text: str) -> int:
    import ntc_templates
    import textfsm

    templates = Path(ntc_templates.__file__).parent / "templates"
    path = templates / "cisco_asa_show_crypto_ipsec_sa.textfsm"
    with path.open() as handle:
        fsm = textfsm.TextFSM(handle)
    return len(fsm.ParseText(text))


def ours(text: str) -> int:
    from vpn_doctor.parsing import parse_ipsec_sa

    return len(parse_ipsec_sa(text).records)


def main() -> None:
    tunnels = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    text = make_output(tunnels)
    print(f"{tunnels} tunnels, {text.count(chr(10))} lines, {len(text) / 1e6:.1f} MB")
    base = time_it("ntc-templates (textfsm)", ntc_baseline, text)
    try:
        mine = time_it("vpn_doctor.parse_ipsec_sa", ours, text)
    except ImportError as exc:  # parsing module not there yet
        print(f"ours: not available ({exc})")
        return
    print(f"ours / ntc: {mine / base:.2f}x the time")


if __name__ == "__main__":
    main()
