"""Issue 14, device modes: failover pairs, multi-context and FTD, end to end over SSH.

Each way in has its mock scenario (failover_active, failover_standby, multi_context, ftd);
the tests run the real CLI against it and read the JSON report (Contract 2) and the mock's
audit log (what was really typed).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_device.scenario import load_scenario
from tests.helpers import login_args
from vpn_doctor import cli
from vpn_doctor.cli import main
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.errors import CommandNotAllowed
from vpn_doctor.parse.failover import failover_role, parse_failover, role_from_prompt


def _run(argv: list[str]) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, json.loads(out.getvalue()) if out.getvalue().strip() else {}


def _diagnose(
    mock: Any, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    return _run(
        [
            "diagnose",
            *login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_SECRET"),
            "--format",
            "json",
            *extra,
        ]
    )


# ---- failover ------------------------------------------------------------------------------


def test_show_failover_roles() -> None:
    active = load_scenario("failover_active").commands["show failover"]
    standby = parse_failover(load_scenario("failover_standby").commands["show failover"])
    assert parse_failover(active).role == "active"
    assert standby.role == "standby"
    assert standby.active_unit == ("outside 198.51.100.1", "inside 10.10.0.1")
    assert "This host: Secondary - Standby Ready" in standby.evidence
    assert parse_failover("Failover Off\nFailover unit Primary\n").role == "standalone"
    assert parse_failover("This host: Primary - Sync Config\n").role == "standby"


def test_role_from_prompt_when_show_failover_is_missing() -> None:
    assert role_from_prompt("fw/pri/act").role == "active"
    assert role_from_prompt("fw/ctx1/sec/stby").role == "standby"
    assert role_from_prompt("fw1").role == ""
    assert failover_role(None, "fw1").role == "standalone"
    assert failover_role("", "fw/sec/stby").role == "standby"


@pytest.mark.e2e
def test_active_unit_is_diagnosed_and_says_active(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa("failover_active")
    code, data = _diagnose(mock, monkeypatch)
    assert data["device"]["role"] == "active"
    assert [t["verdict"] for t in data["tunnels"]] == ["up"]
    assert code == 0
    assert "show failover" in mock.commands()


@pytest.mark.e2e
def test_standby_unit_reports_standby_and_points_at_active(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa("failover_standby")
    code, data = _diagnose(mock, monkeypatch)
    assert data["device"]["role"] == "standby"
    assert data["tunnels"] == []  # never "every tunnel down" on the standby
    (finding,) = data["device"]["findings"]
    assert finding["code"] == "DEVICE_STANDBY_UNIT"
    assert finding["severity"] == "info"
    assert any("outside 198.51.100.1" in line for line in finding["evidence"])
    assert code == 0


@pytest.mark.e2e
def test_no_debug_on_the_standby(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = mock_asa("failover_standby")
    code, _ = _diagnose(mock, monkeypatch, "--peer", "203.0.113.9", "--debug", "5")
    assert code == 64
    assert "standby unit" in capsys.readouterr().err
    assert not [c for c in mock.commands() if c.startswith("debug")]


# ---- multi-context -------------------------------------------------------------------------


@pytest.mark.e2e
def test_context_option_changes_to_the_context(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa("multi_context")
    code, data = _diagnose(mock, monkeypatch, "--context", "ctx1")
    assert data["device"]["context"] == "ctx1"
    assert [t["peer"] for t in data["tunnels"]] == ["203.0.113.9"]
    assert data["tunnels"][0]["verdict"] == "up"
    assert code == 0
    assert "changeto context ctx1" in mock.commands()


@pytest.mark.e2e
def test_system_context_has_no_tunnels_and_context_is_null(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa("multi_context")
    _, data = _diagnose(mock, monkeypatch)
    assert data["device"]["context"] is None
    assert data["tunnels"] == []


@pytest.mark.e2e
def test_unknown_context_is_a_clear_error(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = mock_asa("multi_context")
    code, _ = _diagnose(mock, monkeypatch, "--context", "nope")
    assert code != 0
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err


def test_ways_in_are_allowed_in_exactly_their_form() -> None:
    assert check_allowed("changeto context ctx1") == "changeto context ctx1"
    assert check_allowed("changeto system") == "changeto system"
    assert check_allowed("system support diagnostic-cli") == "system support diagnostic-cli"
    for command in (
        "changeto context",
        "chang cont ctx1",
        "changeto context ctx1 extra",
        "system support diagnostic-cli expert",
        "sys sup diag",
        "system support",
    ):
        with pytest.raises(CommandNotAllowed):
            check_allowed(command)


# ---- FTD -----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_ftd_reaches_lina_through_the_diagnostic_cli(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa("ftd")
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    argv = [
        "diagnose",
        mock.host,
        "--port",
        str(mock.port),
        "--username",
        mock.username,
        "--password-env",
        "VD_TEST_PASSWORD",
        "--device-type",
        "ftd",
        "--format",
        "json",
    ]
    code, data = _run(argv)
    assert [t["verdict"] for t in data["tunnels"]] == ["up"]
    assert code == 0
    typed = mock.commands()
    assert typed[:3] == ["system support diagnostic-cli", "enable", "terminal pager 0"]
    assert "show curpriv" not in typed  # the LINA `#` prompt was the privilege check
    assert "show crypto isakmp sa" in typed


@pytest.mark.e2e
def test_ftd_without_device_type_fails_clearly(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = mock_asa("ftd")
    code, _ = _diagnose(mock, monkeypatch)
    assert code != 0
    assert "Traceback" not in capsys.readouterr().err


def test_ftd_syslog_ids_are_recognised() -> None:
    from vpn_doctor.diagnose.messages import lookup, match_line

    line = (
        "Nov 22 2026 10:00:01: %FTD-vpn-3-713022: No Group found matching 203.0.113.9 for "
        "Pre-shared key peer 203.0.113.9"
    )
    assert [e.pattern.id for e in match_line(line)] == ["713022"]
    assert [p.id for p in lookup("%FTD-vpn-3-713022")] == ["713022"]


# ---- check ---------------------------------------------------------------------------------


def _inventory(tmp_path: Path, hosts: dict[str, Any]) -> Path:
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.e2e
def test_check_treats_the_standby_as_ok_but_skipped(
    mock_asa: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VPNDOC_CLI_PW", "cisco123")
    active, standby = mock_asa("failover_active"), mock_asa("failover_standby")
    tunnels = {"vpn_doctor": {"tunnels": [{"peer": "203.0.113.9"}]}}
    common = {"hostname": "127.0.0.1", "username": "admin", "data": tunnels}
    inventory = _inventory(
        tmp_path,
        {"fw-a": {**common, "port": active.port}, "fw-b": {**common, "port": standby.port}},
    )
    argv = ["check", "-i", str(inventory), "--password-env", "VPNDOC_CLI_PW", "--no-state"]
    assert main(argv) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("VPN OK - 2 devices, 1 of 1 tunnels up, standby skipped: fw-b |")
    assert main([*argv, "--format", "json"]) == 0
    devices = {d["host"]: d for d in json.loads(capsys.readouterr().out)["devices"]}
    assert devices["fw-b"]["standby_skipped"] is True
    assert devices["fw-b"]["state"] == "OK"
    assert devices["fw-b"]["device"]["role"] == "standby"
    assert devices["fw-a"]["standby_skipped"] is False


@pytest.mark.e2e
def test_check_lists_contexts_over_one_session(
    mock_asa: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VPNDOC_CLI_PW", "cisco123")
    mock = mock_asa("multi_context")
    section = {"contexts": ["admin", "ctx1"], "tunnels": [{"peer": "203.0.113.9"}]}
    inventory = _inventory(
        tmp_path,
        {
            "fw": {
                "hostname": "127.0.0.1",
                "port": mock.port,
                "username": "admin",
                "data": {"vpn_doctor": section},
            }
        },
    )
    argv = ["check", "-i", str(inventory), "--password-env", "VPNDOC_CLI_PW", "--no-state"]
    assert main([*argv, "--format", "json"]) == 0
    devices = {d["host"]: d for d in json.loads(capsys.readouterr().out)["devices"]}
    assert sorted(devices) == ["fw/admin", "fw/ctx1"]
    assert devices["fw/ctx1"]["context"] == "ctx1"
    assert [t["peer"] for t in devices["fw/ctx1"]["tunnels"]] == ["203.0.113.9"]
    assert devices["fw/ctx1"]["tunnels"][0]["up"] is True
    assert devices["fw/admin"]["tunnels"] == []
    sessions = {entry.session for entry in mock.audit}
    assert len(sessions) == 1  # one SSH session for both contexts
    typed = mock.commands()
    assert typed.index("changeto context admin") < typed.index("changeto context ctx1")


# ---- routes: filtered, never the full table ------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("peer", [None, "203.0.113.61"])
def test_routes_are_read_for_the_crypto_acl_networks_only(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, peer: str | None
) -> None:
    mock = mock_asa("config_SWAPPED_ACL")
    _, data = _diagnose(mock, monkeypatch, *(["--peer", peer] if peer else []))
    typed = mock.commands()
    routes = [c for c in typed if c.startswith("show route")]
    assert "show route" not in typed
    assert routes and all(len(c.split()) == 4 for c in routes), routes
    first = data["tunnels"][0]["findings"][0]["code"]
    assert first == load_scenario("config_SWAPPED_ACL").expect["first_finding"]


def test_filtered_route_entry_parses() -> None:
    from mock_device.routes import route_entry
    from vpn_doctor.parse.config.route_tracer import parse_routes

    table = (
        "S*       0.0.0.0 0.0.0.0 [1/0] via 198.51.100.254, outside\n"
        "C        10.10.0.0 255.255.255.0 is directly connected, inside\n"
    )
    inside = parse_routes(
        route_entry(table, "10.10.0.0", "255.255.255.0"), "show route 10.10.0.0 255.255.255.0"
    )
    assert [(r.network, r.interface) for r in inside.records] == [("10.10.0.0", "inside")]
    remote = parse_routes(
        route_entry(table, "10.20.0.0", "255.255.255.0"), "show route 10.20.0.0 255.255.255.0"
    )
    assert [(r.network, r.next_hop, r.interface) for r in remote.records] == [
        ("0.0.0.0", "198.51.100.254", "outside")
    ]


# ---- one session per device, timeouts that scale -------------------------------------------


def test_box_wide_commands_get_a_longer_read_timeout() -> None:
    from vpn_doctor.collect.driver import BOX_WIDE_FACTOR, read_timeout_for

    assert read_timeout_for("show crypto ipsec sa", 30.0) == 30.0 * BOX_WIDE_FACTOR
    assert read_timeout_for("show vpn-sessiondb detail l2l", 30.0) == 30.0 * BOX_WIDE_FACTOR
    assert read_timeout_for("show crypto ipsec sa peer 203.0.113.9", 30.0) == 30.0
    assert read_timeout_for("show route 10.20.0.0 255.255.255.0", 30.0) == 30.0


@pytest.mark.e2e
def test_one_session_per_device_at_a_time(mock_asa: Any) -> None:
    import threading

    from vpn_doctor.collect.driver import AsaSession, ConnectionSettings

    mock = mock_asa("healthy", delay_ms=20)
    settings = ConnectionSettings(
        host=mock.host,
        port=mock.port,
        username=mock.username,
        password=mock.password,
        secret=mock.secret,
    )
    most: list[int] = []
    inside = [0]
    guard = threading.Lock()

    def probe() -> None:
        with AsaSession(settings) as session:
            with guard:
                inside[0] += 1
                most.append(inside[0])
            session.run("show crypto isakmp sa")
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=probe) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(most) == 3
    assert max(most) == 1  # never two sessions to the device at once
    assert len({entry.session for entry in mock.audit}) == 3
