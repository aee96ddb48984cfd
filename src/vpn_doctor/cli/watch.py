"""`vpn-doctor watch HOST --peer X`: one SSH session, the peer polled every few seconds.

One sample cannot see traffic that stopped one way a minute ago, a tunnel that flaps, a
negotiation that progresses or is stuck, a rekey that fails. ``watch`` keeps the session,
polls the peer's SA tables (``show crypto isakmp sa`` + ``show crypto ipsec sa peer X``: two
round trips a sample), shows each sample as it comes, and when it ends (``--duration``,
Ctrl-C or SIGTERM) reads the peer's log lines once, diagnoses the whole window and prints
the report with its timeline. ``--format jsonl`` streams one JSON object per sample, then
the report as a last object, for other tools. Nothing is configured on the device.

``--debug N`` runs the conditional crypto debug for the first N seconds of the watch, with
the capture of ``diagnose --debug`` (:mod:`vpn_doctor.collect.debug.capture`: the peer
condition first, undone and verified off on every exit path), while the samples go on at
the interval on the same session: the capture's read loop takes them (its ``poll`` hook),
so one reader owns the channel and no line is misfiled. Each debug line is timed on the
samples' clock (seconds since the first sample), shown with the samples, streamed as a
``{"type": "debug"}`` jsonl object, kept in the snapshot (``debug.log`` and
``debug_times.yaml`` on ``--save``) and diagnosed like ``diagnose --debug``'s lines.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import signal
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from vpn_doctor.cli.debug_options import add_debug_arguments
from vpn_doctor.cli.login_options import add_login_options, settings_from_args
from vpn_doctor.collect.limits import MAX_SAMPLES, MIN_INTERVAL
from vpn_doctor.errors import UsageError, VpnDoctorError

if TYPE_CHECKING:
    from vpn_doctor.collect.debug.capture import DebugCaptureOptions
    from vpn_doctor.collect.runner import CommandRunner
    from vpn_doctor.collect.sampler import Pacer
    from vpn_doctor.models import TimedLine
    from vpn_doctor.report.watch_view import WatchView

WATCH_EPILOG = """\
examples:
  vpn-doctor watch 192.0.2.1 --peer 203.0.113.9 --password-env VPN_PW
  vpn-doctor watch 192.0.2.1 --peer 203.0.113.9 --interval 2 --duration 120
  vpn-doctor watch 192.0.2.1 --peer 203.0.113.9 --format jsonl --duration 600 > samples.jsonl
  vpn-doctor watch 192.0.2.1 --peer 203.0.113.9 --debug 60 --duration 300 --save w1

--debug N: the conditional crypto debug of diagnose --debug (peer condition first, undone
and verified off on every exit path, never on a standby unit) for the first N seconds,
while the samples go on; its messages appear on the timeline between the samples.

what it sees that one sample cannot:
  TUNNEL_FLAPPING    the SA torn down and rebuilt (new SPIs after a gap, 113019 teardowns)
  IPSEC_ONE_WAY      encaps grow, decaps do not, over the last intervals (not since birth)
  IPSEC_NO_TRAFFIC   SAs up, no packet either way during the window
  IPSEC_NO_SA        the rekey fails: the SA expires and no new one comes
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "watch",
        help="poll one tunnel over time: flapping, one-way now, idle, stuck or failing rekey",
        description=(
            "Keep one SSH session, poll the peer's SA state and counters every --interval "
            "seconds and show them live; at the end (--duration, Ctrl-C) diagnose the window "
            "and print the report with the timeline. Read-only."
        ),
        epilog=WATCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("host", metavar="HOST", help="ASA address or name")
    parser.add_argument("--peer", required=True, metavar="IP", help="the tunnel peer to watch")
    parser.add_argument(
        "--interval",
        type=float,
        default=5.0,
        metavar="S",
        help=f"seconds between samples (default 5, at least {MIN_INTERVAL})",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="S",
        help="stop after S seconds (default: until Ctrl-C)",
    )
    parser.add_argument(
        "--format",
        choices=("rich", "jsonl", "json", "markdown"),
        default="rich",
        help="rich: live table then the report; jsonl: one JSON object per sample, then the "
        "report; json/markdown: only the final report",
    )
    parser.add_argument("--save", metavar="DIR", help="save everything read (samples too) to DIR")
    add_debug_arguments(parser, scope_options=False)
    add_login_options(parser)
    parser.set_defaults(handler=run_watch)


