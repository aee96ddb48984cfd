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
import gc
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpn_doctor.asa.commands import (
    DEFAULT_COLLECTION,
    SHOW_CRYPTO_CA_CERTIFICATES,
    SHOW_RUN_ACCESS_LIST,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_NAMES,
    SHOW_RUN_NAT,
    SHOW_RUN_SLA_MONITOR,
    SHOW_RUN_TUNNEL_GROUP,
    logging_filter,
    peer_filtered_commands,
)
from vpn_doctor.cli.debug_options import (
    AUTO_TRIGGER,
    add_debug_arguments,
    options_from_args,
    refuse_debug_on_standby,
    run_debug_from_args,
)
from vpn_doctor.cli.login_options import add_login_options, settings_from_args
from vpn_doctor.collect.signals import Terminated
from vpn_doctor.errors import (
    CollectionInterrupted,
    ExitCode,
    InputError,
    UsageError,
    VpnDoctorError,
)

if TYPE_CHECKING:
    from vpn_doctor.diagnose.findings import DiagnosisReport
    from vpn_doctor.diagnose.playbook import PlaybookSet
    from vpn_doctor.diagnose.profiles import PeerProfile
    from vpn_doctor.models import Snapshot

# Live collection for a diagnosis: the default show commands plus the configuration the
# playbooks and the configuration checks use (crypto map and policies, tunnel-groups, NAT,
# sla monitor, VTIs) and the log; a second round adds the crypto ACLs the crypto map names,
# a third the routes of their networks (never the full table: route_round.py). All
# read-only and allow-listed; pre-shared keys are masked by collect().
DIAGNOSE_COMMANDS: tuple[str, ...] = (
    *DEFAULT_COLLECTION,
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_TUNNEL_GROUP,
    SHOW_RUN_NAT,
    SHOW_RUN_SLA_MONITOR,
    "show running-config interface",
    SHOW_RUN_NAMES,
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
        SHOW_RUN_NAMES,
        logging_filter(peer),
    )


def peer_second_round(
    peer: str, snapshot: Snapshot, *, profile: PeerProfile | None = None
) -> tuple[str, ...]:
    """`diagnose --peer`, round 2: only the configuration the peer's crypto map entries make
    relevant: their crypto ACLs, the IKE version(s) they use, transform sets, tunnel-groups,
    NAT (NAT exemption), sla monitor for a peer that may not initiate (two peers on the entry,
    an AWS-sample name, or a profile saying so) and the interfaces when no crypto map entry
    names the peer (a VTI). The routes follow in a round of their own (route_round.py)."""
    from vpn_doctor.parse.config.sections import parse_crypto_map

    text = snapshot.outputs.get(SHOW_RUN_CRYPTO_MAP, "")
    entries = [e for e in parse_crypto_map(text).records if not e.is_dynamic and peer in e.peers]
    versions = {v for e in entries for v in e.ike_versions} or {1, 2}
    commands = [f"{SHOW_RUN_ACCESS_LIST} {name}" for name in _acl_names(entries)]
    commands += [SHOW_RUN_CRYPTO_IKEV1] if 1 in versions else []
    commands += [SHOW_RUN_CRYPTO_IKEV2] if 2 in versions else []
    commands += [SHOW_RUN_CRYPTO_IPSEC, SHOW_RUN_TUNNEL_GROUP, SHOW_RUN_NAT]
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
  # shipped: aws, azure (VPN Gateway), gcp (Cloud VPN, IKEv2), gcp-ikev1 (Cloud VPN, IKEv1)
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
    from vpn_doctor.cli.guide import add_guide_arguments
    from vpn_doctor.cli.sampling import add_sampling_arguments

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
    parser.add_argument(
        "--peer",
        metavar="IP|NAME",
        help="diagnose only this tunnel peer (an address, or an ASA name from `names`)",
    )
    parser.add_argument(
        "--log",
        type=Path,
        metavar="FILE",
        help="extra debug/syslog lines to consider (one per line)",
    )
    parser.add_argument(
        "--format",
        choices=("rich", "json", "markdown", "html"),
        default="rich",
        help=(
            "output format (default rich: colours on a terminal, plain full-width text when "
            "stdout is not one); html is one self-contained file to attach to a ticket"
        ),
    )
    parser.add_argument(
        "--all",
        action="store_true",
        dest="all_details",
        help="details for every tunnel (default: only for the tunnels that are not healthy)",
    )
    parser.add_argument(
        "--only-problems",
        action="store_true",
        help="leave the healthy tunnels out of every format (summary, details, JSON)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME|FILE",
        help=(
            "expected peer profile: a name from profiles/ (aws, azure, gcp, gcp-ikev1, or a "
            "file you added there) or a YAML file (default: aws for AWS-looking peers)"
        ),
    )
    parser.add_argument(
        "--playbooks", type=Path, metavar="DIR", help="use the playbooks in DIR (validated)"
    )
    add_debug_arguments(parser)
    add_sampling_arguments(parser)
    add_guide_arguments(parser)
    live = parser.add_argument_group("live connection")
    live.add_argument(
        "--save",
        metavar="DIR",
        help="also save what was read as a snapshot directory (live or --from-log)",
    )
    live.add_argument(
        "--packet-tracer",
        action="store_true",
        help=(
            "also run packet-tracer for the tunnel's traffic (built from its crypto ACL): "
            "does it match the crypto map, is it NATed first (simulates; may start the tunnel)"
        ),
    )
    add_login_options(parser)
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


