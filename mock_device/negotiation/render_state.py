"""Turn an :class:`Outcome` into render.py tunnel specs, debug lines and syslog lines.

Why reuse render.py: its `show crypto isakmp sa` / `ipsec sa` / `vpn-sessiondb` layouts are
already checked against real 9.x captures; the model only decides the spec (state, role,
proxies, counters, NAT-T, PFS). Debug and syslog texts are the ones quoted in KNOWLEDGE.md
(§2.3, §3.3, §4.2, §4.3, §6) and the field guides in shared/seeds, in the order an ASA
prints them for that role; each failure gets the lines the ASA itself would log, never the
peer's. Unverified texts ([U] in KNOWLEDGE.md §10) are used only where the project's
catalogue already recognises them.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import ipaddress
from typing import Any

from mock_device.negotiation.config import ModelSpec
from mock_device.negotiation.model import NO_SA, Outcome

_START = _dt.datetime(2025, 11, 22, 10, 0, 0)
_ENC = {"aes": "AES128", "aes-192": "AES192", "aes-256": "AES256", "3des": "3DES", "des": "DES"}
_HASH = {"sha": "SHA1", "sha256": "SHA256", "sha384": "SHA384", "md5": "MD5"}
MM1 = "HDR + SA (1) + VENDOR (13) + VENDOR (13) + VENDOR (13) + VENDOR (13) + NONE (0)"
MM2 = "HDR + SA (1) + VENDOR (13) + VENDOR (13) + NONE (0)"
MM34 = ("HDR + KE (4) + NONCE (10) + VENDOR (13) + VENDOR (13) + VENDOR (13) + VENDOR (13) "
        "+ NAT-D (20) + NAT-D (20) + NONE (0)")  # fmt: skip
MM5 = "HDR + ID (5) + HASH (8) + IOS KEEPALIVE (128) + VENDOR (13) + NONE (0)"
AM1 = "HDR + SA (1) + KE (4) + NONCE (10) + ID (5) + VENDOR (13) + VENDOR (13) + NONE (0)"
NOTIFY = "HDR + NOTIFY (11) + NONE (0)"


def _mask(net: str) -> str:
    if net.lower() in ("any", "any4"):
        return "0.0.0.0/0.0.0.0"
    parsed = ipaddress.IPv4Network(net, strict=False)
    return f"{parsed.network_address}/{parsed.netmask}"


def _hex(*parts: object, digits: int = 8) -> str:
    text = "|".join(map(str, parts)).encode()
    return hashlib.blake2b(text, digest_size=8).hexdigest()[:digits]


def tunnel_spec(spec: ModelSpec, outcome: Outcome) -> list[dict[str, Any]]:
    """The `tunnels:` entry (render.py format) for the ASA's view; [] when no SA is listed."""
    if outcome.state == NO_SA:
        return []
    asa, peer = spec.asa, spec.peer
    ipsec = bool(outcome.pairs)
    data: dict[str, Any] = {
        "peer": peer.address,
        "ike": outcome.ike,
        "state": outcome.state,
        "role": "responder" if outcome.role == "responder" else "initiator",
        "ipsec": ipsec,
        "proxies": [[lo, re] for lo, re in outcome.pairs] or [list(asa.acl_lines[0])],
        "encaps": outcome.encaps,
        "decaps": outcome.decaps,
        "recv_errors": outcome.recv_errors,
        "transform": outcome.transform,
        "pfs": outcome.qm_pfs if outcome.ike == 1 else asa.pfs,
        "nat_t": outcome.nat_t,
        "ike_encryption": _ENC.get(outcome.p1.encryption, outcome.p1.encryption.upper()),
        "ike_hash": _HASH.get(outcome.p1.hash, outcome.p1.hash.upper()),
        "dh_group": outcome.p1.group,
        "ike_lifetime": outcome.p1.lifetime,
        "ipsec_lifetime": outcome.ipsec_lifetime,
        "local_addr": asa.address,
        "interface": asa.interface,
        "crypto_map": asa.crypto_map,
        "seq": asa.seq,
        "acl": asa.acl_label,
        "connection": peer.address,
    }
    return [data]


