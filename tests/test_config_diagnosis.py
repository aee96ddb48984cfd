"""Configuration-aware diagnosis: config issues merged into the walk, `diagnose --peer` live
(device-side peer filters, few round trips), `--packet-tracer`, and `--profile` by name.

Every mock scenario named ``config_*`` is diagnosed live over SSH with ``--peer`` (the box-wide
live path and the snapshot path run in tests/test_diagnose_scenarios.py) and must name
``expect.first_finding`` first, with the expected evidence lines and the exact configuration
lines in the remediation.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mock_device import load_scenario, scenario_names
from vpn_doctor import cli
from vpn_doctor.asa.commands import SHOW_RUN_NAMES, logging_filter
from vpn_doctor.cli.diagnose import DIAGNOSE_COMMANDS, peer_first_round, peer_second_round
from vpn_doctor.cli.route_round import route_commands
from vpn_doctor.collect.snapshot import save_snapshot
from vpn_doctor.diagnose.checks.base import ConfigIssue
from vpn_doctor.diagnose.config_evidence import merge_config
from vpn_doctor.diagnose.findings import Finding
from vpn_doctor.diagnose.tunnel_context import TunnelContext
from vpn_doctor.errors import InputError
from vpn_doctor.models import IkeSa, Snapshot

from helpers import login_args, scenario_snapshot

CONFIG_SCENARIOS = [name for name in scenario_names() if name.startswith("config_")]
# Round trips of `diagnose HOST --peer X` (commands typed after login, terminal setup
# excluded): round 1 (4 filtered state commands + crypto map + names + filtered log) + round 2.
# Round 3, the routes of the crypto ACL's networks (`show route NET MASK`, one per distinct
# network: issue 14 replaced the full `show route` of round 2), is counted apart.
MAX_PEER_COMMANDS = 13
# A certificate-authenticated tunnel (tunnel-group trust-point / ikev2 certificate auth / crypto
# map `set trustpoint`) adds exactly one command, `show crypto ca certificates`; pre-shared-key
# tunnels keep MAX_PEER_COMMANDS and never send it.
MAX_PEER_COMMANDS_CERT = MAX_PEER_COMMANDS + 1
CA_CERTS = "show crypto ca certificates"


def _argv(mock: Any, *extra: str) -> list[str]:
    login = login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_SECRET")
    return ["diagnose", *login, "--format", "json", *extra]


def _run(argv: list[str]) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, json.loads(out.getvalue())


def _typed(mock: Any) -> list[str]:
    """Commands the client typed that were not session setup (terminal/enable)."""
    return [
        c
        for c in mock.commands()
        if not c.startswith(("terminal", "enable", "show curpriv"))
        and c not in ("exit", "logout", "show debug", "show failover")
    ]


def _check_first(data: dict[str, Any], expect: dict[str, Any]) -> dict[str, Any]:
    tunnels = {t["peer"]: t for t in data["tunnels"]}
    tunnel = tunnels[expect["peer"]]
    first = tunnel["findings"][0]
    assert first["code"] == expect["first_finding"], tunnel["path"]
    assert tunnel["verdict"] == expect["verdict"]
    for text in expect.get("evidence_contains", []):
        assert any(text in line for line in first["evidence"]), (text, first["evidence"])
    for line in expect.get("remediation_contains", []):
        assert line in first["remediation"], (line, first["remediation"])
    if expect["verdict"] == "up":
        assert {f["severity"] for f in tunnel["findings"]} <= {"info"}, tunnel["findings"]
    return tunnel


def test_config_scenarios_exist() -> None:
    assert len(CONFIG_SCENARIOS) >= 5
    firsts = {load_scenario(n).expect["first_finding"] for n in CONFIG_SCENARIOS}
    assert {
        "IPSEC_PROXY_MISMATCH",
        "IPSEC_ONE_WAY",
        "IPSEC_AWS_SINGLE_SA",
        "IPSEC_PFS_MISMATCH",
        "TUNNEL_RESPONDER_CANNOT_INITIATE",
        "TUNNEL_PROFILE_DEVIATION",
    } <= firsts


@pytest.mark.e2e
@pytest.mark.parametrize("name", CONFIG_SCENARIOS)
def test_live_peer(name: str, mock_asa: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`diagnose HOST --peer X`: the device filters, round 2 only what the crypto map makes
    relevant, the same first finding as offline, and a small command count."""
    scenario = load_scenario(name)
    mock = mock_asa(scenario)
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    peer = scenario.expect["peer"]
    code, data = _run(_argv(mock, "--peer", peer))
    assert [t["peer"] for t in data["tunnels"]] == [peer]
    _check_first(data, scenario.expect)
    assert code == {"up": 0, "degraded": 1, "down": 2, "unknown": 3}[scenario.expect["verdict"]]
    typed = _typed(mock)
    assert f"show crypto ipsec sa peer {peer}" in typed
    assert f"show vpn-sessiondb detail l2l filter ipaddress {peer}" in typed
    assert "show crypto ipsec sa" not in typed and "show vpn-sessiondb detail l2l" not in typed
    assert not any(c.startswith("packet-tracer") for c in typed)  # only when asked
    uses_certs = CA_CERTS in scenario.commands
    assert (CA_CERTS in typed) == uses_certs, typed
    routes = [c for c in typed if c.startswith("show route")]
    assert all(len(c.split()) == 4 for c in routes), routes  # never the full table
    others = [c for c in typed if c not in routes]
    assert len(others) <= (MAX_PEER_COMMANDS_CERT if uses_certs else MAX_PEER_COMMANDS), typed


