"""Answer show commands from a scenario: canned text, rendered tunnels, derived variants.

Why a separate module: the CLI state machine should not care where output comes from.
Lookup order for a canonical command: the scenario's `commands:` (exact), then variants
derived from it (`ipsec sa peer X` filters `ipsec sa`, `ikev1 sa` is a section of
`isakmp sa`, ...), then outputs rendered from `tunnels:`, then `show version`. Rendered
outputs are cached: the scenario is immutable, and a 5,000-tunnel render is not free.
Pipes (`| include` etc.) are applied afterwards with ASA semantics (regex, per line).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import lru_cache

from mock_device import motion, render
from mock_device.routes import route_entry
from mock_device.scenario import Scenario

ISAKMP = "show crypto isakmp sa"
IKEV1 = "show crypto ikev1 sa"
IKEV2 = "show crypto ikev2 sa"
IPSEC = "show crypto ipsec sa"
SESSIONDB = "show vpn-sessiondb detail l2l"


class OutputBook:
    """Resolve canonical show commands to output text for one scenario."""

    def __init__(self, scenario: Scenario, clock: Callable[[], float] | None = None) -> None:
        self.scenario = scenario
        self._cache: dict[str, str | None] = {}
        started = time.monotonic()
        # Seconds since the device started: tunnels with `motion:` are rendered as they are
        # at that instant (and never cached); the others render once.
        self.elapsed: Callable[[], float] = clock or (lambda: time.monotonic() - started)
        self._moving = motion.moving(scenario.tunnels)

    def lookup(self, canonical: str) -> str | None:
        """Output text (\\n line endings) or None when the scenario has nothing for it."""
        if self._moving:
            return self._resolve(canonical)
        if canonical not in self._cache:
            self._cache[canonical] = self._resolve(canonical)
        return self._cache[canonical]

    def log_lines(self) -> list[str]:
        """Syslog lines the moving tunnels have produced so far (teardowns)."""
        if not self._moving or self.scenario.tunnels is None:
            return []
        return motion.teardown_log_lines(self.scenario.tunnels, self.elapsed())

    def _tunnels_now(self) -> tuple[render.TunnelSpec, ...] | None:
        tunnels = self.scenario.tunnels
        if tunnels is None or not self._moving:
            return tunnels
        return motion.specs_at(tunnels, self.elapsed())

    def _resolve(self, command: str) -> str | None:
        explicit = self.scenario.commands
        if command in explicit:
            return explicit[command]
        tunnels = self._tunnels_now()
        words = command.split()
        if command in (IKEV1, IKEV2):
            if ISAKMP in explicit:
                return isakmp_section(explicit[ISAKMP], ikev2=command == IKEV2)
            if tunnels is not None:
                return (render.render_ikev2_sa if command == IKEV2 else render.render_ikev1_sa)(
                    tunnels
                )
            return None
        if command == ISAKMP and tunnels is not None:
            return render.render_isakmp_sa(tunnels)
        if command == IPSEC and tunnels is not None:
            return render.render_ipsec_sa(tunnels)
        if command.startswith(IPSEC + " peer ") and len(words) == 6:
            peer = words[5]
            if IPSEC in explicit:
                return filter_ipsec_text(explicit[IPSEC], peer)
            if tunnels is not None:
                return render.render_ipsec_sa(tunnels, peer=peer)
            return None
        if command == SESSIONDB and tunnels is not None:
            return render.render_sessiondb_l2l(tunnels)
        if command.startswith(SESSIONDB + " filter ipaddress ") and len(words) == 7:
            address = words[6]
            if SESSIONDB in explicit:
                return filter_sessiondb_text(explicit[SESSIONDB], address)
            if tunnels is not None:
                return render.render_sessiondb_l2l(tunnels, address=address)
            return None
        if command == "show version":
            return show_version(self.scenario.hostname, self.scenario.version)
        if command.startswith("show route ") and len(words) == 4 and "show route" in explicit:
            return route_entry(explicit["show route"], words[2], words[3])
        return None


def isakmp_section(text: str, *, ikev2: bool) -> str:
    """Cut the IKEv1 or IKEv2 section out of a `show crypto isakmp sa` output."""
    lines = text.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.startswith(("IKEv2 SAs:", "There are no IKEv2 SAs"))
        ),
        len(lines),
    )
    part = lines[start:] if ikev2 else lines[:start]
    while part and not part[-1].strip():
        part.pop()
    if not part:
        part = ["There are no IKEv2 SAs" if ikev2 else "There are no IKEv1 SAs"]
    return "\n".join(part) + "\n"


_CRYPTO_MAP_TAG = re.compile(r"^\s*Crypto map tag:")


def filter_ipsec_text(text: str, peer: str) -> str:
    """`show crypto ipsec sa peer X` from the full output: keep blocks for that peer."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("interface:"):
            current = None
            continue
        if _CRYPTO_MAP_TAG.match(line):
            current = [line]
            blocks.append(current)
        elif current is not None:
            current.append(line)
    peer_re = re.compile(
        rf"(current_peer:|remote crypto endpt\.:)\s*{re.escape(peer)}(/\d+)?\s*$", re.M
    )
    kept = [b for b in blocks if peer_re.search("\n".join(b))]
    if not kept:
        return render.NO_IPSEC + "\n"
    out = [f"peer address: {peer}"]
    for block in kept:
        out.extend(block)
    return "\n".join(out).rstrip("\n") + "\n"


