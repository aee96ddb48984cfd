"""The pieces of `watch --debug` without a device: debug messages on the timeline, the final
listing, the saved arrival times, and the sample pacing the capture's read loop uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from vpn_doctor.collect.runner import CommandRunner
from vpn_doctor.collect.sampler import Pacer
from vpn_doctor.collect.snapshot import load_snapshot, save_snapshot
from vpn_doctor.diagnose.timeline import Timeline, TimelineEvent, with_debug
from vpn_doctor.errors import SnapshotError
from vpn_doctor.models import Snapshot, TimedLine
from vpn_doctor.report.watch_debug import Sampled, debug_row, timeline_lines

PEER = "203.0.113.9"
MALFORMED = (
    "Dec 06 10:00:01 [IKEv1]Group = 203.0.113.9, IP = 203.0.113.9, Received an un-encrypted "
    "PAYLOAD_MALFORMED notify message, dropping"
)
OTHER = "Dec 06 10:00:02 [IKEv1]IP = 203.0.113.9, IKE_DECODE RECEIVED Message (msgid=0)"


@dataclass(frozen=True)
class _Message:
    pattern_id: str
    title: str
    line: str


def test_with_debug_places_each_arrival_and_folds_runs() -> None:
    samples = Timeline(PEER, (TimelineEvent(0.0, "IPsec SA up"), TimelineEvent(2.0, "gone")))
    messages = [_Message("M1", "malformed", MALFORMED), _Message("M2", "received", OTHER)]
    times = [
        TimedLine(0.5, MALFORMED),
        TimedLine(0.9, MALFORMED),  # the same line again: one event, counted
        TimedLine(1.5, OTHER),
        TimedLine(2.5, MALFORMED),
        TimedLine(1.0, "a line of another peer (not among the attributed messages)"),
    ]
    events = [(e.at, e.event) for e in with_debug(samples, messages, times).events]
    assert events == [
        (0.0, "IPsec SA up"),
        (0.5, "debug M1: malformed (x2, until 0.9s)"),
        (1.5, "debug M2: received"),
        (2.0, "gone"),
        (2.5, "debug M1: malformed"),
    ]
    assert with_debug(samples, messages, ()) == samples  # no time: nothing placed


def test_debug_rows_decode_and_the_listing_interleaves_by_time() -> None:
    row = debug_row(0.4, MALFORMED, PEER)
    assert row.message == "IKEV1_PAYLOAD_MALFORMED" and row.mine
    assert row.to_json()["type"] == "debug" and row.to_json()["at"] == 0.4
    assert debug_row(0.6, "constructing hash payload", PEER).message is None
    neighbour = debug_row(0.7, MALFORMED.replace("203.0.113.9", "198.51.100.20"), PEER)
    assert not neighbour.mine
    lines = timeline_lines(
        [Sampled(0.0, "S0"), Sampled(0.5, "S1"), Sampled(1.0, "S2")],
        [row, debug_row(0.6, "constructing hash payload", PEER), neighbour],
    )
    assert [line.strip() for line in lines] == [
        "0.0s  S0",
        f"0.4s  debug IKEV1_PAYLOAD_MALFORMED: {MALFORMED}",
        "0.5s  S1",
        "(2 more debug lines)",
        "1.0s  S2",
    ]


def test_debug_times_are_saved_and_loaded(tmp_path: Path) -> None:
    timed = (TimedLine(0.25, MALFORMED), TimedLine(1.5, OTHER))
    snapshot = Snapshot(
        outputs={"show version": "x"}, debug_lines=(MALFORMED, OTHER), debug_times=timed
    )
    save_snapshot(snapshot, tmp_path / "s")
    assert load_snapshot(tmp_path / "s").debug_times == timed
    (tmp_path / "s" / "debug_times.yaml").write_text("- {at: soon, line: x}\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match="at is not a number"):
        load_snapshot(tmp_path / "s")
    (tmp_path / "s" / "debug_times.yaml").write_text("at: 1\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match="expected a list of debug lines"):
        load_snapshot(tmp_path / "s")


class _Runner:
    host = "fw1"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def run(self, command: str) -> str:
        self.sent.append(command)
        return ""


def test_pacer_poll_takes_a_sample_only_when_due() -> None:
    runner = _Runner()
    seen: list[float] = []
    pacer = Pacer(PEER, 3, 60.0, on_sample=lambda s: seen.append(s.at))
    pacer.poll(runner)  # the first is due at once
    assert len(pacer.samples) == 1 and len(runner.sent) == 2
    pacer.poll(runner)  # the next one is 60 s away: nothing sent
    assert len(pacer.samples) == 1 and len(runner.sent) == 2
    assert 59 < pacer.delay() <= 60 and not pacer.done
    assert seen == [pacer.samples[0].at]


class _Device:
    """A scripted device for the debug channel: each command's echo, answer and prompt are
    printed only once the reader waits on the channel (``wait_readable``), like a reply that
    arrives while the channel is being waited on."""

    hostname = "fw1"
    host = "10.0.0.1"

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.written: list[str] = []
        self.pending: list[str] = []
        self.outbox: list[str] = []
        self.waits = 0

    def write_raw(self, text: str) -> None:
        command = text.strip()
        self.written.append(command)
        self.pending.append(f"{command}\r\n{self.answers.get(command, '')}fw1# ")

    def wait_readable(self, seconds: float) -> None:
        self.waits += 1
        self.outbox.extend(self.pending)
        self.pending.clear()

    def read_available(self) -> str:
        data = "".join(self.outbox)
        self.outbox.clear()
        return data


def test_poll_runs_show_commands_mid_capture_split_from_the_debug_lines() -> None:
    from vpn_doctor.collect.debug.capture import DebugCaptureOptions, capture_debug

    isakmp = f"IKEv1 SAs:\r\n{MALFORMED}\r\n1   IKE Peer: {PEER}\r\n"
    device = _Device({"show crypto isakmp sa": isakmp})
    outputs: list[str] = []

    def poll(runner: CommandRunner) -> None:
        if not outputs:
            outputs.append(runner.run("show crypto isakmp sa"))

    options = DebugCaptureOptions(peer=PEER, seconds=0.2, asa_version="9.12(4)")
    capture = capture_debug(device, options, poll=poll)
    assert outputs == [f"IKEv1 SAs:\n1   IKE Peer: {PEER}"]  # the sample, without the debug line
    assert capture.lines == (MALFORMED,) and capture.cleanup_verified
    sent = device.written
    assert sent.index(f"debug crypto condition peer {PEER}") < sent.index("debug crypto ikev1 200")
    assert sent.index("debug crypto ikev1 200") < sent.index("show crypto isakmp sa")
    assert sent.index("show crypto isakmp sa") < sent.index("undebug all")
    assert device.waits > 0  # replies were waited for on the channel, not on the clock


def test_the_live_view_lists_the_peers_recent_messages() -> None:
    import io

    from rich.console import Console

    from vpn_doctor.report.watch_view import WatchView

    view = WatchView("fw1", PEER, 1.0, live=False, stream=io.StringIO())
    view.on_debug(0.4, MALFORMED)
    view.on_debug(0.5, "constructing hash payload")
    view.on_debug(0.6, MALFORMED.replace(PEER, "198.51.100.20"))  # another peer's: not shown
    console = Console(file=io.StringIO(), width=200)
    console.print(view._render())
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "debug: 3 lines, recent messages of 203.0.113.9" in shown
    assert shown.count("IKEV1_PAYLOAD_MALFORMED") == 1
