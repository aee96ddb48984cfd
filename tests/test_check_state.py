"""`check` remembers each device between runs: flapping and one-way traffic since then.

The runs go over SSH to the time-aware mock; where the test needs "five minutes ago", it
writes the previous run's state file itself (the format is the module's, checked here too).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from vpn_doctor.cli import main
from vpn_doctor.fleet import state_file
from vpn_doctor.parse.durations import duration_seconds

from helpers import MockFactory

PEER = "203.0.113.9"


def _inventory(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "hosts.yaml"
    host = {
        "hostname": "127.0.0.1",
        "username": "admin",
        "port": port,
        "data": {"vpn_doctor": {"tunnels": [{"peer": PEER}]}},
    }
    path.write_text(yaml.safe_dump({"fw1": host}), encoding="utf-8")
    return path


def _check(inventory: Path, state: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    argv = ["check", "-i", str(inventory), "--password-env", "VPNDOC_PW", "--format", "json"]
    main([*argv, "--state-dir", str(state)])
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def _codes(data: dict[str, object]) -> list[str]:
    text = json.dumps(data)
    return [c for c in ("TUNNEL_FLAPPING", "IPSEC_ONE_WAY", "TUNNEL_HEALTHY") if c in text]


@pytest.mark.e2e
def test_one_way_since_the_last_run(
    mock_asa: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VPNDOC_PW", "cisco123")
    mock = mock_asa("one_way_now")
    inventory = _inventory(tmp_path, mock.port)
    first = _check(inventory, tmp_path / "state", capsys)
    assert "IPSEC_ONE_WAY" not in _codes(first)  # one sample: counters since birth look fine
    assert (tmp_path / "state" / "fw1.json").is_file()
    time.sleep(1.0)  # the mock's decaps never grow (stopped at t=0); encaps do
    second = _check(inventory, tmp_path / "state", capsys)
    assert "IPSEC_ONE_WAY" in _codes(second)
    assert "since the last run" in json.dumps(second)


@pytest.mark.e2e
def test_a_session_younger_than_the_gap_was_rebuilt(
    mock_asa: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VPNDOC_PW", "cisco123")
    mock = mock_asa("flapping")
    inventory = _inventory(tmp_path, mock.port)
    state = tmp_path / "state"
    # The previous run, five minutes ago, saw a session already 10 minutes old.
    previous = state_file.PeerMemory(("0x1",), 100, 90, 0, 600)
    state_file.save(state / "fw1.json", {PEER: previous}, now=time.time() - 300)
    time.sleep(3.2)  # the mock's SA is rebuilt at 3 s (up 2 s, gone 1 s): a young session
    data = _check(inventory, state, capsys)
    assert "TUNNEL_FLAPPING" in _codes(data)
    assert "torn down and rebuilt" in json.dumps(data)


@pytest.mark.e2e
def test_a_corrupt_state_file_is_ignored_with_a_note(
    mock_asa: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VPNDOC_PW", "cisco123")
    mock = mock_asa("healthy")
    inventory = _inventory(tmp_path, mock.port)
    state = tmp_path / "state"
    state.mkdir()
    (state / "fw1.json").write_text("{not json", encoding="utf-8")
    data = _check(inventory, state, capsys)
    assert "TUNNEL_HEALTHY" in _codes(data)
    assert "ignored" in json.dumps(data)
    assert json.loads((state / "fw1.json").read_text())["schema"] == 1  # rewritten whole


def test_state_round_trip_and_rules() -> None:
    memory = {PEER: state_file.PeerMemory(("0xaa", "0xbb"), 100, 90, 0, 3600)}
    loaded, note = state_file.load(Path("/nonexistent/x.json"))
    assert loaded is None and note == ""
    previous = state_file.DeviceMemory(written=1000.0, peers=memory)
    # Same SPIs 60 s later: deltas compare; the session aged: no rebuild.
    now = {PEER: state_file.PeerMemory(("0xaa", "0xbb"), 160, 90, 0, 3660)}
    window = state_file.between_runs(previous, now, 1060.0)[PEER].window
    assert (
        window is not None
        and window.comparable
        and (window.encaps_delta, window.decaps_delta) == (60, 0)
    )
    assert not window.flapping
    # A rekey (new SPIs) but the session kept its age: not a flap, no deltas.
    rekeyed = {PEER: state_file.PeerMemory(("0xcc", "0xdd"), 3, 2, 0, 3660)}
    window = state_file.between_runs(previous, rekeyed, 1060.0)[PEER].window
    assert window is not None and not window.flapping and not window.comparable


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("14d 7h:25m:33s", 14 * 86400 + 7 * 3600 + 25 * 60 + 33),
        ("0h:00m:45s", 45),
        ("", None),
        ("soon", None),
    ],
)
def test_duration_seconds(text: str, seconds: int | None) -> None:
    assert duration_seconds(text) == seconds