def _sample_budget(args: argparse.Namespace) -> int:
    if args.interval < MIN_INTERVAL:
        raise UsageError(f"--interval must be at least {MIN_INTERVAL} s")
    if args.duration is None:
        return MAX_SAMPLES
    if args.duration <= 0:
        raise UsageError("--duration must be positive")
    duration, interval = float(args.duration), float(args.interval)
    return min(MAX_SAMPLES, max(2, math.floor(duration / interval) + 1))


def _debug_options(args: argparse.Namespace) -> DebugCaptureOptions | None:
    """The capture's options (bounds checked before login, exit 64), or None without
    --debug; the capture never outlasts --duration."""
    if args.debug is None:
        return None
    from vpn_doctor.cli.debug_options import options_from_args

    options = options_from_args(args)
    if args.duration is not None and args.duration < options.seconds:
        options = dataclasses.replace(options, seconds=float(args.duration))
    return options


def _stopped_by_user(exc: BaseException) -> bool:
    """The capture ended because the engineer ended the watch (Ctrl-C, SIGTERM, SIGHUP):
    debug was undone, and the watch ends with its report like without --debug."""
    from vpn_doctor.collect.signals import Terminated

    return isinstance(exc.__cause__, (KeyboardInterrupt, Terminated))


def _debug_phase(
    session: Any,
    settings: Any,
    options: DebugCaptureOptions,
    pacer: Pacer,
    view: WatchView,
    timed: deque[TimedLine],
) -> None:
    """The first --debug seconds: the capture, with the samples taken from its read loop.

    Raises what capture_debug raises (DebugCaptureInterrupted, DebugLeftOn), debug undone
    or the manual commands in the message."""
    from vpn_doctor.collect.debug.capture import (
        DebugCaptureInterrupted,
        DebugLeftOn,
        capture_debug,
    )
    from vpn_doctor.models import TimedLine
    from vpn_doctor.report.debug_view import DebugView

    def on_line(line: str) -> None:
        at = round(pacer.elapsed(), 3)
        timed.append(TimedLine(at, line))
        view.on_debug(at, line)

    def poll(runner: CommandRunner) -> None:
        if not pacer.done and pacer.delay() <= 0:
            with view.sampling():
                pacer.take(runner)

    summary = DebugView(host=session.host, peer=options.peer, seconds=options.seconds, live=False)
    try:
        capture = capture_debug(
            session, options, on_line=on_line, poll=poll, settings_for_reconnect=settings
        )
    except (DebugCaptureInterrupted, DebugLeftOn) as exc:
        summary.finish(exc.capture)  # on stderr: lines, undone and verified or not, notes
        raise
    summary.finish(capture)