class _Log:
    """Collects debug and syslog lines with a steadily advancing device clock."""

    def __init__(self, peer: str) -> None:
        self.peer = peer
        self.debug: list[str] = []
        self.syslog: list[str] = []
        self.both: list[str] = []  # what `show logging` holds (debug-trace on)
        self.stream: list[str] = []  # what a `terminal monitor` session sees
        self._t = _START

    def tick(self, seconds: int = 0) -> None:
        self._t += _dt.timedelta(seconds=seconds)

    def dbg(self, text: str, tag: str = "IKEv1", group: bool = False) -> None:
        who = f"Group = {self.peer}, IP = {self.peer}" if group else f"IP = {self.peer}"
        line = f"{self._t:%b %d %H:%M:%S} [{tag}]{who}, {text}"
        self.debug.append(line)
        self.both.append(line)
        self.stream.append(line)

    def v2(self, text: str) -> None:
        line = f"{self._t:%b %d %H:%M:%S} IKEv2-PROTO-2: (16): {text}"
        self.debug.append(line)
        self.stream.append(line)
        # with `logging debug-trace` the buffer holds debug output as 711001 messages
        self.both.append(f"{self._t:%b %d %Y %H:%M:%S}: %ASA-7-711001: IKEv2-PROTO-2: (16): "
                         f"{text}")  # fmt: skip

    def log(self, msg_id: str, text: str, group: bool = True, who: str | None = None) -> None:
        if who is None:
            who = f"Group = {self.peer}, IP = {self.peer}, " if group else f"IP = {self.peer}, "
        line = f"{self._t:%b %d %Y %H:%M:%S}: %ASA-{msg_id}: {who}{text}"
        self.syslog.append(line)
        self.both.append(line)
        self.stream.append(line)


def events(spec: ModelSpec, outcome: Outcome) -> _Log:
    """The debug and syslog lines the ASA prints for this outcome, in order."""
    asa, peer = spec.asa, spec.peer
    log = _Log(peer.address)
    fail = outcome.failure
    if outcome.idle_history:
        _idle(log, spec)
    if fail == "map_unbound":
        log.dbg("No crypto map bound to interface... dropping pkt")
        return log
    if fail in ("no_trigger", "blocked_inbound"):
        return log
    if outcome.role == "initiator":
        local, remote = asa.acl_lines[0] if asa.acl_lines else ("any", "any")
        log.log("7-713041", f"IKE Initiator: New Phase 1, Intf inside, IKE Peer {peer.address}"
                f"  local Proxy Address {local.split('/')[0]}, remote Proxy Address "
                f"{remote.split('/')[0]},  Crypto map ({asa.crypto_map})", group=False)  # fmt: skip
    if outcome.ike == 2:
        _ikev2(log, spec, outcome)
    else:
        _ikev1(log, spec, outcome)
    return log


def _user(peer: str) -> str:
    return f"Group = {peer}, Username = {peer}, IP = {peer}, "


def _idle(log: _Log, spec: ModelSpec) -> None:
    remote = spec.asa.remote_nets[0].split("/")[0]
    log.log("5-713050", f"Connection terminated for peer {log.peer}.  Reason: IPsec SA Idle "
            f"Timeout  Remote Proxy {remote}, Local Proxy 0.0.0.0")  # fmt: skip
    log.log(
        "4-113019",
        "Session disconnected. Session Type: LAN-to-LAN, Duration: 0h:31m:07s, "
        "Bytes xmt: 18340, Bytes rcv: 17912, Reason: Idle Timeout",
        who=_user(log.peer),
    )
    log.tick(600)


