"""Catalogue of ASA debug and syslog messages, and a fast matcher over captured lines.

Why this exists: phase 1 states and SA counters say *where* a tunnel stops; the debug and
syslog lines usually say *why* (a proxy-ID mismatch, a rejected proposal, a bad certificate).
The engine needs those lines as structured evidence, tied to a peer and to a Contract 3
finding code, without re-implementing regexes in every rule.

Each :class:`MessagePattern` carries:

* ``id``: a stable key (the syslog id where one pattern owns it, e.g. ``"713061"``, otherwise
  a descriptive name such as ``"IKEV1_PAYLOAD_MALFORMED"``); ``syslog`` holds the ASA message
  id (``"713902"``) so several patterns can share one id;
* ``implies``: the Contract 3 code the line points at, or ``None`` for context-only lines;
* ``confidence``: the tag from KNOWLEDGE.md (V verified text, S practitioner source with
  device output, I inference, U unverified). Treat ``U`` patterns as hints, never as proof;
* ``strength``: ``decisive`` when the line alone names the fault, ``supporting`` when it
  needs a state or another line to mean something (e.g. QM FSM error, 713068).

Matching is written for thousands of lines: one combined pre-filter regex (built from each
pattern's literal ``guard``) rejects uninteresting lines in a single C-level scan; only lines
that pass are checked per pattern, each pattern first by its guard substring.

Sources cited in ``sources`` are the IDs of KNOWLEDGE.md §1 (S1..S33) and the field guides in
shared/seeds (``seed:001`` etc.). Message texts are the device's; descriptions are our own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vpn_doctor.diagnose.findings import CONTRACT3_CODES

Confidence = Literal["V", "S", "I", "U"]
Strength = Literal["decisive", "supporting"]

#: Contract 3 (shared/DESIGN.md): every ``implies`` must be one of these.
FINDING_CODES: frozenset[str] = frozenset(CONTRACT3_CODES)


@dataclass(frozen=True)
class MessagePattern:
    """One recognisable ASA message and what it tells the engine."""

    id: str
    regex: re.Pattern[str]
    title: str
    meaning: str
    implies: str | None
    phase: int | None
    confidence: Confidence
    strength: Strength
    guard: str  # literal substring present in every matching line (pre-filter)
    syslog: str | None = None  # ASA message id, e.g. "713061"
    sources: tuple[str, ...] = ()
    note: str = ""
    #: A generic pattern reported only when no specific pattern matched the same line
    #: (e.g. 113019 with an unknown Reason, 713068 with an unknown notify type).
    fallback: bool = False


@dataclass(frozen=True)
class DebugEvidence:
    """One device line matched by one catalogue pattern."""

    pattern: MessagePattern
    line: str  # the exact device line (evidence must quote the device)
    peer: str | None  # peer address from IP = / Group = / Remote: / from X (user=...)
    line_no: int = 0  # 0-based position in the input
    fields: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def implies(self) -> str | None:
        return self.pattern.implies

    @property
    def decisive(self) -> bool:
        return self.pattern.strength == "decisive"


def _p(
    id: str,
    regex: str,
    *,
    guard: str,
    title: str,
    meaning: str,
    implies: str | None,
    phase: int | None,
    confidence: Confidence,
    strength: Strength = "supporting",
    syslog: str | None = None,
    sources: tuple[str, ...] = (),
    note: str = "",
    fallback: bool = False,
) -> MessagePattern:
    """Build a pattern, compiling its regex once at import time."""
    return MessagePattern(
        id=id,
        regex=re.compile(regex),
        title=title,
        meaning=meaning,
        implies=implies,
        phase=phase,
        confidence=confidence,
        strength=strength,
        guard=guard,
        syslog=syslog,
        sources=sources,
        note=note,
        fallback=fallback,
    )


_U_SEED = (
    "KNOWLEDGE.md §10 lists this text as unverified [U]; field guide seed:001 (PeteNetLive "
    "KB0000216, S15) quotes it from device debug, so it is tagged S here. Confirm on a lab ASA."
)

# fmt: off
CATALOGUE: tuple[MessagePattern, ...] = (
    # ------------------------------------------------------------------ IKEv1 phase 1
    _p("IKEV1_MM1_RESEND",
       r"IKE_DECODE RESENDING Message \(msgid=0\) with payloads : HDR \+ SA \(1\)",
       guard="IKE_DECODE RESENDING", phase=1, confidence="V", implies="IKE_NO_RESPONSE",
       title="Main mode message 1 retransmitted",
       meaning="The initiator resends its SA proposal: no main mode message 2 came back. "
               "Means 'no response' only if no IKE_DECODE RECEIVED from the peer follows "
               "(see unanswered_resends()); a responder resending MM2 looks the same.",
       sources=("S2", "S3")),
    _p("IKEV1_MM3_RESEND",
       r"IKE_DECODE RESENDING Message \(msgid=0\) with payloads : HDR \+ KE \(4\) \+ NONCE \(10\)",
       guard="IKE_DECODE RESENDING", phase=1, confidence="V",
       implies="IKE_KEY_EXCHANGE_STALLED",
       title="Main mode key exchange retransmitted",
       meaning="Key exchange (MM3/MM4) resent without an answer: initiator at MM_WAIT_MSG4. "
               "The remote may lack a tunnel-group/PSK for us or have our address wrong.",
       sources=("S2",)),
    _p("IKEV1_MM5_RESEND",
       r"IKE_DECODE RESENDING Message \(msgid=0\) with payloads : HDR \+ ID \(5\) \+ HASH \(8\)",
       guard="IKE_DECODE RESENDING", phase=1, confidence="I", implies=None,
       title="Main mode identity message retransmitted",
       meaning="MM5/MM6 (ID + HASH, encrypted) resent without an answer. With NAT detected it "
               "points at UDP/4500 being blocked; without NAT, at the peer failing to decrypt "
               "it (PSK) or dropping it silently.",
       sources=("S3",)),
    _p("IKE_DECODE_RECEIVED",
       r"IKE_DECODE RECEIVED Message \(msgid=(?P<msgid>[0-9a-fA-F]+)\) with payloads : "
       r"(?P<payloads>.+?)(?: total length : (?P<length>\d+))?$",
       guard="IKE_DECODE RECEIVED", phase=None, confidence="V", implies=None,
       title="IKE packet received",
       meaning="An IKE packet from the peer was decoded: the peer answers on UDP/500 (or "
               "4500). Used to tell retransmissions with and without replies apart.",
       syslog="713236", sources=("S2", "S3")),
    _p("IKE_DECODE_SENDING",
       r"IKE_DECODE SENDING Message \(msgid=(?P<msgid>[0-9a-fA-F]+)\) with payloads : "
       r"(?P<payloads>.+?)(?: total length : (?P<length>\d+))?$",
       guard="IKE_DECODE SENDING", phase=None, confidence="V", implies=None,
       title="IKE packet sent",
       meaning="An IKE packet was built and sent to the peer (first transmission).",
       syslog="713236", sources=("S2", "S3")),
    _p("IKEV1_AM1",
       r"IKE_DECODE (?:SENDING|RESENDING|RECEIVED) Message \(msgid=0\) with payloads : "
       r"HDR \+ SA \(1\) \+ KE \(4\) \+ NONCE \(10\) \+ ID \(5\)",
       guard="HDR + SA (1) + KE (4)", phase=1, confidence="I",
       implies="IKE_AGGRESSIVE_MODE",
       title="Aggressive mode first message",
       meaning="SA, KE, nonce and identity in one message is aggressive mode (RFC 2409): the "
               "identity travels in clear and main-mode-only peers (AWS) refuse it.",
       note="Payload layout inferred from the protocol, not quoted from an ASA capture."),
    _p("IKEV1_NO_PROPOSAL_CHOSEN_UNENCRYPTED",
       r"Received an un-encrypted NO_PROPOSAL_CHOSEN notify message",
       guard="NO_PROPOSAL_CHOSEN", phase=1, confidence="S", strength="decisive",
       implies="IKE_PROPOSAL_MISMATCH", syslog="713904",
       title="Peer rejected all phase 1 proposals",
       meaning="An unencrypted notify can only come before keys exist, i.e. during main mode "
               "1/2: the peer has no IKE policy matching ours (encryption, hash, DH group, "
               "authentication, lifetime). In quick mode the same refusal arrives encrypted "
               "as 713068 'No proposal chosen (14)' instead.",
       sources=("seed:001", "seed:002", "S15"), note=_U_SEED),
    _p("IKEV1_ALL_SA_PROPOSALS_UNACCEPTABLE",
       r"All SA proposals found unacceptable",
       guard="All SA proposals found unacceptable", phase=1, confidence="V",
       strength="decisive", implies="IKE_PROPOSAL_MISMATCH",
       title="No IKE policy matches the peer's proposals",
       meaning="As responder the ASA found no `crypto ikev1 policy` matching the peer's "
               "phase 1 proposals.",
       sources=("S20", "S21")),
    _p("IKMP_NO_ERROR_NO_TRANS",
       r"IKMP_NO_ERROR_NO_TRANS",
       guard="IKMP_NO_ERROR_NO_TRANS", phase=1, confidence="S",
       implies="IKE_PROPOSAL_MISMATCH",
       title="No matching transform (PIX-era message)",
       meaning="Older PIX/ASA code: no acceptable transform among the peer's proposals; seen "
               "with phase 1 policy mismatches.",
       sources=("seed:002",)),
    _p("713257_P2_GROUP",
       r"Phase 2 failure: Mismatched attribute types for class Group Description: "
       r"Rcv'd: (?P<rcv>.+?) Cfg'd: (?P<cfg>.+)",
       guard="Mismatched attribute types", phase=2, confidence="I", strength="decisive",
       implies="IPSEC_PFS_MISMATCH", syslog="713257",
       title="Phase 2 DH group (PFS) differs",
       meaning="The quick mode Group Description (the PFS group) differs between the peers.",
       sources=("S10",),
       note="713257's format is verified; its use for phase 2 PFS groups is inferred."),
    _p("713257_P2",
       r"Phase 2 failure: Mismatched attribute types for class (?P<cls>.+?): "
       r"Rcv'd: (?P<rcv>.+?) Cfg'd: (?P<cfg>.+)",
       guard="Mismatched attribute types", phase=2, confidence="V",
       strength="decisive", implies="IPSEC_TRANSFORM_MISMATCH", syslog="713257",
       title="Phase 2 attribute differs",
       meaning="A quick mode attribute (encryption, integrity, encapsulation) differs; "
               "Rcv'd is the peer's value, Cfg'd ours.",
       sources=("S10",), fallback=True),
    _p("713257",
       r"Phase 1 failure: Mismatched attribute types for class (?P<cls>.+?): "
       r"Rcv'd: (?P<rcv>.+?) Cfg'd: (?P<cfg>.+)",
       guard="Mismatched attribute types", phase=1, confidence="V", strength="decisive",
       implies="IKE_PROPOSAL_MISMATCH", syslog="713257",
       title="Phase 1 attribute differs",
       meaning="Names the exact IKE policy attribute that differs (e.g. Group Description); "
               "Rcv'd is the peer's value, Cfg'd ours.",
       sources=("S10",)),
    _p("713904",
       r"Received an un-encrypted INVALID_COOKIE notify message, dropping",
       guard="INVALID_COOKIE", phase=1, confidence="V",
       implies="IKE_KEY_EXCHANGE_STALLED", syslog="713904",
       title="Peer does not know our IKE SA (INVALID_COOKIE)",
       meaning="The peer has no IKE SA for our cookies: typically it has no tunnel-group or "
               "PSK for our address, or has our peer address wrong (initiator at "
               "MM_WAIT_MSG4).",
       sources=("S2",)),
    _p("713903_INFO_EXCHANGE",
       r"Information Exchange processing failed",
       guard="Information Exchange processing failed", phase=None, confidence="V",
       implies=None, syslog="713903",
       title="Informational exchange failed",
       meaning="Follows a notify the ASA could not use; read the line before it.",
       sources=("S2", "seed:001")),
    _p("IKEV1_PAYLOAD_MALFORMED",
       r"Received an un-encrypted PAYLOAD_MALFORMED notify message",
       guard="PAYLOAD_MALFORMED", phase=1, confidence="S", strength="decisive",
       implies="IKE_AUTH_FAILED", syslog="713904",
       title="Peer could not parse our encrypted main mode message",
       meaning="The peer failed to decrypt our MM5 (ID + HASH): the pre-shared keys differ. "
               "The same lines were also seen with PFS set on one side only: compare `set "
               "pfs` on both ends before changing the key.",
       sources=("seed:001", "seed:002", "S15")),
    _p("713903_PEER_WRONG_MESSAGE",
       r"(?i:error)[.,] peer has indicated that something is wrong with our message",
       guard="something is wrong with our message", phase=1, confidence="S",
       strength="decisive", implies="IKE_AUTH_FAILED", syslog="713903",
       title="Peer reports our message as wrong (likely PSK mismatch)",
       meaning="The ASA's own reading of a PAYLOAD_MALFORMED notify: probably a pre-shared "
               "key mismatch; a one-sided PFS setting has produced it too.",
       sources=("seed:001", "seed:002", "S15")),
    _p("IKEV1_DECRYPT_PROBLEMS",
       r"had problems decrypting packet, probably due to mismatched pre-shared key",
       guard="problems decrypting packet", phase=1, confidence="S", strength="decisive",
       implies="IKE_AUTH_FAILED",
       title="Could not decrypt the peer's main mode message",
       meaning="The ASA could not decrypt the peer's MM5/MM6: keys derived from different "
               "PSKs. Seed 001 saw the same line caused by a PFS mismatch.",
       sources=("seed:001", "S15"), note=_U_SEED),
    _p("IKEV1_INVALID_PAYLOADS",
       r"Received encrypted Oakley Main Mode packet with invalid payloads",
       guard="with invalid payloads", phase=1, confidence="S", strength="decisive",
       implies="IKE_AUTH_FAILED",
       title="Encrypted main mode packet did not decode",
       meaning="Decryption with our key produced garbage: PSK mismatch (or one-sided PFS).",
       sources=("seed:001", "S15"), note=_U_SEED),
    _p("IKEV1_HEADER_MISSING_SA",
       r"Header invalid, missing SA payload!",
       guard="missing SA payload", phase=1, confidence="S", implies=None,
       title="Packet without the expected SA payload",
       meaning="The peer restarted negotiation or sent a message out of sequence; seen after a "
               "decryption failure in seed 001.",
       sources=("seed:001",)),
    _p("IKEV1_NO_TUNNEL_GROUP",
       r"Can't find a valid tunnel group, aborting\.\.\.!",
       guard="Can't find a valid tunnel group", phase=1, confidence="S",
       implies="IKE_AUTH_FAILED",
       title="No tunnel-group for the peer",
       meaning="The ASA could not select a tunnel-group for the peer, so it has no PSK: L2L "
               "tunnel-groups must be named by the peer's IP (or its IKE identity).",
       sources=("S22",)),
    _p("713022",
       r"No Group found matching (?P<id>\S+) for Pre-shared key peer (?P<ip>\S+)",
       guard="No Group found matching", phase=1, confidence="V",
       implies="IKE_AUTH_FAILED", syslog="713022",
       title="No tunnel-group for a PSK peer",
       meaning="No tunnel-group matches the peer's identity for pre-shared-key authentication.",
       sources=("S10",)),
    _p("713172_NAT_DETECTED",
       r"Automatic NAT Detection Status:.*\b(?:is|IS) behind a NAT device",
       guard="Automatic NAT Detection Status", phase=1, confidence="V",
       implies="IKE_NAT_T_BLOCKED", syslog="713172",
       title="NAT detected: NAT-T in use",
       meaning="One end is behind NAT, so MM5 onwards and ESP move to UDP/4500. If phase 1 "
               "then stalls at MM_WAIT_MSG5/6 without a PSK error, UDP/4500 is likely blocked.",
       sources=("S10",)),
    _p("713172_NO_NAT",
       r"Automatic NAT Detection Status:\s+Remote end\s+(?i:is not)\s+behind a NAT device\s+"
       r"This end\s+(?i:is not)\s+behind a NAT device",
       guard="Automatic NAT Detection Status", phase=1, confidence="V", implies=None,
       syslog="713172",
       title="No NAT between the peers",
       meaning="Neither end is behind NAT: UDP/4500 is not involved, which rules out "
               "IKE_NAT_T_BLOCKED.",
       sources=("S10",)),
    _p("713136",
       r"IKE session establishment timed out \[(?P<state>[A-Z_0-9]+)\], aborting!",
       guard="IKE session establishment timed out", phase=1, confidence="V", implies=None,
       syslog="713136",
       title="Phase 1 timed out in a named state",
       meaning="Gives the state phase 1 was stuck in; interpret it with the role (MSG2/4/6 "
               "initiator, MSG3/5 responder).",
       sources=("S10",)),
    _p("713201",
       r"Duplicate Phase (?P<phase>\d) packet detected\.\s+(?P<action>.+)",
       guard="Duplicate Phase", phase=None, confidence="V", implies=None, syslog="713201",
       title="Peer retransmits",
       meaning="The peer resent a packet we already processed: our reply is not reaching it "
               "(return path, a filtering device) or arrives too late.",
       sources=("S10",)),
    _p("713119",
       r"PHASE 1 COMPLETED",
       guard="PHASE 1 COMPLETED", phase=1, confidence="V", implies=None, syslog="713119",
       title="Phase 1 completed",
       meaning="The IKE SA is up; a later failure belongs to phase 2.",
       sources=("S3", "S4")),
    _p("OAKLEY_PROPOSAL_ACCEPTABLE",
       r"Oakley proposal is acceptable",
       guard="Oakley proposal is acceptable", phase=1, confidence="V", implies=None,
       syslog="713906",
       title="Phase 1 proposal agreed",
       meaning="The IKE policies match; rules out IKE_PROPOSAL_MISMATCH.",
       sources=("S3",)),
    _p("LANDED_ON_TUNNEL_GROUP",
       r"Connection landed on tunnel_group (?P<tunnel_group>\S+)",
       guard="Connection landed on tunnel_group", phase=1, confidence="V", implies=None,
       syslog="713906",
       title="Tunnel-group selected",
       meaning="The ASA found the tunnel-group for the peer.",
       sources=("S3",)),
    _p("713041",
       r"IKE Initiator: New Phase 1, Intf (?P<intf>\S+), IKE Peer (?P<peer>\S+)\s+local Proxy "
       r"Address (?P<lproxy>\S+), remote Proxy Address (?P<rproxy>[^,\s]+)",
       guard="IKE Initiator: New Phase 1", phase=1, confidence="V", implies=None,
       syslog="713041",
       title="ASA starts phase 1 as initiator",
       meaning="Interesting traffic matched the crypto ACL; the proxies shown triggered it.",
       sources=("S2", "S3")),
    _p("713219",
       r"Queuing KEY-ACQUIRE messages to be processed when P1 SA is complete",
       guard="Queuing KEY-ACQUIRE", phase=1, confidence="V", implies=None, syslog="713219",
       title="Traffic waiting for phase 1",
       meaning="More interesting traffic arrived while phase 1 is pending; persistent means "
               "phase 1 is stuck.",
       sources=("S2", "S10")),
    _p("713123",
       r"IKE lost contact with remote peer, deleting connection \(keepalive type: (?P<type>\S+)\)",
       guard="IKE lost contact with remote peer", phase=1, confidence="V", implies=None,
       syslog="713123",
       title="Dead peer detection failed",
       meaning="DPD got no answer: peer or path down. For a pair of tunnels, check the other.",
       sources=("S10",)),
    _p("DPD_KEEPALIVE",
       r"(?:Sending|Received) keep-alive of type DPD R-U-THERE",
       guard="keep-alive of type DPD", phase=1, confidence="U", implies=None,
       title="DPD keepalive",
       meaning="Dead peer detection exchange; an answered R-U-THERE shows phase 1 is alive.",
       note="Common in ASA debug output but not quoted in the sources consulted."),
    _p("IKE_FSM_ERROR_HISTORY",
       r"IKE (?P<mode>MM|AM|QM) (?P<role>Initiator|Responder) FSM error history",
       guard="FSM error history", phase=None, confidence="S", implies=None,
       title="IKE state machine error history",
       meaning="Internal trail of states/events before an abort; the event names (e.g. "
               "EV_COMPARE_IDS) hint at the failing step.",
       sources=("seed:001",)),
    # ------------------------------------------------------------------ certificates
    _p("IKEV1_CERT_PEER_ID",
       r"Unable to compare IKE ID against peer cert",
       guard="Unable to compare IKE ID against peer cert", phase=1, confidence="S",
       strength="decisive", implies="IKE_CERT_PEER_ID",
       title="Peer's IKE ID does not match its certificate",
       meaning="The identity the peer sent (e.g. an FQDN) cannot be checked against its "
               "certificate's subject/SAN. `peer-id-validate nocheck` (or `cert`) in the "
               "tunnel-group ipsec-attributes, or align the peer's ID with its certificate.",
       sources=("seed:001", "S15")),
    _p("717009",
       r"Certificate validation failed\.\s*(?P<reason>.+)",
       guard="Certificate validation failed", phase=1, confidence="V", strength="decisive",
       implies="IKE_CERT_INVALID", syslog="717009",
       title="Peer certificate rejected",
       meaning="The ASA rejected the peer's certificate (key usage, validity dates, "
               "revocation, issuer). Key usage: `ignore-ipsec-keyusage` on the trustpoint.",
       sources=("S10", "seed:001")),
    _p("717027",
       r"Certificate chain failed validation\.\s*(?P<reason>.+)",
       guard="Certificate chain failed validation", phase=1, confidence="V",
       strength="decisive", implies="IKE_CERT_INVALID", syslog="717027",
       title="Certificate chain not trusted",
       meaning="The peer's chain is incomplete or not authorised by a trustpoint.",
       sources=("S10", "seed:001")),
    _p("717031",
       r"Failed to find a suitable trustpoint for the issuer: (?P<issuer>.+?) "
       r"Reason: (?P<reason>.+)",
       guard="Failed to find a suitable trustpoint", phase=1, confidence="V",
       implies="IKE_CERT_INVALID", syslog="717031",
       title="No trustpoint for the issuer",
       meaning="No CA trustpoint on the ASA for the peer certificate's issuer.",
       sources=("S10",)),
    _p("713226",
       r"Connection failed with peer (?P<peer>\S+), no trust-point defined in tunnel-group "
       r"(?P<tunnel_group>\S+)",
       guard="no trust-point defined in tunnel-group", phase=1, confidence="V",
       implies="IKE_CERT_INVALID", syslog="713226",
       title="No trust-point in the tunnel-group",
       meaning="The L2L tunnel-group uses certificates but names no `ikev1 trust-point`.",
       sources=("S10",)),
    _p("751006",
       r"Certificate authentication failed\.\s*Error: (?P<error>.+)",
       guard="Certificate authentication failed", phase=1, confidence="V",
       implies="IKE_CERT_INVALID", syslog="751006",
       title="IKEv2 certificate authentication failed",
       meaning="IKEv2 could not authenticate the peer's certificate.",
       sources=("S10",)),
    _p("717022",
       r"Certificate (?:chain )?was successfully validated",
       guard="successfully validated", phase=1, confidence="V", implies=None,
       syslog="717022",
       title="Certificate validated",
       meaning="The peer certificate (or chain, 717028) passed validation.",
       sources=("S10",)),
    # ------------------------------------------------------------------ phase 2 (IKEv1)
    _p("713061_ANY_ANY",
       r"Rejecting IPSec tunnel: no matching crypto map entry for remote proxy "
       r"0\.0\.0\.0/0\.0\.0\.0/0/0 local proxy 0\.0\.0\.0/0\.0\.0\.0/0/0 "
       r"on interface (?P<intf>\S+)",
       guard="no matching crypto map entry", phase=2, confidence="V",
       implies="IPSEC_AWS_SINGLE_SA", syslog="713061",
       title="Peer proposed any-to-any proxies (AWS style)",
       meaning="The peer offers 0.0.0.0/0 both ways (AWS default traffic selectors) and no "
               "crypto ACL matches. Harmless if it comes from the standby AWS endpoint while "
               "the other tunnel is up; otherwise the crypto ACL must be one `any4` line.",
       sources=("S4", "S26")),
    _p("713061",
       r"Rejecting IPSec tunnel: no matching crypto map entry for remote proxy (?P<rproxy>\S+) "
       r"local proxy (?P<lproxy>\S+) on interface (?P<intf>\S+)",
       guard="no matching crypto map entry", phase=2, confidence="V", strength="decisive",
       implies="IPSEC_PROXY_MISMATCH", syslog="713061", fallback=True,
       title="Peer's proxy IDs match no crypto ACL",
       meaning="Phase 2 rejected: the proxies the peer proposed do not mirror our crypto ACL "
               "(subnet, mask, host vs network, or source/destination swapped).",
       sources=("S4", "S9", "S21")),
    _p("713061_GUIDE",
       r"Tunnel rejected: Crypto Map Policy not found for Src:(?P<src>\S+), Dst: (?P<dst>\S+)",
       guard="Crypto Map Policy not found for Src", phase=2, confidence="V",
       strength="decisive", implies="IPSEC_PROXY_MISMATCH", syslog="713061",
       title="No crypto map policy for the proposed proxies",
       meaning="Syslog-guide wording of 713061: the proposed proxies match no crypto ACL.",
       sources=("S9",)),
    _p("713902_QM_FSM",
       r"QM FSM error \(P2 struct &0x[0-9a-fA-F]+, mess id 0x[0-9a-fA-F]+\)!",
       guard="QM FSM error", phase=2, confidence="V", implies=None,
       syslog="713902",
       title="Quick mode failed",
       meaning="Generic phase 2 failure after phase 1 completed. Read the line before it: "
               "713061 (proxies), 'All IPSec SA proposals' or 713068 (transform/PFS).",
       sources=("S4", "seed:001", "seed:002")),
    _p("713902_CORRELATOR",
       r"Removing peer from correlator table failed, no match!",
       guard="Removing peer from correlator table failed", phase=2, confidence="V",
       implies=None, syslog="713902",
       title="Correlator cleanup after a failed negotiation",
       meaning="Housekeeping after a failed quick mode; no cause of its own.",
       sources=("S4", "seed:001")),
    _p("713259_CRYPTO_MAP_POLICY",
       r"Session is being torn down\. Reason: crypto map policy not found",
       guard="Session is being torn down", phase=2, confidence="V",
       implies="IPSEC_PROXY_MISMATCH", syslog="713259",
       title="Torn down: crypto map policy not found",
       meaning="The session ended because no crypto map entry matched phase 2.",
       sources=("S4", "seed:001")),
    _p("713259",
       r"Session is being torn down\. Reason: (?P<reason>.+)",
       guard="Session is being torn down", phase=None, confidence="V", implies=None,
       syslog="713259", fallback=True,
       title="Session torn down",
       meaning="The session ended; the reason text says why.",
       sources=("S4",)),
    _p("113019_CRYPTO_MAP_POLICY",
       r"Session disconnected\. Session Type: (?P<type>[^,]+), Duration: (?P<duration>[^,]+), "
       r"Bytes xmt: (?P<tx>\d+), Bytes rcv: (?P<rx>\d+), Reason: crypto map policy not found",
       guard="Session disconnected", phase=2, confidence="V",
       implies="IPSEC_PROXY_MISMATCH", syslog="113019",
       title="Disconnected: crypto map policy not found",
       meaning="Phase 2 matched no crypto map entry; duration 0 with 0 bytes means the "
               "session never came up.",
       sources=("S4",)),
    _p("113019_PHASE2_MISMATCH",
       r"Session disconnected\..*Reason: Phase 2 Mismatch",
       guard="Session disconnected", phase=2, confidence="U",
       implies="IPSEC_TRANSFORM_MISMATCH", syslog="113019",
       title="Disconnected: phase 2 mismatch",
       meaning="The session ended over a phase 2 disagreement (transform set, PFS or proxies).",
       note="Reason text not verified in the sources (KNOWLEDGE.md §10)."),
    _p("113019_LOST_SERVICE",
       r"Session disconnected\..*Reason: Lost Service",
       guard="Session disconnected", phase=None, confidence="U", implies=None,
       syslog="113019",
       title="Disconnected: lost service",
       meaning="The peer stopped answering (DPD/keepalive) and the session was removed. For "
               "one of a pair of tunnels this means redundancy is degraded.",
       note="Reason text not verified in the sources (KNOWLEDGE.md §10)."),
    _p("113019_PEER_TERMINATE",
       r"Session disconnected\..*Reason: Peer Terminate",
       guard="Session disconnected", phase=None, confidence="U", implies=None,
       syslog="113019",
       title="Disconnected: peer terminated",
       meaning="The peer deleted the SAs (its admin, reboot or its own failure).",
       sources=("S9",),
       note="'Peer Terminate' is a verified 713050 reason (S9); for 113019 it is unverified."),
    _p("113019_IDLE_TIMEOUT",
       r"Session disconnected\..*Reason: Idle Timeout",
       guard="Session disconnected", phase=None, confidence="S", implies=None,
       syslog="113019",
       title="Disconnected: idle timeout",
       meaning="No traffic for the vpn-idle-timeout. Harmless when this side initiates; with a "
               "peer that cannot initiate (AWS on IKEv1) the tunnel stays down until local "
               "traffic (or an sla monitor probe) brings it back.",
       note="Seen in remote-access samples; L2L wording unverified."),
    _p("113019",
       r"Session disconnected\. Session Type: (?P<type>[^,]+), Duration: (?P<duration>[^,]+), "
       r"Bytes xmt: (?P<tx>\d+), Bytes rcv: (?P<rx>\d+), Reason: (?P<reason>.+)",
       guard="Session disconnected", phase=None, confidence="V", implies=None,
       syslog="113019", fallback=True,
       title="Session disconnected",
       meaning="A VPN session ended; Reason says why. Duration 0 with 0 bytes = never came up.",
       sources=("S4",)),
    _p("713050",
       r"Connection terminated for peer (?P<peer>\S+?)\s*\.\s+Reason: (?P<reason>.+?)\s+"
       r"Remote Proxy (?P<rproxy>\S+?),?\s+Local Proxy (?P<lproxy>\S+)",
       guard="Connection terminated for peer", phase=2, confidence="V", implies=None,
       syslog="713050",
       title="IPsec tunnel terminated",
       meaning="An IPsec SA pair ended. Reasons include IPsec SA Idle Timeout, IPsec SA Max "
               "Time Exceeded, Administrator Reset, Peer Terminate.",
       sources=("S9",)),
    _p("IKEV1_ALL_IPSEC_PROPOSALS_UNACCEPTABLE",
       r"All IPSec SA proposals found unacceptable",
       guard="All IPSec SA proposals found unacceptable", phase=2, confidence="V",
       strength="decisive", implies="IPSEC_TRANSFORM_MISMATCH",
       title="No transform set matches the peer's quick mode",
       meaning="Quick mode proposals rejected: transform set (ESP encryption/integrity) "
               "differs, or the PFS group does. If the received quick mode carries a KE "
               "payload and our map has no `set pfs` (or the reverse), suspect PFS.",
       sources=("S20",)),
    _p("713068_NO_PROPOSAL",
       r"Received non-routine Notify message: (?i:no proposal chosen)(?: \((?P<value>14)\))?",
       guard="Notify message", phase=2, confidence="V", implies="IPSEC_TRANSFORM_MISMATCH",
       syslog="713068",
       title="Peer rejected our quick mode proposal",
       meaning="An encrypted NO_PROPOSAL_CHOSEN after phase 1: the peer refused our transform "
               "set or our PFS setting. If our quick mode carried a KE payload "
               "(QM_SENT_WITH_PFS) and the peer may not use PFS, suspect IPSEC_PFS_MISMATCH "
               "first; otherwise the transform set.",
       sources=("S9", "seed:002")),
    _p("713068_INVALID_ID",
       r"Received non-routine Notify message: (?:Invalid ID info|INVALID_ID_INFORMATION)"
       r"(?: \((?P<value>18)\))?",
       guard="Notify message", phase=2, confidence="S", strength="decisive",
       implies="IPSEC_PROXY_MISMATCH", syslog="713068",
       title="Peer found no crypto ACL for our proxies",
       meaning="The peer rejected our quick mode identities: its crypto ACL does not mirror "
               "ours.",
       sources=("seed:002",)),
    _p("713068",
       r"Received non-routine Notify message: (?P<type>.+?)(?: \((?P<value>\d+)\))?$",
       guard="Notify message", phase=None, confidence="V", implies=None, syslog="713068",
       fallback=True,
       title="Peer sent a notify",
       meaning="A notify the ASA does not act on; many indicate a configuration mismatch.",
       sources=("S9",)),
    _p("ACL_DOES_NOT_MATCH_PROXY",
       r"ACL does not match proxy IDs",
       guard="ACL does not match proxy IDs", phase=2, confidence="S", strength="decisive",
       implies="IPSEC_PROXY_MISMATCH",
       title="Crypto ACL does not match the proxy IDs",
       meaning="The crypto map entry for the peer was found, but its ACL does not cover the "
               "proxies proposed.",
       sources=("seed:002",)),
    _p("NO_MATCHING_SA_ENCRYPTED",
       r"Received encrypted packet with no matching SA",
       guard="Received encrypted packet with no matching SA", phase=None, confidence="S",
       implies="IPSEC_TRANSFORM_MISMATCH", syslog="713904",
       title="Encrypted packet for an unknown SA",
       meaning="An encrypted IKE packet arrived for an SA this side no longer has; seen on "
               "the receiving side of a transform-set mismatch.",
       sources=("seed:002",)),
    _p("713048",
       r"Error processing payload[:.]?\s*Payload ID:?\s*(?P<payload>\d+)",
       guard="Error processing payload", phase=None, confidence="V",
       implies="IPSEC_TRANSFORM_MISMATCH", syslog="713048",
       title="Payload could not be processed",
       meaning="A payload (ID 1 = SA) was not acceptable; after phase 1 this is the "
               "transform set. The peer may be misconfigured.",
       sources=("S9", "seed:002")),
    _p("QM_SENT_WITH_PFS",
       r"IKE_DECODE (?:SENDING|RESENDING) Message \(msgid=[0-9a-fA-F]+\) with payloads : "
       r"HDR \+ HASH \(8\) \+ SA \(1\) \+ NONCE \(10\) \+ KE \(4\)",
       guard="HDR + HASH (8) + SA (1) + NONCE (10) + KE (4)", phase=2, confidence="I",
       implies=None,
       title="Our quick mode carries a KE payload (PFS on this side)",
       meaning="A KE payload in quick mode means PFS (RFC 2409). With a quick-mode rejection "
               "from the peer, PFS configured on this side only is the first suspect."),
    _p("QM_RECEIVED_WITH_PFS",
       r"IKE_DECODE RECEIVED Message \(msgid=[0-9a-fA-F]+\) with payloads : "
       r"HDR \+ HASH \(8\) \+ SA \(1\) \+ NONCE \(10\) \+ KE \(4\)",
       guard="HDR + HASH (8) + SA (1) + NONCE (10) + KE (4)", phase=2, confidence="I",
       implies=None,
       title="Peer's quick mode carries a KE payload (PFS on the peer)",
       meaning="The peer proposes PFS. If our crypto map has no `set pfs`, PFS differs."),
    _p("QM_WITHOUT_PFS",
       r"IKE_DECODE (?P<dir>SENDING|RESENDING|RECEIVED) Message \(msgid=[0-9a-fA-F]+\) with "
       r"payloads : HDR \+ HASH \(8\) \+ SA \(1\) \+ NONCE \(10\) \+ ID \(5\)",
       guard="HDR + HASH (8) + SA (1) + NONCE (10) + ID (5)", phase=2, confidence="I",
       implies=None,
       title="Quick mode without a KE payload (no PFS)",
       meaning="This quick mode message proposes no PFS."),
    _p("713042",
       r"IKE Initiator unable to find policy: Intf (?P<intf>\S+), Src: (?P<src>\S+), "
       r"Dst: (?P<dst>\S+)",
       guard="IKE Initiator unable to find policy", phase=1, confidence="V",
       implies="IKE_NO_SA", syslog="713042",
       title="No crypto map policy for triggering traffic",
       meaning="Traffic triggered IKE but no crypto map entry/ACL covers it any more.",
       sources=("S9",)),
    _p("NO_CRYPTO_MAP_BOUND",
       r"No crypto map bound to interface\.\.\. dropping pkt",
       guard="No crypto map bound to interface", phase=1, confidence="S",
       strength="decisive", implies="IKE_NO_SA",
       title="No crypto map on the receiving interface",
       meaning="IKE arrived on an interface with no (complete) crypto map: bind it with "
               "`crypto map NAME interface IF` and complete the entry.",
       sources=("S21",)),
    _p("752011",
       r"IKEv1 Doesn't have a transform set specified",
       guard="Doesn't have a transform set specified", phase=2, confidence="V",
       implies="IKE_NO_SA", syslog="752011",
       title="Crypto map entry has no IKEv1 transform set",
       meaning="The crypto map entry is incomplete for IKEv1, so no tunnel is attempted.",
       sources=("S10",)),
    _p("752010",
       r"IKEv2 Doesn't have a proposal specified",
       guard="Doesn't have a proposal specified", phase=2, confidence="V",
       implies="IKE_NO_SA", syslog="752010",
       title="Crypto map entry has no IKEv2 proposal",
       meaning="The crypto map entry is incomplete for IKEv2.",
       sources=("S10",)),
    _p("752009",
       r"IKEv2 Doesn't support Multiple Peers",
       guard="Doesn't support Multiple Peers", phase=None, confidence="V", implies=None,
       syslog="752009",
       title="IKEv2 entry lists several peers",
       meaning="The crypto map entry lists more than one peer, which IKEv2 does not accept.",
       sources=("S10",)),
    _p("752006",
       r"Tunnel Manager failed to dispatch a KEY_ACQUIRE message",
       guard="Tunnel Manager failed to dispatch", phase=None, confidence="V",
       implies="IKE_NO_SA", syslog="752006",
       title="Tunnel could not start",
       meaning="Probable misconfiguration of the crypto map or tunnel-group.",
       sources=("S10",)),
    _p("752015",
       r"Tunnel Manager has failed to establish an L2L SA\.\s+All configured IKE versions "
       r"failed to establish the tunnel",
       guard="Tunnel Manager has failed to establish", phase=None, confidence="V",
       implies=None, syslog="752015",
       title="All configured IKE versions failed",
       meaning="Every IKE version on the crypto map entry failed; see the version-specific "
               "messages.",
       sources=("S10",)),
    _p("752012",
       r"IKEv(?P<version>\d) was unsuccessful at setting up a tunnel",
       guard="was unsuccessful at setting up a tunnel", phase=None, confidence="V",
       implies=None, syslog="752012",
       title="One IKE version failed",
       meaning="That IKE version could not build the tunnel (the map may try the other).",
       sources=("S10",)),
    _p("713258",
       r"Attempting to establish a phase2 tunnel on (?P<new>\S+) interface but phase1 tunnel "
       r"is on (?P<old>\S+) interface",
       guard="Attempting to establish a phase2 tunnel", phase=2, confidence="V", implies=None,
       syslog="713258",
       title="Routing moved between phases",
       meaning="Phase 2 would leave another interface than phase 1: a routing change.",
       sources=("S10",)),
    _p("LIFETIME_OVERRIDE",
       r"(?:Responder forcing change of (?P<what>.+?) rekeying duration|Overriding "
       r"Initiator's (?P<what2>.+?) rekeying duration) from (?P<old>\d+) to (?P<new>\d+)",
       guard="rekeying duration", phase=None, confidence="V",
       implies="TUNNEL_PROFILE_DEVIATION", syslog="713073",
       title="Lifetimes differ between the peers",
       meaning="The peers proposed different lifetimes and the lower one wins. Not fatal on "
               "ASA IKEv1, but AWS warns that lifetimes differing from its own may interrupt "
               "the tunnel; compare with the expected profile.",
       sources=("S9", "S26")),
    _p("713049",
       r"Security negotiation complete for LAN-to-LAN Group \((?P<group>[^)]+)\)\s+"
       r"(?P<role>Initiator|Responder), Inbound SPI = (?P<spi_in>0x[0-9a-fA-F]+), "
       r"Outbound SPI = (?P<spi_out>0x[0-9a-fA-F]+)",
       guard="Security negotiation complete", phase=2, confidence="V", implies=None,
       syslog="713049",
       title="Phase 2 keys installed",
       meaning="Quick mode finished; shows the SPIs.",
       sources=("S3",)),
    _p("713120",
       r"PHASE 2 COMPLETED \(msgid=(?P<msgid>[0-9a-fA-F]+)\)",
       guard="PHASE 2 COMPLETED", phase=2, confidence="V", implies=None, syslog="713120",
       title="Phase 2 completed",
       meaning="An IPsec SA pair is up.",
       sources=("S3",)),
    _p("602303",
       r"IPSEC: An (?P<dir>inbound|outbound) LAN-to-LAN SA \(SPI= (?P<spi>0x[0-9A-Fa-f]+)\) "
       r"between (?P<a>\S+) and (?P<b>\S+) \(user= (?P<user>\S+)\) has been created",
       guard="LAN-to-LAN SA", phase=2, confidence="V", implies=None, syslog="602303",
       title="IPsec SA created",
       meaning="One direction of an IPsec SA was created.",
       sources=("S3",)),
    _p("PFKEY_DELETE",
       r"Received a DELETE PFKey message from IKE for an inbound SA",
       guard="DELETE PFKey", phase=2, confidence="S", implies=None,
       title="IKE abandoned phase 2 during SA creation",
       meaning="Generic phase 2 mismatch signal; compare phase 2 settings with the peer.",
       sources=("S30",)),
    _p("713194",
       r"Sending (?P<what>IKE|IPsec) Delete With Reason message: (?P<reason>.+)",
       guard="Delete With Reason", phase=None, confidence="V", implies=None, syslog="713194",
       title="ASA deletes SAs",
       meaning="The ASA sends a delete to the peer with the reason.",
       sources=("S10",)),
    _p("REJECT_NEW_NEGOTIATION",
       r"Rejecting new IPsec SA negotiation for peer",
       guard="Rejecting new IPsec SA negotiation", phase=2, confidence="V", implies=None,
       syslog="713227",
       title="Duplicate negotiation rejected",
       meaning="A negotiation for the same proxies is already in progress (collisions, "
               "overlapping ACL lines).",
       sources=("S10",)),
    # ------------------------------------------------------------------ data plane
    _p("402116",
       r"IPSEC: Received an? (?P<proto>\S+) packet \(SPI= (?P<spi>0x[0-9A-Fa-f]+), sequence "
       r"number= (?P<seq>0x[0-9A-Fa-f]+)\) from (?P<peer>\S+) \(user= (?P<user>\S+)\) to "
       r"(?P<local>\S+?)\.\s+The decapsulated inner packet doesn't match the negotiated policy "
       r"in the SA\.\s+The packet specifies its destination as (?P<pkt_dst>\S+?), its source "
       r"as (?P<pkt_src>\S+?), and its protocol as (?P<pkt_proto>\S+?)\.\s+The SA specifies "
       r"its local proxy as (?P<lproxy>\S+?) and its remote_proxy as (?P<rproxy>\S+?)\.?$",
       guard="decapsulated inner packet", phase=2, confidence="V", strength="decisive",
       implies="IPSEC_NAT_IN_TUNNEL", syslog="402116",
       title="Decrypted packet outside the SA's proxies",
       meaning="The peer sends traffic whose inner addresses are not in the negotiated SA: "
               "it NATs before encryption or its crypto ACL differs. Compare the packet's "
               "source/destination with the SA proxies.",
       sources=("S5", "S11", "seed:002")),
    _p("402116_SHORT",
       r"The decapsulated inner packet doesn't match the negotiated policy in the SA",
       guard="decapsulated inner packet", phase=2, confidence="V", strength="decisive",
       implies="IPSEC_NAT_IN_TUNNEL", syslog="402116", fallback=True,
       title="Decrypted packet outside the SA's proxies",
       meaning="As 402116 (line truncated or reformatted).",
       sources=("S5", "S11")),
    _p("402117",
       r"IPSEC: Received a non-IPSec packet \(protocol= (?P<proto>\S+)\) from (?P<remote>\S+) "
       r"to (?P<local>\S+)\.",
       guard="non-IPSec packet", phase=2, confidence="V", implies=None, syslog="402117",
       title="Cleartext where ESP was expected",
       meaning="A packet matched the crypto ACL but was not encrypted: a policy error on the "
               "sender.",
       sources=("S11",)),
    _p("402119",
       r"that failed anti-replay checking",
       guard="anti-replay", phase=2, confidence="V", implies="IPSEC_ERRORS", syslog="402119",
       title="ESP anti-replay failure",
       meaning="Sequence numbers outside the replay window: reordering on the path (QoS, "
               "multipath). Raise the replay window if it persists.",
       sources=("S11",)),
    _p("402120",
       r"that failed authentication\.",
       guard="failed authentication", phase=2, confidence="V", implies="IPSEC_ERRORS",
       syslog="402120",
       title="ESP integrity check failed",
       meaning="Packets corrupted in transit (or forged).",
       sources=("S11",)),
    _p("402121",
       r"that was dropped by IPSec \((?P<reason>[^)]+)\)",
       guard="dropped by IPSec", phase=2, confidence="V", implies="IPSEC_ERRORS",
       syslog="402121",
       title="Packet dropped by IPsec",
       meaning="Encapsulation or decapsulation drop with a reason string (402121/402122).",
       sources=("S11",)),
    _p("402114",
       r"with an invalid SPI",
       guard="invalid SPI", phase=2, confidence="U", implies="IPSEC_ERRORS", syslog="402114",
       title="ESP for an unknown SPI",
       meaning="ESP for an SA this side does not have: one side cleared or rebooted; usually "
               "transient. DPD helps both sides notice.",
       sources=("S11",), note="Explanation verified (S11); exact line wording not."),
    # ------------------------------------------------------------------ IKEv2
    _p("750002",
       r"Received a IKE_INIT_SA request",
       guard="IKE_INIT_SA request", phase=1, confidence="V", implies=None, syslog="750002",
       title="Peer starts IKEv2",
       meaning="The peer reaches us on UDP/500 and speaks IKEv2. If this side only runs IKEv1 "
               "towards it (an IKEv1 SA stuck at MM_WAIT_MSG2), the versions differ.",
       sources=("S10",)),
    _p("750003_TS",
       r"Negotiation aborted due to ERROR: There was no IPSEC policy found for received TS",
       guard="Negotiation aborted due to ERROR", phase=2, confidence="V",
       strength="decisive", implies="IPSEC_PROXY_MISMATCH", syslog="750003",
       title="IKEv2 traffic selectors match no crypto ACL",
       meaning="The peer's traffic selectors do not mirror our crypto ACL (IKEv2 713061).",
       sources=("S19",)),
    _p("750003_AUTH_TIMEOUT",
       r"Negotiation aborted due to ERROR: Failed to receive the AUTH msg before the timer "
       r"expired",
       guard="Negotiation aborted due to ERROR", phase=1, confidence="V",
       implies="IKE_AUTH_FAILED", syslog="750003",
       title="IKE_AUTH never arrived",
       meaning="The peer did not send IKE_AUTH in time: often a PSK mismatch on the peer; "
               "also UDP/4500 blocked after NAT detection or a fragmented IKE_AUTH lost.",
       sources=("S18", "S19")),
    _p("750003",
       r"Local:(?P<local>\S+) Remote:(?P<remote>\S+) Username:(?P<user>\S+) (?:IKEv2 )?"
       r"Negotiation aborted due to ERROR: (?P<error>.+)",
       guard="Negotiation aborted due to ERROR", phase=None, confidence="V", implies=None,
       syslog="750003", fallback=True,
       title="IKEv2 negotiation aborted",
       meaning="IKEv2 gave up; the error text says why.",
       sources=("S10",)),
    _p("751022",
       r"Tunnel rejected: Crypto Map Policy not found for remote traffic selector (?P<rts>\S+) "
       r"local traffic selector (?P<lts>\S+?)!?$",
       guard="Crypto Map Policy not found for remote traffic selector", phase=2,
       confidence="V", strength="decisive", implies="IPSEC_PROXY_MISMATCH", syslog="751022",
       title="IKEv2 selectors match no crypto map",
       meaning="IKEv2 equivalent of 713061: mirror the crypto ACL to the peer's selectors.",
       sources=("S10",)),
    _p("751027",
       r"IKEv2 Received INVALID_SELECTORS Notification from peer",
       guard="INVALID_SELECTORS", phase=2, confidence="V", implies="IPSEC_NAT_IN_TUNNEL",
       syslog="751027",
       title="Peer got packets outside the SA from us",
       meaning="The far side's 402116: OUR NAT or crypto ACL puts the wrong addresses into the "
               "SA (check this side's NAT exemption).",
       sources=("S10",)),
    _p("750011",
       r"is not strong enough to secure proposed IPSEC encryption algorithm",
       guard="is not strong enough", phase=2, confidence="V",
       implies="IPSEC_TRANSFORM_MISMATCH", syslog="750011",
       title="Child SA stronger than the IKE SA",
       meaning="The ASA refuses an ESP cipher stronger than the IKEv2 SA's; raise the IKEv2 "
               "encryption (750011/750012).",
       sources=("S10",)),
    _p("751008",
       r"Tunnel rejected: IKEv2 not enabled in group policy",
       guard="IKEv2 not enabled in group policy", phase=1, confidence="V",
       implies="IKE_VERSION_MISMATCH", syslog="751008",
       title="IKEv2 not allowed by the group-policy",
       meaning="The peer uses IKEv2 but `vpn-tunnel-protocol` of the group-policy lacks ikev2.",
       sources=("S10",)),
    _p("751009",
       r"(?:Unable to find tunnel group for peer|Can't find tunnel group for peer)",
       guard="tunnel group for peer", phase=1, confidence="V", implies="IKE_AUTH_FAILED",
       syslog="751009",
       title="IKEv2: no tunnel-group for the peer",
       meaning="No `tunnel-group <peer-ip> type ipsec-l2l` for this IKEv2 peer.",
       sources=("S10", "S18")),
    _p("751002_751004",
       r"(?:No pre-shared key or trustpoint configured for self in tunnel group|No remote "
       r"authentication method configured for peer in tunnel group|Could not build ikev2 policy)",
       guard="tunnel group", phase=1, confidence="V", implies=None, syslog="751004",
       title="Tunnel-group lacks IKEv2 authentication",
       meaning="The tunnel-group has no `ikev2 local-/remote-authentication`. With an IKEv1-only "
               "tunnel-group and a peer sending IKEv2, the IKE versions differ.",
       sources=("S10", "S18")),
    _p("750014",
       r"IKEv2 Session aborted\. Reason: Initial Contact received",
       guard="Initial Contact received", phase=1, confidence="V", implies=None,
       syslog="750014",
       title="Peer re-initiated (initial contact)",
       meaning="The peer rebooted or restarted its IKE SA; informational.",
       sources=("S10",)),
    _p("750015",
       r"deleting IPSec SA\. Reason: invalid SPI notification received for SPI "
       r"0x(?P<spi>[0-9a-fA-F]+)",
       guard="invalid SPI notification", phase=2, confidence="V", implies=None,
       syslog="750015",
       title="Peer lost the SA",
       meaning="The peer reports our SPI as invalid: it cleared or rebooted.",
       sources=("S10",)),
    _p("750005",
       r"IPsec rekey collision detected",
       guard="rekey collision", phase=2, confidence="V", implies=None, syslog="750005",
       title="Simultaneous rekey",
       meaning="Both sides rekeyed at once; normal.",
       sources=("S10",)),
    _p("750006",
       r"SA UP\. Reason: (?P<reason>.+)",
       guard="SA UP. Reason", phase=None, confidence="V", implies=None, syslog="750006",
       title="IKEv2 SA up",
       meaning="IKEv2 SA lifecycle event with its reason.",
       sources=("S10",)),
    _p("750007",
       r"SA DOWN\. Reason: (?P<reason>.+)",
       guard="SA DOWN. Reason", phase=None, confidence="V", implies=None, syslog="750007",
       title="IKEv2 SA down",
       meaning="IKEv2 SA went down; the reason says why (peer lost, deleted, rekey).",
       sources=("S10",)),
    _p("750001",
       r"Received request to (?P<request>\S+) an IPsec tunnel; local traffic selector = "
       r"(?P<lts>.+?) ; remote traffic selector = (?P<rts>.+)",
       guard="Received request to", phase=2, confidence="V", implies=None, syslog="750001",
       title="IKEv2 tunnel request with selectors",
       meaning="Shows the exact selectors requested; compare with the crypto ACL.",
       sources=("S10",)),
    _p("IKEV2_NO_MATCHING_POLICY",
       r"Failed to find a matching policy",
       guard="Failed to find a matching policy", phase=1, confidence="V",
       strength="decisive", implies="IKE_PROPOSAL_MISMATCH",
       title="IKEv2 proposal mismatch",
       meaning="No IKEv2 policy matches the peer's IKE_SA_INIT proposal. If the listed "
               "proposals start with 'ESP:', it is the child SA (ipsec-proposal) instead.",
       sources=("S18", "S31")),
    _p("IKEV2_PEER_NO_PROPOSAL",
       r"Received no proposal chosen notify",
       guard="Received no proposal chosen notify", phase=1, confidence="V",
       implies="IKE_PROPOSAL_MISMATCH",
       title="IKEv2 peer rejected our proposal",
       meaning="The peer answered IKE_SA_INIT with NO_PROPOSAL_CHOSEN: align the IKEv2 "
               "policies.",
       sources=("S18",)),
    _p("IKEV2_NOTIFY_NO_PROPOSAL",
       r"Parse Notify Payload: NO_PROPOSAL_CHOSEN",
       guard="Parse Notify Payload: NO_PROPOSAL_CHOSEN", phase=1, confidence="V",
       implies="IKE_PROPOSAL_MISMATCH",
       title="IKEv2 NO_PROPOSAL_CHOSEN notify parsed",
       meaning="The peer refused our IKEv2 proposal.",
       sources=("S18",)),
    _p("IKEV2_NO_RESPONSE",
       r"R_SPI=0{16} \(I\) MsgID = 0+ CurState: I_WAIT_INIT Event: EV_NO_EVENT",
       guard="I_WAIT_INIT", phase=1, confidence="V", strength="decisive",
       implies="IKE_NO_RESPONSE",
       title="IKEv2 IKE_SA_INIT unanswered",
       meaning="Our IKE_SA_INIT got no reply (responder SPI still zero): UDP/500 blocked, no "
               "route, or the wrong peer address.",
       sources=("S18",)),
    _p("IKEV2_RETRANSMIT",
       r"IKEv2-PROTO-\d+: .*Retransmitting packet",
       guard="Retransmitting packet", phase=1, confidence="V", implies="IKE_NO_RESPONSE",
       title="IKEv2 retransmission",
       meaning="An IKEv2 request is being resent: no answer yet.",
       sources=("S18",)),
    _p("IKEV2_AUTH_FAILED_NOTIFY",
       r"Parse Notify Payload: AUTHENTICATION_FAILED",
       guard="AUTHENTICATION_FAILED", phase=1, confidence="V", strength="decisive",
       implies="IKE_AUTH_FAILED",
       title="IKEv2 peer reports authentication failure",
       meaning="The peer could not verify our AUTH payload: pre-shared key mismatch (check "
               "our local key against the peer's remote key).",
       sources=("S18",)),
    _p("IKEV2_AUTH_FAILED",
       r"Failed to authenticate the IKE SA",
       guard="Failed to authenticate the IKE SA", phase=1, confidence="V",
       strength="decisive", implies="IKE_AUTH_FAILED",
       title="IKEv2 authentication failed",
       meaning="Pre-shared key mismatch (check local vs remote keys in both directions).",
       sources=("S18",)),
    _p("IKEV2_VERIFY_AUTH_FAILED",
       r"Verify auth failed",
       guard="Verify auth failed", phase=1, confidence="V", strength="decisive",
       implies="IKE_AUTH_FAILED",
       title="IKEv2 could not verify the peer's AUTH",
       meaning="The peer's AUTH payload does not verify with our remote key: PSK mismatch.",
       sources=("S18",)),
    _p("IKEV2_AUTH_VALUE_DIFFERS",
       r"Computed authentication value for peer differs from what peer sent",
       guard="Computed authentication value", phase=1, confidence="V", strength="decisive",
       implies="IKE_AUTH_FAILED",
       title="IKEv2 AUTH value differs",
       meaning="The AUTH value computed with our key differs from the peer's: PSK mismatch.",
       sources=("S18",)),
    _p("IKEV2_AUTH_METHOD_MISMATCH",
       r"Peer authentication method configured is mismatching with the method proposed by peer",
       guard="authentication method configured is mismatching", phase=1, confidence="V",
       implies="IKE_AUTH_FAILED",
       title="PSK vs certificate mismatch",
       meaning="One side authenticates with a PSK, the other with a certificate.",
       sources=("S18",)),
    # ------------------------------------------------------------------ AWS-side logs
    _p("AWS_PSK_MISMATCH",
       r"(?:AWS tunnel payload decryption was unsuccessful due to invalid Pre-shared Key|"
       r"AWS tunnel detected a pre-shared key mismatch with cgw)",
       guard="AWS tunnel", phase=1, confidence="V", strength="decisive",
       implies="IKE_AUTH_FAILED",
       title="AWS reports a PSK mismatch",
       meaning="The AWS endpoint could not decrypt or verify our authentication.",
       sources=("S26",)),
    _p("AWS_NO_PROPOSAL_P1",
       r"No Proposal Match Found by AWS",
       guard="No Proposal Match Found", phase=1, confidence="V", strength="decisive",
       implies="IKE_PROPOSAL_MISMATCH",
       title="AWS rejects our phase 1 proposal",
       meaning="Phase 1 attributes unsupported by AWS (e.g. 3DES, DH 5).",
       sources=("S26",)),
    _p("AWS_NO_PROPOSAL_P2",
       r"No Proposal Match Found\. Notifying with \"No proposal chosen\"",
       guard="No Proposal Match Found", phase=2, confidence="V",
       implies="IPSEC_TRANSFORM_MISMATCH",
       title="AWS rejects our phase 2 proposal",
       meaning="Phase 2 (IKEv1) or proposal (IKEv2) mismatch as seen by AWS.",
       sources=("S26",)),
    _p("AWS_TS_UNACCEPTABLE",
       r"AWS: Traffic Selector: TS_UNACCEPTABLE: received from responder",
       guard="TS_UNACCEPTABLE", phase=2, confidence="V", strength="decisive",
       implies="IPSEC_PROXY_MISMATCH",
       title="AWS rejects the traffic selectors",
       meaning="Encryption domain mismatch with the AWS tunnel's Local/Remote IPv4 CIDR.",
       sources=("S26",)),
    _p("AWS_DPD_IKEV1",
       r"Peer is not responsive - Declaring peer dead",
       guard="Peer is not responsive", phase=1, confidence="V", implies=None,
       title="AWS declared the customer gateway dead (IKEv1)",
       meaning="DPD from AWS got no answer from the ASA.",
       sources=("S26",)),
    _p("AWS_DPD_IKEV2",
       r"AWS tunnel DPD timed out after",
       guard="AWS tunnel DPD timed out", phase=1, confidence="V", implies=None,
       title="AWS declared the customer gateway dead (IKEv2)",
       meaning="DPD from AWS got no answer from the ASA.",
       sources=("S26",)),
)
# fmt: on


def _build_prefilter(patterns: Sequence[MessagePattern]) -> re.Pattern[str]:
    """One alternation of all guards: a line matching none of them is skipped in one scan."""
    guards = sorted({p.guard for p in patterns}, key=len, reverse=True)
    return re.compile("|".join(re.escape(g) for g in guards))


_PREFILTER = _build_prefilter(CATALOGUE)

_IP = r"(\d{1,3}(?:\.\d{1,3}){3})"
#: Where the peer address sits, most specific first. "IP = x" is the negotiating peer; a
#: "Group = x" may be a name, so it comes second; "from X (user=" is ESP's sender.
_PEER_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bIP\s*=\s*" + _IP),
    re.compile(r"\bGroup\s*=\s*" + _IP),
    re.compile(r"\bRemote:" + _IP),
    re.compile(r"\bfrom " + _IP + r"(?::\d+)? \(user="),
    re.compile(r"\bIKE Peer:?\s+" + _IP),
    re.compile(r"\bpeer\s+" + _IP),
    re.compile(r"\[From " + _IP),
)


def extract_peer(line: str) -> str | None:
    """Return the peer address a debug/syslog line is about, or None if it names none."""
    for rx in _PEER_RES:
        m = rx.search(line)
        if m:
            return m.group(1)
    return None


def match_line(line: str, line_no: int = 0) -> list[DebugEvidence]:
    """All catalogue matches for one line (specific ones suppress fallback ones)."""
    if not _PREFILTER.search(line):
        return []
    specific: list[DebugEvidence] = []
    generic: list[DebugEvidence] = []
    peer: str | None = None
    peer_done = False
    for pat in CATALOGUE:
        if pat.guard not in line:
            continue
        m = pat.regex.search(line)
        if m is None:
            continue
        if not peer_done:
            peer, peer_done = extract_peer(line), True
        fields = {k: v for k, v in m.groupdict().items() if v is not None}
        ev = DebugEvidence(pattern=pat, line=line, peer=peer, line_no=line_no, fields=fields)
        (generic if pat.fallback else specific).append(ev)
    return specific or generic


def match_lines(lines: Iterable[str]) -> list[DebugEvidence]:
    """Match every line against the catalogue; results keep the input order.

    Trailing newlines are stripped; the evidence keeps the rest of the line exactly.
    """
    out: list[DebugEvidence] = []
    for n, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if line:
            out.extend(match_line(line, n))
    return out


def evidence_for_peer(
    evidences: Iterable[DebugEvidence], peer: str, *, include_unattributed: bool = False
) -> list[DebugEvidence]:
    """Evidence about ``peer``.

    Some messages name no peer (717009/717027 certificate lines). When the capture was
    conditioned on one peer (`debug crypto condition peer X`) those belong to it: pass
    ``include_unattributed=True`` to keep them.
    """
    return [e for e in evidences if e.peer == peer or (include_unattributed and e.peer is None)]


def unanswered_resends(evidences: Sequence[DebugEvidence], peer: str) -> list[DebugEvidence]:
    """IKE_DECODE RESENDING lines for ``peer`` with no IKE_DECODE RECEIVED after them.

    This is the 'RESENDING without RECEIVED' signature of a peer that does not answer: a
    resend followed by a reply is ordinary packet loss, not IKE_NO_RESPONSE.
    """
    resends: list[DebugEvidence] = []
    for e in evidences:
        if e.peer != peer:
            continue
        if e.pattern.id == "IKE_DECODE_RECEIVED":
            resends.clear()
        elif "IKE_DECODE RESENDING" in e.line and e.line not in {r.line for r in resends}:
            resends.append(e)
    return resends


def codes_implied(evidences: Iterable[DebugEvidence]) -> list[str]:
    """Distinct implied finding codes, decisive ones first, in first-seen order."""
    decisive: dict[str, None] = {}
    supporting: dict[str, None] = {}
    for e in evidences:
        if e.pattern.implies is None:
            continue
        (decisive if e.decisive else supporting)[e.pattern.implies] = None
    return list(decisive) + [c for c in supporting if c not in decisive]


_SYSLOG_KEY = re.compile(r"^%?(?:ASA|PIX|FTD)-(?:\d)-(\d{6}):?$", re.IGNORECASE)


def lookup(key: str) -> list[MessagePattern]:
    """Patterns for a syslog id ('713061', '%ASA-3-713061', 'ASA-3-713061:') or pattern id.

    713073..713076 (the lifetime override family) all resolve to LIFETIME_OVERRIDE.
    """
    k = key.strip()
    m = _SYSLOG_KEY.match(k)
    if m:
        k = m.group(1)
    if k.isdigit() and k in {"713074", "713075", "713076"}:
        k = "713073"
    if k.isdigit() and k == "717028":
        k = "717022"
    if k.isdigit() and k == "750012":
        k = "750011"
    if k.isdigit() and k in {"751002", "751010"}:
        k = "751004"
    if k.isdigit() and k in {"402122"}:
        k = "402121"
    if k.isdigit() and k in {"713262"}:
        k = "713227"
    upper = k.upper()
    return [
        p
        for p in CATALOGUE
        if p.syslog == k or p.id.upper() == upper or (k.isdigit() and p.id.startswith(k))
    ]


def pattern_by_id(pattern_id: str) -> MessagePattern:
    """The pattern with this exact id (KeyError if unknown)."""
    for p in CATALOGUE:
        if p.id == pattern_id:
            return p
    raise KeyError(pattern_id)
