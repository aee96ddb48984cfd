"""CLI sub-commands `diagnose` (live, snapshot or pasted log -> findings) and `explain`.

`diagnose` reads the device state from exactly one source: a live ASA over SSH, a snapshot
directory (Contract 1) or a pasted terminal capture. It parses, walks the playbooks and
prints the report; the exit code is the report's (0 up, 1 degraded, 2 down, 3 could not
determine) unless something failed before there was a report (the error's own code).

Live collection: box-wide, DIAGNOSE_COMMANDS then the crypto ACLs the crypto map names (14 + one
per crypto ACL); with ``--peer``, two rounds that let the ASA filter (``show crypto ipsec sa peer
X``, ``show vpn-sessiondb detail l2l filter ipaddress X``, ``show logging | include X``) and
collect only the configuration the peer's crypto map entries make relevant (about 12 commands,
whatever the size of the box). ``show crypto ca certificates`` is added only when a tunnel
authenticates with certificates (uses_certificates): box-wide with the crypto ACLs, with
``--peer`` in round 2 when the crypto map names a trustpoint, else in a third round once the
tunnel-group shows one. ``--packet-tracer`` adds one packet-tracer run per traced peer,
built from the crypto ACL (vpn_doctor.diagnose.packet_tracer); it is never sent unless asked for.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpn_doctor.asa.commands import (
    DEFAULT_COLLECTION,
    SHOW_CRYPTO_CA_CERTIFICATES,
    SHOW_ROUTE,
    SHOW_RUN_ACCESS_LIST,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_NAT,
    SHOW_RUN_SLA_MONITOR,
    SHOW_RUN_TUNNEL_GROUP,
    peer_filtered_commands,
)
from vpn_doctor.cli.debug_options import (
    AUTO_TRIGGER,
    add_debug_arguments,
    options_from_args,
    run_debug_from_args,
)
from vpn_doctor.errors import CollectionInterrupted, ExitCode, InputError

if TYPE_CHECKING:
    from vpn_doctor.diagnose.findings import DiagnosisReport
    from vpn_doctor.diagnose.playbook import PlaybookSet
    from vpn_doctor.diagnose.profiles import PeerProfile
    from vpn_doctor.models import Snapshot

# Every `vpn-doctor` run builds the whole parser (`--version`, `explain` too), so the top of
# this module imports only the standard library and the command list; the engine, the
# collector (netmiko), the parsers (textfsm) and rich are imported by the functions that use
# them.

# Live collection for a diagnosis: the default show commands plus the configuration the
# playbooks and the configuration checks use (crypto map and policies, tunnel-groups, NAT,
# routes, sla monitor, VTIs) and the log; a second round adds the crypto ACLs the crypto map
# names. All read-only and allow-listed; pre-shared keys are masked by collect().
DIAGNOSE_COMMANDS: tuple[str, ...] = (
    *DEFAULT_COLLECTION,
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_TUNNEL_GROUP,
    SHOW_RUN_NAT,
    SHOW_ROUTE,
    SHOW_RUN_SLA_MONITOR,
    "show running-config interface",
    "show logging",
)


def peer_first_round(peer: str) -> tuple[str, ...]:
    """`diagnose --peer`, round 1: the SA tables filtered on the device (see
    commands.peer_filtered_commands), the crypto map (it says what else matters) and the log
    lines naming the peer."""
    filtered = peer_filtered_commands(peer)
    return (
        *(filtered.get(command, command) for command in DEFAULT_COLLECTION),
        SHOW_RUN_CRYPTO_MAP,
        f"show logging | include {peer}",
    )


def peer_second_round(
    peer: str, snapshot: Snapshot, *, profile: PeerProfile | None = None
) -> tuple[str, ...]:
    """`diagnose --peer`, round 2: only the configuration the peer's crypto map entries make
    relevant: their crypto ACLs, the IKE version(s) they use, transform sets, tunnel-groups,
    NAT and routes (NAT exemption, swapped ACL), sla monitor for a peer that may not initiate
    (two peers on the entry, an AWS-sample name, or a profile saying so) and the interfaces
    when no crypto map entry names the peer (a VTI)."""
    from vpn_doctor.parse.config.sections import parse_crypto_map

    text = snapshot.outputs.get(SHOW_RUN_CRYPTO_MAP, "")
    entries = [e for e in parse_crypto_map(text).records if not e.is_dynamic and peer in e.peers]
    versions = {v for e in entries for v in e.ike_versions} or {1, 2}
    commands = [f"{SHOW_RUN_ACCESS_LIST} {name}" for name in _acl_names(entries)]
    commands += [SHOW_RUN_CRYPTO_IKEV1] if 1 in versions else []
    commands += [SHOW_RUN_CRYPTO_IKEV2] if 2 in versions else []
    commands += [SHOW_RUN_CRYPTO_IPSEC, SHOW_RUN_TUNNEL_GROUP, SHOW_RUN_NAT, SHOW_ROUTE]
    responder_only = (profile is not None and profile.far_side_initiates is False) or any(
        len(e.peers) == 2 or re.search(r"amzn|aws", f"{e.map_name} {e.match_address}", re.I)
        for e in entries
    )
    if responder_only:
        commands.append(SHOW_RUN_SLA_MONITOR)
    if not entries:
        commands.append("show running-config interface")
    if any(e.trustpoint for e in entries):  # `set trustpoint X`: certificates, known already
        commands.append(SHOW_CRYPTO_CA_CERTIFICATES)
    return tuple(commands)


def peer_certificate_round(peer: str, snapshot: Snapshot) -> tuple[str, ...]:
    """`diagnose --peer`, round 3 (at most one command): ``show crypto ca certificates`` when
    the tunnel-group collected in round 2 says the peer authenticates with certificates and
    round 2 did not collect it already; nothing for a pre-shared-key tunnel."""
    if SHOW_CRYPTO_CA_CERTIFICATES in snapshot.outputs or not uses_certificates(snapshot, peer):
        return ()
    return (SHOW_CRYPTO_CA_CERTIFICATES,)


def uses_certificates(snapshot: Snapshot, peer: str | None = None) -> bool:
    """True when ``peer``'s tunnel (any tunnel when None) authenticates with certificates:
    its tunnel-group has ``ikev1 trust-point X``, ``ikev2 local-authentication certificate X``
    or ``ikev2 remote-authentication certificate``, or its crypto map entry ``set trustpoint
    X``. Read from the collected crypto map and tunnel-group outputs; box-wide, remote-access
    tunnel-groups (AnyConnect trust-points) do not count."""
    from vpn_doctor.parse.config.sections import parse_crypto_map, parse_tunnel_groups

    entries = parse_crypto_map(snapshot.outputs.get(SHOW_RUN_CRYPTO_MAP, "")).records
    if any(e.trustpoint for e in entries if peer is None or peer in e.peers):
        return True
    groups = parse_tunnel_groups(snapshot.outputs.get(SHOW_RUN_TUNNEL_GROUP, "")).records
    return any(
        g.trust_point
        or any(a.split()[:1] == ["certificate"] for a in g.ikev2_local_authentication)
        or any(a.split()[:1] == ["certificate"] for a in g.ikev2_remote_authentication)
        for g in groups
        if (g.name == peer if peer else g.type in ("", "ipsec-l2l"))  # box-wide: L2L only
    )


DIAGNOSE_EPILOG = """\
examples:
  # live: log in, collect read-only outputs, diagnose every tunnel
  VPN_PW=... vpn-doctor diagnose 192.0.2.1 --username netops --password-env VPN_PW
  # one tunnel, keep what was collected, JSON for a script
  vpn-doctor diagnose fw1 --peer 203.0.113.9 --save ./fw1-snap --format json
  # offline: a snapshot directory, or a pasted terminal capture
  vpn-doctor diagnose --snapshot ./fw1-snap
  vpn-doctor diagnose --from-log ./putty.log --peer 203.0.113.9 --format markdown
  # add debug/syslog lines kept elsewhere (syslog server, earlier debug session)
  vpn-doctor diagnose --snapshot ./fw1-snap --log ./syslog-fw1.txt
  # compare with AWS's expected parameters (or a profile file of your own)
  vpn-doctor diagnose --snapshot ./fw1-snap --profile aws
  # simulate the tunnel's traffic: does it match the crypto map, is it NATed first?
  vpn-doctor diagnose fw1 --peer 203.0.113.9 --packet-tracer

