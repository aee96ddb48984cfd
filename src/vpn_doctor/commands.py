"""Canonical command strings and their snapshot file names (Contract 1).

A command is always stored under its full, unabbreviated form so a snapshot written by a live
run, a pasted terminal log (where the engineer may have typed ``sh cry isa sa``) and a mock
scenario all use the same key.
"""

from __future__ import annotations

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

DEBUG_LOG_FILE = "debug.log"
META_FILE = "meta.yaml"


def snapshot_filename(command: str) -> str:
    """``show crypto isakmp sa`` -> ``show_crypto_isakmp_sa.txt`` (Contract 1)."""
    normalized = " ".join(command.split())
    return normalized.replace(" ", "_").replace("/", "%2F") + ".txt"


def command_from_filename(filename: str) -> str:
    """Inverse of :func:`snapshot_filename`."""
    stem = filename[:-4] if filename.endswith(".txt") else filename
    return stem.replace("%2F", "/").replace("_", " ")
