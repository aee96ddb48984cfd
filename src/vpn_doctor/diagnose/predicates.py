"""The named conditions a playbook may ask about a tunnel.

Playbooks are data: a decision node names a predicate from :data:`REGISTRY` and passes it
parameters (``when: {predicate: ike_state_in, params: {states: [MM_WAIT_MSG6]}}``). Keeping
the conditions here, as small documented functions, means no Python (and no eval'd string)
ever lives in a YAML file, and the loader can reject an unknown name or a wrong parameter
before anything runs.

Every predicate has the signature ``(ctx: TunnelContext, **params) -> bool``. It cites the
device lines that decided the answer (``ctx.cite``), and raises
:class:`~vpn_doctor.diagnose.tunnel_context.Undetermined` when it would have to claim that something
is absent from an output that is missing or was not understood.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable

from vpn_doctor.diagnose.config_evidence import TRACE_PREFIX, contradiction
from vpn_doctor.diagnose.profiles import profile_deviations
from vpn_doctor.diagnose.timeline import TrafficWindow
from vpn_doctor.diagnose.tunnel_context import (
    PeerSummary,
    TunnelContext,
    Undetermined,
    is_any_proxy,
    proxy_network,
)
from vpn_doctor.models import IkeSa

Predicate = Callable[..., bool]
REGISTRY: dict[str, Predicate] = {}


def predicate(func: Predicate) -> Predicate:
    """Register ``func`` under its own name; its docstring is the playbook author's manual."""
    if not func.__doc__:
        raise TypeError(f"predicate {func.__name__} needs a docstring")
    REGISTRY[func.__name__] = func
    return func


def _state_line(sa: IkeSa) -> tuple[str, ...]:
    """The lines of an IKE SA that show its state (all of them if none mentions it)."""
    hits = tuple(line for line in sa.lines if sa.state in line)
    peer_lines = tuple(line for line in sa.lines if sa.peer in line and line not in hits)
    return peer_lines + hits if hits else sa.lines


def _match_state(state: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(state.upper(), p.upper()) for p in patterns)


# ---- phase 1 ---------------------------------------------------------------------------


@predicate
def has_ike_sa(ctx: TunnelContext, version: int | None = None) -> bool:
    """An IKE SA exists for the peer (optionally of one IKE version, 1 or 2).

    "No" needs a trustworthy `show crypto isakmp sa`: a failed or missing parse is undetermined.
    """
    sas = [sa for sa in ctx.ike_sas if version is None or sa.ike_version == version]
    if sas:
        for sa in sas:
            ctx.cite(*_state_line(sa))
        return True
    in_session = ctx.session_ike_version
    if not ctx.ike_sas and in_session is not None and version in (None, in_session):
        # The isakmp output may be missing or cut; sessiondb shows phase 1 established.
        ctx.cite(*ctx.session_lines("Connection", "Protocol", "IKEv1 Tunnels", "IKEv2 Tunnels"))
        return True
    ctx.require("ike", "cannot tell whether an IKE SA exists")
    ctx.cite(*ctx.empty_marker("ike"))
    return False


@predicate
def ike_version_is(ctx: TunnelContext, version: int) -> bool:
    """The tunnel's primary IKE SA uses IKE ``version`` (1 or 2)."""
    sa = ctx.primary_ike
    if sa is None:
        return ctx.session_ike_version == version
    return sa.ike_version == version


@predicate
def ike_state_in(ctx: TunnelContext, states: list[str], role: str | None = None) -> bool:
    """Some IKE SA of the peer is in one of ``states`` (glob: ``AG_*``), optionally in ``role``.

    The ASA names a state after the message it is waiting for, so the same state means
    different things for the initiator and the responder; ``role`` lets a node tell them apart.
    Without an IKE SA but with a phase 1 part in the peer's sessiondb session, the state is the
    established one (MM_ACTIVE / READY): sessiondb lists nothing else.
    """
    version = ctx.session_ike_version
    if not ctx.ike_sas and version is not None and role is None:
        state = "READY" if version == 2 else "MM_ACTIVE"
        if _match_state(state, states):
            ctx.cite(*ctx.session_lines("Connection", "Protocol", "Tunnels:"))
            return True
        return False
    for sa in ctx.ike_sas:
        if not _match_state(sa.state, states):
            continue
        if role is not None and sa.role.lower() != role.lower():
            continue
        ctx.cite(*_state_line(sa))
        return True
    return False


