"""Decide how far IKE and IPsec negotiation get, and from which side (KNOWLEDGE.md §2-§4).

Why a message-by-message walk: the ASA names its IKEv1 state after the message it waits for
(initiator MM_WAIT_MSG2/4/6, responder MM_WAIT_MSG3/5), so the state an engineer sees is
fully determined by which message first fails to arrive or to be accepted. Walking the six
main mode messages (or the IKEv2 exchanges), then quick mode, then the data plane, with the
two configurations and the path, yields that state and the failure for either role.

Rules the walk follows (tags as in KNOWLEDGE.md):

* the ASA initiates when it has interesting traffic (or an SLA monitor) that matches its
  crypto ACL after NAT and the map is bound; otherwise the peer may initiate [V §2.3];
* MM1/MM2 (proposals) need UDP/500 both ways and a matching policy; MM3/MM4 need the
  responder to hold a tunnel-group for the initiator's address (else INVALID_COOKIE, S2);
  MM5/MM6 go to UDP/4500 when NAT is detected [I] and prove the PSK [V S1];
* quick mode: the responder needs a crypto ACL line that is the exact mirror of the
  proposed proxies (AWS accepts anything inside its 0.0.0.0/0 selectors), the same transform
  set, and the same PFS group [V S9, S20];
* data plane: encaps need the ASA's NAT exemption; decaps need the peer's and ESP through;
  a peer NATing inside the tunnel gets its packets dropped after decryption (402116) [V S5].
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, replace

from mock_device.negotiation.config import Endpoint, ModelSpec, P1Policy

NO_SA = "NONE"


@dataclass(frozen=True)
class Outcome:
    """The result of one negotiation, from the ASA's point of view.

    ``failure`` tokens: "" (healthy), no_trigger, map_unbound, blocked_inbound,
    no_response, p1_proposal, aggressive_refused, return_path, invalid_cookie,
    nat_t_blocked, auth, version, p2_proxy, p2_transform, p2_pfs.
    """

    role: str  # the ASA's: initiator | responder | none
    ike: int  # the IKE version tried (0: none)
    state: str  # the ASA's IKE SA state; NONE when no SA is listed
    failure: str
    p1: P1Policy  # the policy proposed / agreed (lifetime: the negotiated one)
    nat_t: bool = False
    aggressive: bool = False
    pairs: tuple[tuple[str, str], ...] = ()  # established SAs (ASA local, ASA remote)
    rejected: tuple[tuple[str, str], ...] = ()  # proxies refused (initiator local, remote)
    qm_pfs: int | None = None  # PFS group in the quick mode initiator's proposal
    encaps: int = 0
    decaps: int = 0
    recv_errors: int = 0
    peer_ikev2_attempt: bool = False
    aws_any_rejected: bool = False
    idle_history: bool = False
    ipsec_lifetime: int = 28800
    transform: str = ""

    @property
    def phase1_up(self) -> bool:
        return self.state in ("MM_ACTIVE", "AM_ACTIVE", "READY")


def _net(text: str) -> ipaddress.IPv4Network:
    if text.lower() in ("any", "any4"):
        return ipaddress.IPv4Network("0.0.0.0/0")
    return ipaddress.IPv4Network(text if "/" in text else f"{text}/32", strict=False)


def _overlaps(a: str, b: str) -> bool:
    return _net(a).overlaps(_net(b))


def _matches_flows(side: Endpoint) -> bool:
    """Some flow local -> remote hits a line of this side's crypto ACL (interesting traffic)."""
    return any(
        _overlaps(src, lo) and _overlaps(dst, re)
        for lo in side.local_nets
        for re in side.remote_nets
        for src, dst in side.acl_lines
    )


def _accepts_proxy(responder: Endpoint, aws: bool, local: str, remote: str) -> bool:
    """Does the responder have a line mirroring the initiator's (local, remote) proposal?"""
    if aws:
        return True  # AWS selectors default to 0.0.0.0/0 both ways (S26)
    want = (_net(remote), _net(local))
    return any((_net(src), _net(dst)) == want for src, dst in responder.acl_lines)


