"""The engine on hand-built models: state per role, honesty about parse failures, evidence."""

from __future__ import annotations

import pytest

from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.diagnose.findings import (
    DIAGNOSIS_INCOMPLETE,
    DiagnosisReport,
    TunnelDiagnosis,
    exit_code_for_verdicts,
    peer_sort_key,
)
from vpn_doctor.models import (
    DeviceInfo,
    DeviceState,
    IkeSa,
    IpsecSa,
    ParseResult,
    ParseStatus,
    ProxyId,
    VpnSession,
)

PEER = "203.0.113.9"


def ike(state: str, role: str = "initiator", peer: str = PEER, version: int = 1) -> IkeSa:
    lines = (
        f"1   IKE Peer: {peer}",
        f"    Type    : L2L             Role    : {role}",
        f"    Rekey   : no              State   : {state}",
    )
    return IkeSa(peer=peer, ike_version=version, state=state, role=role, lines=lines)


def ipsec(encaps: int = 10, decaps: int = 10, recv_errors: int = 0, peer: str = PEER) -> IpsecSa:
    lines = (
        "      local ident (addr/mask/prot/port): (10.1.1.0/255.255.255.0/0/0)",
        "      remote ident (addr/mask/prot/port): (10.2.2.0/255.255.255.0/0/0)",
        f"      current_peer: {peer}",
        f"      #pkts encaps: {encaps}, #pkts encrypt: {encaps}, #pkts digest: {encaps}",
        f"      #pkts decaps: {decaps}, #pkts decrypt: {decaps}, #pkts verify: {decaps}",
        f"      #send errors: 0, #recv errors: {recv_errors}",
    )
    return IpsecSa(
        interface="outside",
        crypto_map="outside_map",
        seq=10,
        peer=peer,
        local_ident=ProxyId("10.1.1.0", "255.255.255.0"),
        remote_ident=ProxyId("10.2.2.0", "255.255.255.0"),
        pkts_encaps=encaps,
        pkts_decaps=decaps,
        recv_errors=recv_errors,
        lines=lines,
    )


def result(
    command: str,
    records: tuple[object, ...] = (),
    status: ParseStatus | None = None,
) -> ParseResult[object]:
    if status is None:
        status = ParseStatus.OK if records else ParseStatus.EMPTY
    return ParseResult(command=command, status=status, records=records)


def state(
    ike_sas: tuple[IkeSa, ...] = (),
    ipsec_sas: tuple[IpsecSa, ...] = (),
    *,
    ike_status: ParseStatus | None = None,
    ipsec_status: ParseStatus | None = None,
    debug: tuple[str, ...] = (),
    raw: dict[str, str] | None = None,
) -> DeviceState:
    raw = raw or {
        "show crypto isakmp sa": "There are no IKEv1 SAs\n\nThere are no IKEv2 SAs\n",
        "show crypto ipsec sa": "There are no ipsec sas\n",
    }
    return DeviceState(
        device=DeviceInfo(hostname="fw1", version="9.12(4)"),
        ike_sas=result("show crypto isakmp sa", ike_sas, ike_status),  # type: ignore[arg-type]
        ipsec_sas=result("show crypto ipsec sa", ipsec_sas, ipsec_status),  # type: ignore[arg-type]
        sessions=ParseResult[VpnSession]("show vpn-sessiondb detail l2l", ParseStatus.EMPTY),
        debug_lines=debug,
        raw=raw,
    )


def only(report: DiagnosisReport, peer: str = PEER) -> TunnelDiagnosis:
    return next(t for t in report.tunnels if t.peer == peer)


