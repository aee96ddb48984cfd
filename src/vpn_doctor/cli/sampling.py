"""``diagnose --samples K --interval S``: judge traffic now, not since the SA was born.

After the usual collection, the same session polls the SA tables K-1 more times (the
collection itself is the first poll when it already holds them), then reads the log lines
of the peer once more so the teardowns of the window are on record. The samples ride in the
snapshot (``samples.yaml`` on ``--save``); the engine turns them into the timeline.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from vpn_doctor.asa.commands import sample_commands
from vpn_doctor.collect.limits import MIN_INTERVAL
from vpn_doctor.errors import UsageError

if TYPE_CHECKING:
    from vpn_doctor.collect.runner import CommandRunner
    from vpn_doctor.models import Snapshot

DEFAULT_INTERVAL = 10.0
MAX_DIAGNOSE_SAMPLES = 360  # --samples; a longer series is what `watch` is for


def add_sampling_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("samples over time (live only)")
    group.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="K",
        help="poll the SA tables K times (default 1): one-way traffic, idle tunnels and "
        "flapping are then judged on the window, not on counters since the SA was created",
    )
    group.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        metavar="S",
        help=f"seconds between samples (default {DEFAULT_INTERVAL:g}, at least {MIN_INTERVAL})",
    )


def check_sampling_request(args: argparse.Namespace) -> None:
    """Refuse a bad --samples request before logging in (usage error, exit 64)."""
    samples = getattr(args, "samples", 1)
    if samples == 1:
        return
    if not 2 <= samples <= MAX_DIAGNOSE_SAMPLES:
        raise UsageError(f"--samples must be 1..{MAX_DIAGNOSE_SAMPLES}, got {samples}")
    if not getattr(args, "host", None):
        raise UsageError("--samples needs a live HOST (not --snapshot / --from-log)")
    if args.interval < MIN_INTERVAL:
        raise UsageError(f"--interval must be at least {MIN_INTERVAL} s")


def sample_session(
    session: CommandRunner, snapshot: Snapshot, peer: str | None, count: int, interval: float
) -> Snapshot:
    """Add ``count`` samples (the collection is the first when it holds the SA tables)."""
    from dataclasses import replace

    from vpn_doctor.collect.collector import collect
    from vpn_doctor.collect.sampler import sample_from_snapshot, take_samples

    first = sample_from_snapshot(snapshot.outputs, peer or "", snapshot.collected_at)
    samples = take_samples(session, peer or "", count, interval, first=first)
    logging = [c for c in snapshot.outputs if c.startswith("show logging")]
    fresh = collect(session, None, logging).outputs if logging else {}
    polled = set(sample_commands(peer or ""))
    outputs = {**snapshot.outputs, **fresh}
    last = samples[-1].outputs
    outputs.update({command: last[command] for command in polled if command in last})
    return replace(snapshot, outputs=outputs, samples=tuple(samples))
