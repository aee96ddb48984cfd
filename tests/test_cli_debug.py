"""`vpn-doctor diagnose HOST --peer IP --debug N` end to end: real netmiko over SSH to the mock.

What matters to the engineer: the captured lines reach the report as evidence, debug is off
on the device afterwards on every path, a refused request sends nothing, and lines captured
before the session died are saved.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mock_device import load_scenario
from vpn_doctor import cli
from vpn_doctor.errors import ExitCode

from helpers import login_args

pytestmark = pytest.mark.e2e

PEER = "203.0.113.9"  # the peer of the mm_wait_msg6 scenario


def _argv(mock: Any, *extra: str) -> list[str]:
    login = login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_PASSWORD")
    return ["diagnose", *login, "--format", "json", *extra]


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    return code, out.getvalue()


@pytest.fixture
def mm_wait_msg6(mock_asa: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    mock = mock_asa("mm_wait_msg6")
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    return mock


def _from_debug(line: str) -> bool:
    """A `debug crypto ikev1` line (not the syslog form) reporting the malformed payload."""
    return "[IKEv1]" in line and "PAYLOAD_MALFORMED" in line


def _first_finding(output: str) -> dict[str, Any]:
    data = json.loads(output)
    tunnel = next(t for t in data["tunnels"] if t["peer"] == PEER)
    finding: dict[str, Any] = tunnel["findings"][0]
    return finding


def test_captured_debug_lines_become_evidence_and_debug_is_undone(mm_wait_msg6: Any) -> None:
    code, output = _run(_argv(mm_wait_msg6, "--peer", PEER, "--debug", "1"))
    assert code == ExitCode.DOWN
    first = _first_finding(output)
    assert first["code"] == "IKE_AUTH_FAILED"
    assert any(_from_debug(line) for line in first["evidence"]), first["evidence"]
    assert not mm_wait_msg6.debug_state.any_on
    sent = mm_wait_msg6.commands()
    assert f"debug crypto condition peer {PEER}" in sent
    assert sent.index("undebug all") > sent.index(f"debug crypto condition peer {PEER}")


def test_without_debug_the_same_tunnel_has_no_debug_evidence(mm_wait_msg6: Any) -> None:
    """The control for the test above: the `[IKEv1]` debug line comes from the capture (the
    syslog buffer only has the `%ASA-5-713904` form of the same message)."""
    code, output = _run(_argv(mm_wait_msg6, "--peer", PEER))
    assert code == ExitCode.DOWN
    first = _first_finding(output)
    assert first["code"] == "IKE_AUTH_FAILED"
    assert not any(_from_debug(line) for line in first["evidence"])
    assert not any(c.startswith("debug") for c in mm_wait_msg6.commands())


def test_debug_without_peer_is_refused_before_login(mm_wait_msg6: Any) -> None:
    code, _ = _run(_argv(mm_wait_msg6, "--debug", "1"))
    assert code == ExitCode.USAGE
    assert mm_wait_msg6.audit == []  # never even logged in


def test_debug_on_a_snapshot_is_refused(tmp_path: Path) -> None:
    code = cli.main(["diagnose", "--snapshot", str(tmp_path), "--peer", PEER, "--debug", "1"])
    assert code == ExitCode.USAGE


def test_session_lost_mid_capture_saves_lines_and_undoes_debug(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = load_scenario("mm_wait_msg6")
    assert scenario.debug is not None
    debug = dataclasses.replace(scenario.debug, drop_after_lines=3, interval_ms=20)
    mock = mock_asa(scenario, debug=debug)
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    save = tmp_path / "snap"
    code, _ = _run(_argv(mock, "--peer", PEER, "--debug", "5", "--save", str(save)))
    assert code == ExitCode.TIMEOUT  # session lost, but debug was undone after reconnecting
    assert not mock.debug_state.any_on
    debug_log = (save / "debug.log").read_text(encoding="utf-8")
    assert len([line for line in debug_log.splitlines() if line.strip()]) >= 3
    assert (save / "show_crypto_isakmp_sa.txt").exists()