@predicate
def ike_role_is(ctx: TunnelContext, role: str) -> bool:
    """The primary IKE SA's role is ``role`` (initiator | responder)."""
    sa = ctx.primary_ike
    return sa is not None and sa.role.lower() == role.lower()


@predicate
def ike_child_sas_zero(ctx: TunnelContext) -> bool:
    """IKEv2: the IKE SA is up but reports no child (IPsec) SA."""
    sa = ctx.primary_ike
    return sa is not None and sa.child_sas == 0


@predicate
def ike_nat_t(ctx: TunnelContext) -> bool:
    """NAT-T is in use: UDP/4500 on the IKE SA, the session or the IPsec SA, or the ASA's own
    NAT detection (713172) says a NAT device is in the path."""
    for sa in ctx.ike_sas:
        if sa.remote_port == 4500:
            ctx.cite(*sa.lines)
            return True
    for ipsec in ctx.ipsec_sas:
        if ipsec.nat_t:
            ctx.cite(*[line for line in ipsec.lines if "4500" in line or "NAT-T" in line])
            return True
    for session in ctx.sessions:
        for ike in session.ike:
            if 4500 in (ike.udp_src_port, ike.udp_dst_port):
                ctx.cite(*[line for line in ike.lines if "4500" in line])
                return True
    for line in ctx.debug_lines:
        if _NAT_DETECTED.search(line):
            ctx.cite(line)
            return True
    return False


_NAT_DETECTED = re.compile(r"(?:Remote end|This end)\s+is\s+behind a NAT", re.IGNORECASE)
_QM_MESSAGE = re.compile(
    r"IKE_DECODE (?:SENDING|RECEIVED) Message \(msgid=(?!0\))[0-9a-f]+\)"
    r".*HASH \(8\) \+ SA \(1\)"
)


_IKEV2_MARKS = ("IKE_INIT_SA", "IKEv2-PROTO", "%ASA-5-750002", "%ASA-3-7510", "[IKEv2]")
_IKEV1_MARKS = ("[IKEv1]", "[IKEv1 DEBUG]", "Oakley proposal", "MM_WAIT_MSG")
_PEER_SENT_V2 = ("Received a IKE_INIT_SA request", "%ASA-3-7510")
_PEER_SENT_V1 = ("IKE_DECODE RECEIVED",)


@predicate
def ike_version_conflict(ctx: TunnelContext) -> bool:
    """The peer speaks the other IKE version: our SA is IKEv1 while the peer sends IKEv2
    (IKE_INIT_SA requests, 750002/751xxx), or our SA is IKEv2 while the peer sends IKEv1.
    Without an IKE SA the crypto map entry for the peer says which version this side runs
    (IKEv1 transform sets only, or IKEv2 ipsec-proposals only): a peer sending the other
    version then gets no SA at all (KNOWLEDGE.md 3.3: 750002 IKE_INIT_SA = an IKEv2 peer)."""
    sa = ctx.primary_ike
    if sa is not None:
        ours: tuple[int, ...] = (sa.ike_version,)
        shown: tuple[str, ...] = _state_line(sa)
    else:
        ours = tuple(sorted({v for entry in ctx.map_entries for v in entry.ike_versions}))
        shown = tuple(
            line
            for entry in ctx.map_entries
            for line in entry.lines
            if "transform-set" in line or "ipsec-proposal" in line
        )
    marks: tuple[str, ...]
    if ours == (1,):
        marks = _IKEV2_MARKS
    elif ours == (2,):
        marks = _IKEV1_MARKS
    else:  # both versions configured (or unknown): a version conflict cannot be told
        return False
    if sa is None:  # no SA: only a message the peer sent in the other version counts
        marks = _PEER_SENT_V2 if ours == (1,) else _PEER_SENT_V1
    hits = [line for line in ctx.debug_lines if any(mark in line for mark in marks)]
    if sa is None and ours == (2,):
        hits = [line for line in hits if "[IKEv1]" in line]
    if hits:
        ctx.cite(*shown, *hits)
        return True
    return False


