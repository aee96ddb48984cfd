"""Issue 15, triage at a glance: summary first, runbooks, ladders, HTML, JSON additions, exit
codes, snapshot completeness, on the ``triage_fleet`` scenario (one firewall, 12 tunnels,
four faults) unless a test needs something else."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from mock_device import load_scenario
from vpn_doctor import cli
from vpn_doctor.collect.snapshot import save_snapshot
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.diagnose.findings import DiagnosisReport, TunnelDiagnosis
from vpn_doctor.errors import ExitCode
from vpn_doctor.parse.device import parse_snapshot
from vpn_doctor.report.formats import contract2_problems, render_json, render_markdown
from vpn_doctor.report.html_view import render_html
from vpn_doctor.report.ladder import ladder, ladder_text
from vpn_doctor.report.rich_view import render_rich_text
from vpn_doctor.report.runbook import cidr, runbook
from vpn_doctor.report.text_view import render_text
from vpn_doctor.report.triage import Selection, headline

from helpers import scenario_snapshot

DOWN = {"203.0.113.12", "203.0.113.14", "203.0.113.19"}
HEALTHY = "198.51.100.10"


@pytest.fixture(scope="module")
def report() -> DiagnosisReport:
    return diagnose(parse_snapshot(scenario_snapshot(load_scenario("triage_fleet"))))


def _tunnel(report: DiagnosisReport, peer: str) -> TunnelDiagnosis:
    return next(t for t in report.tunnels if t.peer == peer)


# ---- 1. summary first -----------------------------------------------------------------------


def test_scenario_verdicts(report: DiagnosisReport) -> None:
    codes = {t.peer: (t.verdict, t.findings[0].code) for t in report.tunnels}
    assert codes["203.0.113.12"] == ("down", "IKE_NO_RESPONSE")
    assert codes["203.0.113.14"] == ("down", "IKE_AUTH_FAILED")
    assert codes["203.0.113.19"] == ("down", "IPSEC_PROXY_MISMATCH")
    assert codes["203.0.113.16"] == ("degraded", "IPSEC_ONE_WAY")
    assert sum(v == ("up", "TUNNEL_HEALTHY") for v in codes.values()) == 8
    assert headline(report) == "fw1: 3 down, 1 degraded, 8 up"


@pytest.mark.parametrize("width", [80, 120])
def test_down_tunnels_in_first_15_lines(report: DiagnosisReport, width: int) -> None:
    for text in (render_rich_text(report, width=width), render_text(report)):
        head = "\n".join(text.splitlines()[:15])
        assert head.startswith("fw1: 3 down, 1 degraded, 8 up")
        assert all(peer in head for peer in DOWN), head
        rows = [line for line in text.splitlines()[:15] if re.match(r"\d+\.\d+\.\d+\.\d+ ", line)]
        order = ["down", "unknown", "degraded", "up"]
        verdicts = [next(w for w in row.split() if w in order) for row in rows]
        assert len(verdicts) == 12
        assert verdicts == sorted(verdicts, key=order.index)


def test_summary_row_names_the_configuration(report: DiagnosisReport) -> None:
    line = next(x for x in render_text(report).splitlines() if x.startswith("203.0.113.14 "))
    assert "outside_map 50" in line and "IKE_AUTH_FAILED" in line
    assert "pre-shared key" in line
    tunnel = _tunnel(report, "203.0.113.14")
    assert tunnel.names["acl"] == "outside_cryptomap_50"
    assert tunnel.names["tunnel_group"] == "203.0.113.14"


def test_details_only_for_unhealthy_unless_all(report: DiagnosisReport) -> None:
    default = render_text(report)
    assert f"== {HEALTHY}" not in default
    assert all(f"== {peer}" in default for peer in DOWN)
    everything = render_text(report, Selection(all_details=True))
    assert f"== {HEALTHY}" in everything


def test_only_problems_limits_every_format(report: DiagnosisReport) -> None:
    only = Selection(only_problems=True, all_details=True)
    for text in (
        render_text(report, only),
        render_rich_text(report, width=120, selection=only),
        render_markdown(report, only),
        render_html(report, only),
    ):
        assert HEALTHY not in text
        assert all(peer in text for peer in DOWN)
    data = json.loads(render_json(report, only))
    assert {t["peer"] for t in data["tunnels"]} == DOWN | {"203.0.113.16"}


def test_plain_text_is_full_width(report: DiagnosisReport) -> None:
    text = render_text(report)
    evidence = next(x for x in text.splitlines() if "%ASA-4-713903" in x)
    assert evidence.strip().endswith("This could indicate a pre-shared key mismatch.")
    assert max(len(line) for line in text.splitlines()) > 120  # never wrapped at 80


# ---- 2. runbook -----------------------------------------------------------------------------

COMMAND = re.compile(r"^(show|more|capture|debug|packet-tracer|ping) ")


def test_runbook_commands_alone_and_config_pasteable(report: DiagnosisReport) -> None:
    tunnel = _tunnel(report, "203.0.113.14")
    book = runbook(tunnel.findings[0], tunnel)
    assert book.evidence == tunnel.findings[0].evidence  # exact device lines
    commands = [line for step in book.checks for line in step.lines]
    assert "show crypto isakmp sa" in commands
    assert "more system:running-config | include pre-shared-key" in commands
    for line in commands:
        assert COMMAND.match(line), line
        assert "   (" not in line and " a few times" not in line and ": " not in line, line
    block = [line for step in book.remediation for line in step.lines]
    assert block[:2] == [
        "tunnel-group 203.0.113.14 ipsec-attributes",
        " ikev1 pre-shared-key <same-key-as-peer>",
    ]
    assert not any("ikev2" in line.lower() for line in block)  # an IKEv1 tunnel


def test_runbook_uses_real_names_and_proposed_proxies(report: DiagnosisReport) -> None:
    auth = _tunnel(report, "203.0.113.14")
    pfs = next(f for f in auth.findings if f.code == "IPSEC_PFS_MISMATCH")
    lines = [line for step in runbook(pfs, auth).remediation for line in step.lines]
    assert lines == ["crypto map outside_map 50 set pfs group14"]
    proxy = _tunnel(report, "203.0.113.19")
    book = runbook(proxy.findings[0], proxy)
    assert "show access-list outside_cryptomap_100" in [x for s in book.checks for x in s.lines]
    fix = [line for step in book.remediation for line in step.lines]
    assert fix == [
        "access-list outside_cryptomap_100 extended permit ip "
        "10.10.9.0 255.255.255.0 172.20.9.0 255.255.255.0"
    ]


def test_proxies_as_cidr_raw_form_in_evidence(report: DiagnosisReport) -> None:
    assert cidr("local 10.10.0.0/255.255.255.0/0/0") == "local 10.10.0.0/24"
    assert cidr("(10.1.1.5/255.255.255.255/6/443)") == "(10.1.1.5/32 proto 6 port 443)"
    text = render_text(report)
    assert "proxies: 10.10.6.0/24 <-> 172.20.6.0/24" in text
    assert "(10.10.6.0/255.255.255.0/0/0)" in text  # the evidence keeps what the ASA printed


# ---- 3. ladders -----------------------------------------------------------------------------


def _ladder_for(state: str, role: str, ike: int = 1) -> str:
    tunnel = TunnelDiagnosis(
        peer="192.0.2.9",
        verdict="down",
        phase1={"state": state, "role": role, "ike_version": ike},
    )
    item = ladder(tunnel)
    assert item is not None
    return ladder_text(item, "fw1")


def _marked(text: str, mark: str) -> str:
    return next(line.split()[0] for line in text.splitlines() if mark in line)


@pytest.mark.parametrize(
    ("state", "role", "last", "missing"),
    [
        ("MM_WAIT_MSG2", "initiator", "MM1", "MM2"),
        ("MM_WAIT_MSG3", "responder", "MM2", "MM3"),
        ("MM_WAIT_MSG4", "initiator", "MM3", "MM4"),
        ("MM_WAIT_MSG5", "responder", "MM4", "MM5"),
        ("MM_WAIT_MSG6", "initiator", "MM5", "MM6"),
        ("AG_INIT_EXCH", "initiator", "AM1", "AM2"),
        ("AM_WAIT_MSG3", "responder", "AM2", "AM3"),
    ],
)
def test_ladder_marks_last_and_missing(state: str, role: str, last: str, missing: str) -> None:
    text = _ladder_for(state, role)
    assert f"fw1 ({role})" in text
    assert _marked(text, "last message seen") == last
    assert _marked(text, "never came") == missing


def test_ladder_directions_follow_the_role() -> None:
    initiator = _ladder_for("MM_WAIT_MSG6", "initiator").splitlines()
    responder = _ladder_for("MM_WAIT_MSG5", "responder").splitlines()
    mm1_i = next(x for x in initiator if x.startswith("MM1"))
    mm1_r = next(x for x in responder if x.startswith("MM1"))
    assert "->|" in mm1_i and "|<-" in mm1_r  # we send MM1 as initiator, receive it as responder


def test_ikev2_ladder() -> None:
    text = _ladder_for("IN-NEG", "initiator", ike=2)
    assert _marked(text, "last message seen") == "IKE_SA_INIT"
    assert "IKE_AUTH" in text


def test_quick_mode_ladder_for_a_proxy_mismatch(report: DiagnosisReport) -> None:
    item = ladder(_tunnel(report, "203.0.113.19"))
    assert item is not None and item.role == "responder"
    text = ladder_text(item)
    assert _marked(text, "last message seen") == "QM1"
    assert _marked(text, "never came") == "QM2"


def test_ladder_in_rich_and_markdown(report: DiagnosisReport) -> None:
    rich = render_rich_text(report, width=120)
    assert "MM6  ID + HASH" in rich and "<- never came" in rich
    markdown = render_markdown(report)
    fenced = re.search(r"```text\n(IKEv1 main mode\n.*?)```", markdown, re.S)
    assert fenced and "<- never came" in fenced.group(1)


def test_no_ladder_without_an_ike_sa() -> None:
    assert ladder(TunnelDiagnosis(peer="192.0.2.9", verdict="down")) is None


# ---- 5. healthy tunnels carry only their own codes --------------------------------------------


@pytest.mark.parametrize("scenario", ["triage_fleet", "code_IKE_AUTH_FAILED", "code_IPSEC_ONE_WAY"])
def test_healthy_tunnels_carry_no_fault_code(scenario: str) -> None:
    """The two code_ scenarios' healthy neighbour once carried an IKE_NO_SA info item."""
    snapshot = scenario_snapshot(load_scenario(scenario))
    report = diagnose(parse_snapshot(snapshot))
    for tunnel in report.tunnels:
        if tunnel.verdict == "up":
            assert [f.code for f in tunnel.findings][:1] == ["TUNNEL_HEALTHY"]
            assert {f.code for f in tunnel.findings} <= {"TUNNEL_HEALTHY", "CONFIG_NOTE"}
            assert all(f.severity == "info" for f in tunnel.findings)


