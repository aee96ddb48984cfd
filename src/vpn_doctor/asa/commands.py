"""Canonical command strings and their snapshot file names (Contract 1).

A command is always stored under its full, unabbreviated form so a snapshot written by a live
run, a pasted terminal log (where the engineer may have typed ``sh cry isa sa``) and a mock
scenario all use the same key.
"""

from __future__ import annotations

import re

SHOW_ISAKMP_SA = "show crypto isakmp sa"
SHOW_IPSEC_SA = "show crypto ipsec sa"
SHOW_SESSIONDB_L2L = "show vpn-sessiondb detail l2l"
SHOW_VERSION = "show version"

# What `collect` runs by default, in order. Cheap and read-only.
DEFAULT_COLLECTION: tuple[str, ...] = (
    SHOW_VERSION,
    SHOW_ISAKMP_SA,
    SHOW_IPSEC_SA,
    SHOW_SESSIONDB_L2L,
)

# Configuration outputs (parsed by vpn_doctor.parse.config.sections into a CryptoConfig). Arguments
# (an ACL name, an address) may follow the canonical prefix: `show running-config
# access-list acl-amzn` is still an access-list output. `show running-config crypto` covers
# the map, ikev1/ikev2/isakmp and ipsec sub-commands in one output.
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
# Tunnel interfaces (VTIs): a route-based tunnel's peer is its `tunnel destination`.
SHOW_RUN_INTERFACE = "show running-config interface"
# `name 203.0.113.9 BRANCH-LYON`: with `names` on, SA tables and the crypto map may print the
# name instead of the address; the engine resolves both ways.
SHOW_RUN_NAMES = "show running-config names"
# Certificates (subject, issuer, validity, usage, trustpoints). Collected only for tunnels that
# authenticate with certificates (a tunnel-group trust-point, ikev2 certificate authentication
# or a crypto map ``set trustpoint``): pre-shared-key tunnels never need it.
SHOW_CRYPTO_CA_CERTIFICATES = "show crypto ca certificates"
# Read once after every live login: crypto debugging left on (DEVICE_DEBUG_LEFT_ON).
SHOW_DEBUG = "show debug"
# Read once after every live login: the unit's failover role (DEVICE_STANDBY_UNIT).
SHOW_FAILOVER = "show failover"
PACKET_TRACER = "packet-tracer"
# FTD: from the `>` CLI to the LINA (ASA) CLI; allow-listed in exactly this form.
FTD_DIAGNOSTIC_CLI = "system support diagnostic-cli"


def changeto_context(name: str) -> str:
    """``changeto context NAME``: the only form (with ``changeto system``) allow-listed."""
    return f"changeto context {name}"


# The configuration outputs a configuration-aware diagnosis wants (all read-only).
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


def peer_filtered_commands(peer: str) -> dict[str, str]:
    """Box-wide command -> the per-peer variant the ASA filters on the device side.

    Filtering on the device keeps a 500-tunnel firewall's output (and our parse time) down to
    one tunnel when the engineer already knows which peer is broken.
    """
    return {
        SHOW_IPSEC_SA: f"show crypto ipsec sa peer {peer}",
        SHOW_SESSIONDB_L2L: f"show vpn-sessiondb detail l2l filter ipaddress {peer}",
    }


def sample_commands(peer: str) -> tuple[str, str]:
    """One poll over time (watch, ``--samples``): the IKE table (the ASA cannot filter it by
    peer) and the IPsec SAs, filtered to ``peer`` on the device ("" = every tunnel)."""
    if not peer:
        return (SHOW_ISAKMP_SA, SHOW_IPSEC_SA)
    return (SHOW_ISAKMP_SA, peer_filtered_commands(peer)[SHOW_IPSEC_SA])


_FILTER_PREFIXES: tuple[str, ...] = tuple(
    variant.rsplit(" ", 1)[0] + " " for variant in peer_filtered_commands("X").values()
)


def filtered_peer(command: str) -> str | None:
    """The peer a device-side filtered command covers (``show crypto ipsec sa peer X`` -> X).

    Its output says nothing about other peers: their SAs were simply not asked for.
    """
    for prefix in _FILTER_PREFIXES:
        if command.startswith(prefix):
            return command[len(prefix) :].strip() or None
    return None


def logging_filter(peer: str) -> str:
    """``show logging | include <peer as a whole token>``.

    The ASA's ``include`` is a regex search, so ``include 203.0.113.1`` also returns every line
    about 203.0.113.14 (or 10.203.0.113.1...). Dots are escaped and the address is fenced by a
    character that cannot continue it; the engine re-checks every line on whole tokens anyway
    (vpn_doctor.diagnose.attribution).
    """
    tail = "[^0-9a-fA-F:]" if ":" in peer else "[^0-9]"
    return f"show logging | include [^0-9.]{peer.replace('.', chr(92) + '.')}{tail}"


DEBUG_LOG_FILE = "debug.log"
META_FILE = "meta.yaml"
SAMPLES_FILE = "samples.yaml"  # polls over time (watch, diagnose --samples)
DEBUG_TIMES_FILE = "debug_times.yaml"  # when each debug line of a watch arrived


# Characters kept as they are in a snapshot file name; everything else (``|``, ``_``, ``%``,
# ``/``, ``:``, ``*``, quotes...) is percent-encoded so the name is safe on every file system
# and maps back to exactly one command. Spaces become ``_`` (Contract 1), which is why a
# literal ``_`` (an ACL name such as outside_cryptomap_10) is encoded.
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+=,@ ")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def snapshot_filename(command: str) -> str:
    """``show crypto isakmp sa`` -> ``show_crypto_isakmp_sa.txt`` (Contract 1);
    ``show logging | include 10.0.0.1`` -> ``show_logging_%7C_include_10.0.0.1.txt``."""
    normalized = " ".join(command.split())
    encoded = "".join(
        c if c in _SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in normalized
    )
    return encoded.replace(" ", "_") + ".txt"


def command_from_filename(filename: str) -> str:
    """Inverse of :func:`snapshot_filename` (also reads older names, where ``_`` was kept)."""
    stem = filename[:-4] if filename.endswith(".txt") else filename
    spaced = stem.replace("_", " ")
    raw = _ESCAPE.sub(lambda m: "\x00" + m.group(1), spaced)
    if "\x00" not in raw:
        return spaced
    parts = raw.split("\x00")
    data = bytearray(parts[0].encode())
    for part in parts[1:]:
        data.append(int(part[:2], 16))
        data += part[2:].encode()
    return data.decode("utf-8", errors="replace")
