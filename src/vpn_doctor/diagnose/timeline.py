"""Diagnosis over time: what several samples of one tunnel say that one sample cannot.

Why: the counters of ``show crypto ipsec sa`` count from the SA's birth, so a tunnel whose
far side stopped answering ten minutes ago still shows "encaps 48211, decaps 47962". The
SPIs, the IKE state and the counters *between* samples tell the story engineers chase: a
tunnel torn down and rebuilt (new SPIs after a gap, or a 113019 teardown in between), one
way now (encaps grow, decaps do not), idle, a phase 1 stuck versus progressing, a rekey that
fails (the SA expires and no new one comes).

:func:`analyse` turns a peer's samples into a :class:`Timeline`: events in time order (the
report's ``timeline``, Contract 2 additions) and a :class:`TrafficWindow` that the playbook
predicates read (``tunnel_flapping``, the window forms of the one-way and traffic
predicates, ``window_idle``, ``rekey_failed``). :func:`with_debug` places a ``watch --debug``
capture's recognised messages on the same time axis. Pure functions over parsed samples:
nothing here talks to a device or parses text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from vpn_doctor.models import IkeSa, IpsecSa, ParseStatus, TimedLine, TunnelSample

# Phase 1 up, for both IKE versions (the IKEv2 table prints READY; IKEv1 MM_/AM_ACTIVE).
_PHASE1_UP = frozenset({"MM_ACTIVE", "AM_ACTIVE", "AG_ACTIVE", "READY", "QM_IDLE"})
_TEARDOWN = re.compile(
    r"%(?:ASA|FTD|PIX)-\d-(?P<id>113019|713050)\b.*?Reason:\s*(?P<reason>[^,\r\n]+?)"
    r"(?:\s+Remote Proxy.*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimelineEvent:
    """Something that changed between two samples (Contract 2: ``{"at", "event"}``)."""

    at: float  # seconds since the first sample
    event: str

    def to_contract_dict(self) -> dict[str, object]:
        return {"at": round(self.at, 1), "event": self.event}


@dataclass(frozen=True)
class TrafficWindow:
    """What the samples say about one tunnel, for the playbook predicates.

    ``comparable`` is False when fewer than two samples of the *same* SA generation were
    read completely: deltas are then unknown, and the predicates fall back to the counters
    since the SA's birth (the one-sample behaviour).
    """

    samples: int
    seconds: float  # length of the traffic window (the last intervals of the current SA)
    comparable: bool = False
    watched: float = 0.0  # seconds from the first to the last sample
    encaps_delta: int = 0
    decaps_delta: int = 0
    errors_delta: int = 0
    teardowns: int = 0  # SA seen present, then gone (or a teardown message in between)
    rebuilds: int = 0  # SA back with new SPIs after a teardown
    rekeys: int = 0  # SPIs changed with no gap and no teardown: a normal rekey
    teardown_reasons: tuple[str, ...] = ()
    phase1_states: tuple[str, ...] = ()  # distinct IKE states, in order of appearance
    phase1_stuck: bool = False  # the same not-up state in every sample
    rekey_failed: bool = False  # IPsec SA gone while phase 1 stayed up, no new one
    evidence: tuple[str, ...] = ()  # the device lines and deltas that decided the above

    @property
    def flapping(self) -> bool:
        return self.rebuilds >= 1 or self.teardowns >= 2

    @property
    def idle(self) -> bool:
        return self.comparable and self.encaps_delta == 0 and self.decaps_delta == 0


@dataclass(frozen=True)
class Timeline:
    """One peer over the watch: the events and the window the predicates read."""

    peer: str
    events: tuple[TimelineEvent, ...] = ()
    window: TrafficWindow | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _spi_set(sas: Sequence[IpsecSa]) -> frozenset[str]:
    return frozenset(spi.lower() for sa in sas for spi in (*sa.inbound_spis, *sa.outbound_spis))


def _ike_state(sas: Sequence[IkeSa]) -> str:
    if not sas:
        return "no IKE SA"
    up = [sa.state for sa in sas if sa.state in _PHASE1_UP]
    return up[0] if up else sas[0].state


def _readable(sample: TunnelSample) -> bool:
    return sample.ipsec.status in (ParseStatus.OK, ParseStatus.EMPTY) and all(
        sa.complete for sa in sample.ipsec.records
    )


def teardown_lines(lines: Sequence[str], peer: str) -> list[tuple[str, str]]:
    """(reason, line) for the 113019 / 713050 lines that name ``peer`` as a whole token."""
    token = re.compile(rf"(?<![\w.:]){re.escape(peer)}(?![\w.:])")
    found = []
    for line in lines:
        match = _TEARDOWN.search(line)
        if match and token.search(line):
            found.append((match.group("reason").strip(), line.rstrip()))
    return found


@dataclass
class _Walk:
    """The running state of :func:`analyse` while it reads the samples in order."""

    peer: str
    events: list[TimelineEvent] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    teardowns: int = 0
    rebuilds: int = 0
    rekeys: int = 0
    in_gap: bool = False
    generation_start: TunnelSample | None = None
    previous: TunnelSample | None = None

    def note(self, at: float, event: str, evidence: str = "") -> None:
        self.events.append(TimelineEvent(at, event))
        if evidence:
            self.evidence.append(f"t={at:.0f}s: {evidence}")

    def phase1(self, sample: TunnelSample) -> None:
        if not sample.ike.usable:
            return
        state = _ike_state(sample.ike.records)
        if not self.states or self.states[-1] != state:
            self.states.append(state)
            self.note(sample.at, f"phase 1: {state}")

    def phase2(self, sample: TunnelSample) -> None:
        if not _readable(sample):
            self.note(sample.at, f"show crypto ipsec sa: {sample.ipsec.status.value}")
            self.previous = None
            return
        spis = _spi_set(sample.ipsec.records)
        before = _spi_set(self.previous.ipsec.records) if self.previous is not None else None
        if before is None or (not before and not self.in_gap):
            if spis:
                self.note(sample.at, f"IPsec SA up (SPIs {_spis(spis)})")
                self.generation_start = sample
        elif before and not spis:
            self.teardowns += 1
            self.in_gap = True
            self.note(sample.at, f"IPsec SA gone (SPIs {_spis(before)})", "IPsec SA gone")
        elif spis and not before:
            self.rebuilds += 1
            self.in_gap = False
            self.note(sample.at, f"IPsec SA rebuilt (SPIs {_spis(spis)})", "IPsec SA rebuilt")
            self.generation_start = sample
        elif spis and self.previous is not None and spis.isdisjoint(before):
            # New SPIs with no gap seen: a rekey (counters restart too). Only a teardown
            # message between the samples makes it a rebuild; analyse() counts those.
            self.rekeys += 1
            self.note(sample.at, f"rekey: new SPIs {_spis(spis)}")
            self.generation_start = sample
        self.previous = sample


def analyse(peer: str, samples: Sequence[TunnelSample], log_lines: Sequence[str] = ()) -> Timeline:
    """Events and the traffic window of ``peer`` over ``samples`` (oldest first).

    ``log_lines`` are syslog lines read during or after the watch: their 113019 / 713050
    teardowns give the reasons, and count teardowns our samples fell between.
    """
    if not samples:
        return Timeline(peer, notes=("no sample was taken",))
    walk = _Walk(peer)
    for sample in samples:
        walk.phase1(sample)
        walk.phase2(sample)
    reasons = teardown_lines(log_lines, peer)
    walk.evidence.extend(line for _, line in reasons)
    last = samples[-1]
    if len(reasons) > walk.teardowns:
        # The device saw teardowns our samples fell between (a short gap, a fast rebuild).
        walk.teardowns = len(reasons)
        walk.rebuilds = max(walk.rebuilds, walk.teardowns - (0 if _has_sa(last) else 1))
    window = _window(peer, samples, walk.generation_start, walk.evidence)
    phase1_up_last = last.ike.usable and _ike_state(last.ike.records) in _PHASE1_UP
    rekey_failed = (
        walk.teardowns >= 1
        and walk.rebuilds == 0
        and _readable(last)
        and not _has_sa(last)
        and phase1_up_last
    )
    if rekey_failed:
        walk.note(last.at, "no new IPsec SA: the rekey failed")
    states = walk.states
    stuck = len(samples) >= 2 and len(states) == 1 and states[0] not in (*_PHASE1_UP, "no IKE SA")
    if stuck:
        walk.evidence.append(
            f"phase 1 stayed {states[0]} for {last.at - samples[0].at:.0f}s "
            f"({len(samples)} samples)"
        )
    elif len(states) > 1 and states[-1] in _PHASE1_UP and states[0] not in _PHASE1_UP:
        walk.evidence.append("phase 1 progressed: " + " -> ".join(states))
    window = replace(
        window,
        samples=len(samples),
        watched=last.at - samples[0].at,
        teardowns=walk.teardowns,
        rebuilds=walk.rebuilds,
        rekeys=walk.rekeys,
        teardown_reasons=tuple(dict.fromkeys(reason for reason, _ in reasons)),
        phase1_states=tuple(states),
        phase1_stuck=stuck,
        rekey_failed=rekey_failed,
        evidence=tuple(dict.fromkeys(walk.evidence)),
    )
    return Timeline(peer, tuple(walk.events), window)


def _has_sa(sample: TunnelSample) -> bool:
    return bool(_spi_set(sample.ipsec.records))


def _spis(spis: frozenset[str]) -> str:
    return "/".join(sorted(spis))


def _totals(sample: TunnelSample) -> tuple[int, int, int]:
    sas = sample.ipsec.records
    return (
        sum(sa.pkts_encaps for sa in sas),
        sum(sa.pkts_decaps for sa in sas),
        sum(sa.send_errors + sa.recv_errors for sa in sas),
    )


# The traffic window is the last RECENT_INTERVALS intervals of the current SA: "one way now"
# must not be diluted by the minutes before the far side stopped answering.
RECENT_INTERVALS = 2


def _window(
    peer: str,
    samples: Sequence[TunnelSample],
    start: TunnelSample | None,
    evidence: list[str],
) -> TrafficWindow:
    """Deltas over the last intervals of the current SA generation (same SPIs throughout)."""
    last = samples[-1]
    if start is None or not _readable(last):
        return TrafficWindow(samples=len(samples), seconds=0.0)
    spis = _spi_set(last.ipsec.records)
    same = [
        s
        for s in samples[samples.index(start) :]
        if _readable(s) and _spi_set(s.ipsec.records) == spis
    ]
    recent = same[-(RECENT_INTERVALS + 1) :]
    if len(recent) < 2 or not spis:
        return TrafficWindow(samples=len(samples), seconds=0.0)
    first = recent[0]
    e0, d0, x0 = _totals(first)
    e1, d1, x1 = _totals(last)
    seconds = last.at - first.at
    evidence.append(
        f"{peer}, last {seconds:.0f}s (same SPIs): #pkts encaps {e0} -> {e1} (+{e1 - e0}), "
        f"#pkts decaps {d0} -> {d1} (+{d1 - d0}), errors +{x1 - x0}"
    )
    return TrafficWindow(
        samples=len(samples),
        seconds=seconds,
        comparable=True,
        encaps_delta=e1 - e0,
        decaps_delta=d1 - d0,
        errors_delta=x1 - x0,
    )


class Message(Protocol):
    """A recognised debug line (the engine's ``Evidence``): which catalogue entry, which line."""

    @property
    def pattern_id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def line(self) -> str: ...


def with_debug(
    timeline: Timeline, messages: Sequence[Message], times: Sequence[TimedLine]
) -> Timeline:
    """``timeline`` with the recognised debug messages placed where they arrived.

    ``messages`` are the lines already attributed to this peer (the engine's attribution,
    the same that decides which lines are evidence for it), so a neighbour's line never
    lands on this tunnel's timeline; ``times`` says when each line arrived, every arrival of
    a line that repeats (a line with no time, e.g. one from ``show logging``, is not
    placed). A run of the same message is one
    event with its count and last time, so a debug that repeats a retransmission every
    second does not bury the state changes. Events stay in time order, samples' first at
    equal times.
    """
    recognised: dict[str, Message] = {}
    for message in messages:
        recognised.setdefault(message.line.rstrip(), message)
    placed = sorted(
        (
            (timed.at, recognised[timed.line.rstrip()])
            for timed in times
            if timed.line.rstrip() in recognised
        ),
        key=lambda pair: pair[0],
    )
    runs: list[tuple[float, float, int, Message]] = []  # first at, last at, count, message
    for at, message in placed:
        if runs and runs[-1][3].pattern_id == message.pattern_id:
            first, _, count, kept = runs[-1]
            runs[-1] = (first, at, count + 1, kept)
        else:
            runs.append((at, at, 1, message))
    if not runs:
        return timeline
    events = [
        TimelineEvent(
            first,
            f"debug {message.pattern_id}: {message.title}"
            + (f" (x{count}, until {last:.1f}s)" if count > 1 else ""),
        )
        for first, last, count, message in runs
    ]
    merged = sorted((*timeline.events, *events), key=lambda event: event.at)
    return replace(timeline, events=tuple(merged))
