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
profile is given. Debug lines that name no peer go to the requested peer, else to the peer
the capture was conditioned on, else to the only tunnel; otherwise they are left out and the
report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from vpn_doctor.addresses import is_ip, normalise_peer
from vpn_doctor.asa.commands import filtered_peer
from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.diagnose import messages as debuglog
from vpn_doctor.diagnose.conclude import conclude, ranking_step, walk
from vpn_doctor.diagnose.config_evidence import packet_tracer_facts, tunnel_config_issues
from vpn_doctor.diagnose.findings import (
    DIAGNOSIS_INCOMPLETE,
    DiagnosisReport,
    Finding,
    TunnelDiagnosis,
    peer_sort_key,
)
from vpn_doctor.diagnose.naming import tunnel_names
from vpn_doctor.diagnose.playbook import PlaybookSet, load_playbooks
from vpn_doctor.diagnose.profiles import PeerProfile, shipped_profile
from vpn_doctor.diagnose.tunnel_context import (
    ACTIVE_IKE_STATES,
    Evidence,
    PeerSummary,
    SourceStatus,
    TunnelContext,
    is_any_proxy,
)
from vpn_doctor.models import DeviceState, IkeSa, IpsecSa, ParseResult, ParseStatus, VpnSession

_IP_IN_LINE = re.compile(
    r"(?:IP\s*=\s*|Remote:|IKE Peer:?\s*|current_peer:\s*)(\d{1,3}(?:\.\d{1,3}){3})"
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
) -> DiagnosisReport:
    """Diagnose the tunnels in ``state`` (only ``peer`` when given).

    ``profile`` is the expected-peer profile to compare against (default: AWS for peers that
    look like AWS, none otherwise); ``debug_peer`` is the peer a debug capture was
    conditioned on (lines naming no peer are attributed to it).
    """
    book = playbooks or default_playbooks()
    requested = normalise_peer(peer) if peer else None
    aliases = _aliases(state)
    state = _with_canonical_peers(state, aliases)
    lines = _debug_lines(state)
    evidence = [
        replace(ev, peer=aliases.get(ev.peer, ev.peer)) if ev.peer else ev for ev in _match(lines)
    ]
    crypto = _crypto_config(state)
    peers = _discover(state, evidence, lines, crypto)
    notes: list[str] = []
    unmatched = _unmatched_names(state, peers)
    if unmatched:
        peers = [p for p in peers if p not in unmatched]
        notes.append(
            "printed by name without an IKE SA, and no SPI ties it to an IKEv2 SA "
            f"printed by address (not diagnosed twice): {', '.join(unmatched)}"
        )
    if requested:
        peers = [requested]
    owner = requested or (normalise_peer(debug_peer) if debug_peer else None)
    if owner is None and len(peers) == 1:
        owner = peers[0]
    by_peer, orphans = _attribute(lines, evidence, peers, owner, aliases)
    if orphans:
        notes.append(f"{len(orphans)} debug/syslog line(s) name no known peer and were not used")
    if not peers:
        notes.append("no tunnel found in the outputs (no IKE/IPsec SA, session or log line)")
    summaries = {p: _summary(state, p, by_peer.get(p, ([], []))[0]) for p in peers}
    tunnels = []
    for name in sorted(peers, key=peer_sort_key):
        ctx = _context(state, name, by_peer.get(name, ([], [])), crypto, profile, summaries)
        result = walk(book, ctx)
        verdict, findings = conclude(book, ctx, result)
        findings = findings + _partial_notes(book, ctx, findings)
        ranked = ranking_step(result, findings)
        names = tunnel_names(name, crypto, ctx.map_entries, _interfaces_text(state))
        tunnels.append(
            TunnelDiagnosis(
                peer=name,
                verdict=verdict,
                findings=findings,
                steps=(*result.steps, ranked) if ranked else result.steps,
                phase1=_phase1(ctx),
                phase2=_phase2(ctx),
                name=names.label(name),
                names=names.as_dict(),
            )
        )
    return DiagnosisReport(
        hostname=state.device.hostname,
        version=state.device.version,
        tunnels=tuple(tunnels),
        notes=tuple(notes),
    )