# ---- diagnose --------------------------------------------------------------------------------


def _load_profile(value: str | None) -> PeerProfile | None:
    """--profile NAME|FILE through profiles.load_profile (validated; a name is looked up in
    the profiles directory, so a user's own profiles/<name>.yaml works by name)."""
    from vpn_doctor.diagnose.profiles import available_profiles, load_profile

    if not value:
        return None
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
    from vpn_doctor.masking import mask_secrets

    return tuple(line.rstrip() for line in mask_secrets(text).splitlines() if line.strip())


def _snapshot_from_args(args: argparse.Namespace, profile: PeerProfile | None = None) -> Snapshot:
    sources = [name for name in ("host", "snapshot", "from_log") if getattr(args, name)]
    if len(sources) != 1:
        raise UsageError("give exactly one of HOST, --snapshot DIR or --from-log FILE")
    if args.snapshot:
        from vpn_doctor.collect.snapshot import load_snapshot

        return load_snapshot(args.snapshot)
    if args.from_log:
        from vpn_doctor.collect.terminal_log import read_terminal_log

        return read_terminal_log(args.from_log)
    if getattr(args, "packet_tracer", False) and not args.host:
        raise UsageError("--packet-tracer runs on a live device: give HOST")
    return _collect_live(args, profile)


ACL_ROUND_TRIPS = 4  # box-wide: more crypto ACLs than this -> one `show running-config access-list`


def collect_for_diagnosis(
    session: Any,
    peer: str | None,
    profile: PeerProfile | None = None,
    *,
    progress: Any = None,
) -> Snapshot:
    """Everything `diagnose` reads, from a live session: box-wide DIAGNOSE_COMMANDS plus the
    crypto ACLs (and the certificates when a tunnel uses them), or with ``peer`` the peer
    rounds (peer_first_round / peer_second_round / peer_certificate_round). `collect` runs
    the same, so `collect` then `diagnose --snapshot` gives the live answer. On a failure
    part-way the CollectionInterrupted carries every output of every round so far."""
    from dataclasses import replace

    from vpn_doctor.cli.route_round import route_commands
    from vpn_doctor.collect.collector import collect

    if peer:
        snapshot = collect(session, None, peer_first_round(peer), progress=progress)
        second = peer_second_round(peer, snapshot, profile=profile)
        snapshot = _more(session, snapshot, second, progress)
        snapshot = _more(session, snapshot, route_commands(snapshot, peer), progress)
        snapshot = _more(session, snapshot, peer_certificate_round(peer, snapshot), progress)
        return replace(snapshot, peer=peer)
    snapshot = collect(session, None, DIAGNOSE_COMMANDS, progress=progress)
    names = _crypto_acls(snapshot)
    # One round trip per crypto ACL is cheap for a few tunnels; past ACL_ROUND_TRIPS the
    # whole access-list configuration in one output costs less than the round trips.
    acls = [f"{SHOW_RUN_ACCESS_LIST} {a}" for a in names]
    if len(acls) > ACL_ROUND_TRIPS:
        acls = [SHOW_RUN_ACCESS_LIST]
    certs = [SHOW_CRYPTO_CA_CERTIFICATES] if uses_certificates(snapshot) else []
    snapshot = _more(session, snapshot, [*acls, *certs], progress)
    # The routes of the crypto ACLs' networks only, never the whole table (route_round.py).
    return _more(session, snapshot, route_commands(snapshot), progress)