@contextlib.contextmanager
def _sigterm_ends_the_watch() -> Iterator[None]:
    """SIGTERM (systemd, a timeout wrapper) ends the watch like Ctrl-C: with the report."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (tests driving main() from a thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_watch(args: argparse.Namespace) -> int:
    """Poll, show, diagnose the window; the report's exit code (or the error's)."""
    from dataclasses import replace

    from vpn_doctor.cli.debug_options import refuse_debug_on_standby
    from vpn_doctor.cli.diagnose import peer_first_round, render
    from vpn_doctor.collect.collector import collect, validate_peer
    from vpn_doctor.collect.debug.capture import DebugCaptureInterrupted
    from vpn_doctor.collect.driver import AsaSession
    from vpn_doctor.collect.limits import DEFAULT_MAX_LINES
    from vpn_doctor.collect.sampler import Pacer, sample_from_snapshot
    from vpn_doctor.collect.snapshot import check_save_target, save_snapshot
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.models import RawSample, Snapshot
    from vpn_doctor.parse.device import parse_snapshot
    from vpn_doctor.parse.sample import parse_samples
    from vpn_doctor.report.formats import to_json_dict
    from vpn_doctor.report.watch_view import WatchView

    peer = validate_peer(args.peer)
    budget = _sample_budget(args)
    options = _debug_options(args)
    save_dir = Path(args.save) if args.save else None
    if save_dir is not None:
        check_save_target(save_dir)
    settings = settings_from_args(args)
    raw: list[RawSample] = []
    timed: deque[TimedLine] = deque(maxlen=options.max_lines if options else None)
    snapshot = Snapshot(outputs={})
    failure: VpnDoctorError | None = None
    view_format = "jsonl" if args.format == "jsonl" else "rich"
    stream = sys.stdout if args.format in ("rich", "jsonl") else sys.stderr
    kept = options.max_lines if options else DEFAULT_MAX_LINES
    with AsaSession(settings) as session:
        if options is not None:
            refuse_debug_on_standby(session, settings.host)
        snapshot = collect(session, None, peer_first_round(peer))
        first = sample_from_snapshot(snapshot.outputs, peer, snapshot.collected_at)
        if options is not None:  # the collection read the version: no second round trip
            version = snapshot.device.version or snapshot.outputs.get("show version")
            options = dataclasses.replace(options, asa_version=version)
        with (
            WatchView(
                settings.host, peer, args.interval, fmt=view_format, stream=stream, debug_kept=kept
            ) as view,
            _sigterm_ends_the_watch(),
        ):

            def on_sample(sample: RawSample) -> None:
                raw.append(sample)
                view.on_sample(parse_samples([sample])[0])

            try:
                pacer = Pacer(peer, budget, args.interval, first=first, on_sample=on_sample)
                if options is not None:
                    _debug_phase(session, settings, options, pacer, view, timed)
                pacer.run(session)
            except KeyboardInterrupt:
                pass
            except DebugCaptureInterrupted as exc:  # debug undone; the watch ends with it
                if not _stopped_by_user(exc):
                    failure = exc
            except VpnDoctorError as exc:  # session lost, debug left on: report what was read
                failure = exc
        if failure is None:
            with contextlib.suppress(VpnDoctorError):
                logs = [c for c in snapshot.outputs if c.startswith("show logging")]
                snapshot = replace(
                    snapshot, outputs={**snapshot.outputs, **collect(session, None, logs).outputs}
                )
    if timed:
        lines = tuple(t.line for t in timed)
        snapshot = replace(snapshot, debug_lines=lines, debug_times=tuple(timed))
    if raw:
        last = raw[-1].outputs
        snapshot = replace(snapshot, outputs={**snapshot.outputs, **last}, samples=tuple(raw))
    snapshot = replace(snapshot, peer=peer)
    if save_dir is not None:
        save_snapshot(snapshot, save_dir)
        print(f"vpn-doctor: watch saved to {save_dir}", file=sys.stderr)
    # As `diagnose --snapshot` replays it: lines that name no peer are the watched peer's.
    report = diagnose(parse_snapshot(snapshot), peer, debug_peer=peer)
    if args.format == "rich":
        sys.stdout.write(view.timeline_text())
    if args.format == "jsonl":
        sys.stdout.write(json.dumps({"type": "report", **to_json_dict(report)}) + "\n")
    else:
        render(report, "rich" if args.format == "rich" else args.format)
    if failure is not None:
        print(f"vpn-doctor: watch ended early: {failure}", file=sys.stderr)
        return failure.exit_code
    return report.exit_code()