exit codes: 0 all tunnels up, 1 any degraded, 2 any down, 3 could not determine (a needed
output missing or not understood, or no tunnel found). Precedence when tunnels differ:
down > could not determine > degraded > up. Errors: 10-18 (see vpn-doctor --help).
"""

EXPLAIN_EPILOG = """\
examples:
  vpn-doctor explain MM_WAIT_MSG4
  vpn-doctor explain %ASA-3-713061
  vpn-doctor explain 713061
  vpn-doctor explain IKE_AUTH_FAILED
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `diagnose` and `explain` to the top-level parser."""
    parser = subparsers.add_parser(
        "diagnose",
        help="diagnose the site-to-site tunnels of an ASA (live, snapshot or pasted log)",
        description=(
            "Walk the IKE/IPsec troubleshooting tree for every tunnel (or --peer) and say what "
            "is wrong, with the device's own lines as evidence, read-only checks to confirm, "
            "and the configuration to fix it (never applied)."
        ),
        epilog=DIAGNOSE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("host", nargs="?", metavar="HOST", help="ASA address or name (live)")
    source = parser.add_argument_group("offline sources (instead of HOST)")
    source.add_argument("--snapshot", type=Path, metavar="DIR", help="a snapshot directory")
    source.add_argument("--from-log", type=Path, metavar="FILE", help="a pasted terminal log")
    parser.add_argument("--peer", metavar="IP", help="diagnose only this tunnel peer")
    parser.add_argument(
        "--log",
        type=Path,
        metavar="FILE",
        help="extra debug/syslog lines to consider (one per line)",
    )
    parser.add_argument(
        "--format", choices=("rich", "json", "markdown"), default="rich", help="output format"
    )
    parser.add_argument(
        "--profile",
        metavar="NAME|FILE",
        help=(
            "expected peer profile: a name from profiles/ (aws, or a file you added there) or "
            "a YAML file (default: aws for AWS-looking peers)"
        ),
    )
    parser.add_argument(
        "--playbooks", type=Path, metavar="DIR", help="use the playbooks in DIR (validated)"
    )
    add_debug_arguments(parser)
    live = parser.add_argument_group("live connection")
    live.add_argument("--port", type=int, default=22, help="SSH port (default 22)")
    live.add_argument("--username", help="SSH user (default: $VPN_DOCTOR_USERNAME or yours)")
    live.add_argument("--save", metavar="DIR", help="also save the collected snapshot to DIR")
    live.add_argument(
        "--packet-tracer",
        action="store_true",
        help=(
            "also run packet-tracer for the tunnel's traffic (built from its crypto ACL): "
            "does it match the crypto map, is it NATed first (simulates; may start the tunnel)"
        ),
    )
    live.add_argument("--timeout", type=float, default=10.0, metavar="S", help="(default 10)")
    live.add_argument("--strict-host-key", action="store_true", help="refuse unknown host keys")
    live.add_argument("--known-hosts", type=Path, metavar="FILE", help="known_hosts file")
    _add_secret_options(parser)
    parser.set_defaults(handler=run_diagnose)

    explain_parser = subparsers.add_parser(
        "explain",
        help="explain an IKE state, syslog message or finding code (offline)",
        description="What a state, %%ASA message id or finding code means, its causes and fixes.",
        epilog=EXPLAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    explain_parser.add_argument("term", metavar="TERM")
    explain_parser.add_argument("--format", choices=("text", "json"), default="text")
    explain_parser.set_defaults(handler=run_explain)


def _add_secret_options(parser: argparse.ArgumentParser) -> None:
    from vpn_doctor.cli import collect as cli_collect

    cli_collect._add_secret_options(parser)


# ---- diagnose --------------------------------------------------------------------------------


def _load_profile(value: str | None) -> PeerProfile | None:
    """--profile NAME|FILE through profiles.load_profile (validated; a name is looked up in
    the profiles directory, so a user's own profiles/<name>.yaml works by name)."""
    if not value:
        return None
    from vpn_doctor.diagnose.profiles import available_profiles, load_profile

    try:
        return load_profile(value)
    except InputError as exc:
        known = ", ".join(available_profiles()) or "aws"
        raise InputError(f"--profile {value}: {exc.message} (known: {known})") from exc


def _read_lines(path: Path) -> tuple[str, ...]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"--log {path}: {exc.strerror or exc}") from exc
    return tuple(line.rstrip() for line in text.splitlines() if line.strip())