def _collect_live(args: argparse.Namespace, profile: PeerProfile | None = None) -> Snapshot:
    """Log in and collect (collect_for_diagnosis), then packet-tracer and debug when asked.
    Save the snapshot (even a partial one, marked so in meta.yaml) on --save."""
    from dataclasses import replace

    from vpn_doctor.addresses import is_ip
    from vpn_doctor.cli.guide import guide_live, guide_wanted
    from vpn_doctor.cli.route_round import LOCAL_ROUTES
    from vpn_doctor.cli.sampling import sample_session
    from vpn_doctor.collect.collector import collect, resolve_peer_name, validate_peer_or_name
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
    settings = settings_from_args(args)
    peer = validate_peer_or_name(args.peer) if args.peer else None
    snapshot = Snapshot(outputs={})
    record = None
    try:
        with AsaSession(settings) as session:
            if args.debug is not None:
                refuse_debug_on_standby(session, settings.host)
            if peer and not is_ip(peer):  # `--peer NAME`: resolve it on the device first
                snapshot = collect(session, None, (SHOW_RUN_NAMES,))
                peer = resolve_peer_name(peer, snapshot.outputs.get(SHOW_RUN_NAMES, ""))
            snapshot = collect_for_diagnosis(session, peer, profile)
            if getattr(args, "packet_tracer", False):
                snapshot = _more(session, snapshot, [LOCAL_ROUTES])
                snapshot = _more(session, snapshot, packet_tracer_commands(snapshot, peer))
            if getattr(args, "samples", 1) > 1:
                snapshot = sample_session(session, snapshot, peer, args.samples, args.interval)
            if args.debug is not None:
                snapshot = _capture_debug(args, session, settings, snapshot, peer)
            if guide_wanted(args):  # issue 18: offer the next step on this same session
                snapshot, record = guide_live(args, session, settings, snapshot, peer, profile)
    except CollectionInterrupted as exc:
        partial = replace(
            exc.snapshot, outputs={**snapshot.outputs, **exc.snapshot.outputs}, peer=peer
        )
        raise _Stopped(_save_partial(partial, save_dir, exc.message), exc) from exc
    except (DebugCaptureInterrupted, DebugLeftOn) as exc:
        # Debug stopped early (or could not be undone): keep every line read so far.
        partial = attach_to_snapshot(replace(snapshot, peer=peer), exc.capture)
        reason = f"debug capture stopped early: {exc}"
        raise _Stopped(_save_partial(partial, save_dir, reason), exc) from exc
    except Terminated as exc:  # SIGTERM/SIGHUP between two commands
        partial = replace(snapshot, peer=peer)
        stop = CollectionInterrupted(
            f"{exc} after {len(snapshot.outputs)} commands",
            snapshot=partial,
            exit_code=exc.exit_code,
            host=settings.host,
        )
        raise _Stopped(_save_partial(partial, save_dir, str(exc)), stop) from exc
    if peer:
        snapshot = replace(snapshot, peer=peer)
    if save_dir is not None:
        save_snapshot(snapshot, save_dir)
        if record is not None:
            record.write(save_dir)
    return snapshot


class _Stopped(Exception):
    """Live collection stopped early (session drop, Ctrl-C, SIGTERM/SIGHUP, debug problem):
    what was collected (already saved when --save was given) and why, so run_diagnose can
    still print the diagnosis of what was collected, marked partial (issue 13)."""

    def __init__(self, snapshot: Snapshot, cause: VpnDoctorError) -> None:
        super().__init__(str(cause))
        self.snapshot = snapshot
        self.cause = cause


def _save_partial(partial: Snapshot, save_dir: Path | None, reason: str) -> Snapshot:
    """Save a partial snapshot on --save (meta.yaml says why) and say where; returns it."""
    from vpn_doctor.collect.snapshot import save_snapshot

    if save_dir is not None and (partial.outputs or partial.debug_lines):
        save_snapshot(partial, save_dir, partial=reason or "collection stopped early")
        print(
            f"vpn-doctor: partial snapshot ({len(partial.outputs)} commands, "
            f"{len(partial.debug_lines)} debug lines) saved to {save_dir}",
            file=sys.stderr,
        )
    return partial


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


def _more(
    session: Any, snapshot: Snapshot, commands: Sequence[str], progress: Any = None
) -> Snapshot:
    """Another collection round on the same session, merged into ``snapshot``."""
    from dataclasses import replace

    from vpn_doctor.collect.collector import collect

    todo = [c for c in dict.fromkeys(commands) if c not in snapshot.outputs]
    if not todo:
        return snapshot
    try:
        extra = collect(session, None, todo, progress=progress)
    except CollectionInterrupted as exc:
        exc.snapshot = replace(snapshot, outputs={**snapshot.outputs, **exc.snapshot.outputs})
        raise
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


def _write_json(data: dict[str, Any], batch: int = 20_000) -> None:
    """Print ``data`` exactly as ``render_json`` formats it, in batches of encoder chunks.

    Why not ``render_json``: on a 20,000-tunnel hub the one-shot string and the list of
    millions of chunks it is joined from cost ~200 MB at the peak; streaming keeps the
    output byte-identical and the peak flat.
    """
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    chunks: list[str] = []
    for chunk in encoder.iterencode(data):
        chunks.append(chunk)
        if len(chunks) >= batch:
            sys.stdout.write("".join(chunks))
            chunks.clear()
    chunks.append("\n")
    sys.stdout.write("".join(chunks))