@pytest.mark.parametrize(
    ("ike_state", "role", "code", "meaning_word"),
    [
        ("MM_WAIT_MSG2", "initiator", "IKE_NO_RESPONSE", "unreachable"),
        ("MM_WAIT_MSG3", "responder", "IKE_KEY_EXCHANGE_STALLED", "responder"),
        ("MM_WAIT_MSG4", "initiator", "IKE_KEY_EXCHANGE_STALLED", "initiator"),
        ("MM_WAIT_MSG5", "responder", "IKE_AUTH_FAILED", "responder"),
        ("MM_WAIT_MSG6", "initiator", "IKE_AUTH_FAILED", "initiator"),
        ("MM_NO_STATE", "responder", "IKE_PROPOSAL_MISMATCH", "policy"),
        ("MM_KEY_EXCH", "initiator", "IKE_AUTH_FAILED", "key"),
        ("MM_INIT_EXCH", "initiator", "IKE_AUTH_FAILED", "key"),
        ("OAK_MM_NO_STATE", "initiator", "IKE_PROPOSAL_MISMATCH", "policy"),
        ("OAK_MM_SA_SETUP", "initiator", "IKE_KEY_EXCHANGE_STALLED", "exchange"),
        ("OAK_MM_KEY_EXCH", "initiator", "IKE_AUTH_FAILED", "key"),
        ("AG_INIT_EXCH", "initiator", "IKE_AGGRESSIVE_MODE", "aggressive"),
        ("AM_WAIT_MSG2", "initiator", "IKE_AGGRESSIVE_MODE", "aggressive"),
        ("MM_SOMETHING_NEW", "initiator", "DIAGNOSIS_INCOMPLETE", "state"),
    ],
)
def test_phase1_states(ike_state: str, role: str, code: str, meaning_word: str) -> None:
    tunnel = only(diagnose(state((ike(ike_state, role),))))
    assert tunnel.findings[0].code == code
    # A state the playbooks do not know is never a critical finding by default.
    assert tunnel.verdict == ("unknown" if code == "DIAGNOSIS_INCOMPLETE" else "down")
    assert meaning_word in tunnel.findings[0].meaning
    assert any(ike_state in line for line in tunnel.findings[0].evidence)


def test_msg6_names_psk_and_pfs_with_the_separating_check() -> None:
    tunnel = only(diagnose(state((ike("MM_WAIT_MSG6"),))))
    first, second = tunnel.findings[0], tunnel.findings[1]
    assert (first.code, second.code) == ("IKE_AUTH_FAILED", "IPSEC_PFS_MISMATCH")
    assert first.alternatives == ("IPSEC_PFS_MISMATCH",)
    separating = [c for c in first.checks if "pfs" in c and "PHASE 1 COMPLETED" in c]
    assert separating and separating[0] in second.checks
    assert "waiting for the peer's MM6 (ID/HASH)" in " ".join(tunnel.path)


def test_path_is_readable() -> None:
    tunnel = only(diagnose(state((ike("MM_WAIT_MSG6"),))))
    assert (
        "show crypto isakmp sa: peer 203.0.113.9 is MM_WAIT_MSG6, role initiator -> "
        "waiting for the peer's MM6 (ID/HASH)"
    ) in tunnel.path


def test_old_pix_key_auth_goes_to_phase2() -> None:
    tunnel = only(diagnose(state((ike("OAK_MM_KEY_AUTH"),), (ipsec(),))))
    assert tunnel.findings[0].code == "TUNNEL_HEALTHY"


def test_healthy_has_only_info() -> None:
    tunnel = only(diagnose(state((ike("MM_ACTIVE"),), (ipsec(),))))
    assert tunnel.verdict == "up"
    assert {f.severity for f in tunnel.findings} == {"info"}


@pytest.mark.parametrize(
    ("sa", "code", "verdict"),
    [
        (ipsec(encaps=50, decaps=0), "IPSEC_ONE_WAY", "degraded"),
        (ipsec(encaps=0, decaps=50), "IPSEC_ONE_WAY", "degraded"),
        (ipsec(recv_errors=7), "IPSEC_ERRORS", "degraded"),
        (ipsec(encaps=0, decaps=0), "TUNNEL_HEALTHY", "up"),
    ],
)
def test_phase2_data_plane(sa: IpsecSa, code: str, verdict: str) -> None:
    tunnel = only(diagnose(state((ike("MM_ACTIVE"),), (sa,))))
    assert (tunnel.findings[0].code, tunnel.verdict) == (code, verdict)


