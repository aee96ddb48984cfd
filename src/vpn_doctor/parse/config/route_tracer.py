"""``show route`` / ``show route X`` and ``packet-tracer ... detailed``.

Both answer "where does this packet go": the route says which interface the peer and the
protected subnets sit behind, packet-tracer says what the firewall actually does to a
simulated packet (NAT, VPN encrypt, drop). The route table uses the ntc-template; the
``Routing entry for`` block and packet-tracer (phases, then a verdict, with free-form
"Additional Information") are parsed in Python.
"""

from __future__ import annotations

import re
from typing import Any

from vpn_doctor.asa.commands import PACKET_TRACER, SHOW_ROUTE
from vpn_doctor.config_models import (
    PacketTracerPhase,
    PacketTracerResult,
    Route,
)
from vpn_doctor.models import ParseResult
from vpn_doctor.parse.config.base import Collector, ntc_template, prepare, run_template, to_int

_ROUTE_ENTRY = re.compile(r"^Routing entry for (\S+) (\S+)")
_ROUTE_KNOWN = re.compile(r'^\s+Known via "([^"]+)", distance (\d+), metric (\d+)')
_ROUTE_HOP = re.compile(r"^\s+\*?\s*(directly connected|\S+), via (\S+)")
# A table row as `show route | include ^L` prints it, without the legend the template needs.
_TABLE_ROW = re.compile(
    r"^(?P<code>[A-Za-z][A-Za-z0-9]*\*?(?: [A-Za-z0-9]+)?)\s+(?P<net>\d+\.\d+\.\d+\.\d+)"
    r"\s+(?P<mask>\d+\.\d+\.\d+\.\d+)\s+(?:\[(?P<ad>\d+)/(?P<metric>\d+)\]\s+via\s+"
    r"(?P<hop>[\d.]+),|is directly connected,)\s*(?P<ifname>\S+)"
)
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


def _parse_route_entry(lines: list[tuple[int, str]], col: Collector) -> list[Route]:
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


def _filtered_rows(lines: list[tuple[int, str]], col: Collector) -> list[Route]:
    routes: list[Route] = []
    for number, line in lines:
        row = _TABLE_ROW.match(line)
        if row is None:
            if line.strip():
                col.bad(number, line)
            continue
        col.ok()
        routes.append(
            Route(
                row["code"].replace("*", "").strip(),
                row["net"],
                row["mask"],
                row["hop"] or "",
                row["ifname"],
                to_int(row["ad"] or ""),
                to_int(row["metric"] or ""),
                (line,),
            )
        )
    return routes


def _route_lines(used: tuple[str, ...]) -> tuple[str, ...]:
    """The route's own lines: from its last unindented line (drops the Codes legend)."""
    starts = [i for i, line in enumerate(used) if not line[:1].isspace()]
    return used[starts[-1] :] if starts else used


def parse_routes(text: str, command: str = SHOW_ROUTE) -> ParseResult[Route]:
    """``show route`` (table, via the ntc template) or ``show route X`` (entry block)."""
    col = Collector(command)
    lines = prepare(text, col, keep_blank=True)
    if any(line.strip().startswith("% Network not in table") for _, line in lines):
        col.recognised += 1
        return col.result([])  # explicitly no route: EMPTY, which is a diagnosis
    if any(_ROUTE_ENTRY.match(line) for _, line in lines):
        return col.result(_parse_route_entry([x for x in lines if x[1].strip()], col))
    if "|" in command:  # a device-side filtered table (`| include ^L`): rows only, no legend
        return col.result(_filtered_rows(lines, col))
    rows = run_template(ntc_template("cisco_asa_show_route.textfsm"), lines, col)
    routes = [
        Route(
            code=row["PROTOCOL"] + (f" {row['TYPE']}" if row["TYPE"] else ""),
            network=row["NETWORK"],
            mask=row["NETMASK"],
            next_hop=row["NEXTHOPIP"],
            interface=row["NEXTHOPIF"],
            distance=to_int(row["DISTANCE"]),
            metric=to_int(row["METRIC"]),
            lines=_route_lines(used),
        )
        for row, used in rows
    ]
    return col.result(routes)


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
    col = Collector(command)
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

    for number, line in prepare(text, col):
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
