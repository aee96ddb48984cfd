"""The per-finding-code mock scenarios (mock_device/scenarios/code_*.yaml) are well formed.

One scenario per Contract 3 code, each self-consistent: the expected evidence really occurs
in what the tool collects by default (isakmp sa, ipsec sa, vpn-sessiondb detail l2l) or in the
debug lines the tests feed as debug.log, and role-dependent IKE states carry the right role.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from vpn_doctor.diagnose.findings import SAMPLED_CODES
from vpn_doctor.diagnose.messages import FINDING_CODES

SCENARIOS = Path(__file__).resolve().parents[1] / "mock_device" / "scenarios"
FILES = sorted(SCENARIOS.glob("code_*.yaml"))
DEFAULT_COMMANDS = (
    "show crypto isakmp sa",
    "show crypto ipsec sa",
    "show vpn-sessiondb detail l2l",
)
#: Codes that genuinely need configuration to be named (DESIGN.md / the brief).
CONFIG_CODES = {
    "TUNNEL_PROFILE_DEVIATION",
    "IPSEC_AWS_SINGLE_SA",
    "TUNNEL_RESPONDER_CANNOT_INITIATE",
    "TUNNEL_REDUNDANCY_DEGRADED",
}
DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
ROLE_OF_STATE = {
    "MM_WAIT_MSG2": "initiator",
    "MM_WAIT_MSG3": "responder",
    "MM_WAIT_MSG4": "initiator",
    "MM_WAIT_MSG5": "responder",
    "MM_WAIT_MSG6": "initiator",
}
_SA_BLOCK = re.compile(
    r"IKE Peer: (?P<peer>\S+)\s+Type\s*:\s*\S+\s+Role\s*:\s*(?P<role>\w+)\s+"
    r"Rekey\s*:\s*\w+\s+State\s*:\s*(?P<state>\S+)"
)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path.name
    return data


def _debug_lines(sc: dict[str, Any]) -> list[str]:
    return list((sc.get("debug") or {}).get("lines") or [])


@pytest.fixture(params=FILES, ids=[f.stem for f in FILES])
def scenario(request: pytest.FixtureRequest) -> dict[str, Any]:
    path: Path = request.param
    data = _load(path)
    data["_path"] = path
    return data


def test_one_scenario_per_code() -> None:
    """One code_* scenario per one-sample code; the sampled codes have moving scenarios
    (flapping, idle_now), checked by test_diagnose_scenarios over SSH."""
    codes = [_load(f)["expect"]["first_finding"] for f in FILES]
    assert sorted(codes) == sorted(FINDING_CODES - set(SAMPLED_CODES))


def test_required_keys(scenario: dict[str, Any]) -> None:
    for key in ("name", "description", "hostname", "version", "expect", "why", "commands"):
        assert scenario.get(key), key
    expect = scenario["expect"]
    assert set(expect) >= {"peer", "verdict", "first_finding", "evidence_contains"}
    assert expect["verdict"] in ("up", "degraded", "down")
    assert expect["first_finding"] in FINDING_CODES
    assert scenario["_path"].stem == f"code_{expect['first_finding']}"
    assert scenario["name"] == scenario["_path"].stem
    ev = expect["evidence_contains"]
    assert isinstance(ev, list) and 1 <= len(ev) <= 3
    assert all(isinstance(s, str) and s for s in ev)
    for cmd in DEFAULT_COMMANDS:
        assert isinstance(scenario["commands"].get(cmd), str), cmd
    assert isinstance(scenario.get("logging_buffer", []), list)


def test_healthy_only_when_up(scenario: dict[str, Any]) -> None:
    expect = scenario["expect"]
    assert (expect["verdict"] == "up") == (expect["first_finding"] == "TUNNEL_HEALTHY")


def test_evidence_occurs_in_default_outputs_or_debug(scenario: dict[str, Any]) -> None:
    lines = [
        line for cmd in DEFAULT_COMMANDS for line in scenario["commands"][cmd].splitlines()
    ] + _debug_lines(scenario)
    for needle in scenario["expect"]["evidence_contains"]:
        assert any(needle in line for line in lines), needle


def test_config_codes_carry_notes_and_config(scenario: dict[str, Any]) -> None:
    code = scenario["expect"]["first_finding"]
    if code in CONFIG_CODES:
        assert scenario.get("notes"), "config-dependent code must say what the engine reads"
        assert any(c.startswith("show running-config") for c in scenario["commands"])


def test_debug_block_shape(scenario: dict[str, Any]) -> None:
    debug = scenario.get("debug")
    if debug is None:
        return
    assert debug["peer"] == scenario["expect"]["peer"]
    assert all(isinstance(line, str) and line for line in debug["lines"])


def test_documentation_addresses(scenario: dict[str, Any]) -> None:
    peer = ipaddress.ip_address(scenario["expect"]["peer"])
    assert any(peer in net for net in DOC_NETS)


def test_role_dependent_states_use_the_right_role(scenario: dict[str, Any]) -> None:
    text = scenario["commands"]["show crypto isakmp sa"]
    blocks = list(_SA_BLOCK.finditer(text))
    # Every IKEv1 SA block must be read, or a wrong role would go unchecked.
    assert len(blocks) == text.count("IKE Peer:")
    for m in blocks:
        want = ROLE_OF_STATE.get(m["state"])
        if want:
            assert m["role"] == want, (m["peer"], m["state"], m["role"])


def test_psk_masked(scenario: dict[str, Any]) -> None:
    for cmd, out in scenario["commands"].items():
        for line in out.splitlines():
            if "pre-shared-key" in line:
                assert line.rstrip().endswith("*****"), (cmd, line)


def test_auth_failed_mentions_pfs_caveat() -> None:
    sc = _load(SCENARIOS / "code_IKE_AUTH_FAILED.yaml")
    assert "PFS" in sc["description"] and "PFS" in sc["why"]


def test_mock_loader_accepts_every_scenario() -> None:
    from mock_device import load_scenario  # installed with vpn_doctor: never a skip

    assert FILES
    for path in FILES:
        assert load_scenario(path).name == path.stem