def _ikev1(log: _Log, spec: ModelSpec, o: Outcome) -> None:
    init = o.role == "initiator"
    fail = o.failure
    send, recv = ("SENDING", "RECEIVED") if init else ("RECEIVED", "SENDING")
    if fail in ("version", "no_response") and init:
        first = AM1 if spec.asa.mode == "aggressive" else MM1
        log.dbg(f"IKE_DECODE SENDING Message (msgid=0) with payloads : {first} total length : 168")
        if fail == "version":
            _v2_attempt(log, spec)
        for _ in range(3):
            log.tick(8)
            log.dbg(f"IKE_DECODE RESENDING Message (msgid=0) with payloads : {first} total "
                    "length : 168")  # fmt: skip
        log.log("5-713136", f"IKE session establishment timed out [{o.state}], aborting!", False)
        return
    if fail == "version":  # responder: the peer speaks IKEv2 only
        _v2_attempt(log, spec)
        return
    if fail == "aggressive_refused":
        log.dbg(f"IKE_DECODE SENDING Message (msgid=0) with payloads : {AM1} total length : 380")
        for _ in range(3):
            log.tick(8)
            log.dbg(f"IKE_DECODE RESENDING Message (msgid=0) with payloads : {AM1} total "
                    "length : 380")  # fmt: skip
        log.log("5-713136", "IKE session establishment timed out [AG_INIT_EXCH], aborting!", False)
        return
    first = AM1 if o.aggressive else MM1
    log.dbg(f"IKE_DECODE {send} Message (msgid=0) with payloads : {first} total length : 172")
    if fail == "p1_proposal":
        _p1_proposal(log, spec, o)
        return
    if not init:
        log.dbg("processing SA payload", tag="IKEv1 DEBUG")
    log.dbg("Oakley proposal is acceptable", tag="IKEv1 DEBUG")
    log.dbg(f"IKE_DECODE {recv} Message (msgid=0) with payloads : {MM2} total length : 124")
    if fail == "return_path":
        for _ in range(3):
            log.tick(8)
            log.dbg("Duplicate Phase 1 packet detected.  Retransmitting last packet.")
            log.log("5-713201", "Duplicate Phase 1 packet detected.  Retransmitting last "
                    "packet.", False)  # fmt: skip
        log.log("5-713136", "IKE session establishment timed out [MM_WAIT_MSG3], aborting!", False)
        return
    log.dbg(f"IKE_DECODE {send} Message (msgid=0) with payloads : {MM34} total length : 368")
    if fail == "invalid_cookie":
        log.dbg(f"IKE_DECODE RECEIVED Message (msgid=0) with payloads : {NOTIFY} total "
                "length : 80")  # fmt: skip
        log.log("5-713904", "Received an un-encrypted INVALID_COOKIE notify message, dropping",
                False)  # fmt: skip
        log.log("4-713903", "Information Exchange processing failed", False)
        for _ in range(2):
            log.tick(8)
            log.dbg("IKE_DECODE RESENDING Message (msgid=0) with payloads : HDR + KE (4) + "
                    "NONCE (10) + VENDOR (13) + NAT-D (20) + NAT-D (20) + NONE (0) total "
                    "length : 368")  # fmt: skip
        log.log("5-713136", "IKE session establishment timed out [MM_WAIT_MSG4], aborting!", False)
        return
    log.dbg(f"IKE_DECODE {recv} Message (msgid=0) with payloads : {MM34} total length : 368")
    this = "IS" if spec.path.nat else "is NOT"
    nat_text = ("Automatic NAT Detection Status:     Remote end is NOT behind a NAT device     "
                f"This end {this} behind a NAT device")  # fmt: skip
    log.dbg(nat_text, group=True)
    log.log("6-713172", nat_text)
    log.dbg(f"Connection landed on tunnel_group {log.peer}")
    if fail == "nat_t_blocked":
        if init:
            log.dbg(f"IKE_DECODE SENDING Message (msgid=0) with payloads : {MM5} total "
                    "length : 96")  # fmt: skip
            for _ in range(2):
                log.tick(8)
                log.dbg(f"IKE_DECODE RESENDING Message (msgid=0) with payloads : {MM5} total "
                        "length : 96")  # fmt: skip
        else:
            log.tick(30)
        log.log("5-713136", f"IKE session establishment timed out [{o.state}], aborting!", False)
        return
    if fail == "auth":
        _auth_v1(log, init)
        return
    log.dbg(f"Generating keys for {'Initiator' if init else 'Responder'}...", "IKEv1 DEBUG",
            group=True)  # fmt: skip
    log.dbg(f"IKE_DECODE {send} Message (msgid=0) with payloads : {MM5} total length : 96")
    log.dbg(f"IKE_DECODE {recv} Message (msgid=0) with payloads : HDR + ID (5) + HASH (8) + "
            "VENDOR (13) + NONE (0) total length : 84")  # fmt: skip
    _lifetime(log, spec, o)
    log.dbg("PHASE 1 COMPLETED", group=True)
    log.log("5-713119", "PHASE 1 COMPLETED")
    _quick_mode(log, spec, o)