def test_one_way_says_which_side() -> None:
    far = only(diagnose(state((ike("MM_ACTIVE"),), (ipsec(encaps=50, decaps=0),))))
    near = only(diagnose(state((ike("MM_ACTIVE"),), (ipsec(encaps=0, decaps=50),))))
    assert "far side" in far.findings[0].meaning
    assert "this side" in near.findings[0].meaning


def test_ipsec_missing_after_active_phase1() -> None:
    tunnel = only(diagnose(state((ike("MM_ACTIVE"),))))
    assert tunnel.findings[0].code == "IPSEC_NO_SA"
    assert "There are no ipsec sas" in tunnel.findings[0].evidence


# ---- honesty about parse failures ---------------------------------------------------------


@pytest.mark.parametrize("status", [ParseStatus.FAILED, ParseStatus.MISSING, ParseStatus.PARTIAL])
def test_unparsed_isakmp_is_never_no_sa(status: ParseStatus) -> None:
    report = diagnose(state(ike_status=status), peer=PEER)
    tunnel = only(report)
    assert tunnel.verdict == "unknown"
    assert tunnel.findings[0].code == DIAGNOSIS_INCOMPLETE
    assert all(f.code != "IKE_NO_SA" for f in tunnel.findings)
    assert report.exit_code() == 3
    assert "could not determine" in tunnel.path[-1]


def test_unparsed_ipsec_blocks_only_the_questions_that_need_it() -> None:
    stuck = only(diagnose(state((ike("MM_WAIT_MSG6"),), ipsec_status=ParseStatus.FAILED)))
    assert stuck.findings[0].code == "IKE_AUTH_FAILED"
    active = only(diagnose(state((ike("MM_ACTIVE"),), ipsec_status=ParseStatus.FAILED)))
    assert active.verdict == "unknown"
    assert active.findings[0].code == DIAGNOSIS_INCOMPLETE
    assert "show crypto ipsec sa" in active.findings[0].title


def test_requested_peer_with_nothing_is_no_sa() -> None:
    tunnel = only(diagnose(state(), peer="198.51.100.7"), "198.51.100.7")
    assert tunnel.findings[0].code == "IKE_NO_SA"
    assert "There are no IKEv1 SAs" in tunnel.findings[0].evidence


def test_peer_filter() -> None:
    other = ike("MM_ACTIVE", peer="192.0.2.1")
    report = diagnose(state((ike("MM_WAIT_MSG2"), other)), peer=PEER)
    assert [t.peer for t in report.tunnels] == [PEER]


def test_no_tunnels_exits_unknown() -> None:
    report = diagnose(state())
    assert report.tunnels == ()
    assert report.exit_code() == 3
    assert report.notes


# ---- evidence -----------------------------------------------------------------------------

NO_PROPOSAL = (
    f"Nov 22 10:00:01 [IKEv1]IP = {PEER}, Received an un-encrypted NO_PROPOSAL_CHOSEN notify "
    "message, dropping"
)


def test_decisive_evidence_overrides_the_state_guess() -> None:
    tunnel = only(diagnose(state((ike("MM_WAIT_MSG2"),), debug=(NO_PROPOSAL,))))
    assert tunnel.findings[0].code == "IKE_PROPOSAL_MISMATCH"
    assert tunnel.findings[0].confidence == "confirmed"
    assert NO_PROPOSAL in tunnel.findings[0].evidence
    assert tunnel.findings[1].code == "IKE_NO_RESPONSE"
    assert tunnel.verdict == "down"


def test_old_phase1_failure_on_a_healthy_tunnel_is_history() -> None:
    tunnel = only(diagnose(state((ike("MM_ACTIVE"),), (ipsec(),), debug=(NO_PROPOSAL,))))
    assert tunnel.findings[0].code == "TUNNEL_HEALTHY"
    assert tunnel.verdict == "up"
    history = [f for f in tunnel.findings if f.code == "IKE_PROPOSAL_MISMATCH"]
    assert history and history[0].severity == "info"


