"""packet-tracer: the command built from the configuration, and the facts read from a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.diagnose.packet_tracer import (
    build_packet_tracer_command,
    interpret_packet_tracer,
    trace_flow,
)
from vpn_doctor.parse.config.sections import parse_crypto_config, parse_packet_tracer

DATA = Path(__file__).parent / "data" / "config"


def _raw(name: str) -> str:
    return (DATA / f"{name}.raw").read_text(encoding="utf-8")


def _config(acl: str, *, routes: bool = True, **extra: str) -> CryptoConfig:
    outputs = {"show running-config crypto": _raw("aws_run_crypto"), **extra}
    outputs["show running-config access-list"] = acl
    if routes:
        outputs["show route"] = _raw("show_route_table")
    return parse_crypto_config(outputs)


MULTI = _raw("aws_acl_multi_line").replace("ACL-AWS-VPN", "acl-amzn")


def test_command_from_the_crypto_acl() -> None:
    command = build_packet_tracer_command(_config(MULTI), "52.28.10.1")
    # 10.0.202.1 is the ASA's own inside address (an L route): the next host is used.
    assert command == "packet-tracer input inside icmp 10.0.202.2 8 0 10.1.2.1 detailed"
    assert check_allowed(command) == command  # the read-only allowlist lets it through


def test_any4_source_uses_the_connected_inside_network() -> None:
    config = _config(_raw("aws_acl_single_any4"))
    flow = trace_flow(config, "52.29.20.2")  # the second AWS endpoint shares the entry
    assert flow is not None
    assert (flow.interface, flow.source, flow.destination) == ("inside", "10.0.202.2", "10.1.2.1")


def test_without_routes_interface_comes_from_nat_then_default() -> None:
    text = MULTI.replace("10.0.202.0", "172.20.1.0")
    nat = "nat (lan,outside) source static A A destination static B B no-proxy-arp route-lookup\n"
    with_nat = _config(text, routes=False, **{"show running-config nat": nat})
    assert build_packet_tracer_command(with_nat, "52.28.10.1") == (
        "packet-tracer input lan icmp 172.20.1.1 8 0 10.1.2.1 detailed"
    )
    bare = _config(text, routes=False)
    assert build_packet_tracer_command(bare, "52.28.10.1") == (
        "packet-tracer input inside icmp 172.20.1.1 8 0 10.1.2.1 detailed"
    )


def test_host_aces_and_object_group_expansion() -> None:
    host = "access-list acl-amzn extended permit ip host 10.0.202.77 host 10.1.2.10\n"
    assert build_packet_tracer_command(_config(host), "52.28.10.1") == (
        "packet-tracer input inside icmp 10.0.202.77 8 0 10.1.2.10 detailed"
    )
    hits = _raw("show_access_list_hitcnt").replace("outside_cryptomap_10", "acl-amzn")
    config = parse_crypto_config(
        {"show running-config crypto": _raw("aws_run_crypto"), "show access-list acl-amzn": hits}
    )
    assert build_packet_tracer_command(config, "52.28.10.1") == (
        "packet-tracer input inside icmp 10.0.202.1 8 0 10.1.2.1 detailed"
    )


@pytest.mark.parametrize(
    "acl",
    [
        "access-list acl-amzn extended permit ip object-group L object-group R\n",
        "access-list acl-amzn extended permit tcp 10.0.202.0 255.255.255.0 any4 eq 443\n",
        "access-list acl-amzn extended deny ip 10.0.202.0 255.255.255.0 10.1.2.0 255.255.255.0\n",
    ],
    ids=["objects-unexpanded", "tcp-to-any", "deny-only"],
)
def test_no_command_when_the_acl_gives_no_pair(acl: str) -> None:
    assert build_packet_tracer_command(_config(acl), "52.28.10.1") is None


def test_no_command_for_an_unknown_peer_or_no_config() -> None:
    assert build_packet_tracer_command(_config(MULTI), "192.0.2.1") is None
    assert build_packet_tracer_command(CryptoConfig(), "52.28.10.1") is None


def _facts(name: str) -> list[str]:
    return interpret_packet_tracer(parse_packet_tracer(_raw(name)).records[0])


def test_interpret_allow_through_the_tunnel() -> None:
    facts = _facts("packet_tracer_allow_vpn")
    assert "Matches a crypto map: Phase 5: Type: VPN Subtype: encrypt Result: ALLOW" in facts
    assert any(f.startswith("NAT exemption applies (identity NAT, phase 4)") for f in facts)
    assert "Route lookup (phase 3): found next-hop 198.51.100.1 using egress ifc outside" in facts
    assert facts[-1] == "Action: allow. output-interface: outside"


def test_interpret_vpn_drop() -> None:
    facts = _facts("packet_tracer_vpn_drop")
    assert any(
        f.startswith("Matches a crypto map but the tunnel is not built: Phase 4: Type: VPN "
                     "Subtype: encrypt Result: DROP")
        for f in facts
    )  # fmt: skip
    assert facts[-1] == "Action: drop. Drop-reason: (acl-drop) Flow is denied by configured rule"


def test_interpret_acl_drop_before_vpn() -> None:
    facts = _facts("packet_tracer_acl_drop")
    assert "Dropped before any VPN phase: the crypto map was never consulted" in facts
    assert (
        "Dropped at phase 2 ACCESS-LIST (Implicit Rule): Phase 2: Type: ACCESS-LIST Result: DROP"
        in facts
    )


NATED = """Phase: 1
Type: ROUTE-LOOKUP
Subtype: Resolve Egress Interface
Result: ALLOW
Config:
Additional Information:
found next-hop 198.51.100.1 using egress ifc  outside

Phase: 2
Type: NAT
Subtype:
Result: ALLOW
Config:
object network obj-any
 nat (inside,outside) dynamic interface
Additional Information:
Dynamic translate 10.0.202.5/0 to 198.51.100.10/4711

Result:
input-interface: inside
input-status: up
output-interface: outside
output-status: up
Action: allow
"""


def test_interpret_nat_before_encryption_and_no_vpn_phase() -> None:
    facts = interpret_packet_tracer(parse_packet_tracer(NATED).records[0])
    assert facts[1] == (
        "Translated before encryption (phase 2): nat (inside,outside) dynamic interface "
        "(Dynamic translate 10.0.202.5/0 to 198.51.100.10/4711); the crypto ACL is matched "
        "against the translated address"
    )
    assert facts[2].startswith("No VPN phase: the flow leaves unencrypted")


def test_interpret_truncated_run() -> None:
    cut = "\n".join(_raw("packet_tracer_allow_vpn").splitlines()[:30]) + "\n"
    facts = interpret_packet_tracer(parse_packet_tracer(cut).records[0])
    assert facts[-1] == "The output ends before the final Action: the verdict is unknown"