# ---- inputs ---------------------------------------------------------------------------------


def _with_canonical_peers(state: DeviceState, aliases: dict[str, str]) -> DeviceState:
    """The state with aliased peer names replaced by their addresses (lines untouched)."""
    if not aliases:
        return state
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
        ipsec_sas=replace(state.ipsec_sas, records=ipsec),
        sessions=replace(state.sessions, records=sessions),
    )


def _spi(value: str) -> str:
    return value.strip().lower().removeprefix("0x").lstrip("0")


def _aliases(state: DeviceState) -> dict[str, str]:
    """Peer names -> addresses, when the same tunnel is printed both ways.

    With `names` configured, `show crypto ipsec sa` and the session print the name while the
    IKEv2 SA prints the address; the ESP SPIs tie them together (IKEv2 `ESP spi in/out` =
    the IPsec SA's inbound/outbound SPI), so one tunnel is not reported twice.
    """
    owner: dict[str, str] = {}
    for sa in state.ike_sas.records:
        for pair in sa.child_spis:
            for spi in pair.split("/"):
                owner[_spi(spi)] = normalise_peer(sa.peer)
    aliases: dict[str, str] = {}
    for ipsec in state.ipsec_sas.records:
        for spi in (*ipsec.inbound_spis, *ipsec.outbound_spis):
            found = owner.get(_spi(spi))
            if found and found != normalise_peer(ipsec.peer):
                aliases[normalise_peer(ipsec.peer)] = found
    return aliases


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


def _crypto_config(state: DeviceState) -> CryptoConfig | None:
    """Parsed configuration, as the parse stage left it (diagnose never parses text)."""
    config = state.config
    if config is None:
        return None
    if state.collected_at and not config.collected_at:
        return replace(config, collected_at=state.collected_at)
    return config


def _records_peers(state: DeviceState) -> Iterable[str]:
    yield from (sa.peer for sa in state.ike_sas.records)
    yield from (sa.peer for sa in state.ipsec_sas.records)
    yield from (_session_peer(s) for s in state.sessions.records)


def _session_peer(session: VpnSession) -> str:
    return session.ip_addr or session.connection


def _discover(
    state: DeviceState, evidence: list[Evidence], lines: list[str], crypto: CryptoConfig | None
) -> list[str]:
    peers = [normalise_peer(p) for p in _records_peers(state) if p]
    peers += [ev.peer for ev in evidence if ev.peer]
    # The first peer of each crypto map entry: a configured tunnel with no SA is IKE_NO_SA.
    # Later peers of `set peer A B` are failover alternates, idle by design: not added.
    peers += [
        normalise_peer(entry.peers[0])
        for entry in (crypto.crypto_maps if crypto else ())
        if entry.peers and is_ip(entry.peers[0])  # an unresolvable `name`: left out
    ]
    for line in lines:
        peers += [normalise_peer(m) for m in _IP_IN_LINE.findall(line)]
    return list(dict.fromkeys(p for p in peers if p))


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


def _mentions(line: str, peer: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(peer)}(?![\d])", line) is not None


def _attribute(
    lines: list[str],
    evidence: list[Evidence],
    peers: list[str],
    owner: str | None,
    aliases: dict[str, str],
) -> tuple[dict[str, tuple[list[str], list[Evidence]]], list[str]]:
    """Give each debug line / evidence to the peer(s) it names, or to ``owner``."""
    by_peer: dict[str, tuple[list[str], list[Evidence]]] = {p: ([], []) for p in peers}
    names = {p: [p, *(name for name, addr in aliases.items() if addr == p)] for p in peers}
    orphans: list[str] = []
    for line in lines:
        named = [p for p in peers if any(_mentions(line, n) for n in names[p])]
        targets = named or ([owner] if owner in by_peer else [])
        if not targets and owner is None:
            orphans.append(line)
        for target in targets:
            by_peer[target][0].append(line)
    for ev in evidence:
        peer = aliases.get(ev.peer, ev.peer) if ev.peer else None
        targets = (
            [peer]
            if peer in by_peer
            else [p for p in peers if any(_mentions(ev.line, n) for n in names[p])]
        )
        if not targets and owner is not None and owner in by_peer:
            targets = [owner]
        for target in targets:
            by_peer[target][1].append(ev)
    return by_peer, orphans


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