def _p1_proposal(log: _Log, spec: ModelSpec, o: Outcome) -> None:
    if o.role == "initiator":
        log.dbg(f"IKE_DECODE RECEIVED Message (msgid=0) with payloads : {NOTIFY} total "
                "length : 124")  # fmt: skip
        log.dbg("Received an un-encrypted NO_PROPOSAL_CHOSEN notify message, dropping")
        log.log("5-713904", "Received an un-encrypted NO_PROPOSAL_CHOSEN notify message, "
                "dropping", False)  # fmt: skip
        log.log("4-713903", "Information Exchange processing failed", False)
        return
    ours, theirs = spec.asa.p1, spec.peer.p1
    cls, rcv, cfg = "Group Description", f"Group {theirs.group}", f"Group {ours.group}"
    if ours.encryption != theirs.encryption:
        cls, rcv, cfg = "Encryption Alg", theirs.encryption.upper(), ours.encryption.upper()
    elif ours.hash != theirs.hash:
        cls, rcv, cfg = "Hash Alg", theirs.hash.upper(), ours.hash.upper()
    log.dbg("processing SA payload", tag="IKEv1 DEBUG")
    text = f"Phase 1 failure: Mismatched attribute types for class {cls}: Rcv'd: {rcv} Cfg'd: {cfg}"
    log.log("5-713257", text, False)
    log.dbg("All SA proposals found unacceptable", tag="IKEv1 DEBUG")
    log.dbg(f"IKE_DECODE SENDING Message (msgid={_hex('np', log.peer)}) with payloads : "
            f"{NOTIFY} total length : 124")  # fmt: skip


def _auth_v1(log: _Log, init: bool) -> None:
    if init:
        log.dbg("Generating keys for Initiator...", "IKEv1 DEBUG", group=True)
        log.dbg(f"IKE_DECODE SENDING Message (msgid=0) with payloads : {MM5} total length : 96")
        log.dbg(f"IKE_DECODE RECEIVED Message (msgid={_hex('pm', log.peer)}) with payloads : "
                f"{NOTIFY} total length : 80")  # fmt: skip
        log.dbg("Received an un-encrypted PAYLOAD_MALFORMED notify message, dropping", group=True)
        warn = ("Error, peer has indicated that something is wrong with our message.  This "
                "could indicate a pre-shared key mismatch.")  # fmt: skip
        log.dbg(warn, group=True)
        log.log("5-713904", "Received an un-encrypted PAYLOAD_MALFORMED notify message, dropping")
        log.log("4-713903", warn)
        log.log("4-713903", "Information Exchange processing failed")
        return
    log.dbg("Generating keys for Responder...", "IKEv1 DEBUG", group=True)
    log.dbg("IKE_DECODE RECEIVED Message (msgid=0) with payloads : HDR + ID (5) + HASH (8) + "
            "NONE (0) total length : 92")  # fmt: skip
    log.dbg("Received encrypted Oakley Main Mode packet with invalid payloads, MessID = 0")
    text = (
        "ERROR, had problems decrypting packet, probably due to mismatched pre-shared key.  "
        "Aborting"
    )
    log.dbg(text, group=True)
    log.log("4-713903", text)
    log.tick(30)
    log.log("5-713136", "IKE session establishment timed out [MM_WAIT_MSG5], aborting!", False)


def _lifetime(log: _Log, spec: ModelSpec, o: Outcome) -> None:
    """713073-76: the lower lifetime wins (S9); logged when our configured one was higher."""
    if o.p1.lifetime < spec.asa.p1.lifetime:
        log.log("5-713073", "Responder forcing change of Phase 1 rekeying duration from "
                f"{spec.asa.p1.lifetime} to {o.p1.lifetime} seconds")  # fmt: skip
    if o.ipsec_lifetime < spec.asa.ipsec_lifetime:
        log.log("5-713074", "Responder forcing change of IPSec rekeying duration from "
                f"{spec.asa.ipsec_lifetime} to {o.ipsec_lifetime} seconds")  # fmt: skip


def _qm_payloads(pfs: bool) -> str:
    ke = " + KE (4)" if pfs else ""
    return f"HDR + HASH (8) + SA (1) + NONCE (10){ke} + ID (5) + ID (5) + NONE (0)"