def filter_sessiondb_text(text: str, address: str) -> str:
    """`show vpn-sessiondb detail l2l filter ipaddress X` from the full output."""
    lines = text.splitlines()
    header: list[str] = []
    sessions: list[list[str]] = []
    for line in lines:
        if line.startswith("Connection   :") or line.startswith("Connection :"):
            sessions.append([line])
        elif sessions:
            sessions[-1].append(line)
        else:
            header.append(line)
    addr_re = re.compile(rf"(IP Addr|Connection)\s*:\s*{re.escape(address)}\s*$", re.M)
    kept = [s for s in sessions if addr_re.search("\n".join(s))]
    if not kept:
        return render.NO_SESSIONS + "\n"
    out = header[:]
    for s in kept:
        out.extend(s)
    return "\n".join(out).rstrip("\n") + "\n\n"


@lru_cache(maxsize=64)
def show_version(hostname: str, version: str) -> str:
    """A 9.x `show version` (the layout ntc-templates' cisco_asa_show_version parses)."""
    image = "asa" + re.sub(r"[^0-9]+", "-", version).strip("-") + "-smp-k8.bin"
    return f"""
Cisco Adaptive Security Appliance Software Version {version}
SSP Operating System Version 2.6(1.224)
Device Manager Version 7.12(2)

Compiled on Wed 04-Dec-19 13:59 PST by builders
System image file is "disk0:/{image}"
Config file at boot was "startup-config"

{hostname} up 41 days 3 hours

Hardware:   ASA5516, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)
Internal ATA Compact Flash, 8192MB
BIOS Flash M25P64 @ 0xfed01000, 16384KB

Encryption hardware device : Cisco ASA Crypto on-board accelerator (revision 0x1)
                             Number of accelerators: 1

 1: Ext: GigabitEthernet1/1  : address is 0050.5600.0001, irq 255
 2: Ext: GigabitEthernet1/2  : address is 0050.5600.0002, irq 255
 3: Int: Internal-Data1/1    : address is 0050.5600.0003, irq 255

Licensed features for this platform:
Maximum Physical Interfaces       : Unlimited      perpetual
Maximum VLANs                     : 150            perpetual
Inside Hosts                      : Unlimited      perpetual
Failover                          : Active/Active  perpetual
Encryption-DES                    : Enabled        perpetual
Encryption-3DES-AES               : Enabled        perpetual
Security Contexts                 : 2              perpetual
Carrier                           : Disabled       perpetual
AnyConnect Premium Peers          : 4              perpetual
Other VPN Peers                   : 300            perpetual
Total VPN Peers                   : 300            perpetual

This platform has an ASA5516 Security Plus license.

Serial Number: JAD21280ABC
Running Permanent Activation Key: 0x00000000 0x00000000 0x00000000 0x00000000 0x00000000
Configuration register is 0x1
Image type          : Release
Key Version         : A
Configuration last modified by enable_15 at 09:58:12.029 UTC Sat Nov 22 2025
"""


PIPE_KINDS = ("begin", "include", "exclude", "grep")


def apply_pipe(text: str, kind: str, pattern: str) -> str:
    """ASA output filters. `grep -v X` is exclude; an invalid regex matches literally."""
    if kind == "grep" and pattern.startswith("-v "):
        kind, pattern = "exclude", pattern[3:].strip()
    try:
        regex = re.compile(pattern)
    except re.error:
        regex = re.compile(re.escape(pattern))
    lines = text.splitlines()
    if kind == "begin":
        for i, line in enumerate(lines):
            if regex.search(line):
                return "\n".join(lines[i:]) + "\n"
        return ""
    keep = kind != "exclude"
    picked = [line for line in lines if bool(regex.search(line)) == keep]
    return "".join(line + "\n" for line in picked)
