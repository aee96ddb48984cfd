"""The ``--debug`` options of ``diagnose`` and the live capture they start.

The capture itself (:mod:`vpn_doctor.collect.debug.capture`) knows nothing of argparse or of
the terminal; this module turns parsed arguments into its options and shows the live view
(:mod:`vpn_doctor.report.debug_view`) while it runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vpn_doctor.collect.limits import DEFAULT_MAX_LINES, MAX_SECONDS

if TYPE_CHECKING:
    from vpn_doctor.collect.debug.capture import DebugCapture, DebugCaptureOptions
    from vpn_doctor.collect.debug.channel import RawSession

AUTO_TRIGGER = "auto"


def add_debug_arguments(parser: argparse.ArgumentParser, *, scope_options: bool = True) -> None:
    """``--debug SECONDS``, ``--debug-max-lines N`` and, with ``scope_options`` (``diagnose``),
    ``--debug-all-peers`` and ``--trigger``; ``watch`` always has its one peer."""
    group = parser.add_argument_group("conditional crypto debug (always undone)")
    group.add_argument(
        "--debug",
        type=float,
        metavar="SECONDS",
        default=None,
        help=f"run 'debug crypto ikev1/ikev2' for the --peer for SECONDS (1-{MAX_SECONDS}); "
        "it is undone and verified off on every exit path",
    )
    if scope_options:
        group.add_argument(
            "--debug-all-peers",
            action="store_true",
            help="allow --debug without --peer (no peer condition: every tunnel's debug)",
        )
    group.add_argument(
        "--debug-max-lines",
        type=int,
        metavar="N",
        default=DEFAULT_MAX_LINES,
        help=f"keep at most the last N debug lines (default {DEFAULT_MAX_LINES})",
    )
    if not scope_options:
        return
    group.add_argument(
        "--trigger",
        nargs="?",
        const=AUTO_TRIGGER,
        default=None,
        metavar="PACKET-TRACER",
        help="once debug is on, send 'packet-tracer input ...' so a down tunnel tries to come "
        'up; give the arguments (e.g. "inside icmp 10.1.1.10 8 0 10.2.2.10") or none to use '
        "the tunnel's interesting traffic",
    )


def refuse_debug_on_standby(session: Any, host: str) -> None:
    """A debug is never run on the standby unit of a failover pair (its tunnels live on the
    active unit): DebugUsageError (exit 64) before any debug command is sent."""
    from vpn_doctor.collect.debug.capture import DebugUsageError

    if session.role == "standby":
        raise DebugUsageError(
            f"{host} is the standby unit of a failover pair: vpn-doctor never "
            "runs debug there (its tunnels live on the active unit); run --debug "
            "against the active unit"
        )


def options_from_args(
    args: argparse.Namespace, *, trigger_command: str | None = None, asa_version: str | None = None
) -> DebugCaptureOptions:
    """Options from parsed arguments; ``trigger_command`` fills a bare ``--trigger``."""
    from vpn_doctor.collect.debug.capture import DebugCaptureOptions

    trigger = getattr(args, "trigger", None)
    if trigger == AUTO_TRIGGER:
        trigger = trigger_command
    return DebugCaptureOptions(
        peer=getattr(args, "peer", None),
        seconds=float(args.debug),
        max_lines=int(getattr(args, "debug_max_lines", DEFAULT_MAX_LINES)),
        all_peers=bool(getattr(args, "debug_all_peers", False)),
        trigger_command=trigger,
        asa_version=asa_version,
    )


def run_debug_from_args(
    args: argparse.Namespace,
    session: RawSession,
    settings: Any,
    *,
    trigger_command: str | None = None,
    asa_version: str | None = None,
    live: bool | None = None,
) -> DebugCapture:
    """What ``diagnose HOST --peer IP --debug 30 [--trigger]`` runs: options from ``args``,
    the live view on stderr, the capture. ``trigger_command`` is what a bare ``--trigger``
    means (the caller derives it from the crypto ACL); without it the trigger is skipped
    and a note says so."""
    from vpn_doctor.collect.debug.capture import DebugCaptureInterrupted, DebugLeftOn, capture_debug
    from vpn_doctor.report.debug_view import DebugView

    options = options_from_args(args, trigger_command=trigger_command, asa_version=asa_version)
    with DebugView(
        host=session.host, peer=options.peer, seconds=options.seconds, live=live
    ) as view:
        try:
            capture = capture_debug(
                session,
                options,
                on_line=view.on_line,
                on_tick=view.on_tick,
                settings_for_reconnect=settings,
            )
        except (DebugCaptureInterrupted, DebugLeftOn) as exc:
            view.finish(exc.capture, error=str(exc))
            raise
        if getattr(args, "trigger", None) == AUTO_TRIGGER and trigger_command is None:
            capture.notes.append(
                "--trigger: the tunnel's interesting traffic is not known; "
                "no packet-tracer was sent (give it: --trigger 'inside icmp "
                "SRC 8 0 DST')"
            )
        view.finish(capture)
    return capture