def _quick_mode(log: _Log, spec: ModelSpec, o: Outcome) -> None:
    msgid = _hex("qm", log.peer)
    init = o.role == "initiator"
    payloads = _qm_payloads(o.qm_pfs is not None)
    fail = o.failure if o.failure.startswith("p2_") else ""
    if init:
        log.dbg(f"IKE Initiator starting QM: msg id = {msgid}", "IKEv1 DECODE", group=True)
        log.dbg(f"IKE_DECODE SENDING Message (msgid={msgid}) with payloads : {payloads} "
                "total length : 452")  # fmt: skip
    else:
        log.dbg(f"IKE_DECODE RECEIVED Message (msgid={msgid}) with payloads : {payloads} "
                "total length : 452")  # fmt: skip
    if fail:
        _qm_failure(log, spec, o, msgid, fail)
    if o.pairs:
        _qm_success(log, spec, o, msgid)


def _fsm(struct: str, msgid: str) -> str:
    return f"QM FSM error (P2 struct &0x00007f3a1c{struct}, mess id 0x{msgid})!"


def _qm_failure(log: _Log, spec: ModelSpec, o: Outcome, msgid: str, fail: str) -> None:
    fsm = _fsm(_hex("p2", log.peer, digits=6), msgid)
    if o.role == "initiator":
        notify = "Invalid ID info (18)" if fail == "p2_proxy" else "No proposal chosen (14)"
        log.dbg(f"IKE_DECODE RECEIVED Message (msgid={_hex('n', msgid)}) with payloads : HDR + "
                "HASH (8) + NOTIFY (11) + NONE (0) total length : 84")  # fmt: skip
        log.dbg(f"Received non-routine Notify message: {notify}", group=True)
        log.log("5-713068", f"Received non-routine Notify message: {notify}")
    elif fail == "p2_proxy":
        local, remote = o.rejected[0]
        text = (f"Rejecting IPSec tunnel: no matching crypto map entry for remote proxy "
                f"{_mask(local)}/0/0 local proxy {_mask(remote)}/0/0 on interface "
                f"{spec.asa.interface}")  # fmt: skip
        log.dbg(text, group=True)
        log.log("3-713061", text)
    else:
        log.dbg("processing SA payload", "IKEv1 DEBUG", group=True)
        log.dbg(f"Static Crypto Map check, map {spec.asa.crypto_map}, seq = {spec.asa.seq} is "
                "a successful match", "IKEv1 DEBUG", group=True)  # fmt: skip
        if fail == "p2_pfs":
            rcv = f"Group {spec.peer.pfs}" if spec.peer.pfs else "None"
            cfg = f"Group {spec.asa.pfs}" if spec.asa.pfs else "None"
            text = (f"Phase 2 failure: Mismatched attribute types for class Group Description: "
                    f"Rcv'd: {rcv} Cfg'd: {cfg}")  # fmt: skip
            log.log("5-713257", text)
        log.dbg("All IPSec SA proposals found unacceptable!", group=True)
        log.log("3-713048", "Error processing payload: Payload ID: 1")
    log.dbg(fsm, group=True)
    log.log("3-713902", fsm)
    log.log("3-713902", "Removing peer from correlator table failed, no match!")
    if o.role == "responder" and fail == "p2_proxy":
        reason = "crypto map policy not found"
        log.log("5-713259", f"Session is being torn down. Reason: {reason}")
        log.log(
            "4-113019",
            "Session disconnected. Session Type: LAN-to-LAN, Duration: "
            f"0h:00m:00s, Bytes xmt: 0, Bytes rcv: 0, Reason: {reason}",
            who=_user(log.peer),
        )


