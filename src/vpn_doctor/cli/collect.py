"""CLI sub-commands `collect` (live ASA -> snapshot directory) and `demo` (the same, against
the bundled mock ASA over real SSH, so anyone can see the tool work in ten seconds).

Both keep the rules of the tool: passwords never from argv, only allow-listed commands,
secrets masked in what is written, and a partial snapshot saved (and said so) when the
device fails half-way, with the exit code of the failure.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpn_doctor.cli.login_options import add_login_options, settings_from_args
from vpn_doctor.errors import CollectionInterrupted, ExitCode, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console

    from vpn_doctor.collect.driver import ConnectionSettings
    from vpn_doctor.models import DeviceState, Snapshot
    from vpn_doctor.report.collect_view import CollectSummary

# Every `vpn-doctor` run builds the whole parser (`--version` too), so this module imports
# only the standard library at the top; netmiko (collect.driver), rich (report/) and the
# models are imported by the functions that use them.

COLLECT_EPILOG = """\
examples:
  # password from an environment variable, enable secret from a file
  VPN_PW=... vpn-doctor collect 192.0.2.1 --username netops --password-env VPN_PW \\
      --secret-file ~/.asa-enable --save ./fw1-before
  # only what concerns one peer (show crypto ipsec sa peer X, sessiondb filter)
  vpn-doctor collect fw1.example.net --peer 203.0.113.9 --save ./fw1-peer
  # refuse unknown host keys
  vpn-doctor collect fw1 --strict-host-key --known-hosts ~/.ssh/known_hosts
  # then, offline:  vpn-doctor diagnose --snapshot ./fw1-before

Only read-only commands are sent, the same that `vpn-doctor diagnose` reads (SA tables,
vpn-sessiondb, the crypto/tunnel-group/NAT/route configuration, the log, the crypto ACLs;
anything else is refused before it is sent), so `diagnose --snapshot` later gives the
same answer as a live diagnose. Pre-shared
keys and passwords are masked in the saved files. If the device fails half-way, what was
collected is saved anyway and the exit code says why (10 unreachable, 11 auth, 12 timeout).
The password comes from --password-env, --password-file, VPN_DOCTOR_PASSWORD or a prompt;
the enable secret from --secret-env, --secret-file, VPN_DOCTOR_SECRET or a prompt (without
any, the ASA 'login' command is used to reach privileged mode).
"""

DEMO_EPILOG = """\
examples:
  vpn-doctor demo                         # one firewall, 12 tunnels, four faults
  vpn-doctor demo --scenario healthy      # one healthy tunnel
  vpn-doctor demo --scenario mm_wait_msg6 # a pre-shared key mismatch
  vpn-doctor demo --save ./demo-snapshot  # keep the collected files

