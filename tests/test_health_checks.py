"""Expected-vs-actual rules (health_checks.evaluate) on parsed mock outputs, no SSH."""

from __future__ import annotations

import ipaddress

import pytest

from mock_device import Scenario, load_scenario
from mock_device.outputs import OutputBook, show_version
from vpn_doctor.asa.commands import DEFAULT_COLLECTION
from vpn_doctor.collect.collector import device_info
from vpn_doctor.fleet.expectations import SA_EXPIRING, HealthReport, TunnelHealth, evaluate
from vpn_doctor.fleet.inventory import ExpectedTunnel
from vpn_doctor.models import DeviceState, Snapshot
from vpn_doctor.parse.device import parse_snapshot

from helpers import with_sa_seconds_left


def state_of(scenario: str | Scenario) -> DeviceState:
    """What `check` would parse from this scenario (the default collection)."""
    loaded = load_scenario(scenario)
    book = OutputBook(loaded)
    outputs = {}
    for command in DEFAULT_COLLECTION:
        text = book.lookup(command)
        if text is None and command == "show version":
            text = show_version(loaded.hostname, loaded.version)
        outputs[command] = text or ""
    snapshot = Snapshot(outputs=outputs, device=device_info(outputs, loaded.hostname))
    return parse_snapshot(snapshot)


def tunnel(report: HealthReport, peer: str) -> TunnelHealth:
    return next(t for t in report.tunnels if t.peer == peer)


def codes(t: TunnelHealth) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in t.findings]


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_missing_expected_tunnel_is_ike_no_sa_critical() -> None:
    report = evaluate(
        state_of("healthy"),
        (ExpectedTunnel("203.0.113.9"), ExpectedTunnel("203.0.113.77", name="gone")),
    )
    missing = tunnel(report, "203.0.113.77")
    assert missing.expected and not missing.up and missing.verdict == "down"
    assert codes(missing)[0] == ("IKE_NO_SA", "critical")
    assert missing.findings[0].evidence  # the device's own "There are no ... SAs" lines
    assert tunnel(report, "203.0.113.9").verdict == "up"


def test_unexpected_tunnels_are_info_only() -> None:
    report = evaluate(state_of("mm_wait_msg2"), ())
    (only,) = report.tunnels
    assert not only.expected and only.verdict == "down"  # the truth, but it does not alert
    assert {severity for _, severity in codes(only)} == {"info"}
    assert report.expected == ()


def test_discovery_mode_checks_everything_found() -> None:
    report = evaluate(state_of("mm_wait_msg2"), None)
    (only,) = report.tunnels
    assert only.expected and codes(only)[0] == ("IKE_NO_RESPONSE", "critical")


def test_redundancy_one_down_is_a_warning_both_down_critical_both_up_quiet() -> None:
    state = state_of("many_tunnels")
    one_down = evaluate(
        state,
        (
            ExpectedTunnel("203.0.113.1", redundancy_group="g"),
            ExpectedTunnel("198.51.100.40", redundancy_group="g"),
        ),
    )
    down = tunnel(one_down, "198.51.100.40")
    assert codes(down)[0] == ("TUNNEL_REDUNDANCY_DEGRADED", "warning")
    assert ("IKE_NO_RESPONSE", "warning") in codes(down)  # downgraded: the service still works
    assert down.verdict == "degraded"
    assert "203.0.113.1" in down.findings[0].title
    assert tunnel(one_down, "203.0.113.1").verdict == "up"

    both_down = evaluate(
        state,
        (
            ExpectedTunnel("198.51.100.40", redundancy_group="g"),
            ExpectedTunnel("198.51.100.44", redundancy_group="g"),
        ),
    )
    for peer in ("198.51.100.40", "198.51.100.44"):
        t = tunnel(both_down, peer)
        assert t.verdict == "down"
        assert ("TUNNEL_REDUNDANCY_DEGRADED", "critical") in codes(t)
        assert codes(t)[0][1] == "critical" and codes(t)[0][0] != "TUNNEL_REDUNDANCY_DEGRADED"

    both_up = evaluate(
        state,
        (
            ExpectedTunnel("203.0.113.1", redundancy_group="g"),
            ExpectedTunnel("203.0.113.2", redundancy_group="g"),
        ),
    )
    assert [t.verdict for t in both_up.expected] == ["up", "up"]


def test_missing_proxy_pair_is_a_warning_when_others_are_up() -> None:
    expected = ExpectedTunnel(
        "203.0.113.9",
        proxies=(
            (net("10.10.0.0/24"), net("10.20.0.0/24")),
            (net("10.10.9.0/24"), net("10.20.9.0/24")),
        ),
    )
    t = tunnel(evaluate(state_of("healthy"), (expected,)), "203.0.113.9")
    assert codes(t) == [("IPSEC_NO_SA", "warning")]
    assert any("10.10.9.0/24 <-> 10.20.9.0/24" in line for line in t.findings[0].evidence)
    assert t.verdict == "degraded" and t.up


def test_all_expected_proxies_present_is_healthy() -> None:
    expected = ExpectedTunnel("203.0.113.9", proxies=((net("10.10.0.0/24"), net("10.20.0.0/24")),))
    t = tunnel(evaluate(state_of("healthy"), (expected,)), "203.0.113.9")
    assert codes(t) == [("TUNNEL_HEALTHY", "info")]


@pytest.mark.parametrize(
    ("left", "threshold", "flagged"), [(42, 60, True), (61, 60, False), (42, 30, False)]
)
def test_expiring_sa_without_rekey(left: int, threshold: int, flagged: bool) -> None:
    state = state_of(with_sa_seconds_left("healthy", left))
    t = tunnel(
        evaluate(state, (ExpectedTunnel("203.0.113.9"),), rekey_threshold=threshold), "203.0.113.9"
    )
    assert (SA_EXPIRING in [f.code for f in t.findings]) is flagged
    if flagged:
        assert t.verdict == "degraded"
        assert any("remaining key lifetime" in line for line in t.findings[0].evidence)


def test_explicit_profile_is_compared() -> None:
    """Phase 1 negotiated with 3DES, which AWS does not accept: a deviation only when the
    inventory says the peer is AWS. (The scenario's AES-256 is accepted by AWS, so it alone
    would be an info note from the config checks, which `check` does not collect.)"""
    loaded = load_scenario("code_TUNNEL_PROFILE_DEVIATION")
    commands = {cmd: text.replace("AES256", "3DES") for cmd, text in loaded.commands.items()}
    state = state_of(loaded.replace(commands=commands))
    plain = tunnel(evaluate(state, (ExpectedTunnel("203.0.113.33"),)), "203.0.113.33")
    aws = tunnel(evaluate(state, (ExpectedTunnel("203.0.113.33", profile="aws"),)), "203.0.113.33")
    assert "TUNNEL_PROFILE_DEVIATION" not in [f.code for f in plain.findings]
    assert "TUNNEL_PROFILE_DEVIATION" in [f.code for f in aws.findings]


def test_peer_printed_by_name_matches_expected_name() -> None:
    report = evaluate(
        state_of("many_tunnels"), (ExpectedTunnel("203.0.113.7", name="aws-vpn-tunnel-2"),)
    )
    named = report.expected[0]
    assert named.peer == "203.0.113.7" and named.up
    assert "aws-vpn-tunnel-2" not in [t.peer for t in report.tunnels if not t.expected]
