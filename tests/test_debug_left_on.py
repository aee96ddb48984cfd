"""Leftover debug is found and undone (issue 13, item 4): `show debug` once after login,
DEVICE_DEBUG_LEFT_ON in the report's ``device.findings``, `vpn-doctor undebug HOST`."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from mock_device import load_scenario
from vpn_doctor import cli
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.diagnose.engine import default_playbooks
from vpn_doctor.parse.debug_state import parse_show_debug

from helpers import MockFactory, login_args

PEER = "203.0.113.9"


def run_cli(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, out.getvalue()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VD_PW", "cisco123")


# ---- parsing `show debug` -----------------------------------------------------------------


def test_parse_show_debug_levels_and_condition() -> None:
    status = parse_show_debug(
        "debug crypto condition peer 203.0.113.9\n"
        "debug crypto ikev1 enabled at level 200\n"
        "debug crypto ikev2 protocol enabled at level 255\n"
        "debug menu enabled at level 1\n"
    )
    assert status.crypto_on and status.condition
    assert status.facilities == ("ikev1", "ikev2 protocol")
    assert "debug menu enabled at level 1" not in status.lines  # not ours to report or undo
    assert status.undo_commands() == (
        "no debug crypto ikev1",
        "no debug crypto ikev2 protocol",
        "no debug crypto condition",
    )
    for command in status.undo_commands():
        assert check_allowed(command) == command


def test_parse_show_debug_nothing_on_and_other_formats() -> None:
    assert not parse_show_debug("").crypto_on
    assert not parse_show_debug("debug menu enabled at level 1\n").crypto_on
    alt = parse_show_debug("Crypto conditional debug is turned ON\nIKE peer IP address filters:")
    assert alt.condition and alt.undo_commands() == ("no debug crypto condition",)
    odd = parse_show_debug("debug crypto engine\n")
    assert odd.crypto_on and odd.undo_commands() == ("undebug all",)


def test_finding_code_is_in_the_catalogue_and_explained() -> None:
    entry = default_playbooks().catalogue["DEVICE_DEBUG_LEFT_ON"]
    assert entry.severity == "critical" and entry.phase == "device"
    code, out = run_cli(["explain", "DEVICE_DEBUG_LEFT_ON"])
    assert code == 0 and "vpn-doctor undebug" in out


def test_scenario_starts_with_crypto_debug_on() -> None:
    scenario = load_scenario("debug_left_on")
    assert scenario.debug_levels_at_start == {"ikev1": 200}
    assert scenario.debug_conditions_at_start == (PEER,)


# ---- live ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_diagnose_reports_debug_left_on_then_undebug_turns_it_off(
    mock_asa: MockFactory, env: None
) -> None:
    mock = mock_asa("debug_left_on")
    assert mock.debug_state.any_on
    login = login_args(mock, "VD_PW", "VD_PW")
    code, out = run_cli(["diagnose", *login, "--format", "json"])
    data = json.loads(out)
    assert code == 0  # the tunnel is healthy: a device finding never changes its verdict
    assert data["tunnels"][0]["findings"][0]["code"] == "TUNNEL_HEALTHY"
    (finding,) = data["device"]["findings"]
    assert finding["code"] == "DEVICE_DEBUG_LEFT_ON" and finding["severity"] == "critical"
    assert "debug crypto ikev1 enabled at level 200" in finding["evidence"]
    assert any("no debug crypto ikev1" in r for r in finding["remediation"])
    assert any("no debug crypto condition" in r for r in finding["remediation"])
    assert mock.debug_state.any_on  # diagnose only reports; it never changes debug state

    code, out = run_cli(["undebug", *login])
    assert code == 0, out
    assert "show debug now lists no crypto debug" in out
    assert not mock.debug_state.any_on
    undo = [c for c in mock.commands() if c.startswith(("no ", "undebug"))]
    assert undo == ["no debug crypto ikev1", "no debug crypto condition"]

    code, out = run_cli(["diagnose", *login, "--format", "json"])
    assert json.loads(out)["device"]["findings"] == []
    code, out = run_cli(["undebug", *login])
    assert code == 0 and "nothing sent" in out


@pytest.mark.e2e
def test_second_login_sees_what_the_first_left_on(mock_asa: MockFactory) -> None:
    from vpn_doctor.collect.driver import AsaSession

    import helpers

    mock = mock_asa("healthy")
    with AsaSession(helpers.settings_for(mock)) as first:
        assert first.debug_at_login == ""
        first.run("debug crypto condition peer 203.0.113.9")
        first.run("debug crypto ikev1 200")
        mock.drop_sessions()  # the session dies: nothing can undo on it
    with AsaSession(helpers.settings_for(mock)) as second:
        at_login: Any = second.debug_at_login
    assert "debug crypto ikev1 enabled at level 200" in at_login
    assert "debug crypto condition peer 203.0.113.9" in at_login
    mock.reset_debug()


@pytest.mark.e2e
def test_session_undoes_on_close_a_debug_sent_through_run(mock_asa: MockFactory) -> None:
    """Every debug enabled through any path is registered and undone when the session
    closes, even when the caller forgot."""
    from vpn_doctor.collect.driver import AsaSession

    import helpers

    mock = mock_asa("healthy")
    with AsaSession(helpers.settings_for(mock)) as session:
        session.run("debug crypto condition peer 203.0.113.9")
        session.run("debug crypto ikev2 protocol 255")
        assert mock.debug_state.any_on
    assert not mock.debug_state.any_on
    undo = [c for c in mock.commands() if c.startswith("no ")]
    assert undo == ["no debug crypto ikev2 protocol", "no debug crypto condition"]


@pytest.mark.e2e
def test_check_and_collect_report_debug_left_on(
    mock_asa: MockFactory, env: None, tmp_path: Any
) -> None:
    import yaml

    mock = mock_asa("debug_left_on")
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "fw1": {
                    "hostname": "127.0.0.1",
                    "port": mock.port,
                    "username": "admin",
                    "data": {"vpn_doctor": {"tunnels": [{"peer": PEER}]}},
                }
            }
        )
    )
    code, out = run_cli(
        ["check", "--inventory", str(inventory), "--format", "json",
         "--password-env", "VD_PW", "--secret-env", "VD_PW"]
    )  # fmt: skip
    (device,) = json.loads(out)["devices"]
    assert [f["code"] for f in device["device"]["findings"]] == ["DEVICE_DEBUG_LEFT_ON"]
    save = tmp_path / "snap"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, out = run_cli(["collect", *login_args(mock, "VD_PW", "VD_PW"), "--save", str(save)])
    assert code == 0
    assert "enabled at level 200" in (save / "show_debug.txt").read_text()
    assert "DEVICE_DEBUG_LEFT_ON" in err.getvalue()
    assert mock.debug_state.any_on  # reported, never changed