def _snapshot_from_args(args: argparse.Namespace, profile: PeerProfile | None = None) -> Snapshot:
    sources = [name for name in ("host", "snapshot", "from_log") if getattr(args, name)]
    if len(sources) != 1:
        raise InputError("give exactly one of HOST, --snapshot DIR or --from-log FILE")
    if args.snapshot:
        from vpn_doctor.collect.snapshot import load_snapshot

        return load_snapshot(args.snapshot)
    if args.from_log:
        from vpn_doctor.collect.terminal_log import read_terminal_log

        return read_terminal_log(args.from_log)
    if getattr(args, "packet_tracer", False) and not args.host:
        raise InputError("--packet-tracer runs on a live device: give HOST")
    return _collect_live(args, profile)


def _collect_live(args: argparse.Namespace, profile: PeerProfile | None = None) -> Snapshot:
    """Log in and collect: box-wide DIAGNOSE_COMMANDS plus the crypto ACLs (and the
    certificates when a tunnel uses them), or with --peer the peer rounds (peer_first_round /
    peer_second_round / peer_certificate_round); then packet-tracer when asked.
    Save the snapshot (even a partial one) on --save."""
    from dataclasses import replace

    from vpn_doctor.cli.collect import _settings
    from vpn_doctor.collect.collector import collect, validate_peer
    from vpn_doctor.collect.debug.capture import (
        DebugCaptureInterrupted,
        DebugLeftOn,
        attach_to_snapshot,
    )
    from vpn_doctor.collect.driver import AsaSession
    from vpn_doctor.collect.snapshot import check_save_target, save_snapshot
    from vpn_doctor.models import Snapshot

    save_dir = Path(args.save) if args.save else None
    if save_dir is not None:
        check_save_target(save_dir)
    settings = _settings(args)
    peer = validate_peer(args.peer) if args.peer else None
    snapshot = Snapshot(outputs={})
    try:
        with AsaSession(settings) as session:
            if peer:
                snapshot = collect(session, None, peer_first_round(peer))
                snapshot = _more(
                    session, snapshot, peer_second_round(peer, snapshot, profile=profile)
                )
                snapshot = _more(session, snapshot, peer_certificate_round(peer, snapshot))
            else:
                snapshot = collect(session, None, DIAGNOSE_COMMANDS)
                acls = [f"{SHOW_RUN_ACCESS_LIST} {a}" for a in _crypto_acls(snapshot)]
                certs = [SHOW_CRYPTO_CA_CERTIFICATES] if uses_certificates(snapshot) else []
                snapshot = _more(session, snapshot, [*acls, *certs])
            if getattr(args, "packet_tracer", False):
                snapshot = _more(session, snapshot, packet_tracer_commands(snapshot, peer))
            if args.debug is not None:
                snapshot = _capture_debug(args, session, settings, snapshot, peer)
    except CollectionInterrupted as exc:
        partial = Snapshot(outputs={**snapshot.outputs, **exc.snapshot.outputs})
        if save_dir is not None and partial.outputs:
            save_snapshot(replace(exc.snapshot, outputs=partial.outputs), save_dir)
            print(f"vpn-doctor: partial snapshot saved to {save_dir}", file=sys.stderr)
        raise
    except (DebugCaptureInterrupted, DebugLeftOn) as exc:
        # Debug stopped early (or could not be undone): keep every line read so far.
        if save_dir is not None:
            save_snapshot(attach_to_snapshot(replace(snapshot, peer=peer), exc.capture), save_dir)
            print(f"vpn-doctor: partial snapshot saved to {save_dir}", file=sys.stderr)
        raise
    if peer:
        snapshot = replace(snapshot, peer=peer)
    if save_dir is not None:
        save_snapshot(snapshot, save_dir)
    return snapshot