# ---- phase 2 ---------------------------------------------------------------------------


@predicate
def has_ipsec_sa(ctx: TunnelContext) -> bool:
    """An IPsec SA (phase 2) exists for the peer in `show crypto ipsec sa`.

    "No" needs a trustworthy `show crypto ipsec sa`; otherwise undetermined.
    """
    if ctx.ipsec_sas:
        for sa in ctx.ipsec_sas:
            ctx.cite(*[line for line in sa.lines if "current_peer" in line or "ident" in line])
        return True
    ipsec, sessions = ctx.sources.get("ipsec"), ctx.sources.get("sessions")
    usable_ipsec = ipsec is not None and ipsec.usable
    if not usable_ipsec and ctx.sessions and sessions is not None and sessions.usable:
        # sessiondb counts the session's IPsec parts: none there = no phase 2, even when
        # `show crypto ipsec sa` was not collected.
        ctx.cite(*ctx.session_lines("Connection", "Protocol", "Tunnels:"))
        return any(s.ipsec for s in ctx.sessions)
    one_instant = ctx.window is None  # samples: the SA tables are newer than sessiondb
    if (
        one_instant
        and sessions is not None
        and sessions.usable
        and any(s.ipsec for s in ctx.sessions)
    ):
        # `show crypto ipsec sa` read whole shows no block for the peer, yet vpn-sessiondb
        # (read moments apart) lists its IPsec parts: the outputs disagree (a cut between two
        # blocks cannot be seen in the ipsec output). The SA exists; counters from the session.
        ctx.cite(*ctx.session_lines("Connection", "Protocol", "Tunnels:"))
        return True
    ctx.require("ipsec", "cannot tell whether an IPsec SA exists")
    ctx.cite(*ctx.empty_marker("ipsec"))
    return False


@predicate
def ipsec_sa_count_at_least(ctx: TunnelContext, count: int) -> bool:
    """At least ``count`` IPsec SA pairs for the peer (ipsec sa blocks, or sessiondb `IPsec:`
    blocks, whichever shows more). AWS accepts only one pair per tunnel."""
    blocks = len(ctx.ipsec_sas)
    session_blocks = sum(len(s.ipsec) for s in ctx.sessions)
    if max(blocks, session_blocks) >= count:
        for sa in ctx.ipsec_sas:
            ctx.cite(*[line for line in sa.lines if "ident" in line])
        for session in ctx.sessions:
            ctx.cite(*[line for line in session.lines if "IPsec Tunnels" in line])
            for sub in session.ipsec:
                ctx.cite(*[ln for ln in sub.lines if "Local Addr" in ln or "Remote Addr" in ln])
        return True
    return False


def _counters_unread(ctx: TunnelContext) -> bool:
    """The peer's packet counters are not known: a block was cut before them, or no block of
    the peer was read at all (the SA is known from sessiondb; the ipsec output was cut or
    failed before it, or not collected). Zero read from nothing is not "no traffic"."""
    return not ctx.ipsec_sas or not all(sa.complete for sa in ctx.ipsec_sas)


def _require_counters(ctx: TunnelContext) -> None:
    """Raises Undetermined unless every IPsec SA block of the peer was read whole."""
    if not _counters_unread(ctx):
        return
    status = ctx.sources.get("ipsec")
    command = status.command if status else "show crypto ipsec sa"
    detail = (
        "an IPsec SA block was cut before its counters"
        if ctx.ipsec_sas
        else "no IPsec SA block of the peer was read (its SA is known from vpn-sessiondb)"
    )
    raise Undetermined("ipsec", command, "partial", detail)


