"""Diagnosis of negotiation-model tunnels that the accuracy bench found misread.

Each case is a ``model:`` mapping (mock_device/negotiation), run through parse + diagnose
offline exactly as bench/accuracy.py --offline does; the assertions pin the rule that fixed
it (see the comments), not just the code.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.accuracy import Case, _blocks, _commands, _exercised, _pair_ok, run_offline  # noqa: E402
from mock_device.cli_emulation import logging_text  # noqa: E402
from mock_device.negotiation import derive_spec, parse_model  # noqa: E402
from mock_device.negotiation.faults import FAULTS  # noqa: E402
from mock_device.outputs import OutputBook  # noqa: E402
from vpn_doctor.diagnose.engine import diagnose  # noqa: E402
from vpn_doctor.diagnose.findings import Finding  # noqa: E402
from vpn_doctor.models import Snapshot  # noqa: E402
from vpn_doctor.parse.device import parse_snapshot  # noqa: E402


def _case(model: dict[str, Any]) -> Case:
    spec = parse_model(model)
    return Case(0, spec, derive_spec(spec))


def _diagnose(model: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    (result,) = run_offline([_case(model)])
    assert not result.error
    return result.verdict, result.codes


def _findings(model: dict[str, Any]) -> tuple[Finding, ...]:
    """The full findings, from the same outputs run_offline reads."""
    case = _case(model)
    scenario = case.scenario()
    book = OutputBook(scenario)
    outputs = {"show logging": logging_text(scenario.logging_buffer, False)}
    for command in _commands():
        text = book.lookup(command)
        if text is not None and command != "show logging":
            outputs[command] = text
    report = diagnose(parse_snapshot(Snapshot(outputs=outputs)), case.spec.peer.address)
    return report.tunnels[0].findings


# ---- single faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("pfs", [14, 2])
def test_responder_transform_refusal_with_pfs_on_both_sides(pfs: int) -> None:
    """The peer's quick mode carries KE and our map sets PFS: PFS agrees, so the refused
    proposal is the transform set (not 'PFS on one side')."""
    _, codes = _diagnose(
        {"asa": {"pfs": pfs}, "peer": {"transform": "esp-3des esp-md5-hmac"}, "traffic": "peer"}
    )
    assert codes[0] == "IPSEC_TRANSFORM_MISMATCH"
    assert "IPSEC_PFS_MISMATCH" in codes  # still listed as the alternative


@pytest.mark.parametrize("faults", [["pfs_one_side"], ["pfs_peer_only"]])
def test_responder_one_sided_pfs(faults: list[str]) -> None:
    """KE in the peer's quick mode XOR `set pfs` here: one-sided PFS."""
    _, codes = _diagnose({"asa": {"pfs": 14}, "traffic": "peer", "faults": faults})
    assert codes[0] == "IPSEC_PFS_MISMATCH"


def test_ikev2_proposal_refused_leaves_no_sa() -> None:
    """IKEv2 deletes the half-open SA on NO_PROPOSAL_CHOSEN: no SA + that notify is a
    proposal mismatch, not an idle tunnel."""
    _, codes = _diagnose(
        {"asa": {"ike": [2]}, "traffic": "asa", "faults": ["phase1_proposal_mismatch"]}
    )
    assert codes[0] == "IKE_PROPOSAL_MISMATCH"
    assert "IKE_NO_SA" not in codes


def test_crypto_map_not_bound_is_not_a_version_mismatch() -> None:
    """Our own IKEv1-tagged 'No crypto map bound' line is not the peer speaking IKEv1."""
    _, codes = _diagnose({"asa": {"ike": [2]}, "faults": ["crypto_map_not_bound"]})
    assert codes[0] == "IKE_NO_SA"
    assert "IKE_VERSION_MISMATCH" not in codes


def test_healthy_aggressive_mode_still_named_first() -> None:
    _, codes = _diagnose({"faults": ["aggressive_mode"]})
    assert codes[0] == "IKE_AGGRESSIVE_MODE"


def test_healthy_controls_stay_healthy() -> None:
    for model in ({}, {"asa": {"ike": [2]}}, {"profile": "aws", "traffic": "asa"}):
        verdict, codes = _diagnose(model)
        assert (verdict, codes[0]) == ("up", "TUNNEL_HEALTHY")
        severities = {f.severity for f in _findings(model)}
        assert severities == {"info"}


# ---- double faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("blocking", ["udp500_blocked", "peer_unreachable"])
def test_silent_aws_peer_is_no_response_first(blocking: str) -> None:
    """MM1 resent, nothing back: an AWS peer refusing the policy would answer with a notify,
    so the policy differing from the profile follows the no-response finding."""
    _, codes = _diagnose(
        {"profile": "aws", "traffic": "asa", "faults": [blocking, "aws_profile_deviation"]}
    )
    assert codes[0] == "IKE_NO_RESPONSE"
    assert {"IKE_PROPOSAL_MISMATCH", "TUNNEL_PROFILE_DEVIATION"} <= set(codes)