def _for_peer(state: DeviceState, peer: str) -> tuple[list[IkeSa], list[IpsecSa], list[VpnSession]]:
    ike = [sa for sa in state.ike_sas.records if normalise_peer(sa.peer) == peer]
    ipsec = [sa for sa in state.ipsec_sas.records if normalise_peer(sa.peer) == peer]
    sessions = [s for s in state.sessions.records if normalise_peer(_session_peer(s)) == peer]
    return ike, ipsec, sessions


def _summary(state: DeviceState, peer: str, lines: list[str]) -> PeerSummary:
    ike, ipsec, sessions = _for_peer(state, peer)
    phase1 = any(sa.state.upper() in ACTIVE_IKE_STATES for sa in ike)
    phase2 = bool(ipsec) or any(s.ipsec for s in sessions)
    state_lines = [line for sa in ike for line in sa.lines if "State" in line or peer in line]
    return PeerSummary(peer, phase1, phase2, tuple(state_lines + lines))


_VTI_BLOCK = re.compile(r"^interface (\S+)\n((?:[ \t].*\n?)*)", re.MULTILINE)
_AWS_VPN_ID = re.compile(r"(vpn-[0-9a-f]+)", re.IGNORECASE)


def _interfaces_text(state: DeviceState) -> str:
    return next(
        (t for c, t in state.raw.items() if c.startswith("show running-config interface")), ""
    )


def _vti_pairs(state: DeviceState, peer: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Peers on VTIs whose descriptions name the same AWS VPN as ``peer``'s VTI, plus the
    device lines that show it (description and tunnel destination)."""
    text = _interfaces_text(state)
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    for match in _VTI_BLOCK.finditer(text):
        body = match.group(2).splitlines()
        dest = next((ln.split()[-1] for ln in body if "tunnel destination" in ln), "")
        desc = next((ln.strip() for ln in body if ln.strip().startswith("description")), "")
        vpn = _AWS_VPN_ID.search(desc)
        if dest and vpn:
            shown = [ln.strip() for ln in body if "description" in ln or "tunnel destination" in ln]
            groups.setdefault(vpn.group(1).lower(), []).append((normalise_peer(dest), shown))
    for members in groups.values():
        if any(dest == peer for dest, _ in members):
            partners = tuple(dest for dest, _ in members if dest != peer)
            return partners, tuple(line for _, block in members for line in block)
    return (), ()


_AWS_NAME = re.compile(r"(?<![a-z])(?:amzn|aws)(?![a-z])", re.IGNORECASE)


def _aws_hints(
    state: DeviceState,
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
    _, ipsec, _ = _for_peer(state, peer)
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
    peer: str,
    attributed: tuple[list[str], list[Evidence]],
    crypto: CryptoConfig | None,
    profile: PeerProfile | None,
    summaries: dict[str, PeerSummary],
) -> TunnelContext:
    ike, ipsec, sessions = _for_peer(state, peer)
    lines, evidence = attributed
    entries = crypto.entries_for_peer(peer) if crypto else ()
    failover = tuple(
        dict.fromkeys(p for e in entries for p in e.peers if normalise_peer(p) != peer)
    )
    pairs, vti_lines = _vti_pairs(state, peer)
    hints = _aws_hints(state, peer, crypto, vti_lines, lines)
    expected = profile if profile is not None else (shipped_profile("aws") if hints else None)
    others = tuple(summaries.get(p, PeerSummary(p, False, False)) for p in (*pairs, *failover))
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
            "ike": _source(state.ike_sas, peer),
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
