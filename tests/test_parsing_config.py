"""Configuration parsers: data-driven fixtures, broken input, and the CryptoConfig aggregate.

Fixtures live in tests/data/config/: ``<case>.raw`` is the device output, ``<case>.yml``
names the parser, the command, the expected status and record count, and a subset of fields
of the first records (in order). A yml may point at another case's raw with ``raw:``.
The ``real_*`` raws are real outputs (ntc-templates test data and the AWS 8.x sample).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from vpn_doctor.config_models import AclAddress
from vpn_doctor.models import ParseResult, ParseStatus
from vpn_doctor.parse.config import sections as pc

DATA = Path(__file__).parent / "data" / "config"
CASES = sorted(DATA.glob("*.yml"))

Parser = Callable[..., ParseResult[Any]]


def _raw(name: str) -> str:
    return (DATA / f"{name}.raw").read_text(encoding="utf-8")


def _comparable(value: Any) -> Any:
    if isinstance(value, AclAddress):
        return str(value)
    if isinstance(value, tuple):
        return [_comparable(v) for v in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixture(case: Path) -> None:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    parser: Parser = getattr(pc, spec["parser"])
    text = _raw(spec.get("raw", case.stem))
    result = parser(text, spec["command"]) if "command" in spec else parser(text)
    assert result.status == ParseStatus(spec["status"]), result.warnings
    assert len(result.records) == spec["count"]
    if spec["status"] == "ok":
        assert result.warnings == ()
    for index, expected in enumerate(spec["records"]):
        record = result.records[index]
        for key, value in expected.items():
            assert _comparable(getattr(record, key)) == value, (index, key)


def test_every_raw_has_an_expectation() -> None:
    assert len(CASES) >= 30, "test_fixture collects the ymls: an empty set would skip it"
    used = {yaml.safe_load(c.read_text()).get("raw", c.stem) for c in CASES}
    assert {p.stem for p in DATA.glob("*.raw")} <= used


# ---- broken input: never an exception, always an honest status ---------------------------

ALL_PARSERS: list[Parser] = [
    pc.parse_crypto_map,
    pc.parse_crypto_map_bindings,
    pc.parse_ike_policies,
    pc.parse_ike_enabled,
    pc.parse_transform_sets,
    pc.parse_ipsec_proposals,
    pc.parse_ipsec_profiles,
    pc.parse_tunnel_interfaces,
    pc.parse_tunnel_groups,
    pc.parse_group_policies,
    pc.parse_sla_monitors,
    pc.parse_running_access_lists,
    pc.parse_access_list_hits,
    pc.parse_running_nat,
    pc.parse_nat_hits,
    pc.parse_routes,
    pc.parse_packet_tracer,
    pc.parse_ca_certificates,
]

GARBAGE = "lorem ipsum dolor sit amet\n\x00\x01 %%%% ^^^\n  indented nonsense here\n12345\n"


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=lambda p: p.__name__)
def test_garbage_fails_with_warnings(parser: Parser) -> None:
    result = parser(GARBAGE)
    assert result.status == ParseStatus.FAILED
    assert result.records == ()
    assert result.warnings


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=lambda p: p.__name__)
def test_blank_output_is_empty(parser: Parser) -> None:
    result = parser("\n  \n")
    assert result.status == ParseStatus.EMPTY
    assert result.usable


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=lambda p: p.__name__)
def test_device_error_is_failed(parser: Parser) -> None:
    text = (
        "show running-config crypto foo\n"
        "                         ^\n"
        "ERROR: % Invalid input detected at '^' marker.\n"
    )
    result = parser(text)
    assert result.status == ParseStatus.FAILED
    assert any("Invalid input" in w for w in result.warnings)


def _head(name: str, lines: int, cut: str) -> str:
    return "\n".join([*_raw(name).splitlines()[:lines], cut]) + "\n"


CUT_ACE = "access-list ACL-AWS-VPN extended permit ip 10.0.204.0 255.255"
CUT_HIT = "access-list outside_cryptomap_10 line 3 extended permit ip any4 10.1"
TRUNCATED: list[tuple[Parser, str, int]] = [
    (pc.parse_crypto_map, _head("aws_run_crypto", 10, "crypto map amzn_vpn_map 1 set secur"), 1),
    (pc.parse_crypto_map_bindings, "crypto map M interface outside\ncrypto map M 10\n", 1),
    (pc.parse_ike_policies, _head("real_crypto_ikev1", 8, " lifeti"), 2),
    (pc.parse_ike_enabled, "crypto ikev1 enable outside\ncrypto ikev2 enable\n", 1),
    (
        pc.parse_transform_sets,
        _head("real_crypto_ipsec", 2, "crypto ipsec ikev1 transform-set A"),
        2,
    ),
    (pc.parse_ipsec_proposals, _head("real_crypto_ipsec", 10, " protocol esp encr"), 1),
    (pc.parse_ipsec_profiles, _head("vti_crypto_ipsec", 9, " set pfs gro"), 1),
    (pc.parse_ipsec_profiles, _head("vti_crypto_ipsec", 9, " set peer 203.0.113.9"), 1),
    (pc.parse_tunnel_interfaces, _head("vti_interfaces", 14, "   tunnel protection ipsec pro"), 1),
    (pc.parse_tunnel_groups, _head("aws_tunnel_groups", 6, "tunnel-group 52.29.20.2 ty"), 1),
    (pc.parse_group_policies, _head("aws_group_policy", 3, "group-policy DfltGrp"), 1),
    (pc.parse_sla_monitors, _head("aws_sla_monitor", 3, "sla monitor schedule"), 1),
    (pc.parse_sla_monitors, _head("aws_sla_monitor", 2, " frequ"), 1),
    (pc.parse_running_access_lists, _head("aws_acl_multi_line", 2, CUT_ACE), 1),
    (pc.parse_access_list_hits, _head("show_access_list_hitcnt", 5, CUT_HIT), 2),
    (pc.parse_running_nat, _head("nat_twice_exemption", 5, "nat (inside,outside) source stat"), 3),
    (pc.parse_nat_hits, _head("show_nat", 5, "2 (inside) to (outs"), 1),
    (pc.parse_routes, _head("show_route_table", 11, "S        10.9.0.0 255.2"), 1),
    (pc.parse_routes, _head("show_route_entry", 3, "  * 198.51"), 0),
    (pc.parse_packet_tracer, _head("packet_tracer_allow_vpn", 30, ""), 1),
]
TRUNCATED_IDS = [f"{p.__name__}-{i}" for i, (p, _, _) in enumerate(TRUNCATED)]


@pytest.mark.parametrize(("parser", "text", "minimum"), TRUNCATED, ids=TRUNCATED_IDS)
def test_truncated_gives_partial_result_and_warning(
    parser: Parser, text: str, minimum: int
) -> None:
    result = parser(text)
    assert result.status == ParseStatus.PARTIAL, result
    assert result.warnings
    assert len(result.records) >= minimum
    assert not result.usable


# ---- details that a yml subset cannot say well -------------------------------------------


def test_packet_tracer_phases() -> None:
    allow = pc.parse_packet_tracer(_raw("packet_tracer_allow_vpn")).records[0]
    assert [p.number for p in allow.phases] == [1, 2, 3, 4, 5, 6]
    (vpn,) = allow.vpn_phases
    assert (vpn.subtype, vpn.result) == ("encrypt", "ALLOW")
    assert any("user_data=0x922fac" in line for line in vpn.extra)
    nat = allow.phases[3]
    assert nat.config[0].startswith("nat (inside,outside) source static obj-SrcNet")
    assert allow.first_drop is None

    vpn_drop = pc.parse_packet_tracer(_raw("packet_tracer_vpn_drop")).records[0]
    assert vpn_drop.first_drop is not None
    assert (vpn_drop.first_drop.type, vpn_drop.first_drop.subtype) == ("VPN", "encrypt")

    acl_drop = pc.parse_packet_tracer(_raw("packet_tracer_acl_drop")).records[0]
    assert acl_drop.first_drop is not None and acl_drop.first_drop.type == "ACCESS-LIST"
    assert acl_drop.first_drop.config == ("Implicit Rule",)
    assert "Drop-location: frame 0x0000558bd3e1f2a4 flow (NA)/NA" in acl_drop.extra
    assert acl_drop.vpn_phases == ()


def test_packet_tracer_cut_before_verdict_says_so() -> None:
    result = pc.parse_packet_tracer(_head("packet_tracer_allow_vpn", 30, ""))
    assert result.records[0].action == ""
    assert any("before the final Action" in w for w in result.warnings)


def test_clear_text_keys_never_stored() -> None:
    result = pc.parse_tunnel_groups(_raw("ikev2_tunnel_group_cleartext"))
    text = repr(result)
    assert "S3cret" not in text
    assert "0a1b2c" not in pc.mask_secrets_in_line(" ikev1 pre-shared-key hex 0a1b2c")
    assert pc.mask_secrets_in_line(" pre-shared-key 0 clear") == " pre-shared-key 0 *****"


def test_pasted_output_with_prompt_and_indent() -> None:
    # The AWS 8.x sample is indented as a whole and starts with the echoed command.
    result = pc.parse_crypto_map(_raw("real_awsdocs_crypto_8x"))
    assert result.status == ParseStatus.OK
    assert result.records[0].lines[0] == (
        "crypto map VPN_crypto_map_name 1 match address access-list-name"
    )


def test_acl_address_as_network() -> None:
    entries = pc.parse_running_access_lists(_raw("aws_acl_single_any4")).records
    assert entries[0].source.as_network() == ("0.0.0.0", "0.0.0.0")
    assert entries[0].destination.as_network() == ("10.1.2.0", "255.255.255.0")
    assert AclAddress("host", "10.0.0.1").as_network() == ("10.0.0.1", "255.255.255.255")
    assert AclAddress("object-group", "G").as_network() is None


# ---- the aggregate -------------------------------------------------------------------------


def _aws_outputs() -> dict[str, str]:
    return {
        "show running-config crypto": _raw("aws_run_crypto"),
        "show running-config tunnel-group": _raw("aws_tunnel_groups"),
        "show running-config access-list acl-amzn": _raw("aws_acl_single_any4"),
        "show access-list outside_cryptomap_10": _raw("show_access_list_hitcnt"),
        "show running-config group-policy": _raw("aws_group_policy"),
        "show running-config sla monitor": _raw("aws_sla_monitor"),
        "show running-config nat": _raw("nat_twice_exemption"),
        "show nat": _raw("show_nat"),
        "show route": _raw("show_route_table"),
        "packet-tracer input inside icmp 10.0.202.5 8 0 10.1.2.10 detailed": _raw(
            "packet_tracer_allow_vpn"
        ),
        "show crypto isakmp sa": "not ours: ignored",
    }


def test_crypto_config_aws_two_tunnels() -> None:
    config = pc.parse_crypto_config(_aws_outputs())
    assert config.warnings == ()
    assert set(config.status.values()) == {ParseStatus.OK}
    assert "show crypto isakmp sa" not in config.status

    (entry,) = config.entries_for_peer("52.29.20.2")
    assert entry == config.entries_for_peer("52.28.10.1")[0]
    assert config.interface_for_map(entry.map_name) == "outside"
    assert config.ike_enabled_on("outside", 1)
    assert not config.ike_enabled_on("outside", 2)
    (ace,) = config.acl(entry.match_address)
    assert str(ace.source) == "any4"
    tset = config.transform_set(entry.ikev1_transform_sets[0])
    assert tset is not None and (tset.esp_encryption, tset.esp_hash) == ("esp-aes", "esp-sha-hmac")
    (policy,) = config.ike_policies
    assert (policy.encryption, policy.hash, policy.group, policy.lifetime_seconds) == (
        ("aes",),
        "sha",
        "2",
        28800,
    )
    for peer in ("52.28.10.1", "52.29.20.2"):
        group = config.tunnel_group(peer)
        assert group is not None and group.type == "ipsec-l2l"
        gp = config.group_policy(group.default_group_policy)
        assert gp is not None and gp.vpn_filter == "ACL-AWS-FILTER"
    sla = config.sla_monitor_to("10.1.2.2")
    assert sla is not None and sla.scheduled and sla.schedule_life == "forever"
    assert any(rule.is_identity for rule in config.nat_rules)
    assert [r.translate_hits for r in config.nat_hits] == [0, 14, 1023]
    route = config.route_for("52.28.10.1")
    assert route is not None and route.interface == "outside" and route.network == "0.0.0.0"
    route = config.route_for("10.0.202.77")
    assert route is not None and route.interface == "inside"
    trace = config.packet_traces[
        "packet-tracer input inside icmp 10.0.202.5 8 0 10.1.2.10 detailed"
    ]
    assert trace.encrypts
    assert len(config.acl_hits("outside_cryptomap_10")) == 5
    assert len(config.acl("outside_cryptomap_10")) == 3  # unexpanded show access-list lines
    assert "crypto isakmp identity address" in config.other_crypto_lines


def test_crypto_config_missing_and_broken_outputs() -> None:
    config = pc.parse_crypto_config(
        {
            "show running-config crypto map": GARBAGE,
            "show running-config   tunnel-group": _raw("legacy_8x_tunnel_group"),
        }
    )
    assert config.status == {
        "show running-config crypto map": ParseStatus.FAILED,
        "show running-config tunnel-group": ParseStatus.OK,
    }
    assert config.warnings and all(
        w.startswith("show running-config crypto map") for w in config.warnings
    )
    assert config.crypto_maps == ()
    assert config.acl("anything") == ()
    assert config.tunnel_group("198.51.100.77") is not None
    assert config.interface_for_map("outside_map") is None
    assert config.route_for("10.0.0.1") is None


def test_crypto_config_merges_split_crypto_commands() -> None:
    config = pc.parse_crypto_config(
        {
            "show running-config crypto map": _raw("real_crypto_map2"),
            "show running-config all crypto map": _raw("real_all_crypto_map2"),
            "show running-config crypto ikev1": _raw("real_crypto_ikev1"),
            "show running-config crypto ipsec": _raw("real_crypto_ipsec"),
            "show running-config crypto ikev2": _raw("ikev2_crypto"),
        }
    )
    assert set(config.status.values()) == {ParseStatus.OK}
    entry = next(e for e in config.crypto_maps if (e.map_name, e.seq) == ("WAN1_CMAP", 10))
    assert entry.phase1_mode == "main"  # the richer `show run all` entry wins
    assert {p.version for p in config.ike_policies} == {1, 2}
    assert config.ipsec_proposal("AES256-SHA256") is not None
    assert config.transform_set("DES_SHA") is not None


def test_ipsec_profile_is_modelled_not_other() -> None:
    """A `crypto ipsec profile` block becomes an IpsecProfile; its lines no longer land in
    other_crypto_lines (where a global `crypto ipsec security-association lifetime` is read)."""
    config = pc.parse_crypto_config({"show running-config crypto ipsec": _raw("vti_crypto_ipsec")})
    assert [p.name for p in config.ipsec_profiles] == ["AWS-IPSEC", "AZURE-PROFILE"]
    assert config.other_crypto_lines == ("crypto ipsec security-association pmtu-aging infinite",)
    assert config.ipsec_profile("AZURE-PROFILE") is config.ipsec_profiles[1]
    assert config.ipsec_profile("NOPE") is None


def test_vtis_indexed_by_peer_per_config() -> None:
    config = pc.parse_crypto_config({"show running-config interface": _raw("vti_interfaces")})
    assert config.status["show running-config interface"] == ParseStatus.OK
    assert [t.name for t in config.vtis_for_peer("203.0.113.41")] == ["Tunnel2"]
    other = pc.parse_crypto_config({})
    assert other.vtis_for_peer("203.0.113.41") == ()  # no index shared between objects