def _check_debug_request(args: argparse.Namespace) -> None:
    """Refuse a bad --debug request before logging in: offline sources have no device to
    debug, and a debug without a peer condition needs --debug-all-peers."""
    from vpn_doctor.collect.debug.capture import DebugUsageError

    if args.debug is None:
        if getattr(args, "trigger", None) is not None:
            raise DebugUsageError("--trigger only makes sense with --debug SECONDS")
        return
    if not args.host:
        raise DebugUsageError("--debug needs a live HOST (not --snapshot / --from-log)")
    options = options_from_args(args)  # validates the bounds now
    if options.peer is None and not options.all_peers:
        raise DebugUsageError(
            "refusing to run a crypto debug without a peer condition on a production "
            "firewall: give --peer IP, or --debug-all-peers to debug every peer"
        )


def _capture_debug(
    args: argparse.Namespace, session: Any, settings: Any, snapshot: Snapshot, peer: str | None
) -> Snapshot:
    """Run the conditional debug on the live session and add its lines to the snapshot.

    A bare --trigger sends the tunnel's interesting traffic (packet-tracer built from the
    crypto ACL) once debug is on, so a down tunnel tries to come up during the capture.
    """
    from vpn_doctor.collect.debug.capture import attach_to_snapshot

    traces = packet_tracer_commands(snapshot, peer) if args.trigger == AUTO_TRIGGER else []
    capture = run_debug_from_args(
        args,
        session,
        settings,
        trigger_command=traces[0] if traces else None,
        asa_version=snapshot.device.version or snapshot.outputs.get("show version"),
    )
    return attach_to_snapshot(snapshot, capture)