@pytest.mark.e2e
def test_live_peer_round_trips_fewer_than_box_wide(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario("config_SWAPPED_ACL")
    mock = mock_asa(scenario)
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    _run(_argv(mock))
    box_wide = len(_typed(mock))
    _run(_argv(mock, "--peer", scenario.expect["peer"]))
    peer_mode = len(_typed(mock)) - box_wide
    # + the crypto ACL, + the routes of its two networks (never the full table)
    assert box_wide == len(DIAGNOSE_COMMANDS) + 1 + 2
    assert "show route" not in _typed(mock)
    assert peer_mode < box_wide


@pytest.mark.e2e
def test_live_packet_tracer(mock_asa: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """--packet-tracer builds the flow from the crypto ACL, runs it (allow-listed), and its
    facts (NATed first, no VPN phase) join findings[0]'s evidence."""
    scenario = load_scenario("config_NAT_EXEMPTION_MISSING")
    mock = mock_asa(scenario)
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    peer = scenario.expect["peer"]
    _, data = _run(_argv(mock, "--peer", peer, "--packet-tracer"))
    tunnel = _check_first(data, scenario.expect)
    assert "packet-tracer input inside icmp 10.1.1.2 8 0 10.2.62.1 detailed" in _typed(mock)
    evidence = tunnel["findings"][0]["evidence"]
    assert any(
        e.startswith("packet-tracer: Translated before encryption") and "dynamic interface" in e
        for e in evidence
    ), evidence
    assert any(e.startswith("packet-tracer: No VPN phase") for e in evidence), evidence


def test_packet_tracer_needs_a_live_device(tmp_path: Path) -> None:
    code = cli.main(["diagnose", "--snapshot", str(tmp_path), "--packet-tracer"])
    assert code == InputError.exit_code


# ---- round planning (no network) ------------------------------------------------------------


def test_peer_rounds_follow_the_crypto_map() -> None:
    scenario = load_scenario("config_AWS_NO_SLA_MONITOR")
    peer = scenario.expect["peer"]
    first = peer_first_round(peer)
    assert first == (
        "show version",
        "show crypto isakmp sa",
        f"show crypto ipsec sa peer {peer}",
        f"show vpn-sessiondb detail l2l filter ipaddress {peer}",
        "show running-config crypto map",
        SHOW_RUN_NAMES,
        logging_filter(peer),
    )
    snap = Snapshot(outputs={c: scenario.commands.get(c, "") for c in first})
    second = peer_second_round(peer, snap)
    assert second == (
        "show running-config access-list acl-amzn",
        "show running-config crypto ikev1",
        "show running-config crypto ipsec",
        "show running-config tunnel-group",
        "show running-config nat",
        "show running-config sla monitor",  # two peers on the entry: AWS-style
    )
    snap = Snapshot(outputs={**snap.outputs, **{c: scenario.commands.get(c, "") for c in second}})
    routes = route_commands(snap, peer)
    assert routes and all(r.startswith("show route ") and len(r.split()) == 4 for r in routes)
    # a peer in no crypto map entry: both IKE versions, and the interfaces (a VTI?)
    other = peer_second_round("192.0.2.99", snap)
    assert "show running-config crypto ikev2" in other
    assert other[-1] == "show running-config interface"


# ---- --profile by name ------------------------------------------------------------------------


def test_profile_by_name_from_profiles_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vpn_doctor.cli import diagnose as cli_diagnose

    (tmp_path / "partner.yaml").write_text(
        "name: partner\nphase2:\n  pfs_group: [none]\n", encoding="utf-8"
    )
    monkeypatch.setattr("vpn_doctor.diagnose.profiles.profiles_dir", lambda: tmp_path)
    profile = cli_diagnose._load_profile("partner")
    assert profile is not None and profile.name == "partner"
    with pytest.raises(InputError, match="--profile nosuch"):
        cli_diagnose._load_profile("nosuch")
    (tmp_path / "bad.yaml").write_text("name: bad\nphase3: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="phase3"):
        cli_diagnose._load_profile("bad")


def test_builtin_aws_profile_by_name() -> None:
    from vpn_doctor.cli import diagnose as cli_diagnose

    profile = cli_diagnose._load_profile("aws")
    assert profile is not None and profile.name == "aws" and profile.single_sa


def _snapshot_findings(snap: Path, profile: str) -> list[tuple[str, str, str]]:
    code, data = _run(
        ["diagnose", "--snapshot", str(snap), "--format", "json", "--profile", profile]
    )
    assert code == 2
    return [(f["code"], f["severity"], f["title"]) for f in data["tunnels"][0]["findings"]]


def test_snapshot_with_the_gcp_profiles(tmp_path: Path) -> None:
    """`diagnose --snapshot --profile gcp|gcp-ikev1` on the MM_WAIT_MSG6 scenario (IKEv1 entry,
    PFS group 14, no SA): a Cloud VPN IKEv1 tunnel takes PFS group 2 only, so the PFS mismatch
    becomes the first finding; the default (IKEv2) Cloud VPN tunnel never shares IKEv1."""
    snap = tmp_path / "snap"
    save_snapshot(scenario_snapshot(load_scenario("mm_wait_msg6")), snap)
    ikev1 = _snapshot_findings(snap, "gcp-ikev1")
    assert ikev1[0] == (
        "IPSEC_PFS_MISMATCH",
        "critical",
        "crypto map outside_map 10 uses PFS group 14; the gcp-ikev1 peer expects PFS group 2",
    )
    ikev2 = _snapshot_findings(snap, "gcp")
    assert (
        "IKE_VERSION_MISMATCH",
        "critical",
        "outside_map 10 offers IKEv1; the gcp peer expects IKEv2",
    ) in ikev2
    # PFS group 14 is what the IKEv2 tunnel proposes first: no profile finding about PFS
    assert not [f for f in ikev2 if "gcp peer" in f[2] and "PFS" in f[2]]


# ---- merge rules (unit) --------------------------------------------------------------------------


def _leaf(code: str, severity: str = "critical", **kw: Any) -> Finding:
    return Finding(code=code, severity=severity, title=f"leaf {code}", **kw)  # type: ignore[arg-type]


def _issue(code: str, severity: str = "critical", line: str = "cfg line") -> ConfigIssue:
    return ConfigIssue(code, severity, f"issue {code}", (line,), ("show x",), (f"fix {code}",))  # type: ignore[arg-type]


def _ctx(*issues: ConfigIssue, phase1: bool = False) -> TunnelContext:
    ike = (IkeSa(peer="192.0.2.1", ike_version=1, state="MM_ACTIVE"),) if phase1 else ()
    return TunnelContext(peer="192.0.2.1", ike_sas=ike, config_issues=issues)


def test_merge_same_code_explains_the_leaf() -> None:
    ctx = _ctx(_issue("IPSEC_PROXY_MISMATCH", line="access-list A permit ip b a"))
    leaf = _leaf("IPSEC_PROXY_MISMATCH", evidence=("state line",), remediation=("generic",))
    verdict, findings = merge_config(ctx, "down", [leaf])
    assert verdict == "down"
    (first,) = findings
    assert first.evidence == ("state line", "access-list A permit ip b a")
    assert first.remediation == ("fix IPSEC_PROXY_MISMATCH",)
    assert first.confidence == "confirmed" and first.source == "state+config"


def test_merge_config_confirmed_alternative_goes_first() -> None:
    ctx = _ctx(_issue("IPSEC_PFS_MISMATCH"))
    leaf = _leaf("IKE_AUTH_FAILED", alternatives=("IPSEC_PFS_MISMATCH",))
    alt = _leaf("IPSEC_PFS_MISMATCH", source="alternative")
    _, findings = merge_config(ctx, "down", [leaf, alt])
    assert [f.code for f in findings] == ["IPSEC_PFS_MISMATCH", "IKE_AUTH_FAILED"]
    assert findings[1].confidence == "possible"


def test_merge_contradicted_issue_is_info() -> None:
    ctx = _ctx(_issue("IKE_AUTH_FAILED"), phase1=True)
    verdict, findings = merge_config(ctx, "up", [_leaf("TUNNEL_HEALTHY", "info")])
    assert verdict == "up"
    assert [(f.code, f.severity) for f in findings] == [
        ("TUNNEL_HEALTHY", "info"),
        ("CONFIG_NOTE", "info"),  # its own code: a healthy tunnel carries no fault code
    ]
    assert "not the current cause (phase 1 is up): IKE_AUTH_FAILED:" in findings[1].title


def test_merge_warning_on_healthy_tunnel_leads_and_degrades() -> None:
    ctx = _ctx(_issue("TUNNEL_RESPONDER_CANNOT_INITIATE", "warning"), phase1=True)
    verdict, findings = merge_config(ctx, "up", [_leaf("TUNNEL_HEALTHY", "info")])
    assert verdict == "degraded"
    assert [f.code for f in findings] == ["TUNNEL_RESPONDER_CANNOT_INITIATE", "TUNNEL_HEALTHY"]


def test_no_config_no_change() -> None:
    leaf = _leaf("IKE_NO_SA")
    assert merge_config(_ctx(), "down", [leaf]) == ("down", (leaf,))


@pytest.mark.e2e
def test_live_peer_by_name(mock_asa: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--peer NAME` on a live device: resolved through `show running-config names` before
    any per-peer command (those need the address)."""
    from dataclasses import replace

    scenario = load_scenario("config_PFS_ONE_SIDE")
    peer = scenario.expect["peer"]
    names = {**scenario.commands, SHOW_RUN_NAMES: f"name {peer} BRANCH-LYON\n"}
    mock = mock_asa(replace(scenario, commands=names))
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    code, data = _run(_argv(mock, "--peer", "BRANCH-LYON"))
    assert code == {"up": 0, "degraded": 1, "down": 2, "unknown": 3}[scenario.expect["verdict"]]
    assert [t["peer"] for t in data["tunnels"]] == [peer]
    _check_first(data, scenario.expect)
    typed = _typed(mock)
    assert typed.index(SHOW_RUN_NAMES) < typed.index(f"show crypto ipsec sa peer {peer}")
    with contextlib.redirect_stdout(io.StringIO()):
        unknown = cli.main(_argv(mock, "--peer", "NO-SUCH-NAME"))
    assert unknown == InputError.exit_code


def _vti_fixed() -> Any:
    """config_VTI_PROFILE_MISSING with its VTI pointed at the ipsec profile that exists."""
    scenario = load_scenario("config_VTI_PROFILE_MISSING")
    interfaces = scenario.commands["show running-config interface"].replace(
        "ipsec profile AZURE-IPSEC\n", "ipsec profile AZURE-IPSEC-PROFILE\n"
    )
    assert interfaces != scenario.commands["show running-config interface"]
    return scenario.replace(
        commands={**scenario.commands, "show running-config interface": interfaces}
    )


@pytest.mark.e2e
def test_live_peer_vti_with_profile(mock_asa: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`diagnose HOST --peer X --profile gcp` on a route-based tunnel: round 2 fetches the
    interfaces (no crypto map entry names X) and the ipsec profiles, and the PFS comparison is
    made on the VTI's ipsec profile, over SSH."""
    mock = mock_asa(_vti_fixed())
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    _, data = _run(_argv(mock, "--peer", "203.0.113.44", "--profile", "gcp"))
    assert {"show running-config interface", "show running-config crypto ipsec"} <= set(
        _typed(mock)
    )
    (tunnel,) = data["tunnels"]
    pfs = next(f for f in tunnel["findings"] if f["code"] == "IPSEC_PFS_MISMATCH")
    assert pfs["remediation"][:2] == [
        "crypto ipsec profile AZURE-IPSEC-PROFILE",
        " set pfs group14",
    ]


def test_snapshot_vti_against_azure_and_gcp(tmp_path: Path) -> None:
    """A route-based tunnel has no crypto map entry: the profile comparisons read the ipsec
    profile of the VTI whose `tunnel destination` is the peer, and say what to change in
    ipsec profile syntax. config_VTI_PROFILE_MISSING with the VTI pointed at the profile that
    exists (IKEv2 AES-256 / SHA-1, no PFS, 27000 s; IKE AES-256 / SHA-1 / DH 2, 28800 s): the
    Azure default policy exactly, so no profile finding; Cloud VPN requires PFS."""
    snap = tmp_path / "snap"
    save_snapshot(scenario_snapshot(_vti_fixed()), snap)
    azure = _snapshot_findings(snap, "azure")
    assert not [f for f in azure if "azure peer" in f[2]], azure
    assert not [f for f in azure if f[0] == "TUNNEL_VTI_INCOMPLETE"], azure
    _, data = _run(["diagnose", "--snapshot", str(snap), "--format", "json", "--profile", "gcp"])
    (tunnel,) = data["tunnels"]
    pfs = next(f for f in tunnel["findings"] if f["code"] == "IPSEC_PFS_MISMATCH")
    assert pfs["title"].startswith(
        "crypto ipsec profile AZURE-IPSEC-PROFILE of Tunnel4 sets no PFS; the gcp peer expects"
    )
    fix = ["crypto ipsec profile AZURE-IPSEC-PROFILE", " set pfs group14"]
    assert pfs["remediation"][:2] == fix
    assert any("tunnel protection ipsec profile AZURE-IPSEC-PROFILE" in e for e in pfs["evidence"])
    assert not any("crypto map" in line for line in pfs["remediation"])