def _session_one_way(ctx: TunnelContext, sent: bool) -> bool:
    """With the counters unread, vpn-sessiondb's bytes decide one-way traffic (sent>0 and
    nothing received, or the reverse); cites the session lines."""
    traffic = _session_traffic(ctx)
    if traffic is None:
        return False
    if _only(*traffic, sent):
        ctx.cite(*ctx.session_lines("Bytes Tx", "Pkts Tx"))
        return True
    return False


def _session_traffic(ctx: TunnelContext) -> tuple[int, int] | None:
    """Bytes sent/received by the peer's IPsec sub-sessions (None without any)."""
    subs = [sub for s in ctx.sessions for sub in s.ipsec]
    if not subs:
        return None
    return sum(sub.bytes_tx for sub in subs), sum(sub.bytes_rx for sub in subs)


def _both_ways_seen(ctx: TunnelContext) -> bool:
    """Traffic both ways is shown: by the IPsec counters, or (a block cut) by sessiondb."""
    if ctx.encaps > 0 and ctx.decaps > 0:
        return True
    traffic = _session_traffic(ctx)
    return _counters_unread(ctx) and traffic is not None and min(traffic) > 0


def _counter_lines(ctx: TunnelContext) -> list[str]:
    keys = ("#pkts encaps", "#pkts decaps", "#send errors", "#recv errors")
    return [line for sa in ctx.ipsec_sas for line in sa.lines if any(k in line for k in keys)]


def _window(ctx: TunnelContext) -> TrafficWindow | None:
    """The samples' window when it can be compared (two samples of the same SA), else None:
    the predicates below then judge the traffic now, not since the SA was created."""
    window = ctx.window
    if window is not None and window.comparable:
        ctx.cite(*window.evidence)
        return window
    return None


def _only(sent_count: int, received_count: int, sent: bool) -> bool:
    """One direction moves and the other does not (``sent``: the sending direction)."""
    if sent:
        return sent_count > 0 and received_count == 0
    return received_count > 0 and sent_count == 0


def _one_way(ctx: TunnelContext, sent: bool) -> bool:
    """Traffic in one direction only: ``sent`` = we encrypt and nothing comes back (encaps
    without decaps), else the reverse. Judged over the sample window when there is one, on
    sessiondb's bytes when the peer's counters were not read, else since the SA's birth."""
    window = _window(ctx)
    if window is not None:
        return _only(window.encaps_delta, window.decaps_delta, sent)
    if _both_ways_seen(ctx):
        return False  # whatever was cut, both directions are seen
    if _counters_unread(ctx) and _session_one_way(ctx, sent=sent):
        return True
    _require_counters(ctx)
    if ctx.ipsec_sas and _only(ctx.encaps, ctx.decaps, sent):
        ctx.cite(*_counter_lines(ctx))
        return True
    return False


@predicate
def traffic_encaps_only(ctx: TunnelContext) -> bool:
    """Packets are encrypted towards the peer but nothing comes back: over the sample window
    (encaps grew, decaps did not) or, with one sample, since the SA was born (decaps 0)."""
    return _one_way(ctx, sent=True)


@predicate
def traffic_decaps_only(ctx: TunnelContext) -> bool:
    """Packets arrive from the peer but nothing is sent back (window, or since birth)."""
    return _one_way(ctx, sent=False)


@predicate
def traffic_both_ways(ctx: TunnelContext) -> bool:
    """Both counters move (window deltas, or encaps > 0 and decaps > 0 since birth)."""
    window = _window(ctx)
    if window is not None:
        return window.encaps_delta > 0 and window.decaps_delta > 0
    if ctx.encaps > 0 and ctx.decaps > 0:
        ctx.cite(*_counter_lines(ctx))
        return True
    if _counters_unread(ctx):
        traffic = _session_traffic(ctx)  # sessiondb may still show both directions
        if traffic is not None and min(traffic) > 0:
            ctx.cite(*ctx.session_lines("Bytes Tx", "Pkts Tx"))
            return True
        _require_counters(ctx)
    return False


@predicate
def window_idle(ctx: TunnelContext) -> bool:
    """Several samples of the same SA and not one packet either way in between."""
    window = _window(ctx)
    return window is not None and window.idle