def render(report: DiagnosisReport, fmt: str, selection: Any = None) -> None:
    """Print the report in the chosen format; ``rich`` is plain full-width text when stdout
    is not a terminal (a log or a pipe keeps every line whole)."""
    if fmt == "json":
        from vpn_doctor.report.formats import to_json_dict

        _write_json(to_json_dict(report, selection))
    elif fmt == "markdown":
        from vpn_doctor.report.formats import render_markdown

        sys.stdout.write(render_markdown(report, selection))
    elif fmt == "html":
        from vpn_doctor.report.html_view import render_html

        sys.stdout.write(render_html(report, selection))
    elif not sys.stdout.isatty():
        from vpn_doctor.report.text_view import render_text

        sys.stdout.write(render_text(report, selection))
    else:
        from vpn_doctor.report.rich_view import render_rich

        render_rich(report, selection=selection)


def source_kind(snapshot: Snapshot) -> str:
    """Contract 2 ``source``: live | snapshot | log (from Snapshot.source's prefix)."""
    kind = snapshot.source.split(":", 1)[0]
    return kind if kind in ("live", "snapshot", "log") else ""


def with_run_facts(report: DiagnosisReport, snapshot: Snapshot, host: str) -> DiagnosisReport:
    """The Contract 2 (2026-12) facts only the CLI knows: tool version, when and how the
    outputs were read, and what the user typed."""
    from dataclasses import replace

    from vpn_doctor import __version__

    return replace(
        report,
        tool_version=__version__,
        collected_at=snapshot.collected_at,
        source=source_kind(snapshot),
        host=host,
        context=snapshot.device.context or None,
    )


def _save_offline(args: argparse.Namespace, snapshot: Snapshot) -> None:
    """``--from-log F --save D``: keep what the log held as a snapshot directory."""
    if args.save and args.from_log:
        from vpn_doctor.collect.snapshot import save_snapshot

        save_snapshot(snapshot, Path(args.save))


def run_diagnose(args: argparse.Namespace) -> int:
    """`vpn-doctor diagnose`: the report's exit code (0/1/2/3)."""
    from dataclasses import replace

    from vpn_doctor.cli.guide import check_guide_request
    from vpn_doctor.cli.sampling import check_sampling_request
    from vpn_doctor.collect.collector import validate_peer_or_name
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.report.triage import Selection

    peer = validate_peer_or_name(args.peer) if args.peer else None
    profile = _load_profile(args.profile)
    playbooks = _playbooks(args)  # a bad playbook fails before we log in
    _check_debug_request(args)
    check_sampling_request(args)
    check_guide_request(args)
    if args.save and args.snapshot:
        raise UsageError("--save with --snapshot: the snapshot is already saved")
    if args.save and not args.host:
        from vpn_doctor.collect.snapshot import check_save_target

        check_save_target(Path(args.save))
    stopped: _Stopped | None = None
    try:
        snapshot = _snapshot_from_args(args, profile)
    except _Stopped as exc:  # diagnose what was collected, then exit with why it stopped
        stopped, snapshot = exc, exc.snapshot
    _save_offline(args, snapshot)
    profile = getattr(args, "guided_profile", None) or profile  # chosen in a guided step
    if args.log:
        snapshot = replace(snapshot, debug_lines=snapshot.debug_lines + _read_lines(args.log))
    from vpn_doctor.parse.device import parse_snapshot

    state = parse_snapshot(snapshot)
    # What exists now (modules, the parsed state) lives until the report is printed: keep it
    # out of the cyclic collector's reach meanwhile; on a hub, collections during diagnose
    # and rendering would otherwise rescan millions of parsed objects (bench/README.md).
    # Unfrozen afterwards, so a caller running main() in-process loses nothing.
    gc.freeze()
    try:
        report = diagnose(
            state, peer, profile=profile, debug_peer=snapshot.peer, playbooks=playbooks
        )
        if stopped is not None:
            report = replace(report, partial=True)
        typed = args.host or str(args.snapshot or args.from_log or "")
        report = with_run_facts(report, snapshot, typed)
        selection = Selection(all_details=args.all_details, only_problems=args.only_problems)
        render(report, args.format, selection)
    finally:
        gc.unfreeze()
    if stopped is not None:
        print(
            f"vpn-doctor: error: {stopped.cause} (the diagnosis above is partial)", file=sys.stderr
        )
        return stopped.cause.exit_code
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
    """`vpn-doctor explain TERM`: 0 when known, 64 (usage) when not."""
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
        print(f"vpn-doctor: error: nothing known about {args.term!r}", file=sys.stderr)
        return ExitCode.USAGE
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
