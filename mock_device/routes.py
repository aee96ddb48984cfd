"""``show route NET MASK`` derived from a scenario's full ``show route`` table.

Why: vpn-doctor never reads the whole routing table (a big firewall's is huge and slow to
print); it asks for the networks the crypto ACLs name. Scenarios keep giving the table (it is
what an engineer pastes), and this answers each lookup the way the ASA does: the longest
prefix that contains the asked network, printed as a ``Routing entry for`` block, or
``% Network not in table``. An explicit ``show route NET MASK`` key in the scenario wins.
"""

from __future__ import annotations

import ipaddress
import re

NOT_IN_TABLE = "% Network not in table\n"
_ROW = re.compile(
    r"^(?P<code>[A-Za-z][A-Za-z0-9* ]*?)\s+(?P<net>\d+\.\d+\.\d+\.\d+)"
    r"\s+(?P<mask>\d+\.\d+\.\d+\.\d+)"
    r"\s+(?:\[(?P<ad>\d+)/(?P<metric>\d+)\]\s+via\s+(?P<hop>[\d.]+),|is directly connected,)"
    r"\s*(?P<ifname>\S+)"
)
_KNOWN = {"S": "static", "C": "connected", "L": "local", "O": "ospf", "B": "bgp", "D": "eigrp"}


def route_entry(table: str, net: str, mask: str) -> str:
    """The ASA's answer to ``show route NET MASK`` from the full table text."""
    try:
        asked = ipaddress.IPv4Network(f"{net}/{mask}", strict=False)
    except ValueError:
        return NOT_IN_TABLE
    best: tuple[ipaddress.IPv4Network, re.Match[str]] | None = None
    for line in table.splitlines():
        row = _ROW.match(line)
        if row is None:
            continue
        candidate = ipaddress.IPv4Network(f"{row['net']}/{row['mask']}", strict=False)
        if asked.subnet_of(candidate) and (best is None or candidate.prefixlen > best[0].prefixlen):
            best = (candidate, row)
    if best is None:
        return NOT_IN_TABLE
    network, row = best
    code = row["code"].strip().rstrip("*").strip().split()[0]
    known = _KNOWN.get(code, "static")
    distance = row["ad"] or "0"
    metric = row["metric"] or "0"
    supernet = ", supernet" if network.prefixlen == 0 else ""
    hop = (
        f"{row['hop']}, via {row['ifname']}"
        if row["hop"]
        else f"directly connected, via {row['ifname']}"
    )
    return (
        f"\nRouting entry for {network.network_address} {network.netmask}{supernet}\n"
        f'  Known via "{known}", distance {distance}, metric {metric}\n'
        "  Routing Descriptor Blocks:\n"
        f"  * {hop}\n"
        f"      Route metric is {metric}, traffic share count is 1\n\n"
    )
