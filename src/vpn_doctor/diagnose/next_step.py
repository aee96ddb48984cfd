"""Which read-only step would best settle what the diagnosis leaves open (issue 18).

Pure: the report and the playbook data in, one :class:`Step` (or None) out. The steps are
data: a leaf's ``alternatives`` may name the ``step`` that tells them apart, and a catalogue
entry in findings.yaml may list ``next_steps`` for what its finding leaves open (a no-SA
tunnel: trigger traffic under debug; a healthy-looking tunnel judged on lifetime counters: a
second sample). A new separating step is therefore a data change. The CLI (cli/guide.py)
asks the engineer and runs the step; nothing here touches a device.

Step names: ``debug`` (conditional debug on the peer with the packet-tracer trigger),
``samples`` (a second counter sample), ``show <command>`` (one filtered show command) and
``profile`` (compare the peer's settings, from a shipped profile or typed, with this side's;
nothing is sent to the device) and ``reread`` (a ``show`` of the output an incomplete walk
stopped on: a missing output is read once more; one already read is never re-sent).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.diagnose.playbook import PlaybookSet
from vpn_doctor.errors import InputError

STEP_KINDS = ("debug", "samples", "show", "profile")


class StepError(InputError):
    """A step named in the playbook data that the guided run cannot run."""


@dataclass(frozen=True)
class Step:
    """One proposed step: what to run (``kind``, ``command`` for a show), for which peer,
    and why (the open question, in the engineer's words)."""

    kind: str
    peer: str
    reason: str
    finding: str  # the first finding the step is meant to settle
    command: str = ""  # only for kind "show"

    @property
    def key(self) -> str:
        """Identity for 'already done' (the same step is never offered twice)."""
        return f"{self.kind}:{self.command}" if self.command else self.kind


def parse_step(text: object) -> tuple[str, str]:
    """``"debug"`` -> ("debug", ""); ``"show crypto isakmp sa"`` -> ("show", "show crypto
    isakmp sa"). Only show commands are allowed beyond debug and samples (read-only)."""
    if not isinstance(text, str) or not text.strip():
        raise StepError("a step must be a non-empty string")
    words = text.split()
    if words[0] == "show" and len(words) > 1:
        return "show", " ".join(words)
    if len(words) == 1 and words[0] in ("debug", "samples", "profile", "reread"):
        return words[0], ""
    raise StepError(
        f"unknown step (known: debug, samples, profile, reread, show <command>): {text!r}"
    )


def open_tunnel(report: DiagnosisReport, peer: str | None = None) -> TunnelDiagnosis | None:
    """The tunnel the guided run works on: ``peer``'s, else the first one not up (else the
    first one)."""
    tunnels = list(report.tunnels)
    if peer:
        tunnels = [t for t in tunnels if t.peer == peer]
    for tunnel in tunnels:
        if tunnel.verdict != "up":
            return tunnel
    return tunnels[0] if tunnels else None


def first_finding(tunnel: TunnelDiagnosis | None) -> Finding | None:
    return tunnel.findings[0] if tunnel is not None and tunnel.findings else None


def is_decided(report: DiagnosisReport, peer: str | None = None) -> bool:
    """The cause is decided: a verdict other than unknown and no alternative left open (the
    guided run may still offer a catalogue ``next_steps`` step for an unconfirmed finding)."""
    tunnel = open_tunnel(report, peer)
    first = first_finding(tunnel)
    return tunnel is not None and tunnel.verdict != "unknown" and not (first and first.alternatives)


def candidate_steps(
    report: DiagnosisReport, playbooks: PlaybookSet, peer: str | None = None
) -> list[Step]:
    """Every step the data offers for the open tunnel, best first: the steps that separate
    the first finding from its alternatives, then the finding's catalogue ``next_steps``."""
    tunnel = open_tunnel(report, peer)
    first = first_finding(tunnel)
    if tunnel is None or first is None:
        return []
    steps: list[Step] = []
    for node in playbooks.nodes.values():
        leaf = node.leaf
        if leaf is None or leaf.code != first.code:
            continue
        for alt in leaf.alternatives:
            if alt.finding not in first.alternatives:
                continue
            for text in alt.steps:
                kind, command = parse_step(text)
                check = alt.separating_check.replace("{peer}", tunnel.peer)
                reason = f"{first.code} or {alt.finding}? " + (
                    _WHY["profile"] if kind == "profile" else check
                )
                steps.append(Step(kind, tunnel.peer, reason, first.code, command))
    entry = playbooks.catalogue.get(first.code)
    # What the catalogue leaves open (no SA: was traffic ever sent? healthy: on lifetime
    # counters) matters only while the finding is not confirmed by decisive evidence.
    pending = entry.next_steps if entry and first.confidence != "confirmed" else ()
    for text in pending:
        kind, command = parse_step(text)
        if kind == "reread":  # the output the walk stopped on: "<command>: <status>"
            kind, command = "show", _stopped_on(first)
            if not command:
                continue
        steps.append(Step(kind, tunnel.peer, _why(first, kind, tunnel), first.code, command))
    return steps


def choose_step(
    report: DiagnosisReport,
    playbooks: PlaybookSet,
    *,
    peer: str | None = None,
    done: Collection[str] = (),
) -> Step | None:
    """The one step to offer now: the best candidate not already done, or None when the
    data offers nothing more for what is open."""
    for step in candidate_steps(report, playbooks, peer):
        if step.key not in done:
            return step
    return None


_WHY = {
    "debug": "the debug, with the tunnel's traffic sent by packet-tracer, shows what the "
    "negotiation does now",
    "samples": "the counters so far are totals since the SA was created; a second sample "
    "shows whether traffic flows both ways now",
    "show": "this output was not read yet",
    "profile": "what the other end is configured for is the open question: compare its phase 1 "
    "and phase 2 settings (a shipped profile, or values you type) with this side's",
}


def _stopped_on(first: Finding) -> str:
    """The show command an incomplete walk names first in its evidence (``cmd: status``)."""
    head = first.evidence[0].rsplit(": ", 1)[0] if first.evidence else ""
    return head if head.startswith("show ") else ""


def _why(first: Finding, kind: str, tunnel: TunnelDiagnosis) -> str:
    verdict = "could not determine" if tunnel.verdict == "unknown" else tunnel.verdict
    return f"{first.code} ({verdict}): {_WHY[kind]}"