def _qm_success(log: _Log, spec: ModelSpec, o: Outcome, msgid: str) -> None:
    role = "Initiator" if o.role == "initiator" else "Responder"
    for n, _pair in enumerate(o.pairs):
        spi_in, spi_out = _hex("in", log.peer, n), _hex("out", log.peer, n)
        log.log("5-713049", f"Security negotiation complete for LAN-to-LAN Group ({log.peer})  "
                f"{role}, Inbound SPI = 0x{spi_in}, Outbound SPI = 0x{spi_out}")  # fmt: skip
        log.log("5-713120", f"PHASE 2 COMPLETED (msgid={msgid})")
    if o.aws_any_rejected:
        log.tick(40)
        text = (f"Rejecting IPSec tunnel: no matching crypto map entry for remote proxy "
                "0.0.0.0/0.0.0.0/0/0 local proxy 0.0.0.0/0.0.0.0/0/0 on interface "
                f"{spec.asa.interface}")  # fmt: skip
        log.dbg(text, group=True)
        log.log("3-713061", text)
        fsm = _fsm(_hex("aws", log.peer, digits=6), _hex("a", msgid))
        log.log("3-713902", fsm)
    if spec.path.peer_nat_in_tunnel and o.decaps:
        _nat_in_tunnel(log, spec, o)


def _nat_in_tunnel(log: _Log, spec: ModelSpec, o: Outcome) -> None:
    local, remote = o.pairs[0]
    src = next(ipaddress.IPv4Network(spec.path.peer_nat_in_tunnel, strict=False).hosts())
    dst = next(ipaddress.IPv4Network(local if local != "any" else "10.1.1.0/24",
                                     strict=False).hosts())  # fmt: skip
    spi = _hex("in", log.peer, 0).upper()
    for seq in (0x41, 0x42):
        log.tick(2)
        log.log("4-402116", f"IPSEC: Received an ESP packet (SPI= 0x{spi}, sequence number= "
                f"0x{seq:X}) from {log.peer} (user= {log.peer}) to {spec.asa.address}.  The "
                "decapsulated inner packet doesn't match the negotiated policy in the SA.  The "
                f"packet specifies its destination as {dst}, its source as {src}, and its "
                f"protocol as 6.  The SA specifies its local proxy as {_mask(local)}/0/0 and "
                f"its remote_proxy as {_mask(remote)}/0/0.", who="")  # fmt: skip


def _v2_attempt(log: _Log, spec: ModelSpec) -> None:
    who = f"Local:{spec.asa.address}:500 Remote:{log.peer}:500 Username:Unknown"
    log.log("5-750002", f"{who} Received a IKE_INIT_SA request", who="")
    log.log("3-751004", f"{who} No remote authentication method configured for peer in tunnel "
            f"group {log.peer}", who="")  # fmt: skip


def _ikev2(log: _Log, spec: ModelSpec, o: Outcome) -> None:
    init = o.role == "initiator"
    fail = o.failure
    who = f"Local:{spec.asa.address}:500 Remote:{log.peer}:500 Username:Unknown"
    if not init:
        log.log("5-750002", f"{who} Received a IKE_INIT_SA request", who="")
    if fail == "no_response" and init:
        for _ in range(3):
            log.v2("SM Trace-> SA: I_SPI=" + _hex("i", log.peer, digits=16).upper()
                   + " R_SPI=0000000000000000 (I) MsgID = 00000000 CurState: I_WAIT_INIT "
                   "Event: EV_NO_EVENT")  # fmt: skip
            log.v2("Retransmitting packet")
            log.tick(8)
        return
    if fail == "p1_proposal":
        if init:
            log.v2("Received no proposal chosen notify")
            log.v2("Parse Notify Payload: NO_PROPOSAL_CHOSEN NOTIFY(NO_PROPOSAL_CHOSEN)")
        else:
            log.v2("Failed to find a matching policy")
        return
    if fail == "auth":
        if init:
            log.v2("Parse Notify Payload: AUTHENTICATION_FAILED NOTIFY(AUTHENTICATION_FAILED)")
            log.v2("Auth exchange failed")
        else:
            log.v2("Verify auth failed")
            log.v2("Failed to authenticate the IKE SA")
        return
    if o.pairs:
        local, remote = o.pairs[0]
        log.log("5-750006", f"{who} SA UP. Reason: New Connection Established", who="")
        log.log("5-750001", f"{who} Received request to establish an IPsec tunnel; local traffic "
                f"selector = Address Range: {local} Protocol: 0 Port Range: 0-65535 ; remote "
                f"traffic selector = Address Range: {remote} Protocol: 0 Port Range: 0-65535",
                who="")  # fmt: skip
        if spec.path.peer_nat_in_tunnel and o.decaps:
            _nat_in_tunnel(log, spec, o)