@predicate
def tunnel_flapping(ctx: TunnelContext) -> bool:
    """The SA was torn down and rebuilt while it was watched (or between scheduled runs)."""
    window = ctx.window
    if window is not None and window.flapping:
        ctx.cite(*window.evidence)
        return True
    return False


@predicate
def rekey_failed(ctx: TunnelContext) -> bool:
    """The IPsec SA expired while it was watched and no new one replaced it (phase 1 up)."""
    window = ctx.window
    if window is not None and window.rekey_failed:
        ctx.cite(*window.evidence)
        return True
    return False


@predicate
def ipsec_errors_at_least(ctx: TunnelContext, count: int = 1, kind: str = "any") -> bool:
    """Send and/or receive errors (``kind``: send | recv | any) reach ``count``."""
    send = sum(sa.send_errors for sa in ctx.ipsec_sas)
    recv = sum(sa.recv_errors for sa in ctx.ipsec_sas)
    value = {"send": send, "recv": recv}.get(kind, send + recv)
    if value >= count:
        ctx.cite(*_counter_lines(ctx))
        return True
    return False


@predicate
def pfs_in_use(ctx: TunnelContext) -> bool:
    """PFS appears in the IPsec SA's in-use settings, the session, or `set pfs` in the config."""
    for sa in ctx.ipsec_sas:
        if sa.pfs_group:
            ctx.cite(*[line for line in sa.lines if "PFS" in line])
            return True
    for session in ctx.sessions:
        for sub in session.ipsec:
            if sub.pfs_group and sub.pfs_group.lower() not in ("none", "0"):
                ctx.cite(*[line for line in sub.lines if "PFS" in line])
                return True
    for entry in ctx.map_entries:
        if entry.pfs_group:
            ctx.cite(*[line for line in entry.lines if "set pfs" in line])
            return True
    return False


@predicate
def qm_with_pfs(ctx: TunnelContext) -> bool:
    """PFS is in play in quick mode: a quick-mode message (msgid != 0) sent or received with a
    KE payload, or `set pfs` on this peer's crypto map entry. Separates a PFS refusal from a
    transform-set refusal when quick mode fails with "no proposal chosen"."""
    hits = [line for line in ctx.debug_lines if _QM_MESSAGE.search(line) and "KE (4)" in line]
    if hits:
        ctx.cite(*hits)
    configured = [
        line
        for entry in ctx.map_entries
        if entry.pfs_group
        for line in entry.lines
        if "set pfs" in line
    ]
    ctx.cite(*configured)
    return bool(hits or configured)


def _first_quick_mode(ctx: TunnelContext) -> str:
    return next((line for line in ctx.debug_lines if _QM_MESSAGE.search(line)), "")


@predicate
def qm_pfs_one_sided(ctx: TunnelContext) -> bool:
    """PFS looks one-sided in quick mode. When the peer opened quick mode (its first quick-mode
    message was RECEIVED) and this peer's crypto map entries are known, compare the two sides:
    a KE payload in the peer's message means it proposes PFS (RFC 2409 5.5), `set pfs` means
    we require it; they differ = one-sided PFS, they agree = PFS is not why the proposal was
    refused (look at the transform set; a different DH group stays possible). Otherwise (we
    opened quick mode, or no debug / configuration) only our side is known: as
    :func:`qm_with_pfs`."""
    first = _first_quick_mode(ctx)
    if "RECEIVED" not in first or not ctx.map_entries:
        return qm_with_pfs(ctx)
    peer_pfs = "KE (4)" in first
    set_pfs = [
        line
        for entry in ctx.map_entries
        if entry.pfs_group
        for line in entry.lines
        if "set pfs" in line
    ]
    ctx.cite(first, *set_pfs)
    return peer_pfs != bool(set_pfs)


@predicate
def remote_proxy_any(ctx: TunnelContext) -> bool:
    """A proxy identity is 0.0.0.0/0 (an AWS-style any-to-any SA or proposal)."""
    for sa in ctx.ipsec_sas:
        if is_any_proxy(sa.remote_ident) or is_any_proxy(sa.local_ident):
            ctx.cite(*[line for line in sa.lines if "ident" in line])
            return True
    for line in ctx.debug_lines:
        if "proxy 0.0.0.0/0.0.0.0" in line:
            ctx.cite(line)
            return True
    return False