# ---- 6. JSON ---------------------------------------------------------------------------------


def test_json_contract2_additions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = tmp_path / "snap"
    snapshot = scenario_snapshot(load_scenario("triage_fleet"))
    save_snapshot(replace(snapshot, collected_at="2026-12-06T09:20:00+00:00"), snap)
    code = cli.main(["diagnose", "--snapshot", str(snap), "--format", "json"])
    assert code == ExitCode.DOWN
    data = json.loads(capsys.readouterr().out)
    assert contract2_problems(data) == []
    assert data["tool_version"] and data["source"] == "snapshot"
    assert data["collected_at"] == "2026-12-06T09:20:00+00:00"
    device = data["device"]
    assert device["host"] == str(snap) and device["role"] == "standalone"
    assert device["context"] is None and device["findings"] == []
    tunnel = next(t for t in data["tunnels"] if t["peer"] == "203.0.113.14")
    assert tunnel["name"] == "outside_map 50" and tunnel["timeline"] == []


# ---- 7. exit codes and stderr -----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["diagnose"],
        ["diagnose", "192.0.2.1", "--snapshot", "."],
        ["explain", "FOO"],
    ],
)
def test_usage_errors_exit_64(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == ExitCode.USAGE == 64
    captured = capsys.readouterr()
    assert captured.out == "" and "error" in captured.err


def test_no_password_exits_64(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)
    assert cli.main(["diagnose", "192.0.2.1", "--username", "u"]) == 64
    assert "--password-env" in capsys.readouterr().err


@pytest.mark.e2e  # binds a port on 127.0.0.1 to make it busy
def test_mock_port_in_use_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["mock", "--scenario", "healthy", "--port", str(port)]) == 64
    captured = capsys.readouterr()
    assert captured.out == "" and "cannot listen" in captured.err


