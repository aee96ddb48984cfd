"""The negotiation model: each fault gives the state the field guides describe, per role,
and the rendered configuration parses cleanly with our own config parsers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mock_device import Scenario, load_scenario
from mock_device.negotiation import FAULTS, derive, derive_spec, negotiate, parse_model
from mock_device.negotiation.faults import apply_faults
from mock_device.outputs import OutputBook
from vpn_doctor.errors import ScenarioError
from vpn_doctor.parse.config.sections import parse_crypto_config


def _outcome(faults: list[str], traffic: str = "both", **model: Any) -> tuple[str, str, str]:
    spec = apply_faults(parse_model({"traffic": traffic, "faults": faults, **model}))
    o = negotiate(spec)
    return o.role, o.state, o.failure


# (fault, traffic, profile) -> (ASA role, ASA IKE state, failure): KNOWLEDGE.md §2.3 / §4.2
CASES = [
    ([], "both", "", ("initiator", "MM_ACTIVE", "")),
    ([], "peer", "", ("responder", "MM_ACTIVE", "")),
    (["psk_mismatch"], "both", "", ("initiator", "MM_WAIT_MSG6", "auth")),
    (["psk_mismatch"], "peer", "", ("responder", "MM_WAIT_MSG5", "auth")),
    (["phase1_proposal_mismatch"], "both", "", ("initiator", "MM_WAIT_MSG2", "p1_proposal")),
    (["phase1_proposal_mismatch"], "peer", "", ("responder", "MM_NO_STATE", "p1_proposal")),
    (["udp500_blocked"], "both", "", ("initiator", "MM_WAIT_MSG2", "no_response")),
    (["udp500_blocked"], "peer", "", ("none", "NONE", "blocked_inbound")),
    (["peer_unreachable"], "asa", "", ("initiator", "MM_WAIT_MSG2", "no_response")),
    (["return_path_blocked"], "peer", "", ("responder", "MM_WAIT_MSG3", "return_path")),
    (["peer_wrong_asa_address"], "both", "", ("initiator", "MM_WAIT_MSG4", "invalid_cookie")),
    (["udp4500_blocked_with_nat"], "both", "", ("initiator", "MM_WAIT_MSG6", "nat_t_blocked")),
    (["udp4500_blocked_with_nat"], "peer", "", ("responder", "MM_WAIT_MSG5", "nat_t_blocked")),
    (["transform_mismatch"], "both", "", ("initiator", "MM_ACTIVE", "p2_transform")),
    (["pfs_one_side"], "peer", "", ("responder", "MM_ACTIVE", "p2_pfs")),
    (["proxy_acl_not_mirror"], "peer", "", ("responder", "MM_ACTIVE", "p2_proxy")),
    (["acl_swapped"], "asa", "", ("none", "NONE", "no_trigger")),
    (["acl_swapped"], "peer", "", ("responder", "MM_ACTIVE", "p2_proxy")),
    (["one_way_traffic"], "both", "", ("responder", "MM_ACTIVE", "")),
    (["aggressive_mode"], "both", "", ("initiator", "AM_ACTIVE", "")),
    (["aggressive_mode"], "both", "aws", ("initiator", "AG_INIT_EXCH", "aggressive_refused")),
    (["ike_version_mismatch"], "asa", "", ("initiator", "MM_WAIT_MSG2", "version")),
    (["crypto_map_not_bound"], "peer", "", ("none", "NONE", "map_unbound")),
    (["missing_keepalive_for_aws"], "both", "aws", ("none", "NONE", "no_trigger")),
]


@pytest.mark.parametrize(("faults", "traffic", "profile", "want"), CASES)
def test_fault_gives_state_per_role(
    faults: list[str], traffic: str, profile: str, want: tuple[str, str, str]
) -> None:
    extra = {"profile": profile} if profile else {}
    assert _outcome(faults, traffic, **extra) == want


def test_ikev2_states() -> None:
    v2 = {"ike": [2]}
    assert _outcome([], asa=v2)[1] == "READY"
    assert _outcome(["psk_mismatch"], asa=v2) == ("initiator", "NONE", "auth")
    assert _outcome(["udp500_blocked"], asa=v2) == ("initiator", "IN-NEG", "no_response")


def test_data_plane_counters() -> None:
    one_way = derive({"traffic": "both", "faults": ["one_way_traffic"]}).outcome
    assert one_way.encaps == 0 and one_way.decaps > 0
    no_return = derive({"traffic": "both", "faults": ["peer_no_return"]}).outcome
    assert no_return.encaps > 0 and no_return.decaps == 0
    nat = derive({"faults": ["nat_in_tunnel"]}).outcome
    assert nat.recv_errors == nat.decaps > 0
    aws_multi = derive({"profile": "aws", "faults": ["aws_multiple_acl_lines"]}).outcome
    assert len(aws_multi.pairs) == 2 and aws_multi.aws_any_rejected


@pytest.mark.parametrize(
    ("faults", "needle"),
    [
        (["udp500_blocked"], "IKE_DECODE RESENDING Message (msgid=0) with payloads : HDR + SA (1)"),
        (["psk_mismatch"], "Received an un-encrypted PAYLOAD_MALFORMED notify message"),
        (["proxy_acl_not_mirror"], "Received non-routine Notify message: Invalid ID info (18)"),
        (["pfs_one_side"], "%ASA-5-713068: Group = 203.0.113.9, IP = 203.0.113.9, Received "
                           "non-routine Notify message: No proposal chosen (14)"),
        (["nat_in_tunnel"], "%ASA-4-402116: IPSEC: Received an ESP packet"),
        (["ike_version_mismatch"], "Received a IKE_INIT_SA request"),
    ],
)  # fmt: skip
def test_messages_from_the_field_guides(faults: list[str], needle: str) -> None:
    derived = derive({"traffic": "both", "faults": faults})
    assert any(needle in line for line in derived.logging_lines), derived.logging_lines


def test_responder_proxy_mismatch_logs_713061() -> None:
    derived = derive({"traffic": "peer", "faults": ["proxy_acl_not_mirror"]})
    text = "\n".join(derived.logging_lines)
    assert "%ASA-3-713061" in text and "crypto map policy not found" in text


def _all_specs() -> list[dict[str, object]]:
    models: list[dict[str, object]] = [{}, {"profile": "aws"}, {"asa": {"ike": [2]}},
                                       {"asa": {"ike": [1, 2], "pfs": 14}}]  # fmt: skip
    for name, fault in FAULTS.items():
        models.append({"profile": "aws" if "" not in fault.profiles else "", "faults": [name]})
    return models


@pytest.mark.parametrize("model", _all_specs(), ids=lambda m: str(m.get("faults") or m))
def test_rendered_config_parses_cleanly(model: dict[str, object]) -> None:
    derived = derive(model)
    config = parse_crypto_config(dict(derived.commands))
    assert config.warnings == ()
    assert all(s.value in ("ok", "empty") for s in config.status.values()), config.status
    entry = config.entries_for_peer(derived.spec.peer.address)[0]
    assert entry.pfs_group == (f"group{derived.spec.asa.pfs}" if derived.spec.asa.pfs else None)
    assert config.acl(entry.match_address)
    assert (
        config.interface_for_map(entry.map_name) is not None
    ) == derived.spec.asa.crypto_map_bound
    assert "*****" in derived.commands["show running-config tunnel-group"]
    assert derived.spec.asa.psk not in "\n".join(derived.commands.values())


def test_deterministic_and_pure() -> None:
    spec = parse_model({"faults": ["nat_in_tunnel"]})
    first, second = derive_spec(spec), derive_spec(spec)
    assert first.commands == second.commands and first.logging_lines == second.logging_lines
    assert spec.faults == ("nat_in_tunnel",) and spec.path.peer_nat_in_tunnel == ""


def test_scenario_hook_canned_commands_win() -> None:
    scenario = Scenario.from_dict(
        {"name": "m", "model": {"faults": ["psk_mismatch"]},
         "commands": {"show running-config nat": "canned\n"}}
    )  # fmt: skip
    book = OutputBook(scenario)
    assert book.lookup("show running-config nat") == "canned\n"
    assert "MM_WAIT_MSG6" in (book.lookup("show crypto isakmp sa") or "")
    assert scenario.expect["first_finding"] == "IKE_AUTH_FAILED"


def test_scenario_hook_rejects_bad_model() -> None:
    with pytest.raises(ScenarioError, match="model"):
        Scenario.from_dict({"name": "m", "model": {"faults": ["no_such_fault"]}})
    with pytest.raises(ScenarioError, match="model"):
        Scenario.from_dict({"name": "m", "model": {"asa": {"colour": "red"}}})


def test_shipped_model_scenarios_load() -> None:
    from mock_device.scenario import scenario_names

    names = [n for n in scenario_names() if n.startswith("model_")]
    assert len(names) >= 8
    for name in names:
        scenario = load_scenario(name)
        assert scenario.tunnels is not None and scenario.commands
        assert scenario.expect.get("first_finding") or scenario.expect.get("findings_include")


def test_faults_compose() -> None:
    spec = parse_model({"profile": "aws", "faults": ["aws_multiple_acl_lines",
                                                     "aws_profile_deviation"]})  # fmt: skip
    derived = derive_spec(spec)
    assert set(derived.expected) == {"IPSEC_AWS_SINGLE_SA", "TUNNEL_PROFILE_DEVIATION"}
    assert replace(spec, faults=()).faults == ()
