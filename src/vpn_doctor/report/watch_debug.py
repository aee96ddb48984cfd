"""The debug lines of ``watch --debug`` on the watch's time axis: decoded, streamed, listed.

Why a module of its own: a debug line means little alone and much next to the samples
around it (the PAYLOAD_MALFORMED that arrived just before the SA went away). Each line is
decoded once with the message catalogue (:mod:`vpn_doctor.diagnose.messages`, the same
matcher the engine uses), becomes a :class:`DebugRow` (a ``{"type": "debug"}`` object in
the jsonl stream, beside the samples), and the final listing interleaves samples and the
recognised messages in time order; unrecognised lines are counted there, never dropped
from the stream or from ``debug.log``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vpn_doctor.addresses import normalise_peer
from vpn_doctor.diagnose.messages import extract_peer, match_line

LINE_WIDTH = 160  # a debug line in the final listing is cut here (the stream keeps it whole)


@dataclass(frozen=True)
class DebugRow:
    """One debug line as it arrived: ``at`` on the samples' clock, its catalogue entry if any.

    ``mine`` is False for a line that names another peer than the watched one (the capture
    is conditioned on the peer, so it should not happen; if it does, the line is streamed
    but not shown as this tunnel's).
    """

    at: float
    line: str
    message: str | None = None
    title: str = ""
    mine: bool = True

    def to_json(self) -> dict[str, object]:
        return {
            "type": "debug",
            "at": self.at,
            "line": self.line,
            "message": self.message,
            "title": self.title or None,
        }


def debug_row(at: float, line: str, peer: str) -> DebugRow:
    """Decode one line (specific catalogue entries before fallback ones, first one wins)."""
    named = extract_peer(line)
    mine = named is None or normalise_peer(named) == normalise_peer(peer)
    found = match_line(line)
    if not found:
        return DebugRow(round(at, 3), line, mine=mine)
    pattern = found[0].pattern
    return DebugRow(round(at, 3), line, pattern.id, pattern.title, mine)


@dataclass(frozen=True)
class Sampled:
    """What the final listing needs of a sample row: its time and its one-line text."""

    at: float
    text: str


def timeline_lines(samples: Sequence[Sampled], debug: Sequence[DebugRow]) -> list[str]:
    """Samples and this peer's recognised debug messages in time order; the other debug
    lines between two samples are one ``(N more debug lines)`` line."""
    entries: list[tuple[float, int, str]] = [(s.at, 0, f"{s.at:7.1f}s  {s.text}") for s in samples]
    for row in debug:
        if row.message is not None and row.mine:
            text = f"debug {row.message}: {row.line}"
            entries.append((row.at, 1, f"{row.at:7.1f}s  {text[:LINE_WIDTH]}"))
        else:
            entries.append((row.at, 2, ""))
    out: list[str] = []
    others = 0
    for _, kind, text in sorted(entries, key=lambda entry: (entry[0], entry[1])):
        if kind == 2:
            others += 1
            continue
        if others and kind == 0:
            out.append(f"{'':9}({others} more debug line{'s' if others > 1 else ''})")
            others = 0
        out.append(text)
    if others:
        out.append(f"{'':9}({others} more debug line{'s' if others > 1 else ''})")
    return out
