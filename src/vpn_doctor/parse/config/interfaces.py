"""``show running-config interface``: the tunnel interfaces (VTIs) of route-based tunnels.

A VTI tunnel has no crypto map entry: its peer is the interface's ``tunnel destination`` and
its phase 2 policy the ``crypto ipsec profile`` named by ``tunnel protection ipsec profile``.
Only ``interface Tunnel...`` blocks (or any block with ``tunnel ...`` lines) become records;
the other interfaces are read (their lines count as understood) but not modelled. Syntax as
in Cisco's ASA VPN configuration guide, chapter "Virtual Tunnel Interface" (9.7 and later):

    interface Tunnel1
     nameif vti-azure
     ip address 169.254.21.2 255.255.255.252
     tunnel source interface outside
     tunnel destination 203.0.113.40
     tunnel mode ipsec ipv4
     tunnel protection ipsec profile AZURE-PROFILE
"""

from __future__ import annotations

import re
from typing import Any

from vpn_doctor.asa.commands import SHOW_RUN_INTERFACE
from vpn_doctor.config_models import TunnelInterface
from vpn_doctor.models import ParseResult
from vpn_doctor.parse.config.base import Collector, blocks, prepare

_HEADER = re.compile(r"^interface (\S+)\s*$")


def _tunnel_setting(record: dict[str, Any], words: list[str]) -> bool:
    """Fold one ``tunnel ...`` line into ``record``; False for a cut or unknown line."""
    if words[1:2] == ["destination"] and len(words) == 3:
        record["destination"] = words[2]
    elif words[1:3] == ["source", "interface"] and len(words) == 4:
        record["source_interface"] = words[3]
    elif words[1:2] == ["mode"] and len(words) > 2:
        record["mode"] = " ".join(words[2:])
    elif words[1:4] == ["protection", "ipsec", "profile"] and len(words) == 5:
        record["protection_profile"] = words[4]
    else:
        return False
    return True


def parse_tunnel_interfaces(
    text: str, command: str = SHOW_RUN_INTERFACE
) -> ParseResult[TunnelInterface]:
    """Tunnel interfaces of ``show running-config interface`` (also ``... interface Tunnel1``).

    Tolerates what the other config parsers tolerate (pasted indentation, prompt echoes, pager
    marks, ``!`` separators); a ``tunnel`` line it cannot read is a warning (status partial),
    never a silently missing destination or profile.
    """
    col = Collector(command)
    records: list[TunnelInterface] = []
    for number, header, children in blocks(prepare(text, col)):
        if header.strip() == "!":
            col.ok()
            children = [(n, c) for n, c in children if c.strip() != "!"]
            for n, child in children:
                col.bad(n, child, "indented line outside any interface block")
            continue
        match = _HEADER.match(header)
        if not match:
            col.bad(number, header or children[0][1])
            continue
        col.ok()
        record: dict[str, Any] = {"name": match[1], "lines": [header]}
        tunnel = match[1].lower().startswith("tunnel")
        for n, child in children:
            words = child.split()
            if words == ["!"]:
                continue
            if words[0] == "tunnel":
                tunnel = True
                if not _tunnel_setting(record, words):
                    col.bad(n, child, "unknown tunnel statement")
                    continue
            elif words[0] == "nameif" and len(words) == 2:
                record["nameif"] = words[1]
            elif words[0] == "description":
                record["description"] = " ".join(words[1:])
            elif words == ["shutdown"]:
                record["shutdown"] = True
            col.ok()
            record["lines"].append(child)
        if tunnel:
            record["lines"] = tuple(record["lines"])
            records.append(TunnelInterface(**record))
    return col.result(records)
