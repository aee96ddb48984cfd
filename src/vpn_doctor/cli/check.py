"""CLI sub-command `check`: the scheduled health check over every firewall of an inventory.

Made for cron, systemd timers and Nagios: it never prompts, a failing device is a result
(never an abort), the first stdout line is a Nagios status line (text format), and the exit
code is the Nagios state of the worst device (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). A bad
inventory stops the run before any login (exit 17). Only read-only show commands are sent;
debug is never turned on by `check`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpn_doctor.cli.login_options import (
    add_reach_options,
    add_transport_options,
    transport_fields,
)
from vpn_doctor.errors import InputError, InventoryError
from vpn_doctor.fleet.defaults import DEFAULT_REKEY_THRESHOLD, USERNAME_ENV

if TYPE_CHECKING:
    from vpn_doctor.fleet.inventory import Inventory

# Every `vpn-doctor` run builds the whole parser (`--version` too), so this module imports
# only the standard library at the top; the fleet machinery, netmiko and rich are imported by
# run_check.

MAX_DEFAULT_WORKERS = 64
WORKERS_PER_CORE = 16


def default_workers(hosts: int, cores: int | None = None) -> int:
    """Devices checked at once when ``--workers`` is not given.

    A device is mostly waiting (SSH round trips, the firewall's own slowness), so many more
    threads than cores overlap well; but each also needs CPU (SSH crypto, parsing, diagnosis,
    all under one GIL), so past ~16 per core more threads only queue for the CPU and stretch
    every device towards its deadline. Hence: one per host, at most 16 per core, at most 64
    (file descriptors, the management network, AAA servers). On 2 cores: 32.
    """
    cores = cores or os.cpu_count() or 1
    return max(1, min(hosts, WORKERS_PER_CORE * cores, MAX_DEFAULT_WORKERS))


CHECK_EPILOG = f"""\
examples:
  # every tunnel of every firewall; status line + table, Nagios exit code
  vpn-doctor check --inventory hosts.yaml --groups groups.yaml --defaults defaults.yaml
  # for node_exporter's textfile collector (written atomically), status line on stdout
  vpn-doctor check --inventory hosts.yaml --format prometheus \\
      --textfile /var/lib/node_exporter/textfile_collector/vpn_doctor.prom
  # one JSON document for a script or a dashboard
  vpn-doctor check --inventory hosts.yaml --format json > vpn-health.json

inventory: Nornir SimpleInventory hosts file; expected tunnels per host under
data.vpn_doctor.tunnels (peer, name, proxies, profile, redundancy_group). Passwords are never
read from the inventory: data.password_env / data.password_file (data.secret_env /
data.secret_file) per host, else --password-env / --password-file, else
$VPN_DOCTOR_PASSWORD. Username: inventory, else --username, else ${USERNAME_ENV}.

exit codes (Nagios): 0 OK, 1 WARNING (a tunnel degraded: one of a redundant pair down,
one-way traffic, an SA expiring without rekey, an expected proxy pair idle), 2 CRITICAL (an
expected tunnel down, or a device unreachable / login refused / timed out), 3 UNKNOWN (a
device could not be judged: unparsable output, missing secret, no tunnel found).
Precedence: CRITICAL > UNKNOWN > WARNING > OK. 17 bad inventory, 64 usage error.
"""


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value

    return parse


def _shard(text: str) -> Any:
    """argparse type for --shard: a malformed I/N is a usage error (exit 64)."""
    from vpn_doctor.fleet.shard import parse_shard

    try:
        return parse_shard(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.message.removeprefix("--shard ")) from None


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `check` to the top-level parser."""
    parser = subparsers.add_parser(
        "check",
        help="scheduled health check: every tunnel on every firewall of an inventory",
        description=(
            "Log into every ASA of a Nornir-style inventory in parallel (read-only), diagnose "
            "every tunnel, compare with the tunnels the inventory expects, and report: a "
            "Nagios status line and table, JSON, or Prometheus textfile metrics."
        ),
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    inv = parser.add_argument_group("inventory")
    inv.add_argument(
        "--inventory",
        "-i",
        required=True,
        type=Path,
        metavar="FILE",
        help="hosts file (Nornir SimpleInventory format)",
    )
    inv.add_argument("--groups", type=Path, metavar="FILE", help="Nornir groups file")
    inv.add_argument("--defaults", type=Path, metavar="FILE", help="Nornir defaults file")
    inv.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="check only shard I of N (0-based, stable hash of the host name; e.g. "
        "--shard $JOB_COMPLETION_INDEX/4); the textfile gets .shard-I-of-N",
    )
    inv.add_argument(
        "--host",
        action="append",
        metavar="NAME",
        dest="only",
        help="check only this inventory host (repeatable)",
    )
    creds = parser.add_argument_group("credentials (never on the command line or in the inventory)")
    creds.add_argument(
        "--username", help=f"SSH user for hosts without one (default ${USERNAME_ENV})"
    )
    creds.add_argument("--password-env", metavar="VAR", help="password for hosts without their own")
    creds.add_argument(
        "--password-file", type=Path, metavar="FILE", help="idem, first line of FILE"
    )
    creds.add_argument(
        "--secret-env", metavar="VAR", help="enable secret for hosts without their own"
    )
    creds.add_argument("--secret-file", type=Path, metavar="FILE", help="idem, first line of FILE")
    run = parser.add_argument_group("run")
    run.add_argument(
        "--workers",
        type=_positive(int),
        metavar="N",
        help=(
            f"devices checked at once (default: one per host, at most {WORKERS_PER_CORE} per "
            f"CPU core and at most {MAX_DEFAULT_WORKERS}; {default_workers(10**6)} here)"
        ),
    )
    run.add_argument(
        "--timeout",
        type=_positive(float),
        default=10.0,
        metavar="S",
        help="connect/login timeout; each command may take 3*S (default 10)",
    )
    run.add_argument(
        "--deadline",
        type=_positive(float),
        metavar="S",
        help="overall limit per device, then it counts as timed out (default 6*timeout)",
    )
    run.add_argument(
        "--rekey-threshold",
        type=_positive(int),
        default=DEFAULT_REKEY_THRESHOLD,
        metavar="S",
        help="warn when an SA has at most S seconds left and no "
        f"rekeyed SA (default {DEFAULT_REKEY_THRESHOLD})",
    )
    run.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        help="where each device's memory between runs is kept (SPIs, counters, session age: "
        "flapping and one-way traffic since the last run); default $VPN_DOCTOR_STATE_DIR or "
        f"{DEFAULT_STATE_DIR}",
    )
    run.add_argument(
        "--no-state",
        action="store_true",
        help="judge each run alone (no state file read or written)",
    )
    add_reach_options(parser, context=False)  # contexts are per host (inventory)
    add_transport_options(parser)  # defaults for hosts; data.vpn_doctor keys win
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=("text", "json", "prometheus"),
        default="text",
        help="stdout: text (status line + table), json, or prometheus",
    )
    out.add_argument(
        "--textfile",
        type=Path,
        metavar="PATH",
        help="also write Prometheus metrics to PATH atomically (node_exporter "
        "textfile collector); with --format prometheus stdout then gets "
        "only the status line",
    )
    parser.set_defaults(handler=run_check)


