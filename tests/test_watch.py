"""`vpn-doctor watch` over real SSH against the time-aware mock, and the mock's motion.

The scenarios move with the mock's clock (mock_device/motion.py): `flapping` is up 2 s and
gone 1 s, again and again; `one_way_now` counts no decaps after t=0; `rekey_failure`
loses its IPsec SA at 2 s. The watch must name the cause within three intervals.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mock_device import load_scenario
from mock_device.motion import parse_motion, spec_at, teardown_log_lines
from mock_device.outputs import OutputBook
from vpn_doctor import cli
from vpn_doctor.collect.snapshot import load_snapshot
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.parse.device import parse_snapshot

from helpers import login_args

PEER = "203.0.113.9"


def _watch(mock: Any, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[Any]]:
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    argv = ["watch", *login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_SECRET"), "--peer", PEER]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([*argv, *extra])
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def _report(objects: list[Any]) -> dict[str, Any]:
    assert objects[-1]["type"] == "report"
    tunnels = {t["peer"]: t for t in objects[-1]["tunnels"]}
    return dict(tunnels[PEER])


@pytest.mark.e2e
def test_one_way_now_within_three_intervals(mock_asa: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    mock = mock_asa("one_way_now")
    code, objects = _watch(
        mock, monkeypatch, "--interval", "0.5", "--duration", "1.5", "--format", "jsonl"
    )
    samples = [o for o in objects if o["type"] == "sample"]
    assert 3 <= len(samples) <= 5
    assert samples[-1]["decaps_per_s"] == 0 and samples[-1]["encaps_per_s"] > 0
    tunnel = _report(objects)
    assert tunnel["findings"][0]["code"] == "IPSEC_ONE_WAY"
    assert any("(+0)" in line for line in tunnel["findings"][0]["evidence"])
    assert tunnel["timeline"], "the report carries the timeline"
    assert code == 1  # degraded
    commands = [entry.command for entry in mock.audit]
    assert commands.count(f"show crypto ipsec sa peer {PEER}") >= 3
    assert "show crypto ipsec sa" not in commands  # filtered on the device, never box-wide


@pytest.mark.e2e
def test_flapping_is_named_with_the_teardowns(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mock = mock_asa("flapping")
    code, objects = _watch(
        mock,
        monkeypatch,
        *("--interval", "0.5", "--duration", "3.5", "--format", "jsonl"),
        *("--save", str(tmp_path / "w")),
    )
    tunnel = _report(objects)
    assert tunnel["findings"][0]["code"] == "TUNNEL_FLAPPING"
    assert any("113019" in line for line in tunnel["findings"][0]["evidence"])
    events = [e["event"] for e in tunnel["timeline"]]
    assert any("gone" in e or "rebuilt" in e for e in events), events
    assert code == 1
    # The saved watch replays offline to the same answer (samples.yaml rides along).
    replay = diagnose(parse_snapshot(load_snapshot(tmp_path / "w")), PEER)
    assert replay.tunnels[0].findings[0].code == "TUNNEL_FLAPPING"


@pytest.mark.e2e
def test_rich_plain_output_and_usage_errors(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = mock_asa("rekey_failure")
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    base = ["watch", *login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_SECRET"), "--peer", PEER]
    assert cli.main([*base, "--interval", "0.05"]) == 64
    assert cli.main([*base, "--duration", "0"]) == 64
    code = cli.main([*base, "--interval", "0.5", "--duration", "3"])
    out = capsys.readouterr().out
    assert "watching 203.0.113.9" in out and "encaps/s" in out
    assert "IPSEC_NO_SA" in out and "rekey fails" in out
    assert code == 2


def test_motion_spec_at_moves_counters_spis_and_state() -> None:
    scenario = load_scenario("flapping")
    assert scenario.tunnels is not None
    spec = scenario.tunnels[0]
    up, down, back = spec_at(spec, 1.0), spec_at(spec, 2.5), spec_at(spec, 3.5)
    assert up.encaps == spec.encaps + 40 and up.state == "MM_ACTIVE"
    assert down.state == "NONE" and not down.ipsec
    assert back.generation == 1 and back.encaps < spec.encaps  # rebuilt: counters anew
    lines = teardown_log_lines(scenario.tunnels, 6.5)
    assert len(lines) == 2 and all("%ASA-4-113019" in line for line in lines)  # t=2, t=5
    with pytest.raises(ValueError, match="flap_up and flap_down"):
        parse_motion({"flap_up": 1})
    with pytest.raises(ValueError, match="unknown key"):
        parse_motion({"flap": 1})


def test_output_book_renders_the_instant_it_is_asked() -> None:
    now = [0.2]
    book = OutputBook(load_scenario("flapping"), clock=lambda: now[0])
    assert "There are no ipsec sas" not in (book.lookup(f"show crypto ipsec sa peer {PEER}") or "")
    now[0] = 2.4
    assert "There are no ipsec sas" in (book.lookup(f"show crypto ipsec sa peer {PEER}") or "")
    assert book.log_lines()