def test_aws_policy_refusal_still_first_when_the_peer_answers() -> None:
    _, codes = _diagnose(
        {"profile": "aws", "traffic": "asa", "faults": ["phase1_proposal_mismatch"]}
    )
    assert codes[0] == "IKE_PROPOSAL_MISMATCH"


def test_version_mismatch_without_any_sa() -> None:
    """No IKE SA (our NAT exemption is missing, so we never initiate), the peer sends
    IKE_INIT_SA to an IKEv1-only crypto map entry: a version mismatch, plus the NAT issue."""
    _, codes = _diagnose({"faults": ["ike_version_mismatch", "one_way_traffic"]})
    assert codes[0] == "IKE_VERSION_MISMATCH"
    assert "IPSEC_ONE_WAY" in codes


def test_phase2_failure_after_aggressive_mode() -> None:
    """Phase 1 up in aggressive mode no longer ends the walk: the quick-mode failure is the
    root cause, aggressive mode follows."""
    _, codes = _diagnose({"asa": {"pfs": 14}, "traffic": "asa",
                          "faults": ["aggressive_mode", "pfs_one_side"]})  # fmt: skip
    assert codes[0] == "IPSEC_PFS_MISMATCH"
    assert "IKE_AGGRESSIVE_MODE" in codes


@pytest.mark.parametrize("other", ["overlapping_subnets", "aggressive_mode"])
def test_one_way_counters_reported_next_to_another_leaf(other: str) -> None:
    """encaps > 0, decaps = 0 is reported even when the walk stops at another cause."""
    verdict, codes = _diagnose({"traffic": "asa", "faults": [other, "peer_no_return"]})
    assert "IPSEC_ONE_WAY" in codes
    assert verdict != "up"
    findings = {f.code: f for f in _findings({"traffic": "asa",
                                              "faults": [other, "peer_no_return"]})}  # fmt: skip
    assert any("#pkts decaps: 0" in line for line in findings["IPSEC_ONE_WAY"].evidence)


# ---- which double faults the harness draws (bench/accuracy.py docstring, rules 1-5) ------------


def _spec(aws: bool, traffic: str) -> Any:
    from dataclasses import replace

    from bench.accuracy import _base

    base = _base(random.Random(1), 3, aws=aws)
    return replace(base, traffic=traffic) if not aws else base


@pytest.mark.parametrize("blocking", ["psk_mismatch", "phase1_proposal_mismatch",
                                      "transform_mismatch", "proxy_acl_not_mirror"])  # fmt: skip
def test_blocking_fault_never_negotiated_is_not_drawn(blocking: str) -> None:
    """(a) No NAT exemption on the ASA, traffic from our side only: nobody initiates, so the
    peer-side fault is never exercised. With the peer initiating it is, and is drawn."""
    silent = _spec(aws=False, traffic="asa")
    assert not _pair_ok(silent, FAULTS[blocking], FAULTS["one_way_traffic"])
    heard = _spec(aws=False, traffic="peer")
    assert _exercised(heard, (FAULTS[blocking], FAULTS["one_way_traffic"]), FAULTS[blocking])


@pytest.mark.parametrize(
    "pair",
    [("nat_in_tunnel", "peer_no_return"), ("phase1_proposal_mismatch", "aws_profile_deviation")],
)
def test_one_configuration_item_twice_is_a_conflict(pair: tuple[str, str]) -> None:
    """(b), (c): the same NAT rule on the peer / the same IKE policy on the ASA."""
    spec = _spec(aws="aws_profile_deviation" in pair, traffic="asa")
    for first, second in (pair, pair[::-1]):
        assert not _pair_ok(spec, FAULTS[first], FAULTS[second])


@pytest.mark.parametrize("other", ["udp4500_blocked_with_nat", "psk_mismatch"])
def test_aws_aggressive_mode_blocks_before_later_faults(other: str) -> None:
    """(d) AWS refuses aggressive mode at the first message: it blocks (measured), and a
    fault further along the negotiation is never reached."""
    spec = _spec(aws=True, traffic="asa")
    assert _blocks(spec, FAULTS["aggressive_mode"])
    assert not _pair_ok(spec, FAULTS["aggressive_mode"], FAULTS[other])
    generic = _spec(aws=False, traffic="both")
    assert not _blocks(generic, FAULTS["aggressive_mode"])  # both ends aggressive: it works


def test_two_blocking_faults_both_in_the_configuration_are_drawn() -> None:
    spec = _spec(aws=True, traffic="asa")
    assert _pair_ok(spec, FAULTS["aggressive_mode"], FAULTS["crypto_map_not_bound"])
