"""`check --shard I/N`: a stable split of the inventory over N runs (Kubernetes Indexed Jobs,
several cron hosts, one systemd timer per shard).

Why a hash of the host *name* (SHA-256, not Python's ``hash``, which is randomised per
process): every shard must agree on the split without talking to the others, and a host must
stay in the same shard from one run to the next (its metrics and alerts come from one place)
and when other hosts are added or removed. Shards are numbered from 0, as
``JOB_COMPLETION_INDEX`` is: ``--shard $JOB_COMPLETION_INDEX/4``. ``I`` must be below ``N``,
so a 1-based ``4/4`` is refused rather than silently leaving shard 0's hosts unchecked.

Each shard writes its own outputs: the textfile gets ``.shard-I-of-N`` before its suffix and
the run-level metrics carry a ``shard`` label, so several shards on one node_exporter never
produce duplicate series.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from vpn_doctor.errors import InputError

T = TypeVar("T")
MAX_SHARDS = 10_000


@dataclass(frozen=True)
class Shard:
    index: int  # 0-based
    count: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, name: str) -> bool:
        """True when host ``name`` belongs to this shard (same answer in every process)."""
        return shard_of(name, self.count) == self.index

    def textfile(self, path: Path) -> Path:
        """``vpn_doctor.prom`` -> ``vpn_doctor.shard-0-of-4.prom`` (same directory)."""
        suffix = path.suffix or ".prom"
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        return path.with_name(f"{stem}.shard-{self.index}-of-{self.count}{suffix}")


def shard_of(name: str, count: int) -> int:
    """The shard (0..count-1) of host ``name``: SHA-256 of the UTF-8 name, modulo ``count``."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def parse_shard(text: str) -> Shard:
    """``"I/N"`` -> Shard; InputError with the rule when it is malformed or out of range."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise InputError(f"--shard must be I/N (e.g. 0/4), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise InputError(f"--shard {text}: N must be 1..{MAX_SHARDS}")
    if index >= count:
        raise InputError(
            f"--shard {text}: shards are numbered 0..{count - 1} (as JOB_COMPLETION_INDEX)"
        )
    return Shard(index, count)


def select(items: Sequence[T], names: Sequence[str], shard: Shard) -> list[T]:
    """The items (in their order) whose name falls in ``shard``."""
    return [item for item, name in zip(items, names, strict=True) if shard.owns(name)]