@predicate
def proxies_overlap(ctx: TunnelContext) -> bool:
    """The local and remote proxy networks overlap (the same subnet on both sides)."""
    for sa in ctx.ipsec_sas:
        local, remote = proxy_network(sa.local_ident), proxy_network(sa.remote_ident)
        if local is None or remote is None or local.prefixlen == 0 or remote.prefixlen == 0:
            continue
        if local.version == remote.version and local.overlaps(remote):
            ctx.cite(*[line for line in sa.lines if "ident" in line])
            return True
    return False


# ---- debug / syslog evidence -------------------------------------------------------------


@predicate
def debug_implies(ctx: TunnelContext, codes: list[str], strength: str | None = None) -> bool:
    """A recognised debug/syslog line for this peer implies one of ``codes`` (optionally only
    ``decisive`` or ``supporting`` ones). Absence of debug is never undetermined: debug is
    optional evidence, the state is the baseline."""
    hits = [
        ev
        for ev in ctx.evidence
        if ev.implies in codes and (strength is None or ev.strength == strength)
    ]
    ctx.cite(*[ev.line for ev in hits])
    return bool(hits)


@predicate
def debug_pattern(ctx: TunnelContext, ids: list[str]) -> bool:
    """A debug/syslog line for this peer matched one of the debuglog pattern ``ids``."""
    hits = [ev for ev in ctx.evidence if ev.pattern_id in ids]
    ctx.cite(*[ev.line for ev in hits])
    return bool(hits)


@predicate
def debug_contains(ctx: TunnelContext, texts: list[str]) -> bool:
    """A debug/syslog line for this peer contains one of ``texts`` (plain substrings)."""
    hits = [line for line in ctx.debug_lines if any(text in line for text in texts)]
    ctx.cite(*hits)
    return bool(hits)


# ---- configuration, profile, redundancy ------------------------------------------------------


@predicate
def config_contains(
    ctx: TunnelContext, command: str, texts: list[str], if_missing: bool = False
) -> bool:
    """The collected output of ``command`` (a `show running-config ...`) contains one of
    ``texts``. ``if_missing`` is the answer when that output was not collected."""
    text = ctx.config_text(command)
    if text is None:
        return if_missing
    hits = [line for line in text.splitlines() if any(t in line for t in texts)]
    ctx.cite(*hits)
    return bool(hits)


@predicate
def profile_is(ctx: TunnelContext, name: str) -> bool:
    """An expected-peer profile named ``name`` (e.g. aws) was given for this diagnosis."""
    return ctx.profile is not None and str(getattr(ctx.profile, "name", "")).lower() == name.lower()


@predicate
def peer_is_aws(ctx: TunnelContext) -> bool:
    """The peer looks like an AWS VPN endpoint: the aws profile was given, the engine found AWS
    hints (AWS-sample crypto map / VTI description, see ``engine``), or an IPsec SA or a
    rejected proposal uses 0.0.0.0/0 proxies (AWS's default traffic selectors)."""
    any_proxy = remote_proxy_any(ctx)
    ctx.cite(*ctx.aws_hints)
    return bool(ctx.aws_hints) or any_proxy or profile_is(ctx, "aws")


@predicate
def profile_deviates(ctx: TunnelContext) -> bool:
    """The negotiated parameters fall outside what the expected peer accepts (PeerProfile).

    A value the far side accepts but does not list as expected (AES-256 towards AWS) is an
    info-level note from the config checks, not a reason to call a working tunnel degraded.
    """
    if ctx.profile is None:
        return False
    deviations = profile_deviations(ctx, ctx.profile, accepted_ok=True)
    overrides = [line for line in ctx.debug_lines if _LIFETIME_OVERRIDE.search(line)]
    ctx.cite(*overrides, *[line for _, line in deviations])
    return bool(deviations or overrides)


