"""Diagnose every tunnel of one device: group the parsed state by peer, walk the playbooks.

``diagnose(state, peer=None, *, profile=None)`` is the whole public API. Steps:

1. Recognise debug/syslog lines (:func:`vpn_doctor.diagnose.messages.match_lines`) from the debug
   capture and any collected ``show logging`` output.
2. Find the peers: every address seen in the IKE SAs, IPsec SAs, vpn-sessiondb sessions and
   the recognised debug lines. ``peer`` filters to one; a requested peer with nothing at all
   still gets diagnosed (that is the "no SA" path, when the outputs are trustworthy).
   The first peer of every crypto map entry is diagnosed too (a configured tunnel with no SA
   is the IKE_NO_SA case); later peers of ``set peer A B`` are failover alternates, idle by
   design, and only appear when they have an SA or log lines.
3. Build a :class:`~vpn_doctor.diagnose.tunnel_context.TunnelContext` per peer (with the
   configuration issues :mod:`vpn_doctor.diagnose.checks.run` finds for it and the packet-tracer
   facts, see :mod:`vpn_doctor.diagnose.config_evidence`), walk the tree
   (:mod:`vpn_doctor.diagnose.conclude`),
   and order the findings (configuration that explains the state ranks first). When a finding
   other than the walk's leaf ranks first, the path gets a closing step saying which and why
   (:func:`vpn_doctor.diagnose.conclude.ranking_step`), so the path never ends on a contradicted
   leaf.

AWS peers are recognised from the configuration (a crypto map entry naming two peers with an
``any`` crypto ACL, as in AWS's sample; VTIs whose descriptions name the same AWS VPN) or from
0.0.0.0/0 proxies; such a peer is compared with the built-in AWS profile unless another
profile is given. Debug lines are evidence only for the peer they name
(:mod:`vpn_doctor.diagnose.attribution`); lines that name no peer go to the peer the capture
was conditioned on, or to the only tunnel the device shows at all; otherwise they are left
out and the report says so (never borrowed by ``--peer``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from vpn_doctor.addresses import is_ip, normalise_peer
from vpn_doctor.asa.commands import filtered_peer
from vpn_doctor.config_models import CryptoConfig, CryptoMapEntry
from vpn_doctor.diagnose import messages as debuglog
from vpn_doctor.diagnose.attribution import attribute, names_in
from vpn_doctor.diagnose.conclude import conclude, incomplete_finding, ranking_step, walk
from vpn_doctor.diagnose.config_evidence import packet_tracer_facts, tunnel_config_issues
from vpn_doctor.diagnose.device_findings import device_findings
from vpn_doctor.diagnose.findings import (
    DIAGNOSIS_INCOMPLETE,
    DiagnosisReport,
    Finding,
    TunnelDiagnosis,
    peer_sort_key,
)
from vpn_doctor.diagnose.naming import tunnel_names
from vpn_doctor.diagnose.peer_index import PeerIndex
from vpn_doctor.diagnose.peer_index import session_peer as _session_peer
from vpn_doctor.diagnose.playbook import PlaybookSet, load_playbooks
from vpn_doctor.diagnose.profiles import PeerProfile, shipped_profile
from vpn_doctor.diagnose.proposals import with_proposal_detail
from vpn_doctor.diagnose.timeline import Timeline, analyse, with_debug
from vpn_doctor.diagnose.tunnel_context import (
    ACTIVE_IKE_STATES,
    Evidence,
    PeerSummary,
    SourceStatus,
    TunnelContext,
    Undetermined,
    is_any_proxy,
)
from vpn_doctor.models import (
    DeviceState,
    ParseResult,
    ParseStatus,
    TunnelSample,
)


@lru_cache(maxsize=1)
def default_playbooks() -> PlaybookSet:
    """The shipped playbooks, loaded and validated once per process."""
    return load_playbooks()


def diagnose(
    state: DeviceState,
    peer: str | None = None,
    *,
    profile: PeerProfile | None = None,
    debug_peer: str | None = None,
    playbooks: PlaybookSet | None = None,
    timelines: Mapping[str, Timeline] | None = None,
) -> DiagnosisReport:
    """Diagnose the tunnels in ``state`` (only ``peer`` when given).

    ``profile`` is the expected-peer profile to compare against (default: AWS for peers that
    look like AWS, none otherwise); ``debug_peer`` is the peer a debug capture was
    conditioned on (lines naming no peer are attributed to it). ``timelines`` (peer ->
    :class:`~vpn_doctor.diagnose.timeline.Timeline`) are what several samples showed: the
    walk then judges traffic on the window and can see flapping; ``state`` is the last sample.
    """
    book = playbooks or default_playbooks()
    if state.role == "standby":
        return _standby_report(state, book)
    aliases = _aliases(state)
    requested = _resolve(peer, aliases) if peer else None
    state = _with_canonical_peers(state, aliases)
    lines = _debug_lines(state)
    evidence = [
        replace(ev, peer=aliases.get(ev.peer, ev.peer)) if ev.peer else ev for ev in _match(lines)
    ]
    crypto = _crypto_config(state, aliases)
    timelines = {**_sampled_timelines(state, lines), **(timelines or {})}
    peers = _discover(state, evidence, lines, crypto, aliases)
    peers += [peer for peer in timelines if peer not in peers]  # sampled, now without any SA
    notes: list[str] = []
    unmatched = _unmatched_names(state, peers)
    if unmatched:
        peers = [p for p in peers if p not in unmatched]
        notes.append(
            "printed by name without an IKE SA, and no SPI ties it to an IKEv2 SA "
            f"printed by address (not diagnosed twice): {', '.join(unmatched)}"
        )
    remote_access = _remote_access_peers(state, peers)
    if remote_access:
        peers = [p for p in peers if p not in remote_access]
        notes.append(
            "remote-access / EzVPN SAs, not site-to-site tunnels (listed, not walked): "
            + ", ".join(remote_access)
        )
    known = list(peers)
    if requested:
        peers = [requested]
    condition = _resolve(debug_peer, aliases) if debug_peer else None
    if condition is None and len(known) == 1:
        # The outputs and every line show one tunnel only: as good as a condition on it.
        condition = known[0]
    by_peer, unattributed = _attribute(lines, evidence, peers, condition, aliases, known)
    if unattributed:
        notes.append(
            f"{len(unattributed)} debug/syslog line(s) name no peer and the capture was not "
            "conditioned on one (debug crypto condition peer X): reported as unattributed, "
            "not used"
        )
    if not peers:
        notes.append(
            "no site-to-site tunnel in the outputs (only remote-access SAs)"
            if remote_access
            else "no tunnel found in the outputs (no IKE/IPsec SA, session or log line)"
        )
    index = PeerIndex(state)  # one per call: linear on hubs, nothing shared between threads
    vti = _vti_groups(crypto)
    summaries = {p: _summary(index, p, by_peer.get(p, ([], []))[0]) for p in peers}
    # IKE SAs still printed by a name after `names` resolution (none collected): see _ike_source.
    ikev2_cut = _ikev2_section_cut(state)  # read once: the output is megabytes on a hub
    printed_names = tuple(
        sorted({sa.peer for sa in state.ike_sas.records if not is_ip(normalise_peer(sa.peer))})
    )
    tunnels = []
    for name in sorted(peers, key=peer_sort_key):
        attributed = by_peer.get(name, ([], []))
        ctx = _context(
            state,
            index,
            vti,
            name,
            attributed,
            crypto,
            profile,
            summaries,
            printed_names,
            ikev2_cut,
        )
        timeline = timelines.get(name)
        if timeline is not None:
            ctx = replace(ctx, window=timeline.window)
            # watch --debug: this peer's recognised debug lines, where they arrived.
            timeline = with_debug(timeline, attributed[1], state.debug_times)
        result = walk(book, ctx)
        verdict, findings = conclude(book, ctx, result)
        findings = with_proposal_detail(ctx, findings)
        cut = _cut_off_ike_record(ctx)
        if cut is not None and verdict != "unknown":  # never a confident answer from half a record
            verdict = "unknown"
            findings = (incomplete_finding(book, ctx, cut), *findings)
        findings = findings + _partial_notes(book, ctx, findings)
        ranked = ranking_step(result, findings)
        names = tunnel_names(name, crypto, ctx.map_entries)
        tunnels.append(
            TunnelDiagnosis(
                peer=name,
                verdict=verdict,
                findings=findings,
                steps=(*result.steps, ranked) if ranked else result.steps,
                phase1=_phase1(ctx),
                phase2=_phase2(ctx),
                timeline=timeline.events if timeline is not None else (),
                name=names.label(name),
                names=names.as_dict(),
            )
        )
    return DiagnosisReport(
        hostname=state.device.hostname,
        version=state.device.version,
        tunnels=tuple(tunnels),
        notes=tuple(notes),
        device_findings=device_findings(state, book),
        role=state.role,
    )


def _standby_report(state: DeviceState, book: PlaybookSet) -> DiagnosisReport:
    """The standby unit holds no tunnel of its own: no tunnel verdict at all (every tunnel
    would look down, a confident wrong answer), only DEVICE_STANDBY_UNIT pointing at the
    active unit."""
    return DiagnosisReport(
        hostname=state.device.hostname,
        version=state.device.version,
        notes=(
            "standby unit of a failover pair: tunnels are not diagnosed here; run vpn-doctor "
            "against the active unit",
        ),
        device_findings=device_findings(state, book),
        role=state.role,
    )


# ---- inputs ---------------------------------------------------------------------------------


def _with_canonical_peers(state: DeviceState, aliases: dict[str, str]) -> DeviceState:
    """The state with aliased peer names replaced by their addresses (lines untouched)."""
    if not aliases:
        return state
    ike = tuple(
        replace(sa, peer=aliases.get(normalise_peer(sa.peer), sa.peer))
        for sa in state.ike_sas.records
    )
    ipsec = tuple(
        replace(sa, peer=aliases.get(normalise_peer(sa.peer), sa.peer))
        for sa in state.ipsec_sas.records
    )
    sessions = tuple(
        replace(s, ip_addr=aliases.get(normalise_peer(_session_peer(s)), _session_peer(s)))
        for s in state.sessions.records
    )
    return replace(
        state,
        ike_sas=replace(state.ike_sas, records=ike),
        ipsec_sas=replace(state.ipsec_sas, records=ipsec),
        sessions=replace(state.sessions, records=sessions),
    )


def _spi(value: str) -> str:
    return value.strip().lower().removeprefix("0x").lstrip("0")


def _aliases(state: DeviceState) -> dict[str, str]:
    """Peer names -> addresses, when the same tunnel is printed both ways.

    ``show running-config names`` maps each `name` to its address. Without it, with `names`
    configured, `show crypto ipsec sa` and the session print the name while the IKEv2 SA
    prints the address; the ESP SPIs tie them together (IKEv2 `ESP spi in/out` = the IPsec
    SA's inbound/outbound SPI), so one tunnel is not reported twice.
    """
    aliases: dict[str, str] = dict(state.config.names) if state.config else {}
    owner: dict[str, str] = {}
    for sa in state.ike_sas.records:
        for pair in sa.child_spis:
            for spi in pair.split("/"):
                owner[_spi(spi)] = aliases.get(normalise_peer(sa.peer), normalise_peer(sa.peer))
    for ipsec in state.ipsec_sas.records:
        for spi in (*ipsec.inbound_spis, *ipsec.outbound_spis):
            found = owner.get(_spi(spi))
            if found and found != normalise_peer(ipsec.peer):
                aliases.setdefault(normalise_peer(ipsec.peer), found)
    return aliases


def _sampled_timelines(state: DeviceState, log_lines: list[str]) -> dict[str, Timeline]:
    """The timeline of every sampled peer (``watch``, ``diagnose --samples``)."""
    by_peer: dict[str, list[TunnelSample]] = {}
    for sample in state.samples:
        by_peer.setdefault(sample.peer, []).append(sample)
    return {
        peer: analyse(peer, sorted(samples, key=lambda s: s.at), log_lines)
        for peer, samples in by_peer.items()
    }


def _resolve(peer: str, aliases: dict[str, str]) -> str:
    """A peer as given (address or `name`) -> the canonical key (the address when known)."""
    key = normalise_peer(peer)
    return aliases.get(key, key)


def _debug_lines(state: DeviceState) -> list[str]:
    """Debug capture plus any collected `show logging` output, de-duplicated, in order."""
    lines = [line for line in state.debug_lines if line.strip()]
    for command, text in state.raw.items():
        if " ".join(command.split()).startswith("show logging"):
            lines.extend(line for line in text.splitlines() if "%ASA-" in line or "[IKE" in line)
    return list(dict.fromkeys(line.rstrip() for line in lines))


def _match(lines: list[str]) -> list[Evidence]:
    """Recognise lines with the debuglog catalogue, adapted to our Evidence shape."""
    found: list[Evidence] = []
    for item in debuglog.match_lines(lines):
        pattern = item.pattern
        found.append(
            Evidence(
                pattern_id=pattern.id,
                line=item.line.rstrip(),
                title=pattern.title,
                meaning=pattern.meaning,
                implies=pattern.implies,
                phase=f"phase{pattern.phase}" if pattern.phase else "",
                strength=pattern.strength,
                confidence=str(pattern.confidence),
                peer=normalise_peer(item.peer) if item.peer else None,
            )
        )
    return found


def _crypto_config(state: DeviceState, aliases: dict[str, str]) -> CryptoConfig | None:
    """Parsed configuration, as the parse stage left it (diagnose never parses text), with
    crypto map peers printed by `name` replaced by their addresses."""
    config = state.config
    if config is None:
        return None
    if state.collected_at and not config.collected_at:
        config = replace(config, collected_at=state.collected_at)
    if aliases and any(p in aliases for e in config.crypto_maps for p in e.peers):
        entries = tuple(
            replace(e, peers=tuple(aliases.get(p, p) for p in e.peers)) for e in config.crypto_maps
        )
        config = replace(config, crypto_maps=entries)
    return config


def _records_peers(state: DeviceState) -> Iterable[str]:
    yield from (sa.peer for sa in state.ike_sas.records)
    yield from (sa.peer for sa in state.ipsec_sas.records)
    yield from (_session_peer(s) for s in state.sessions.records)


_CUT_ADDRESS = re.compile(r"^[\d.:]+$")


def _discover(
    state: DeviceState,
    evidence: list[Evidence],
    lines: list[str],
    crypto: CryptoConfig | None,
    aliases: dict[str, str],
) -> list[str]:
    # An address cut short by a truncated capture (`IKE Peer: 192`) is not a peer.
    peers = [
        p
        for p in (normalise_peer(r) for r in _records_peers(state) if r)
        if is_ip(p) or p in aliases or not _CUT_ADDRESS.match(p)
    ]
    peers += [ev.peer for ev in evidence if ev.peer]
    # The first peer of each crypto map entry: a configured tunnel with no SA is IKE_NO_SA.
    # Later peers of `set peer A B` are failover alternates, idle by design: not added.
    peers += [
        normalise_peer(entry.peers[0])
        for entry in (crypto.crypto_maps if crypto else ())
        if entry.peers and is_ip(entry.peers[0])  # an unresolvable `name`: left out
    ]
    # Route-based tunnels: a VTI's `tunnel destination` is as configured as a crypto map peer.
    peers += [
        normalise_peer(vti.destination)
        for vti in (crypto.tunnel_interfaces if crypto else ())
        if is_ip(vti.destination) and not vti.shutdown
    ]
    for line in lines:
        peers += names_in(line, aliases)
    return list(dict.fromkeys(aliases.get(p, p) for p in peers if p))


def _remote_access_peers(state: DeviceState, peers: list[str]) -> list[str]:
    """Peers whose every SA is a remote-access or EzVPN client (`Type : user`, a username or
    an assigned address in the IPsec SA, the `_vpnc_cm` map): not L2L, so not walked."""
    kinds: dict[str, set[bool]] = {}
    for ike in state.ike_sas.records:
        kinds.setdefault(normalise_peer(ike.peer), set()).add(ike.remote_access)
    for ipsec in state.ipsec_sas.records:
        kinds.setdefault(normalise_peer(ipsec.peer), set()).add(ipsec.remote_access)
    return [p for p in peers if kinds.get(p) == {True}]


def _unmatched_names(state: DeviceState, peers: list[str]) -> list[str]:
    """Names (not addresses) seen only in sessions/IPsec SAs while IKEv2 SAs are printed by
    address: most likely one of those IKEv2 tunnels under its `name`, so not a tunnel of its
    own (reporting it "no IKE SA" would be false)."""
    if not any(
        sa.ike_version == 2 and is_ip(normalise_peer(sa.peer)) for sa in state.ike_sas.records
    ):
        return []
    with_ike = {normalise_peer(sa.peer) for sa in state.ike_sas.records}
    sessions = {normalise_peer(_session_peer(s)) for s in state.sessions.records if s.ike}
    return [p for p in peers if not is_ip(p) and p not in with_ike and p in sessions]


def _attribute(
    lines: list[str],
    evidence: list[Evidence],
    peers: list[str],
    condition: str | None,
    aliases: dict[str, str],
    known: list[str],
) -> tuple[dict[str, tuple[list[str], list[Evidence]]], list[str]]:
    """Give each debug line and its evidence to the peer(s) it is about
    (:mod:`vpn_doctor.diagnose.attribution`); returns the unattributed lines too."""
    given = attribute(lines, peers, condition=condition, names=aliases, known=known)
    by_peer: dict[str, tuple[list[str], list[Evidence]]] = {
        p: (given.lines.get(p, []), []) for p in peers
    }
    for ev in evidence:
        for target in given.targets(ev.line):
            by_peer[target][1].append(ev)
    return by_peer, given.unattributed


# ---- per tunnel ---------------------------------------------------------------------------------


def _source(result: ParseResult[Any], peer: str) -> SourceStatus:
    """How far ``result`` can be trusted for ``peer``.

    An output the device filtered for another peer (`show crypto ipsec sa peer Y`) says
    nothing about this one: treat it as not collected, so an absent SA reads as "could not
    determine", never as "no IPsec SA".
    """
    covered = filtered_peer(result.command)
    if covered is not None and normalise_peer(covered) != peer:
        note = f"'{result.command}' covers peer {covered} only"
        return SourceStatus(result.command, ParseStatus.MISSING, (note,))
    return SourceStatus(result.command, result.status, result.warnings)


def _ike_source(
    state: DeviceState,
    peer: str,
    entries: tuple[CryptoMapEntry, ...],
    has_sa: bool,
    printed_names: tuple[str, ...],
    ikev2_cut: bool = False,
) -> SourceStatus:
    """As :func:`_source`, and partial for ``peer`` when the output cannot vouch that it has
    no IKE SA: SAs printed by an unresolved `name` (``printed_names``) may be its own, and a
    9.x `show crypto isakmp sa` whose IKEv2 half is missing (a cut capture: the IKEv1 section
    and nothing after it) says nothing about a peer that may run IKEv2."""
    status = _source(state.ike_sas, peer)
    if status.status not in (ParseStatus.OK, ParseStatus.EMPTY):
        return status
    if printed_names and is_ip(peer) and not has_sa:
        note = (
            f"IKE SAs printed by name ({', '.join(printed_names)}) may include {peer}: collect "
            "'show running-config names' to resolve them"
        )
        return SourceStatus(status.command, ParseStatus.PARTIAL, (*status.warnings, note))
    versions = {v for e in entries for v in e.ike_versions}
    if ikev2_cut and versions != {1}:
        note = f"'{status.command}': the IKEv2 section is missing (output cut?)"
        return SourceStatus(status.command, ParseStatus.PARTIAL, (*status.warnings, note))
    return status


def _ikev2_section_cut(state: DeviceState) -> bool:
    """A 9.x `show crypto isakmp sa` with its IKEv1 section and no IKEv2 one (see
    :func:`_ike_source`)."""
    text = state.raw.get(state.ike_sas.command, "")
    return "IKEv1 SAs" in text and "IKEv2" not in text


def _summary(index: PeerIndex, peer: str, lines: list[str]) -> PeerSummary:
    ike, ipsec, sessions = index.records(peer)
    phase1 = any(sa.state.upper() in ACTIVE_IKE_STATES for sa in ike)
    phase2 = bool(ipsec) or any(s.ipsec for s in sessions)
    state_lines = [line for sa in ike for line in sa.lines if "State" in line or peer in line]
    return PeerSummary(peer, phase1, phase2, tuple(state_lines + lines))


_AWS_VPN_ID = re.compile(r"(vpn-[0-9a-f]+)", re.IGNORECASE)
_VtiGroups = dict[str, list[tuple[str, list[str]]]]


def _vti_groups(crypto: CryptoConfig | None) -> _VtiGroups:
    """VTIs by the AWS VPN their description names: (tunnel destination, device lines).
    Read once per diagnosis from the parsed tunnel interfaces (a hub can have thousands)."""
    groups: _VtiGroups = {}
    for vti in crypto.tunnel_interfaces if crypto else ():
        vpn = _AWS_VPN_ID.search(vti.description)
        if vti.destination and vpn:
            shown = [
                ln.strip() for ln in vti.lines if "description" in ln or "tunnel destination" in ln
            ]
            groups.setdefault(vpn.group(1).lower(), []).append(
                (normalise_peer(vti.destination), shown)
            )
    return groups


def _vti_pairs(groups: _VtiGroups, peer: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Peers on VTIs whose descriptions name the same AWS VPN as ``peer``'s VTI, plus the
    device lines that show it (description and tunnel destination)."""
    for members in groups.values():
        if any(dest == peer for dest, _ in members):
            partners = tuple(dest for dest, _ in members if dest != peer)
            return partners, tuple(line for _, block in members for line in block)
    return (), ()


_AWS_NAME = re.compile(r"(?<![a-z])(?:amzn|aws)(?![a-z])", re.IGNORECASE)


def _aws_hints(
    index: PeerIndex,
    peer: str,
    crypto: CryptoConfig | None,
    vti_lines: tuple[str, ...],
    lines: Iterable[str] = (),
) -> tuple[str, ...]:
    """Device lines that make ``peer`` look like an AWS endpoint (see the module docstring):
    an AWS-sample crypto map (two peers with an ``any`` crypto ACL, or the sample's
    ``amzn``/``aws`` map or ACL name), VTI descriptions naming AWS, 0.0.0.0/0 proxies in the
    IPsec SAs or in the proposals the log shows rejected."""
    hints: list[str] = []
    if any("aws" in line.lower() for line in vti_lines):
        hints.extend(vti_lines)
    for entry in crypto.entries_for_peer(peer) if crypto else ():
        aces = crypto.acl(entry.match_address) if crypto else ()
        any_source = any(a.source.kind in ("any", "any4") for a in aces)
        named = bool(_AWS_NAME.search(f"{entry.map_name} {entry.match_address or ''}"))
        if (len(entry.peers) == 2 and any_source) or named:
            hints.extend(line for line in entry.lines if "set peer" in line)
            hints.extend(line for line in entry.lines if "match address" in line and named)
            hints.extend(line for a in aces for line in a.lines if any_source)
    _, ipsec, _ = index.records(peer)
    for sa in ipsec:
        if is_any_proxy(sa.remote_ident) and is_any_proxy(sa.local_ident):
            hints.extend(line for line in sa.lines if "ident" in line)
    hints.extend(
        line
        for line in lines
        if "remote proxy 0.0.0.0/0.0.0.0" in line and "local proxy 0.0.0.0/0.0.0.0" in line
    )
    return tuple(dict.fromkeys(hints))


def _context(
    state: DeviceState,
    index: PeerIndex,
    vti: _VtiGroups,
    peer: str,
    attributed: tuple[list[str], list[Evidence]],
    crypto: CryptoConfig | None,
    profile: PeerProfile | None,
    summaries: dict[str, PeerSummary],
    printed_names: tuple[str, ...] = (),
    ikev2_cut: bool = False,
) -> TunnelContext:
    ike, ipsec, sessions = index.records(peer)
    lines, evidence = attributed
    entries = crypto.entries_for_peer(peer) if crypto else ()
    failover = tuple(
        dict.fromkeys(p for e in entries for p in e.peers if normalise_peer(p) != peer)
    )
    pairs, vti_lines = _vti_pairs(vti, peer)
    hints = _aws_hints(index, peer, crypto, vti_lines, lines)
    expected = profile if profile is not None else (shipped_profile("aws") if hints else None)
    # A partner's state matters for the redundancy questions even when only this peer is
    # diagnosed (--peer): summarised on demand from the SA tables.
    others = tuple(
        summaries.get(p) or _summary(index, normalise_peer(p), []) for p in (*pairs, *failover)
    )
    trace_command, trace_facts = packet_tracer_facts(crypto, peer)
    return TunnelContext(
        peer=peer,
        ike_sas=tuple(ike),
        ipsec_sas=tuple(ipsec),
        sessions=tuple(sessions),
        evidence=tuple(evidence),
        debug_lines=tuple(lines),
        raw=dict(state.raw),
        sources={
            "ike": _ike_source(state, peer, entries, bool(ike), printed_names, ikev2_cut),
            "ipsec": _source(state.ipsec_sas, peer),
            "sessions": _source(state.sessions, peer),
        },
        crypto=crypto,
        map_entries=entries,
        profile=expected,
        aws_hints=hints,
        others=others,
        pairs=pairs,
        failover=failover,
        config_issues=tunnel_config_issues(crypto, peer, ipsec, expected),
        trace_facts=trace_facts,
        trace_command=trace_command,
    )


def _cut_off_ike_record(ctx: TunnelContext) -> Undetermined | None:
    """The peer's IKE SA record stops before its state line (an output cut short: a pasted
    log, a truncated file): the walk would read the missing state as "stuck"."""
    for sa in ctx.ike_sas:
        if not sa.state and not getattr(sa, "complete", True):
            status = ctx.sources.get("ike")
            command = status.command if status else "show crypto isakmp sa"
            return Undetermined(
                "ike", command, "partial", f"the IKE SA record for {ctx.peer} is cut off"
            )
    return None


def _partial_notes(
    book: PlaybookSet, ctx: TunnelContext, findings: tuple[Finding, ...]
) -> tuple[Finding, ...]:
    """An info finding when an output was only partly parsed (the walk may have missed SAs)."""
    if any(f.code == DIAGNOSIS_INCOMPLETE for f in findings):
        return ()
    partial = [s for s in ctx.sources.values() if s.status is ParseStatus.PARTIAL]
    if not partial:
        return ()
    entry = book.catalogue[DIAGNOSIS_INCOMPLETE]
    evidence = [f"{s.command}: partly parsed" for s in partial]
    evidence += [w for s in partial for w in s.warnings[:3]]
    return (
        Finding(
            code=DIAGNOSIS_INCOMPLETE,
            severity="info",
            title="Some output lines were not understood; SAs on them may be missing",
            meaning=entry.meaning,
            evidence=tuple(evidence),
            checks=tuple(c.replace("{peer}", ctx.peer) for c in entry.checks),
            confidence="possible",
            source="engine",
        ),
    )


# ---- Contract 2 phase summaries ---------------------------------------------------------------


def _phase1(ctx: TunnelContext) -> dict[str, Any]:
    sa = ctx.primary_ike
    status = ctx.sources.get("ike")
    data: dict[str, Any] = {
        "status": "up" if ctx.phase1_up else ("negotiating" if sa else "none"),
        "ike_version": sa.ike_version if sa else None,
        "state": sa.state if sa else "",
        "role": sa.role if sa else "",
        "sa_count": len(ctx.ike_sas),
        "parse_status": status.status.value if status else "missing",
    }
    if sa is not None:
        for key in ("encryption", "hash", "dh_group", "auth", "lifetime", "lifetime_remaining"):
            value = getattr(sa, key)
            if value not in ("", None):
                data[key] = value
    for session in ctx.sessions[:1]:
        for ike in session.ike[:1]:
            data["session"] = {
                "mode": ike.mode,
                "auth_mode": ike.auth_mode,
                "encryption": ike.encryption,
                "hashing": ike.hashing,
                "dh_group": ike.dh_group,
                "rekey_interval": ike.rekey_interval,
            }
    return data


def _phase2(ctx: TunnelContext) -> dict[str, Any]:
    status = ctx.sources.get("ipsec")
    sas = ctx.ipsec_sas
    return {
        "sa_count": len(sas),
        "session_sa_pairs": sum(len(s.ipsec) for s in ctx.sessions),
        "pkts_encaps": ctx.encaps,
        "pkts_decaps": ctx.decaps,
        "send_errors": sum(sa.send_errors for sa in sas),
        "recv_errors": sum(sa.recv_errors for sa in sas),
        "proxies": [
            {"local": str(sa.local_ident or ""), "remote": str(sa.remote_ident or "")} for sa in sas
        ],
        "pfs_group": next((sa.pfs_group for sa in sas if sa.pfs_group), ""),
        "transform": next((sa.transform for sa in sas if sa.transform), ""),
        "nat_t": any(sa.nat_t for sa in sas),
        "parse_status": status.status.value if status else "missing",
    }