def _more(session: Any, snapshot: Snapshot, commands: Sequence[str]) -> Snapshot:
    """Another collection round on the same session, merged into ``snapshot``."""
    from dataclasses import replace

    from vpn_doctor.collect.collector import collect

    todo = [c for c in dict.fromkeys(commands) if c not in snapshot.outputs]
    if not todo:
        return snapshot
    extra = collect(session, None, todo)
    return replace(snapshot, outputs={**snapshot.outputs, **extra.outputs})


PACKET_TRACER_LIMIT = 10  # without --peer: at most this many crypto map peers are traced


def packet_tracer_commands(snapshot: Snapshot, peer: str | None) -> list[str]:
    """The packet-tracer runs for ``peer`` (or the first peer of each static crypto map entry,
    at most PACKET_TRACER_LIMIT), built from the collected configuration; none when the crypto
    ACL gives no literal flow."""
    from vpn_doctor.diagnose.packet_tracer import build_packet_tracer_command
    from vpn_doctor.parse.config.sections import parse_crypto_config

    config = parse_crypto_config(dict(snapshot.outputs))
    peers = [peer] if peer else [e.peers[0] for e in config.crypto_maps if e.peers]
    built = (build_packet_tracer_command(config, p) for p in dict.fromkeys(peers))
    return [c for c in built if c][:PACKET_TRACER_LIMIT]


def _acl_names(entries: Sequence[Any]) -> list[str]:
    names = [entry.match_address for entry in entries]
    return sorted({name for name in names if re.fullmatch(r"[A-Za-z0-9_.\-]+", name or "")})