DEFAULT_STATE_DIR = "~/.local/state/vpn-doctor"


def _state_dir(given: Path | None) -> Path:
    """--state-dir, else $VPN_DOCTOR_STATE_DIR, else the XDG state directory."""
    if given is not None:
        return given
    return Path(os.environ.get("VPN_DOCTOR_STATE_DIR") or DEFAULT_STATE_DIR).expanduser()


def _select(inventory: Inventory, only: list[str] | None) -> Inventory:
    if not only:
        return inventory
    known = {host.name for host in inventory.hosts}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise InventoryError(f"{inventory.source}: no such host(s) to check: {', '.join(unknown)}")
    hosts = tuple(host for host in inventory.hosts if host.name in set(only))
    from dataclasses import replace

    return replace(inventory, hosts=hosts)


def run_check(args: argparse.Namespace) -> int:
    """`vpn-doctor check`: exit with the Nagios state of the worst device."""
    from dataclasses import replace

    from rich.console import Console

    from vpn_doctor.collect.credentials import CredentialSources
    from vpn_doctor.diagnose.engine import default_playbooks
    from vpn_doctor.fleet.check import (
        CheckOptions,
        ChecksStopped,
        check_host,
        flatten_contexts,
        run_checks,
    )
    from vpn_doctor.fleet.inventory import load_inventory
    from vpn_doctor.fleet.status import fleet_document, status_line, summarize
    from vpn_doctor.report.health_view import progress, render_table

    inventory = _select(
        load_inventory(
            args.inventory,
            groups_file=args.groups,
            defaults_file=args.defaults,
            default_username=args.username,
        ),
        args.only,
    )
    shard = args.shard
    if shard is not None:
        from vpn_doctor.fleet.shard import select

        names = [host.name for host in inventory.hosts]
        inventory = replace(inventory, hosts=tuple(select(inventory.hosts, names, shard)))
    default_playbooks()  # a broken playbook set is one error (exit 18), not N failed hosts
    options = CheckOptions(
        timeout=args.timeout,
        deadline=args.deadline or 6 * args.timeout,
        rekey_threshold=args.rekey_threshold,
        fallback=CredentialSources(
            password_env=args.password_env,
            password_file=args.password_file,
            secret_env=args.secret_env,
            secret_file=args.secret_file,
        ),
        environ=os.environ,
        strict_host_key=args.strict_host_key,
        state_dir=None if args.no_state else _state_dir(args.state_dir),
        transport=transport_fields(args),
    )
    hosts = inventory.hosts
    workers = args.workers or default_workers(len(hosts))
    start = time.perf_counter()
    stopped: ChecksStopped | None = None
    try:
        with progress(len(hosts)) as on_done:
            results = run_checks(
                hosts,
                lambda host: check_host(host, options),
                workers=workers,
                deadline=options.deadline,
                on_done=on_done,
            )
    except ChecksStopped as exc:  # SIGTERM/SIGHUP: report what is done, then exit 143/129
        stopped, results = exc, exc.results
    results = flatten_contexts(results)  # a multi-context host: one result per context
    finished = datetime.now(timezone.utc)
    summary = summarize(results, time.perf_counter() - start, skipped=len(inventory.skipped))
    if shard is not None and not results:
        summary = replace(summary, state=0)  # an empty shard (few hosts, many shards) is fine
    status = status_line(results, summary)
    from vpn_doctor.fleet.prometheus import fleet_registry, write_textfile

    registry = fleet_registry(results, summary, finished, shard=shard.label if shard else None)
    if args.textfile:
        write_textfile(shard.textfile(args.textfile) if shard else args.textfile, registry)
    if args.format == "json":
        document = fleet_document(results, summary, finished)
        if shard is not None:
            document["shard"] = {"index": shard.index, "count": shard.count}
        print(json.dumps(document, indent=2))
    elif args.format == "prometheus" and not args.textfile:
        from prometheus_client import generate_latest

        sys.stdout.write(generate_latest(registry).decode("utf-8"))
    else:
        print(status)
        if args.format == "text":
            width = None if sys.stdout.isatty() else 140
            render_table(Console(width=width, highlight=False), results, summary)
    sys.stdout.flush()
    if stopped is not None:
        print(f"vpn-doctor: {stopped}; devices not checked are UNKNOWN", file=sys.stderr)
        return stopped.exit_code
    return summary.state
