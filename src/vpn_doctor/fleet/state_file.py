"""What `check` remembers of each device between scheduled runs, and what it learns from it.

Why: a cron job every five minutes sees one sample per run, and one sample cannot see a
tunnel that was torn down and rebuilt in between, or traffic that stopped one way since the
last run (the counters since the SA's birth still look fine). A small JSON file per device
keeps, per peer, the SPIs, the packet counters and the age of the vpn-sessiondb session;
the next run compares:

- the session is younger than the time since the last run, while it existed then: it was
  torn down and rebuilt (a rekey keeps the session and its Duration; a rebuild restarts it)
  -> ``TUNNEL_FLAPPING``;
- the same SPIs as last time: the counter deltas since then judge one-way and idle traffic.

The file is written atomically (temporary file + rename). A missing, unreadable or corrupt
file is ignored with a note: the run then judges one sample, as without a state file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpn_doctor.addresses import normalise_peer
from vpn_doctor.diagnose.timeline import Timeline, TimelineEvent, TrafficWindow
from vpn_doctor.models import DeviceState
from vpn_doctor.parse.durations import duration_seconds

SCHEMA = 1
# A session restarted when it is younger than the gap since the last run by more than this
# (the clocks of two runs and the device's rounding of Duration to seconds).
SLACK_SECONDS = 30.0


@dataclass(frozen=True)
class PeerMemory:
    """One tunnel as the last run saw it."""

    spis: tuple[str, ...]
    encaps: int
    decaps: int
    errors: int
    session_seconds: int | None


@dataclass(frozen=True)
class DeviceMemory:
    written: float  # epoch seconds
    peers: dict[str, PeerMemory]


def state_path(directory: Path, host: str) -> Path:
    """One file per inventory host; the name is made safe for any file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", host) or "_"
    return directory / f"{safe}.json"


def remember(state: DeviceState) -> dict[str, PeerMemory]:
    """Per peer: SPIs, counters and session age, from a completely read state only."""
    peers: dict[str, PeerMemory] = {}
    if not state.ipsec_sas.usable:
        return peers
    for sa in state.ipsec_sas.records:
        if not sa.complete:
            continue
        peer = normalise_peer(sa.peer)
        old = peers.get(peer)
        spis = tuple(sorted({s.lower() for s in (*sa.inbound_spis, *sa.outbound_spis)}))
        peers[peer] = PeerMemory(
            spis=tuple(sorted({*(old.spis if old else ()), *spis})),
            encaps=(old.encaps if old else 0) + sa.pkts_encaps,
            decaps=(old.decaps if old else 0) + sa.pkts_decaps,
            errors=(old.errors if old else 0) + sa.send_errors + sa.recv_errors,
            session_seconds=None,
        )
    if state.sessions.usable:
        for session in state.sessions.records:
            peer = normalise_peer(session.ip_addr or session.connection)
            seconds = duration_seconds(session.duration)
            if peer in peers and seconds is not None:
                memory = peers[peer]
                peers[peer] = PeerMemory(
                    memory.spis, memory.encaps, memory.decaps, memory.errors, seconds
                )
    return peers


def load(path: Path) -> tuple[DeviceMemory | None, str]:
    """The last run's memory, or (None, why) when there is none that can be trusted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, ""
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"state file {path} ignored (unreadable: {exc})"
    try:
        if data.get("schema") != SCHEMA:
            return None, f"state file {path} ignored (schema {data.get('schema')!r})"
        peers = {
            str(peer): PeerMemory(
                spis=tuple(str(s) for s in item["spis"]),
                encaps=int(item["encaps"]),
                decaps=int(item["decaps"]),
                errors=int(item["errors"]),
                session_seconds=(
                    None if item.get("session_seconds") is None else int(item["session_seconds"])
                ),
            )
            for peer, item in data["peers"].items()
        }
        return DeviceMemory(written=float(data["written"]), peers=peers), ""
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        return None, f"state file {path} ignored (corrupt: {type(exc).__name__}: {exc})"


def save(path: Path, peers: dict[str, PeerMemory], now: float | None = None) -> None:
    """Write atomically: a reader (or a crash) never sees half a file."""
    payload: dict[str, Any] = {
        "schema": SCHEMA,
        "written": time.time() if now is None else now,
        "peers": {
            peer: {
                "spis": list(m.spis),
                "encaps": m.encaps,
                "decaps": m.decaps,
                "errors": m.errors,
                "session_seconds": m.session_seconds,
            }
            for peer, m in sorted(peers.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def between_runs(
    previous: DeviceMemory, current: dict[str, PeerMemory], now: float
) -> dict[str, Timeline]:
    """A two-sample timeline per peer seen both times."""
    gap = max(now - previous.written, 0.0)
    timelines: dict[str, Timeline] = {}
    for peer, now_seen in current.items():
        before = previous.peers.get(peer)
        if before is None:
            continue
        rebuilt = (
            before.session_seconds is not None
            and now_seen.session_seconds is not None
            and now_seen.session_seconds + SLACK_SECONDS < gap
        )
        same = bool(now_seen.spis) and set(now_seen.spis) == set(before.spis)
        events: list[TimelineEvent] = []
        evidence: list[str] = []
        if rebuilt:
            events.append(
                TimelineEvent(gap, f"session rebuilt since the last run ({gap:.0f}s ago)")
            )
            evidence.append(
                f"{peer}: vpn-sessiondb Duration {now_seen.session_seconds}s now, the last run "
                f"was {gap:.0f}s ago (session {before.session_seconds}s old then): torn down "
                "and rebuilt in between"
            )
        if same:
            evidence.append(
                f"{peer} since the last run ({gap:.0f}s, same SPIs): #pkts encaps "
                f"{before.encaps} -> {now_seen.encaps} (+{now_seen.encaps - before.encaps}), "
                f"#pkts decaps {before.decaps} -> {now_seen.decaps} "
                f"(+{now_seen.decaps - before.decaps})"
            )
        window = TrafficWindow(
            samples=2,
            seconds=gap if same else 0.0,
            comparable=same and not rebuilt,
            watched=gap,
            encaps_delta=now_seen.encaps - before.encaps if same else 0,
            decaps_delta=now_seen.decaps - before.decaps if same else 0,
            errors_delta=now_seen.errors - before.errors if same else 0,
            teardowns=1 if rebuilt else 0,
            rebuilds=1 if rebuilt else 0,
            evidence=tuple(evidence),
        )
        timelines[peer] = Timeline(peer, tuple(events), window)
    return timelines