def _crypto_acls(snapshot: Snapshot) -> list[str]:
    """Names of the crypto ACLs (`match address`) in the collected crypto map."""
    from vpn_doctor.parse.config.sections import parse_crypto_map

    text = snapshot.outputs.get(SHOW_RUN_CRYPTO_MAP, "")
    return _acl_names(parse_crypto_map(text).records)


def _playbooks(args: argparse.Namespace) -> PlaybookSet | None:
    from vpn_doctor.diagnose.playbook import load_playbooks

    return load_playbooks(args.playbooks) if args.playbooks else None


def render(report: DiagnosisReport, fmt: str) -> None:
    """Print the report in the chosen format."""
    if fmt == "json":
        from vpn_doctor.report.formats import render_json

        sys.stdout.write(render_json(report))
    elif fmt == "markdown":
        from vpn_doctor.report.formats import render_markdown

        sys.stdout.write(render_markdown(report))
    else:
        from vpn_doctor.report.rich_view import render_rich

        render_rich(report)


def run_diagnose(args: argparse.Namespace) -> int:
    """`vpn-doctor diagnose`: the report's exit code (0/1/2/3)."""
    from vpn_doctor.collect.collector import validate_peer
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.models import Snapshot
    from vpn_doctor.parse.device import parse_snapshot

    peer = validate_peer(args.peer) if args.peer else None
    profile = _load_profile(args.profile)
    playbooks = _playbooks(args)  # a bad playbook fails before we log in
    _check_debug_request(args)
    snapshot = _snapshot_from_args(args, profile)
    if args.log:
        snapshot = Snapshot(
            outputs=snapshot.outputs,
            debug_lines=snapshot.debug_lines + _read_lines(args.log),
            device=snapshot.device,
            peer=snapshot.peer,
            collected_at=snapshot.collected_at,
            source=snapshot.source,
        )
    state = parse_snapshot(snapshot)
    report = diagnose(state, peer, profile=profile, debug_peer=snapshot.peer, playbooks=playbooks)
    render(report, args.format)
    return report.exit_code()


# ---- explain ---------------------------------------------------------------------------------


def _catalogue_entry(term: str) -> dict[str, Any] | None:
    """A finding code explained from the playbook catalogue (when explain.py has no entry)."""
    from vpn_doctor.diagnose.engine import default_playbooks

    entry = default_playbooks().catalogue.get(term.strip().upper())
    if entry is None:
        return None
    return {
        "key": entry.code,
        "kind": "finding",
        "title": entry.title,
        "meaning": entry.meaning,
        "checks": list(entry.checks),
        "remediation": list(entry.remediation),
    }


def run_explain(args: argparse.Namespace) -> int:
    """`vpn-doctor explain TERM`: 0 when known, 17 (bad input) when not.

    Plain text (or JSON), never rich, on a terminal too: it is a lookup people run often and
    pipe into other tools, so it must start at once (rich alone costs more than the lookup)
    and print the same bytes wherever it goes. tests/test_startup.py keeps it that way.
    """
    from vpn_doctor.diagnose.explain import explain

    found = explain(args.term)
    data: dict[str, Any] | None
    if found is not None:
        data = {
            "key": found.key,
            "kind": found.kind,
            "title": found.title,
            "role": found.role,
            "meaning": found.meaning,
            "confidence": found.confidence,
            "causes": list(found.causes),
            "checks": list(found.checks),
            "remediation": list(found.remediation),
            "related": list(found.related),
        }
    else:
        data = _catalogue_entry(args.term)
    if data is None:
        print(f"vpn-doctor: nothing known about {args.term!r}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return ExitCode.OK
    print(f"{data['key']} ({data['kind']}): {data['title']}")
    if data.get("role"):
        print(f"  role: {data['role']}")
    print()
    print(data["meaning"])
    for label, key in (
        ("Likely causes", "causes"),
        ("Checks (read-only)", "checks"),
        ("Remediation (never applied by vpn-doctor)", "remediation"),
        ("Related findings", "related"),
    ):
        if data.get(key):
            print(f"\n{label}:")
            for item in data[key]:
                print(f"  - {item}")
    return ExitCode.OK
