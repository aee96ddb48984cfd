"""Show a watch as it happens: a rich Live table on a terminal, one line per sample otherwise,
or one JSON object per sample (``--format jsonl``) for other tools.

Each row is one poll of the peer: the phase 1 state, the SPIs (a change is a rekey or a
rebuild), the packets per second since the previous poll, the errors. The events of the
timeline (state changes, SAs gone or rebuilt) are listed under the table. With ``--debug``
the recognised debug messages of the peer are listed too, as they arrive
(:mod:`vpn_doctor.report.watch_debug`); in jsonl every debug line is an object of its own,
in time order with the samples.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from vpn_doctor.diagnose.timeline import analyse
from vpn_doctor.models import TunnelSample
from vpn_doctor.report.watch_debug import DebugRow, Sampled, debug_row, timeline_lines

SHOWN_ROWS = 12
SHOWN_MESSAGES = 6


@dataclass
class SampleRow:
    """What one sample shows, with the rates since the previous one."""

    at: float
    taken_at: str
    peer: str
    phase1: str
    spis: str
    encaps: int | None
    decaps: int | None
    errors: int | None
    encaps_rate: float | None = None
    decaps_rate: float | None = None
    status: str = "ok"

    def to_json(self) -> dict[str, object]:
        return {
            "type": "sample",
            "at": self.at,
            "taken_at": self.taken_at,
            "peer": self.peer,
            "phase1": self.phase1,
            "spis": self.spis,
            "encaps": self.encaps,
            "decaps": self.decaps,
            "errors": self.errors,
            "encaps_per_s": self.encaps_rate,
            "decaps_per_s": self.decaps_rate,
            "status": self.status,
        }


def sample_row(sample: TunnelSample, previous: SampleRow | None) -> SampleRow:
    """One table row; counters are None when the output was not read completely."""
    ike = sample.ike.records
    phase1 = (ike[0].state if ike else "no IKE SA") if sample.ike.usable else "unread"
    readable = sample.ipsec.usable and all(sa.complete for sa in sample.ipsec.records)
    sas = sample.ipsec.records
    spis = "/".join(
        sorted({s.lower() for sa in sas for s in (*sa.inbound_spis, *sa.outbound_spis)})
    )
    row = SampleRow(
        at=sample.at,
        taken_at=sample.taken_at,
        peer=sample.peer,
        phase1=phase1,
        spis=spis or ("-" if readable else "?"),
        encaps=sum(sa.pkts_encaps for sa in sas) if readable else None,
        decaps=sum(sa.pkts_decaps for sa in sas) if readable else None,
        errors=sum(sa.send_errors + sa.recv_errors for sa in sas) if readable else None,
        status=sample.ipsec.status.value,
    )
    if previous is not None and previous.spis == row.spis and row.at > previous.at:
        seconds = row.at - previous.at
        if row.encaps is not None and previous.encaps is not None:
            row.encaps_rate = round((row.encaps - previous.encaps) / seconds, 1)
        if row.decaps is not None and previous.decaps is not None:
            row.decaps_rate = round((row.decaps - previous.decaps) / seconds, 1)
    return row


@dataclass
class WatchView:
    """The live view of ``vpn-doctor watch``; use as a context manager."""

    host: str
    peer: str
    interval: float
    fmt: str = "rich"  # rich | jsonl
    live: bool | None = None  # None: a rich Live only on a terminal
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    samples: list[TunnelSample] = field(default_factory=list)
    rows: deque[SampleRow] = field(default_factory=lambda: deque(maxlen=SHOWN_ROWS))
    history: list[SampleRow] = field(default_factory=list)
    debug_kept: int = 5000  # the last N debug rows are kept (--debug-max-lines)
    debug: deque[DebugRow] = field(default_factory=deque)
    _last: SampleRow | None = None
    _held: list[DebugRow] | None = None  # debug rows that arrived while a sample was taken
    _live: Live | None = None
    _console: Console | None = None

    def __post_init__(self) -> None:
        self.debug = deque(self.debug, maxlen=self.debug_kept)

    def __enter__(self) -> WatchView:
        if self.fmt == "rich":
            self._console = Console(file=self.stream)
            use_live = self._console.is_terminal if self.live is None else self.live
            if use_live:
                self._live = Live(self._render(), console=self._console, refresh_per_second=4)
                self._live.__enter__()
            else:
                self._console.print(
                    f"watching {self.peer} on {self.host} every {self.interval:g}s "
                    "(Ctrl-C ends with the report)"
                )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def on_sample(self, sample: TunnelSample) -> None:
        self.samples.append(sample)
        row = sample_row(sample, self._last)
        self._last = row
        self.rows.append(row)
        self.history.append(row)
        if self.fmt == "jsonl":
            self.stream.write(json.dumps(row.to_json()) + "\n")
            self.stream.flush()
        elif self._live is not None:
            self._live.update(self._render())
        elif self._console is not None:
            self._console.print(_plain(row), soft_wrap=True)

    @contextlib.contextmanager
    def sampling(self) -> Iterator[None]:
        """While a sample is being read, the debug lines that arrive are held and shown
        after it: the sample's time is when it started, so they come later in time."""
        self._held = []
        try:
            yield
        finally:
            held, self._held = self._held, None
            for row in held:
                self._show_debug(row)

    def on_debug(self, at: float, line: str) -> None:
        """One debug line, ``at`` seconds after the first sample."""
        row = debug_row(at, line, self.peer)
        self.debug.append(row)
        if self._held is not None:
            self._held.append(row)
        else:
            self._show_debug(row)

    def _show_debug(self, row: DebugRow) -> None:
        if self.fmt == "jsonl":
            self.stream.write(json.dumps(row.to_json()) + "\n")
            self.stream.flush()
        elif row.message is None or not row.mine:
            return
        elif self._live is not None:
            self._live.update(self._render())
        elif self._console is not None:
            self._console.print(f"{row.at:7.1f}s  debug {row.message}: {row.title}", soft_wrap=True)

    def timeline_text(self) -> str:
        """The final listing: every sample and this peer's debug messages, in time order
        (empty without debug lines: the live rows already were the whole story)."""
        if not self.debug:
            return ""
        sampled = [Sampled(row.at, _plain_body(row)) for row in self.history]
        lines = timeline_lines(sampled, self.debug)
        return "timeline (samples and debug messages, in time order):\n" + "\n".join(lines) + "\n"

    def _render(self) -> Group:
        table = Table(title=f"{self.host}: {self.peer}, every {self.interval:g}s")
        for column in ("t (s)", "phase 1", "SPIs in/out", "encaps/s", "decaps/s", "errors"):
            table.add_column(column, justify="right" if "/s" in column else "left")
        for row in self.rows:
            table.add_row(
                f"{row.at:.0f}",
                row.phase1,
                row.spis,
                _rate(row.encaps_rate),
                _rate(row.decaps_rate),
                "?" if row.errors is None else str(row.errors),
            )
        timeline = analyse(self.peer, self.samples)
        events = Text("\n".join(f"{e.at:6.0f}s  {e.event}" for e in timeline.events[-8:]))
        messages = [row for row in self.debug if row.message is not None and row.mine]
        if not messages:
            return Group(table, events)
        recent = Text(
            f"debug: {len(self.debug)} lines, recent messages of {self.peer}:\n"
            + "\n".join(
                f"{row.at:6.1f}s  {row.message}  {row.title}" for row in messages[-SHOWN_MESSAGES:]
            )
        )
        return Group(table, events, recent)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _plain(row: SampleRow) -> str:
    return f"{row.at:7.1f}s  {_plain_body(row)}"


def _plain_body(row: SampleRow) -> str:
    return (
        f"{row.phase1:<14} spis {row.spis:<24} "
        f"encaps/s {_rate(row.encaps_rate):>7}  decaps/s {_rate(row.decaps_rate):>7}  "
        f"errors {'?' if row.errors is None else row.errors}"
    )