def test_unattributed_debug_goes_to_the_conditioned_peer_only() -> None:
    line = "%ASA-3-717009: Certificate validation failed. Peer certificate key usage is invalid"
    other = "%ASA-5-713119: Group = 198.51.100.77, IP = 198.51.100.77, PHASE 1 COMPLETED"
    third = "%ASA-5-713119: Group = 198.51.100.78, IP = 198.51.100.78, PHASE 1 COMPLETED"
    lines = (line, other, third)
    conditioned = only(diagnose(state(debug=lines), peer=PEER, debug_peer=PEER))
    assert conditioned.findings[0].code == "IKE_CERT_INVALID"
    report = diagnose(state(debug=lines), peer=PEER)
    assert "IKE_CERT_INVALID" not in {f.code for f in only(report).findings}
    assert any("unattributed" in note for note in report.notes)


# ---- verdict arithmetic ---------------------------------------------------------------------


def test_exit_code_precedence() -> None:
    assert exit_code_for_verdicts(["up", "up"]) == 0
    assert exit_code_for_verdicts(["up", "degraded"]) == 1
    assert exit_code_for_verdicts(["degraded", "unknown"]) == 3
    assert exit_code_for_verdicts(["unknown", "down", "degraded"]) == 2
    assert exit_code_for_verdicts([]) == 3


def test_peers_sort_numerically() -> None:
    peers = ["10.0.0.10", "peer-name", "10.0.0.2", "2001:db8::1"]
    assert sorted(peers, key=peer_sort_key) == ["10.0.0.2", "10.0.0.10", "2001:db8::1", "peer-name"]


def test_profile_normalisation() -> None:
    from vpn_doctor.diagnose.profiles import normalise_encryption, normalise_group, normalise_hash

    assert {normalise_encryption(v) for v in ("aes", "AES128", "AES-CBC keysize 128")} == {"aes128"}
    assert normalise_encryption("aes-256") == "aes256"
    assert {normalise_hash(v) for v in ("sha", "SHA1", "SHA96", "esp-sha-hmac")} == {"sha1"}
    assert normalise_hash("SHA2-256") == "sha256"
    assert normalise_group("DH Grp:14") == normalise_group("group14") == "14"


def test_output_filtered_for_another_peer_never_reads_as_no_ipsec_sa() -> None:
    """`show crypto ipsec sa peer Y` says nothing about peer X: X is undetermined, not down."""
    from vpn_doctor.models import Snapshot
    from vpn_doctor.parse.device import parse_snapshot

    isakmp = (
        "IKEv1 SAs:\n\n   Active SA: 2\n    Rekey SA: 0 (A tunnel will report 1 Active and 1 "
        "Rekey SA during rekey)\nTotal IKE SA: 2\n\n"
        "1   IKE Peer: 203.0.113.9\n    Type    : L2L             Role    : initiator\n"
        "    Rekey   : no              State   : MM_ACTIVE\n"
        "2   IKE Peer: 203.0.113.10\n    Type    : L2L             Role    : initiator\n"
        "    Rekey   : no              State   : MM_ACTIVE\n\nThere are no IKEv2 SAs\n"
    )
    snapshot = Snapshot(
        outputs={
            "show crypto isakmp sa": isakmp,
            "show crypto ipsec sa peer 203.0.113.10": "There are no ipsec sas\n",
        }
    )
    report = diagnose(parse_snapshot(snapshot))
    tunnels = {t.peer: t for t in report.tunnels}
    other = tunnels["203.0.113.9"]
    assert other.verdict == "unknown", [f.code for f in other.findings]
    assert all(f.code != "IPSEC_NO_SA" for f in other.findings)
    assert tunnels["203.0.113.10"].findings[0].code == "IPSEC_NO_SA"