The mock ASA is a real SSH server started on 127.0.0.1 (random port) inside this process;
vpn-doctor logs into it with netmiko exactly as it would into a firewall. Scenarios live in
mock_device/scenarios/. The exit code is the diagnosis verdict, as for diagnose (triage_fleet:
2, tunnels down).
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `collect` and `demo` to the top-level parser."""
    collect_parser = subparsers.add_parser(
        "collect",
        help="log into an ASA over SSH and save its VPN state as a snapshot directory",
        description=(
            "Log into a Cisco ASA over SSH (netmiko), reach privileged mode, run the read-only "
            "VPN show commands and save their outputs as a snapshot directory that "
            "`vpn-doctor diagnose --snapshot DIR` (or a colleague) can read later."
        ),
        epilog=COLLECT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    collect_parser.add_argument("host", metavar="HOST", help="ASA address or name")
    add_login_options(collect_parser)
    collect_parser.add_argument(
        "--peer",
        metavar="IP",
        help="collect the per-peer variants for this tunnel peer (an IP address)",
    )
    collect_parser.add_argument(
        "--save",
        metavar="DIR",
        help="snapshot directory to create (default: ./snapshot-HOST-YYYYmmddTHHMMSS); must "
        "not already hold a snapshot",
    )
    collect_parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="summary on stdout: text (default) or json (machine-readable)",
    )
    collect_parser.set_defaults(handler=run_collect)

    demo_parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline against the bundled mock ASA (no firewall needed)",
        description=(
            "Start the mock ASA on 127.0.0.1 in this process, log into it over real SSH with "
            "netmiko, collect, parse and show what vpn-doctor understood."
        ),
        epilog=DEMO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo_parser.add_argument(
        "--scenario",
        default="triage_fleet",
        metavar="NAME",
        help="mock scenario (default triage_fleet: 12 tunnels, four faults)",
    )
    demo_parser.add_argument("--peer", metavar="IP", help="focus on one tunnel peer")
    demo_parser.add_argument("--save", metavar="DIR", help="also save the snapshot to DIR")
    demo_parser.set_defaults(handler=run_demo)


def default_save_dir(host: str, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S")
    safe_host = "".join(c if c.isalnum() or c in ".-" else "_" for c in host)
    return Path(f"snapshot-{safe_host}-{stamp}")


def _collect_live(
    settings: ConnectionSettings, peer: str | None, save_dir: Path | None
) -> tuple[Snapshot, float | None]:
    """Connect, collect what `diagnose` would read (cli.diagnose.collect_for_diagnosis),
    disconnect; on a mid-way failure save what was gathered (marked partial), re-raise."""
    from vpn_doctor.cli.diagnose import collect_for_diagnosis
    from vpn_doctor.collect.driver import AsaSession
    from vpn_doctor.collect.snapshot import save_snapshot
    from vpn_doctor.report.collect_view import progress

    with progress(f"connecting to {settings.host}:{settings.port} ...") as update:
        try:
            with AsaSession(settings) as session:
                update(f"collecting from {session.hostname or settings.host} ...")
                snapshot = collect_for_diagnosis(session, peer, progress=update)
                return snapshot, session.connect_seconds
        except CollectionInterrupted as exc:
            if save_dir is not None and exc.snapshot.outputs:
                saved = save_snapshot(exc.snapshot, save_dir, partial=exc.message)
                print(
                    f"vpn-doctor: partial snapshot ({len(exc.snapshot.outputs)} commands) "
                    f"saved to {saved}",
                    file=sys.stderr,
                )
            raise


def _json_summary(snapshot: Snapshot, summary: CollectSummary) -> str:
    from vpn_doctor.asa.commands import snapshot_filename
    from vpn_doctor.collect.collector import rejected_commands

    rejected = set(rejected_commands(snapshot))
    data = {
        "schema": 1,
        "host": summary.host,
        "port": summary.port,
        "device": {
            "hostname": snapshot.device.hostname,
            "version": snapshot.device.version,
            "model": snapshot.device.model,
        },
        "peer": snapshot.peer,
        "collected_at": snapshot.collected_at,
        "connect_seconds": summary.connect_seconds,
        "total_seconds": round(summary.total_seconds, 3),
        "saved_to": summary.saved_to,
        "commands": [
            {
                "command": command,
                "file": snapshot_filename(command),
                "status": "rejected" if command in rejected else "ok",
                "lines": len(output.splitlines()),
            }
            for command, output in snapshot.outputs.items()
        ],
    }
    return json.dumps(data, indent=2)


def run_collect(args: argparse.Namespace) -> int:
    """`vpn-doctor collect`: exit 0 when the snapshot was saved."""
    from rich.console import Console

    from vpn_doctor.collect.collector import validate_peer
    from vpn_doctor.collect.snapshot import check_save_target, save_snapshot
    from vpn_doctor.report.collect_view import CollectSummary, render_collect

    peer = validate_peer(args.peer) if args.peer else None
    save_dir = Path(args.save) if args.save else default_save_dir(args.host)
    check_save_target(save_dir)  # fail before logging in, not after
    settings = settings_from_args(args)
    start = time.perf_counter()
    try:
        snapshot, connect_seconds = _collect_live(settings, peer, save_dir)
    except CollectionInterrupted as exc:  # saved already; show what it says, then exit
        if args.format == "text" and exc.snapshot.outputs:
            _partial_diagnosis(exc.snapshot, peer)
        raise
    saved = save_snapshot(snapshot, save_dir)
    _warn_debug_left_on(snapshot, settings.host)
    summary = CollectSummary(
        host=settings.host,
        port=settings.port,
        connect_seconds=connect_seconds,
        total_seconds=time.perf_counter() - start,
        saved_to=str(saved),
    )
    if args.format == "json":
        print(_json_summary(snapshot, summary))
    else:
        render_collect(Console(), snapshot, summary)
    return ExitCode.OK


def _parse(snapshot: Snapshot) -> DeviceState | None:
    """parsing.parse_snapshot when the parser is installed (it is built in parallel)."""
    try:
        parsing = importlib.import_module("vpn_doctor.parse.device")
    except ImportError:
        return None
    parse_snapshot = getattr(parsing, "parse_snapshot", None)
    if parse_snapshot is None:
        return None
    state: DeviceState = parse_snapshot(snapshot)
    return state


def _warn_debug_left_on(snapshot: Snapshot, host: str) -> None:
    """`show debug` at login listed crypto debugging: say so (DEVICE_DEBUG_LEFT_ON)."""
    from vpn_doctor.parse.debug_state import parse_show_debug

    status = parse_show_debug(snapshot.outputs.get("show debug", ""))
    if status.crypto_on:
        print(
            f"vpn-doctor: DEVICE_DEBUG_LEFT_ON: crypto debugging is on on {host} "
            f"({'; '.join(status.lines)}); undo with: vpn-doctor undebug {host}",
            file=sys.stderr,
        )


def _partial_diagnosis(snapshot: Snapshot, peer: str | None) -> None:
    """The diagnosis of what a stopped collection gathered, marked partial (issue 13)."""
    from dataclasses import replace

    from rich.console import Console

    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.report.rich_view import render_rich

    state = _parse(snapshot)
    if state is not None:
        render_rich(replace(diagnose(state, peer), partial=True), Console())


def _load_mock() -> tuple[Any, Any]:
    try:
        mock_device = importlib.import_module("mock_device")
    except ImportError as exc:
        raise ScenarioError(f"the mock ASA (mock_device package) is not installed: {exc}") from None
    return mock_device.MockAsa, mock_device.load_scenario


def _warm_up() -> None:
    """Import what the demo needs after the collection (see run_demo); never fails it."""
    try:
        from vpn_doctor.diagnose.engine import default_playbooks
        from vpn_doctor.parse import device  # noqa: F401
        from vpn_doctor.report import rich_view  # noqa: F401

        default_playbooks()
    except Exception:  # the main thread reports any real problem itself
        return


def run_demo(args: argparse.Namespace) -> int:
    """`vpn-doctor demo`: mock ASA in a background thread, real SSH, collect, parse, show."""
    from rich.console import Console

    from vpn_doctor.collect.collector import validate_peer
    from vpn_doctor.collect.driver import ConnectionSettings
    from vpn_doctor.collect.snapshot import check_save_target, save_snapshot
    from vpn_doctor.report.collect_view import CollectSummary, render_demo

    peer = validate_peer(args.peer) if args.peer else None
    save_dir = Path(args.save) if args.save else None
    if save_dir is not None:
        check_save_target(save_dir)
    mock_asa, load_scenario = _load_mock()
    scenario = load_scenario(args.scenario)
    start = time.perf_counter()
    # The collection mostly waits on SSH round trips: load the parser, the engine and its
    # playbooks meanwhile so the answer is on screen sooner.
    warm = threading.Thread(target=_warm_up, name="vpn-doctor-warm-up", daemon=True)
    warm.start()
    with mock_asa(scenario, port=0) as mock:
        settings = ConnectionSettings(
            host=mock.host,
            port=mock.port,
            username=mock.username,
            password=mock.password,
            secret=mock.secret,
            legacy_ssh=mock.scenario.ssh.legacy_only,  # the legacy_ssh scenario, as an ASA 8.x
        )
        snapshot, connect_seconds = _collect_live(settings, peer, save_dir)
        audit = list(mock.commands())
    warm.join()
    saved = save_snapshot(snapshot, save_dir) if save_dir is not None else None
    summary = CollectSummary(
        host=settings.host,
        port=settings.port,
        connect_seconds=connect_seconds,
        total_seconds=time.perf_counter() - start,
        saved_to=str(saved) if saved else None,
    )
    state = _parse(snapshot)
    console = Console()
    if state is None:
        render_demo(console, snapshot, summary, scenario=args.scenario, state=None, audit=audit)
        return ExitCode.UNKNOWN
    return _show_demo(console, snapshot, state, peer, summary, audit, str(scenario.name))


def _show_demo(
    console: Console,
    snapshot: Snapshot,
    state: DeviceState,
    peer: str | None,
    summary: CollectSummary,
    audit: list[str],
    scenario: str,
) -> int:
    """What the tool is for, on one screen: the triage summary (down tunnels first), the
    message ladder and the runbook of the worst tunnel, then how it was obtained. The engine
    is imported here so `collect` (which never diagnoses) does not load the playbooks."""
    from vpn_doctor.cli.diagnose import with_run_facts
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.report.rich_view import render_focus, render_summary
    from vpn_doctor.report.triage import Selection, detailed_tunnels

    report = with_run_facts(diagnose(state, peer), snapshot, summary.host)
    console.rule(f"vpn-doctor demo: mock ASA scenario [bold]{scenario}[/] over real SSH")
    render_summary(report, console, Selection())
    problems = detailed_tunnels(report, Selection())
    # the ladder is clearest for a cause the device's own lines confirm (down first)
    shown = sorted(
        problems, key=lambda t: bool(t.root_cause and t.root_cause.confidence != "confirmed")
    )
    if shown:
        console.print()
        render_focus(shown[0], console, report.hostname or "ASA")
    seconds = f"{summary.total_seconds:.2f} s"
    connect = f"{summary.connect_seconds:.2f} s" if summary.connect_seconds is not None else "?"
    sent = [c for c in audit if c.startswith("show ") and c != "show curpriv"]
    console.print(
        f"[dim]{len(snapshot.outputs)} read-only commands over SSH to {summary.host}:"
        f"{summary.port} in {seconds} (SSH connect + enable {connect}): "
        + ", ".join(sent[:4])
        + (f" and {len(sent) - 4} more" if len(sent) > 4 else "")
        + "[/]",
        highlight=False,
    )
    if len(problems) > 1:
        console.print(
            f"{len(problems) - 1} more unhealthy tunnel(s). Every detail: vpn-doctor demo "
            "--save DIR, then vpn-doctor diagnose --snapshot DIR (or --format html > r.html)"
        )
    return report.exit_code()