# ---- 8. snapshots ---------------------------------------------------------------------------


def test_from_log_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "putty.log"
    log.write_text(
        "fw1# show crypto isakmp sa\n"
        "IKEv1 SAs:\n\n   Active SA: 1\n    Rekey SA: 0 (A tunnel will report 1 Active and 1"
        " Rekey SA during rekey)\nTotal IKE SA: 1\n\n1   IKE Peer: 203.0.113.14\n"
        "    Type    : L2L             Role    : initiator\n"
        "    Rekey   : no              State   : MM_WAIT_MSG6\n\nThere are no IKEv2 SAs\n"
        "fw1# show logging | include 203.0.113.14\n"
        "Dec 06 2026 09:15:31: %ASA-5-713904: Group = 203.0.113.14, IP = 203.0.113.14, "
        "Received an un-encrypted PAYLOAD_MALFORMED notify message, dropping\nfw1# \n"
    )
    saved = tmp_path / "saved"
    first = cli.main(["diagnose", "--from-log", str(log), "--save", str(saved)])
    out_log = capsys.readouterr().out
    names = sorted(p.name for p in saved.iterdir())
    assert "show_crypto_isakmp_sa.txt" in names
    assert "show_logging_%7C_include_203.0.113.14.txt" in names
    assert all("|" not in n and ":" not in n for n in names)
    assert cli.main(["diagnose", "--snapshot", str(saved)]) == first
    assert capsys.readouterr().out.splitlines()[:3] == out_log.splitlines()[:3]


