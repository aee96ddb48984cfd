"""A small fixed-seed slice of bench/accuracy.py, run in CI over real SSH.

Why: the full harness (200+ tunnels) is a benchmark, but a handful of generated tunnels
through the whole tool (mock fleet, netmiko driver, collect, parse, diagnose) catches a
regression in any layer, and a regression in the negotiation model's outputs. The sample is
restricted to faults whose codes the engine names from the show state alone, so it pins
behaviour that already works; the full table is what measures the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.accuracy import Case, generate, run_ssh  # noqa: E402

STATE_ONLY = {
    "psk_mismatch", "phase1_proposal_mismatch", "peer_unreachable", "udp500_blocked",
    "udp4500_blocked_with_nat", "proxy_acl_not_mirror", "nat_in_tunnel", "one_way_traffic",
    "peer_no_return", "aggressive_mode", "ike_version_mismatch", "return_path_blocked",
    "peer_wrong_asa_address", "overlapping_subnets",
}  # fmt: skip


def _sample(count: int = 12) -> list[Case]:
    cases = [
        c
        for c in generate(80, seed=7, healthy_share=0.1)
        if not c.spec.faults or set(c.spec.faults) <= STATE_ONLY
    ]
    healthy = [c for c in cases if not c.spec.faults][:2]
    faulted = [c for c in cases if c.spec.faults][: count - len(healthy)]
    return healthy + faulted


@pytest.mark.e2e
def test_sample_top1_over_ssh() -> None:
    cases = _sample()
    assert len(cases) == 12
    assert len({c.kind for c in cases}) >= 6  # a spread of fault kinds, not one repeated
    results = run_ssh(cases, workers=6)
    wrong = [
        (r.case.kind, r.case.derived.outcome.role, r.case.expected, r.codes, r.error)
        for r in results
        if not r.correct or r.healthy_flagged
    ]
    assert wrong == []


def test_generation_is_reproducible() -> None:
    first = [(c.kind, c.spec.peer.address, c.expected) for c in generate(30, seed=3)]
    again = [(c.kind, c.spec.peer.address, c.expected) for c in generate(30, seed=3)]
    assert first == again


def test_double_faults_are_both_expected() -> None:
    for case in generate(20, seed=5, double=True, healthy_share=0.0):
        assert len(case.spec.faults) == 2
        assert len(case.expected) == 2
