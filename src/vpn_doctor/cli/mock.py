"""`vpn-doctor mock`: run a mock ASA from a scenario so anyone can try the tool offline.

Why in the main CLI: the quick start and the docs use it ("start the mock, point
`vpn-doctor diagnose` at it"), and it is the easiest way to reproduce a bug report
against a known device state. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from vpn_doctor.collect.signals import Terminated
from vpn_doctor.errors import ExitCode


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the `mock` sub-command to the top-level parser."""
    parser = subparsers.add_parser(
        "mock",
        help="run a mock Cisco ASA (SSH on 127.0.0.1) from a scenario",
        description=(
            "Serve a mock Cisco ASA over SSH on 127.0.0.1 from a scenario (a shipped name "
            "such as 'healthy', or a path to a YAML file; format: mock_device/README.md). "
            "Runs until Ctrl-C."
        ),
    )
    parser.add_argument(
        "--scenario",
        default="healthy",
        metavar="NAME_OR_PATH",
        help="scenario name or YAML path (default: healthy)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=2222,
        help="TCP port on 127.0.0.1 (0 = any free port; default 2222)",
    )
    parser.add_argument(
        "--delay-ms",
        type=int,
        default=None,
        metavar="MS",
        help="delay before every show-command reply (overrides the scenario)",
    )
    parser.add_argument(
        "--audit",
        default=None,
        metavar="FILE",
        help="append every received line to FILE as JSON lines",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the shipped scenarios with their descriptions and exit",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until `stop` is set, which is how tests end it)."""
    # imported here so `vpn-doctor diagnose` never pays for asyncssh
    from mock_device import MockAsa, load_scenario, scenario_names

    if args.list:
        for name in scenario_names():
            text = load_scenario(name).description
            print(f"{name:<34} {text if len(text) <= 90 else text[:87] + '...'}")
        return ExitCode.OK
    if args.port < 0 or args.port > 65535:
        print("vpn-doctor: error: --port must be 0..65535", file=sys.stderr)
        return ExitCode.USAGE
    if args.delay_ms is not None and args.delay_ms < 0:
        print("vpn-doctor: error: --delay-ms must be >= 0", file=sys.stderr)
        return ExitCode.USAGE
    scenario = load_scenario(args.scenario)  # ScenarioError -> exit 17 via cli.main
    try:
        mock = MockAsa(scenario, port=args.port, delay_ms=args.delay_ms, audit_path=args.audit)
        mock.start()
    except OSError as exc:
        print(f"vpn-doctor: error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        print(f"mock ASA '{scenario.name}' ({scenario.description})")
        print(f"  host      {mock.host}")
        print(f"  port      {mock.port}")
        print(f"  username  {mock.username}")
        print(f"  password  {mock.password}")
        print(f"  enable    {mock.secret}")
        print(f"  prompt    {scenario.hostname}{'#' if scenario.start_privileged else '>'}")
        if args.audit:
            print(f"  audit     {args.audit}")
        print(f"try: ssh -p {mock.port} {mock.username}@{mock.host}   (Ctrl-C to stop)", flush=True)
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.5):
                pass
        except (KeyboardInterrupt, Terminated):  # Ctrl-C, or SIGTERM/SIGHUP: a clean stop
            print("stopping mock ASA")
    finally:
        mock.stop()
    return ExitCode.OK
