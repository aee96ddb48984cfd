"""CLI sub-command `exporter`: the multi-target Prometheus exporter (Contract 5).

Only the argument parser lives here; prometheus_client, netmiko and the probe code are
imported when the command runs, so `vpn-doctor --help` and the other commands never pay
for them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

EXPORTER_EPILOG = """\
examples:
  # against the shipped mock (`vpn-doctor mock` in another terminal; its password cisco123)
  VPN_DOCTOR_PASSWORD=cisco123 vpn-doctor exporter --config examples/exporter.yaml
  curl '127.0.0.1:9790/probe?target=127.0.0.1:2222'
  curl '127.0.0.1:9790/probe?target=fw1.example.net&module=dc&peer=203.0.113.9'

endpoints: /probe?target=HOST[:PORT][&module=NAME][&peer=IP][&context=NAME] (one device's
metrics; 400 bad request, 403 target not allowed by the config, 504 scrape timeout; a device
that cannot be reached answers vpn_doctor_probe_success 0), /metrics (the exporter's own).
Prometheus configuration and alert rules: docs/prometheus/.

exit codes: 17 bad configuration file, 64 usage error, 130 stopped with Ctrl-C.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `exporter` to the top-level parser."""
    parser = subparsers.add_parser(
        "exporter",
        help="Prometheus exporter: /probe?target=HOST logs in and answers its tunnel metrics",
        description=(
            "Serve a multi-target Prometheus exporter (as blackbox_exporter): each "
            "/probe?target=HOST request logs into that firewall read-only, diagnoses its "
            "tunnels and answers the metrics. Credentials and SSH options come from the "
            "modules of the configuration file (secrets by environment variable or file)."
        ),
        epilog=EXPORTER_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", "-c", required=True, type=Path, metavar="FILE", help="exporter YAML file"
    )
    parser.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="address to listen on (default: the file's listen:, else 127.0.0.1:9790)",
    )
    parser.set_defaults(handler=run_exporter)


def run_exporter(args: argparse.Namespace) -> int:
    """`vpn-doctor exporter`: serve until Ctrl-C."""
    from vpn_doctor.diagnose.engine import default_playbooks
    from vpn_doctor.fleet.exporter import Exporter, serve
    from vpn_doctor.fleet.exporter_config import load_exporter_config, parse_listen

    config = load_exporter_config(args.config)
    listen = args.listen or config.listen
    parse_listen(listen)
    default_playbooks()  # a broken playbook set fails now (exit 18), not on every probe
    return serve(Exporter(config, environ=os.environ), listen)
