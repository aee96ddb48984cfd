"""Unit tests of the mock ASA without SSH: CLI state machine, vocabulary, outputs, render."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ntc_templates.parse import parse_output

from mock_device import Scenario, load_scenario, scenario_names
from mock_device.cli_emulation import INVALID, CliSession, DeviceContext, Mode
from mock_device.outputs import apply_pipe, filter_ipsec_text, isakmp_section, show_version
from mock_device.render import (
    generate_specs,
    parse_tunnel_specs,
    render_ipsec_sa,
    render_isakmp_sa,
    render_sessiondb_l2l,
)
from mock_device.vocabulary import Vocabulary, expand
from vpn_doctor.errors import ScenarioError

CONTRACT3 = {
    "IKE_NO_SA", "IKE_NO_RESPONSE", "IKE_PROPOSAL_MISMATCH", "IKE_KEY_EXCHANGE_STALLED",
    "IKE_AUTH_FAILED", "IKE_NAT_T_BLOCKED", "IKE_AGGRESSIVE_MODE", "IKE_VERSION_MISMATCH",
    "IKE_CERT_PEER_ID", "IKE_CERT_INVALID", "IPSEC_PROXY_MISMATCH", "IPSEC_AWS_SINGLE_SA",
    "IPSEC_TRANSFORM_MISMATCH", "IPSEC_PFS_MISMATCH", "IPSEC_NO_SA", "IPSEC_ONE_WAY",
    "IPSEC_NAT_IN_TUNNEL", "IPSEC_ERRORS", "TUNNEL_RESPONDER_CANNOT_INITIATE",
    "TUNNEL_REDUNDANCY_DEGRADED", "TUNNEL_PROFILE_DEVIATION", "TUNNEL_OVERLAPPING_SUBNETS",
    "TUNNEL_HEALTHY",
    # Contract 3 additions (2026-12), judged over several samples:
    "TUNNEL_FLAPPING", "IPSEC_NO_TRAFFIC",
    # Contract 3 additions (DESIGN.md 2026-12)
    "TUNNEL_CRYPTO_MAP_INCOMPLETE", "TUNNEL_VTI_INCOMPLETE",
}  # fmt: skip
OWN_SCENARIOS = [
    "healthy", "mm_wait_msg2", "mm_wait_msg6", "ag_init_exch", "no_sa", "ikev2_up", "many_tunnels",
]  # fmt: skip


def cli(name: str = "healthy", **changes: object) -> CliSession:
    scenario = load_scenario(name)
    if changes:
        scenario = scenario.replace(**changes)
    return CliSession(DeviceContext.for_scenario(scenario))


def priv(name: str = "healthy") -> CliSession:
    return cli(name, start_privileged=True)


# ---------------------------------------------------------------- scenarios


@pytest.mark.parametrize("name", scenario_names())
def test_every_shipped_scenario_loads_with_a_contract3_expectation(name: str) -> None:
    scenario = load_scenario(name)
    if scenario.expect.get("role") == "standby":  # no tunnel of its own (issue 14)
        assert scenario.expect.get("device_findings") == ["DEVICE_STANDBY_UNIT"]
    else:
        assert scenario.expect.get("first_finding") in CONTRACT3
        assert scenario.expect.get("verdict") in ("up", "degraded", "down")
    # every show command the collector relies on answers something non-empty
    session = CliSession(DeviceContext.for_scenario(scenario.replace(start_privileged=True)))
    if scenario.device_type == "ftd":  # FTD's `>` first: into the ASA engine's CLI
        for line in ("system support diagnostic-cli", "enable", scenario.credentials.enable):
            assert session.feed_line(line).accepted
    if scenario.expect.get("context"):
        assert session.feed_line(f"changeto context {scenario.expect['context']}").accepted
    for command in (
        "show crypto isakmp sa",
        "show crypto ipsec sa",
        "show vpn-sessiondb detail l2l",
    ):
        reply = session.feed_line(command)
        assert reply.accepted
        assert reply.output.strip(), (name, command)


def test_own_scenarios_exist_and_healthy_means_up() -> None:
    assert set(OWN_SCENARIOS) <= set(scenario_names())
    healthy = load_scenario("healthy")
    assert healthy.expect["first_finding"] == "TUNNEL_HEALTHY"
    assert healthy.expect["verdict"] == "up"
    many = load_scenario("many_tunnels")
    assert many.tunnels is not None and len(many.tunnels) == 60
    assert {t.ike for t in many.tunnels} == {1, 2}
    assert any(not t.peer[0].isdigit() for t in many.tunnels)


def test_scenario_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nhostname: fw\ncomandz: {}\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:3: comandz: unknown key"):
        load_scenario(bad)
    bad.write_text("tunnels:\n  - peer: 203.0.113.9\n    ike: 3\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:1: tunnels: tunnels\[0\]: ike"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="no such scenario"):
        load_scenario("does_not_exist")
    bad.write_text("debug:\n  lines: []\n")
    with pytest.raises(ScenarioError, match="lines"):
        load_scenario(bad)


# ---------------------------------------------------------------- vocabulary


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sh cry isa sa", "show crypto isakmp sa"),
        ("sh cry ips sa pe 203.0.113.9", "show crypto ipsec sa peer 203.0.113.9"),
        (
            "sh vpn det l2l fil ip 203.0.113.9",
            "show vpn-sessiondb detail l2l filter ipaddress 203.0.113.9",
        ),
        ("sh run cry map", "show running-config crypto map"),
        ("conf t", "configure terminal"),
        ("term pag 0", "terminal pager 0"),
        ("en", "enable"),
        ("deb cry isa 200", "debug crypto isakmp 200"),
        ("un all", "undebug all"),
        ("wr mem", "write memory"),
        ("sh ver", "show version"),
    ],
)
def test_abbreviations_expand(typed: str, canonical: str) -> None:
    result = expand(Vocabulary().privileged, typed.split())
    assert result.error is None
    assert result.canonical == canonical


def test_ambiguous_and_invalid_words() -> None:
    tree = Vocabulary().privileged
    assert expand(tree, ["sh", "cr", "i", "sa"]).error == "ambiguous"
    bad = expand(tree, ["show", "crypto", "isakmp", "bogus"])
    assert (bad.error, bad.error_word) == ("invalid", 3)


# ---------------------------------------------------------------- CLI state machine


def test_enable_dialogue_with_retries_then_access_denied() -> None:
    session = cli()
    assert session.prompt == "fw1> "
    reply = session.feed_line("enable")
    assert (reply.prompt, reply.echo, reply.show) == ("Password: ", False, False)
    for _ in range(2):
        reply = session.feed_line("wrong")
        assert reply.output == "Invalid password\n" and reply.prompt == "Password: "
        assert reply.audit_text == "<password>" and not reply.accepted
    reply = session.feed_line("wrong")
    assert reply.output == "Access denied.\n" and reply.prompt == "fw1> "
    session.feed_line("enable")
    assert session.feed_line("cisco123").prompt == "fw1# "
    assert session.mode is Mode.PRIVILEGED


def test_login_dialogue_and_curpriv() -> None:
    session = cli()
    assert session.feed_line("login").prompt == "Username: "
    reply = session.feed_line("admin")
    assert reply.prompt == "Password: " and reply.kind == "username" and not reply.echo
    assert session.feed_line("cisco123").prompt == "fw1# "
    out = session.feed_line("show curpriv").output
    assert "Username : admin" in out and "Current privilege level : 15" in out


def test_user_mode_cannot_show_crypto_and_caret_points_at_the_word() -> None:
    session = cli()
    reply = session.feed_line("show crypto isakmp sa")
    assert not reply.accepted
    caret, error = reply.output.splitlines()
    assert error == INVALID
    assert caret.index("^") == len("fw1> show ")


def test_config_mode_prompts_and_exit() -> None:
    session = priv()
    reply = session.feed_line("configure terminal")
    assert reply.prompt == "fw1(config)# " and reply.config_change
    width = session.feed_line("terminal width 511")
    assert width.prompt == "fw1(config)# " and width.config_change  # typed in config mode
    assert session.feed_line("show curpriv").output.endswith("P_CONF\n")
    assert session.feed_line("end").config_change
    assert not session.feed_line("terminal pager 0").config_change  # back in exec mode
    assert session.feed_line("wr mem").config_change
    assert session.feed_line("conf t").config_change
    assert session.feed_line("exit").config_change  # leaves config mode
    assert session.feed_line("exit").close


def test_exec_commands_are_not_config_changes() -> None:
    session = priv()
    for line in (
        "show curpriv",
        "sh run crypto map",
        "debug crypto ikev1 200",
        "undebug all",
        "terminal pager 0",
        "terminal monitor",
        "show debug",
    ):
        assert not session.feed_line(line).config_change, line


def test_pipes_and_filtered_variants() -> None:
    session = priv()
    out = session.feed_line("sh cry ips sa | i pkts (en|de)caps").output
    assert out.splitlines() == [
        "      #pkts encaps: 48211, #pkts encrypt: 48211, #pkts digest: 48211",
        "      #pkts decaps: 47962, #pkts decrypt: 47962, #pkts verify: 47962",
    ]
    assert session.feed_line("show crypto isakmp sa | begin IKE Peer").output.startswith(
        "1   IKE Peer: 203.0.113.9"
    )
    assert "IKEv2" not in session.feed_line("show crypto ikev1 sa").output
    assert session.feed_line("show crypto ipsec sa peer 198.51.100.1").output == (
        "There are no ipsec sas\n"
    )
    peer = session.feed_line("show crypto ipsec sa peer 203.0.113.9").output
    assert peer.startswith("peer address: 203.0.113.9\n    Crypto map tag: outside_map")
    none = session.feed_line("show vpn-sessiondb detail l2l filter ipaddress 192.0.2.99")
    assert none.output.startswith("INFO: There are presently no active sessions")
    assert session.feed_line("show asp drop").output == ""  # known, not in scenario
    assert not session.feed_line("show crypto isakmp sa | frobnicate x").accepted


def test_pipe_helpers() -> None:
    text = "alpha 1\nbeta 2\ngamma 3\n"
    assert apply_pipe(text, "include", "a 1|a 3") == "alpha 1\ngamma 3\n"
    assert apply_pipe(text, "exclude", "beta") == "alpha 1\ngamma 3\n"
    assert apply_pipe(text, "begin", "beta") == "beta 2\ngamma 3\n"
    assert apply_pipe(text, "grep", "-v beta") == "alpha 1\ngamma 3\n"
    assert apply_pipe(text, "include", "(") == ""  # bad regex -> literal


def test_derived_variants_from_explicit_text() -> None:
    scenario = load_scenario("mm_wait_msg6")
    text = scenario.commands["show crypto isakmp sa"]
    assert isakmp_section(text, ikev2=False).rstrip().endswith("State   : MM_WAIT_MSG6")
    assert isakmp_section(text, ikev2=True) == "There are no IKEv2 SAs\n"
    full = render_ipsec_sa(parse_tunnel_specs([{"peer": "203.0.113.9"}, {"peer": "198.51.100.7"}]))
    only = filter_ipsec_text(full, "198.51.100.7")
    assert only.startswith("peer address: 198.51.100.7\n")
    assert "current_peer: 198.51.100.7" in only and "203.0.113.9" not in only


def test_debug_commands_and_show_debug() -> None:
    session = priv()
    state = session.device.debug
    for line in (
        "debug crypto condition peer 203.0.113.9",
        "debug crypto isakmp 200",
        "debug crypto ikev2 protocol 127",
    ):
        assert session.feed_line(line).debug_changed
    assert session.feed_line("show debug").output == (
        "debug crypto condition peer 203.0.113.9\n"
        "debug crypto isakmp enabled at level 200\n"
        "debug crypto ikev2 protocol enabled at level 127\n"
    )
    assert state.streams_for("203.0.113.9") and not state.streams_for("198.51.100.1")
    assert not session.feed_line("debug crypto isakmp 300").accepted
    session.feed_line("undebug all")
    assert state.levels == {} and state.condition_peers == ["203.0.113.9"]  # as on the ASA
    session.feed_line("no debug crypto condition")
    assert not state.any_on
    session.feed_line("debug crypto ikev1 127")
    session.feed_line("no debug crypto ikev1")
    assert not state.any_on
    session.feed_line("terminal monitor")
    assert session.monitor
    session.feed_line("terminal no monitor")
    assert not session.monitor


def test_show_logging_has_a_header_and_the_buffer() -> None:
    out = priv().feed_line("show logging").output
    assert out.startswith("Syslog logging: enabled\n")
    assert "Buffer logging: level debugging, 2 messages logged" in out
    assert out.rstrip().endswith("PHASE 2 COMPLETED (msgid=26f952ae)")


def test_show_version_parses_with_ntc_templates() -> None:
    parsed = parse_output(
        platform="cisco_asa", command="show version", data=show_version("fw7", "9.16(4)")
    )
    assert parsed[0]["hostname"] == "fw7"
    assert parsed[0]["version"] == "9.16(4)"


# ---------------------------------------------------------------- render


def test_render_formats_match_real_layouts() -> None:
    specs = parse_tunnel_specs([
        {"peer": "203.0.113.9", "pfs": 2},
        {"peer": "198.51.100.10", "ike": 2},
        {"peer": "198.51.100.11", "state": "MM_WAIT_MSG2"},
    ])  # fmt: skip
    isakmp = render_isakmp_sa(specs)
    assert "   Active SA: 2\n    Rekey SA: 0 (A tunnel will report" in isakmp
    assert "    Type    : L2L             Role    : initiator\n" in isakmp
    assert "    Rekey   : no              State   : MM_WAIT_MSG2\n" in isakmp
    header = next(line for line in isakmp.splitlines() if line.startswith("Tunnel-id"))
    row = next(line for line in isakmp.splitlines() if "READY" in line)
    # column positions of the captured genieparser sample
    assert (header.index("Local"), header.index("Remote"), header.index("Status")) == (10, 62, 118)
    assert (row.index("192.0.2.1"), row.index("198.51.100.10"), row.index("READY")) == (10, 62, 119)
    ipsec = render_ipsec_sa(specs)
    assert ipsec.count("Crypto map tag:") == 2  # no phase 2 for the MM_WAIT_MSG2 peer
    assert "in use settings ={L2L, Tunnel, PFS Group 2, IKEv1, }" in ipsec
    assert "in use settings ={L2L, Tunnel, IKEv2, }" in ipsec
    sessions = render_sessiondb_l2l(specs)
    assert sessions.count("Connection   :") == 2
    assert "Index        : " in sessions and "Protocol     : IKEv2 IPsec" in sessions


def test_rendered_ipsec_sa_parses_with_ntc_templates() -> None:
    specs = parse_tunnel_specs(generate_specs(12))
    parsed = parse_output(
        platform="cisco_asa", command="show crypto ipsec sa", data=render_ipsec_sa(specs)
    )
    assert len(parsed) == 12


def test_render_5000_tunnels_is_fast() -> None:
    specs = parse_tunnel_specs(generate_specs(5000))
    start = time.perf_counter()
    isakmp = render_isakmp_sa(specs)
    ipsec = render_ipsec_sa(specs)
    sessions = render_sessiondb_l2l(specs)
    elapsed = time.perf_counter() - start
    assert isakmp.count("IKE Peer:") + isakmp.count("Session-id:") == 5000
    assert ipsec.count("current_peer:") == 5000
    assert sessions.count("Connection   :") == 5000
    assert elapsed < 5.0, elapsed


def test_from_dict_builds_ad_hoc_scenarios() -> None:
    scenario = Scenario.from_dict({"name": "adhoc", "tunnels": [{"peer": "203.0.113.1"}]})
    assert scenario.tunnels is not None and scenario.tunnels[0].peer_ip == "203.0.113.1"