def _p1_accepted(responder: Endpoint, proposed: P1Policy) -> P1Policy | None:
    for policy in (responder.p1, *responder.p1_alternatives):
        if policy.matches(proposed):
            return policy
    return None


def _count(*parts: object) -> int:
    """A deterministic, realistic packet count (same spec, same numbers)."""
    text = "|".join(map(str, parts)).encode()
    return 1000 + int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "big") % 90000


def negotiate(spec: ModelSpec) -> Outcome:
    """Walk the negotiation for ``spec`` (faults already applied) and return the outcome."""
    asa, peer, path = spec.asa, spec.peer, spec.path
    asa_traffic = spec.traffic in ("asa", "both") or asa.sla_monitor
    peer_traffic = spec.traffic in ("peer", "both")
    asa_trigger = asa_traffic and asa.crypto_map_bound and asa.nat_exemption and _matches_flows(asa)
    peer_nat_ok = peer.nat_exemption or bool(path.peer_nat_in_tunnel)
    peer_trigger = peer_traffic and peer.initiates and peer_nat_ok and _matches_flows(peer)
    common = [v for v in (2, 1) if v in asa.ike and v in peer.ike]
    idle = spec.is_aws and not asa.sla_monitor
    base = Outcome(role="none", ike=0, state=NO_SA, failure="no_trigger", p1=asa.p1,
                   idle_history=idle, transform=asa.transform,
                   ipsec_lifetime=asa.ipsec_lifetime)  # fmt: skip
    if asa_trigger:
        ike = common[0] if common else max(asa.ike)
        return _walk(spec, base, asa_initiates=True, ike=ike, version_ok=bool(common))
    if not peer_trigger:
        return base
    if peer.peer_id_for_us or not path.ike_ok(to_peer=False):
        return _replace(base, failure="blocked_inbound")
    if not asa.crypto_map_bound:
        return _replace(base, failure="map_unbound", ike=1)
    ike = common[0] if common else max(peer.ike)
    return _walk(spec, base, asa_initiates=False, ike=ike, version_ok=bool(common))


def _replace(outcome: Outcome, **changes: object) -> Outcome:
    return replace(outcome, **changes)  # type: ignore[arg-type]


def _walk(spec: ModelSpec, base: Outcome, *, asa_initiates: bool, ike: int,
          version_ok: bool) -> Outcome:  # fmt: skip
    asa, peer, path = spec.asa, spec.peer, spec.path
    init, resp = (asa, peer) if asa_initiates else (peer, asa)
    role = "initiator" if asa_initiates else "responder"
    out = _replace(base, role=role, ike=ike, p1=init.p1, failure="")

    def forward(nat_t: bool = False) -> bool:  # initiator -> responder
        return path.ike_ok(to_peer=asa_initiates, nat_t=nat_t)

    def back(nat_t: bool = False) -> bool:  # responder -> initiator
        return path.ike_ok(to_peer=not asa_initiates, nat_t=nat_t)

    if not version_ok:
        peer_v2 = spec.traffic in ("peer", "both") and peer.initiates and 2 in peer.ike
        if asa_initiates:
            state = "MM_WAIT_MSG2" if ike == 1 else "IN-NEG"
            return _replace(out, state=state, failure="version" if peer_v2 else "no_response",
                            peer_ikev2_attempt=peer_v2)  # fmt: skip
        return _replace(out, state=NO_SA, failure="version", peer_ikev2_attempt=True)
    waiting = {1: ("MM_WAIT_MSG2", "MM_WAIT_MSG3"), 2: ("IN-NEG", "IN-NEG")}[ike]
    if not forward():
        return _replace(out, state=waiting[0], failure="no_response")
    aggressive = ike == 1 and init.mode == "aggressive"
    if aggressive and resp is peer and peer.mode != "aggressive":
        return _replace(out, state="AG_INIT_EXCH", failure="aggressive_refused")
    agreed = _p1_accepted(resp, init.p1)
    if agreed is None:
        state = ("MM_WAIT_MSG2" if asa_initiates else "MM_NO_STATE") if ike == 1 else NO_SA
        return _replace(out, state=state, failure="p1_proposal")
    lifetime = min(init.p1.lifetime, agreed.lifetime)
    out = _replace(out, p1=P1Policy(init.p1.encryption, init.p1.hash, init.p1.group, lifetime),
                   aggressive=aggressive)  # fmt: skip
    if not back():
        return _replace(out, state=waiting[0] if asa_initiates else waiting[1],
                        failure="no_response" if asa_initiates else "return_path")  # fmt: skip
    if ike == 1 and resp.peer_id_for_us:
        return _replace(out, state="MM_WAIT_MSG4", failure="invalid_cookie")
    nat_t = path.nat
    out = _replace(out, nat_t=nat_t)
    if nat_t and not (forward(nat_t=True) and back(nat_t=True)):
        state = ("MM_WAIT_MSG6" if asa_initiates else "MM_WAIT_MSG5") if ike == 1 else NO_SA
        return _replace(out, state=state, failure="nat_t_blocked")
    if init.psk != resp.psk:
        state = ("MM_WAIT_MSG6" if asa_initiates else "MM_WAIT_MSG5") if ike == 1 else NO_SA
        return _replace(out, state=state, failure="auth")
    state = "READY" if ike == 2 else ("AM_ACTIVE" if aggressive else "MM_ACTIVE")
    out = _replace(out, state=state)
    return _phase2(spec, out, init, resp, asa_initiates)