_LIFETIME_OVERRIDE = re.compile(
    r"(?:forcing change of .*rekeying duration|Overriding Initiator's IPsec rekeying duration)"
    r" from \d+ to \d+"
)


@predicate
def pair_configured(ctx: TunnelContext, failover: bool = False) -> bool:
    """The peer has a redundant partner that should be up at the same time (two VTIs to the
    same AWS VPN); with ``failover: true`` also a crypto-map alternate (`set peer A B`)."""
    return bool(ctx.pairs or (failover and ctx.failover))


def _partners(ctx: TunnelContext, failover: bool) -> list[PeerSummary]:
    names = set(ctx.pairs) | (set(ctx.failover) if failover else set())
    known = {o.peer: o for o in ctx.others}
    return [known.get(name, PeerSummary(name, False, False)) for name in sorted(names)]


@predicate
def pair_peer_up(ctx: TunnelContext, failover: bool = False) -> bool:
    """A partner of this tunnel (see ``pair_configured``) has phase 1 and phase 2 up."""
    up = [o for o in _partners(ctx, failover) if o.phase1_up and o.phase2_up]
    for other in up:
        ctx.cite(*other.lines[:3])
    return bool(up)


@predicate
def pair_peer_down(ctx: TunnelContext) -> bool:
    """A redundant partner (both should be up) has no working SA; cites what the device says
    about it (its state lines, its disconnect syslog)."""
    down = [o for o in _partners(ctx, failover=False) if not (o.phase1_up and o.phase2_up)]
    for other in down:
        ctx.cite(*other.lines)
    return bool(down)


@predicate
def crypto_acl_single_line(ctx: TunnelContext) -> bool:
    """Every crypto map entry for the peer matches a crypto ACL of exactly one line (as AWS
    asks: `permit ip any4 <VPC>`). False when an ACL was not collected: unknown is not
    "one line"."""
    if ctx.crypto is None or not ctx.map_entries:
        return False
    shown: list[str] = []
    for entry in ctx.map_entries:
        aces = ctx.crypto.acl(entry.match_address) if entry.match_address else ()
        if len(aces) != 1:
            return False
        shown.extend(line for line in entry.lines if "match address" in line)
        shown.extend(aces[0].lines)
    ctx.cite(*shown)
    return True


@predicate
def sla_monitor_configured(ctx: TunnelContext, if_missing: bool = False) -> bool:
    """An `sla monitor` probe is configured (it keeps a responder-only peer's tunnel up).
    ``if_missing`` is the answer when `show running-config sla monitor` was not collected."""
    text = ctx.config_text("show running-config sla monitor")
    if text is None:
        return if_missing
    lines = [line for line in text.splitlines() if line.strip().startswith("sla monitor")]
    ctx.cite(*lines)
    return bool(lines)


@predicate
def config_issue(
    ctx: TunnelContext,
    codes: list[str],
    severity: list[str] | None = None,
    active_only: bool = True,
) -> bool:
    """A configuration check (vpn_doctor.diagnose.checks.run, run by the engine for this peer) found
    an issue whose code is one of ``codes`` (optionally only of ``severity``: critical,
    warning, info). ``active_only`` skips issues the current state contradicts (a phase 1
    failure claim while phase 1 is up). Cites the configuration lines the check quoted.
    No configuration collected means "no": the state stays the baseline."""
    hits = [
        issue
        for issue in ctx.config_issues
        if issue.code in codes
        and (severity is None or issue.severity in severity)
        and not (active_only and contradiction(issue, ctx))
    ]
    for issue in hits:
        ctx.cite(*issue.evidence)
    return bool(hits)


@predicate
def packet_tracer_no_vpn(ctx: TunnelContext) -> bool:
    """packet-tracer (run with --packet-tracer) shows the tunnel's traffic matching no crypto
    map (no VPN phase), or translated before encryption: the ASA never starts IKE for it."""
    hits = [
        fact
        for fact in ctx.trace_facts
        if fact.startswith(("No VPN phase", "Dropped before any VPN phase", "Translated before"))
    ]
    ctx.cite(*(TRACE_PREFIX + fact for fact in hits))
    return bool(hits)