@pytest.mark.e2e
def test_collect_then_snapshot_equals_live(
    mock_asa: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from helpers import login_args

    mock = mock_asa("triage_fleet")  # type: ignore[operator]
    monkeypatch.setenv("VPN_PW", mock.password)
    login = login_args(mock, "VPN_PW", "VPN_PW")
    live = cli.main(["diagnose", *login, "--format", "json"])
    live_report = json.loads(capsys.readouterr().out)
    snap = tmp_path / "snap"
    assert cli.main(["collect", *login, "--save", str(snap), "--format", "json"]) == 0
    capsys.readouterr()
    offline = cli.main(["diagnose", "--snapshot", str(snap), "--format", "json"])
    offline_report = json.loads(capsys.readouterr().out)
    assert offline == live == ExitCode.DOWN
    assert offline_report["tunnels"] == live_report["tunnels"]
    assert (snap / "show_running-config_crypto_map.txt").is_file()
    assert all("|" not in p.name for p in snap.iterdir())


# ---- 9. demo ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_demo_shows_summary_ladder_runbook(capfd: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo"]) == ExitCode.DOWN  # the verdict, as for diagnose
    out, err = capfd.readouterr()
    assert err == ""
    head = "\n".join(out.splitlines()[:15])
    assert "fw1: 3 down, 1 degraded, 8 up" in head
    assert all(peer in head for peer in DOWN)
    assert "<- never came" in out  # one ladder
    assert "tunnel-group 203.0.113.14 ipsec-attributes" in out  # one runbook
    assert out.count("<- never came") == 1


# ---- 10. HTML (the browser check is in test_html_browser.py) ---------------------------------


def test_html_is_self_contained(report: DiagnosisReport) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|@import|url\(|<script""", page)
    assert '<pre class="ladder">' in page and 'id="summary"' in page
    assert page.index("203.0.113.12") < page.index(HEALTHY)  # down first


def test_html_escapes_device_text(report: DiagnosisReport) -> None:
    tunnel = report.tunnels[0]
    evil = replace(tunnel.findings[0], evidence=("<script>alert(1)</script>",))
    bad = replace(report, tunnels=(replace(tunnel, verdict="down", findings=(evil,)),))
    page = render_html(bad)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_runbook_step_rules() -> None:
    from vpn_doctor.report.runbook import check_steps, remediation_steps

    steps = check_steps(
        "capture ike interface outside match udp host 192.0.2.9 any eq 500 ; "
        "show capture ike   (look for MM2)"
    )
    assert steps[0].lines == (
        "capture ike interface outside match udp host 192.0.2.9 any eq 500",
        "show capture ike",
    )
    assert steps[0].note == "look for MM2"
    assert check_steps("capture udp/500 on outside: no packet back")[0].lines == ()
    assert check_steps("Ask the peer for its tunnel-group")[0].lines == ()
    names = {"crypto_map": "vpn", "seq": "20", "transform_set": "TS1"}
    v2_only = "IKEv2: ikev2 local-authentication pre-shared-key <k1>"
    assert remediation_steps(v2_only, 1, names, "192.0.2.9") == []
    assert remediation_steps(v2_only, 2, names, "192.0.2.9")[0].lines == (
        "ikev2 local-authentication pre-shared-key <k1>",
    )
    block = remediation_steps("crypto map <MAP> <SEQ> set ikev1 transform-set <T>", 1, names, "x")
    assert block[0].lines == ("crypto map vpn 20 set ikev1 transform-set TS1",)
    assert remediation_steps(" frequency 5", 1, names, "x")[0].lines == (" frequency 5",)
    prose = remediation_steps("Fix the route to the remote subnet", 1, names, "x")
    assert prose[0].lines == () and prose[0].note.startswith("Fix the route")