def _phase2(spec: ModelSpec, out: Outcome, init: Endpoint, resp: Endpoint,
            asa_initiates: bool) -> Outcome:  # fmt: skip
    proposals = [
        (src, dst)
        for src, dst in init.acl_lines
        if any(_overlaps(src, lo) and _overlaps(dst, re)
               for lo in init.local_nets for re in init.remote_nets)
    ] or list(init.acl_lines[:1])  # fmt: skip
    if init is spec.asa and init.sla_monitor:
        proposals = list(init.acl_lines)
    qm_pfs = init.pfs if out.ike == 1 else None
    out = _replace(out, qm_pfs=qm_pfs, transform=init.transform,
                   ipsec_lifetime=min(init.ipsec_lifetime, resp.ipsec_lifetime))  # fmt: skip
    pairs: list[tuple[str, str]] = []
    rejected: list[tuple[str, str]] = []
    failure = ""
    for local, remote in proposals:
        if not _accepts_proxy(resp, spec.is_aws and resp is spec.peer, local, remote):
            rejected.append((local, remote))
            failure = failure or "p2_proxy"
            continue
        if init.transform not in (resp.transform, *resp.transform_alternatives):
            failure = failure or "p2_transform"
            continue
        if out.ike == 1 and init.pfs != resp.pfs and init.pfs not in resp.pfs_alternatives:
            failure = failure or "p2_pfs"
            continue
        pairs.append((local, remote) if asa_initiates else (remote, local))
    if not pairs:
        return _replace(out, failure=failure, rejected=tuple(rejected))
    aws_any = spec.is_aws and len(pairs) > 1
    return _data_plane(spec, _replace(out, pairs=tuple(pairs), rejected=tuple(rejected),
                                      aws_any_rejected=aws_any))  # fmt: skip


def _data_plane(spec: ModelSpec, out: Outcome) -> Outcome:
    asa, peer, path = spec.asa, spec.peer, spec.path
    asa_orig = spec.traffic in ("asa", "both") or asa.sla_monitor
    peer_orig = spec.traffic in ("peer", "both")
    esp_ok = path.reachable and (path.udp4500 if out.nat_t else path.esp)
    peer_can_send = peer.nat_exemption and esp_ok
    asa_out = asa.nat_exemption and (asa_orig or (peer_orig and peer_can_send))
    peer_out = peer_can_send and (peer_orig or (asa_orig and asa_out and esp_ok))
    encaps = _count("enc", peer.address, spec.faults) if asa_out else 0
    decaps = _count("dec", peer.address, spec.faults) if peer_out else 0
    errors = decaps if path.peer_nat_in_tunnel else 0
    return _replace(out, encaps=encaps, decaps=decaps, recv_errors=errors)
