"""`vpn-doctor watch HOST --peer X --debug N` over real SSH against the time-aware mock.

What matters: the conditional debug of `diagnose --debug` runs during the watch (peer
condition first, debug off at the end on every path: normal end, --duration shorter than
the debug, Ctrl-C/SIGTERM/SIGHUP in a real process, session dropped), the samples go on while it
runs, and its lines land on the same time axis as the samples: in the jsonl stream between
the sample objects, in the report's timeline, in the findings, and in a saved watch that
replays to the same report. The `mock_asa` fixture fails any test whose mock received a
configuration-mode command.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mock_device import load_scenario
from mock_device.scenario import DebugSpec
from vpn_doctor import cli
from vpn_doctor.collect.snapshot import load_snapshot
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.errors import ExitCode
from vpn_doctor.parse.device import parse_snapshot
from vpn_doctor.report.formats import to_json_dict

from helpers import login_args

pytestmark = pytest.mark.e2e

PEER = "203.0.113.9"
REPO = Path(__file__).resolve().parent.parent
# What the far side of a one-sided PFS / key mismatch prints (field guide 001), then a line
# the catalogue does not know.
MALFORMED = (
    "Dec 06 10:00:01 [IKEv1]Group = 203.0.113.9, IP = 203.0.113.9, Received an un-encrypted "
    "PAYLOAD_MALFORMED notify message, dropping"
)
LINES = (
    MALFORMED,
    "Dec 06 10:00:01 [IKEv1 DEBUG]Group = 203.0.113.9, IP = 203.0.113.9, constructing hash payload",
)
CONDITION = f"debug crypto condition peer {PEER}"
SAMPLE = f"show crypto ipsec sa peer {PEER}"


def _debugging(scenario: str = "flapping", **changes: Any) -> Any:
    """The scenario with a debug stream for the watched peer (one line every 150 ms)."""
    spec = DebugSpec(lines=LINES, peer=PEER, interval_ms=150)
    return load_scenario(scenario).replace(debug=dataclasses.replace(spec, **changes))


def _watch(mock: Any, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[Any]]:
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    argv = ["watch", *login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_PASSWORD"), "--peer", PEER]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([*argv, "--format", "jsonl", *extra])
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def _tunnel(report: dict[str, Any]) -> dict[str, Any]:
    return dict(next(t for t in report["tunnels"] if t["peer"] == PEER))


def _debug_was_conditioned_and_undone(mock: Any) -> None:
    """The audit: the peer condition before any debug level, the undo after, and nothing on."""
    sent = mock.commands()
    levels = [i for i, c in enumerate(sent) if c.startswith("debug crypto ike")]
    assert levels, sent
    assert sent.index(CONDITION) < levels[0]
    assert max(i for i, c in enumerate(sent) if c == "undebug all") > levels[-1]
    assert "no debug crypto condition" in sent[levels[-1] :]
    assert not mock.debug_state.any_on


def test_debug_lines_sit_between_the_samples_and_reach_the_findings(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mock = mock_asa(_debugging())
    save = tmp_path / "w"
    code, objects = _watch(
        mock,
        monkeypatch,
        "--interval",
        "0.5",
        "--duration",
        "3",
        "--debug",
        "2",
        "--save",
        str(save),
    )
    assert code == ExitCode.DEGRADED
    _debug_was_conditioned_and_undone(mock)
    stream = objects[:-1]
    assert {o["type"] for o in stream} == {"sample", "debug"}
    times = [o["at"] for o in stream]
    assert times == sorted(times), "the stream is in time order"
    kinds = "".join("s" if o["type"] == "sample" else "d" for o in stream)
    assert re.search("sd+s", kinds), kinds  # debug lines between two samples
    debug = [o for o in stream if o["type"] == "debug"]
    assert {o["message"] for o in debug} == {"IKEV1_PAYLOAD_MALFORMED", None}
    assert all(o["line"] in LINES for o in debug)
    assert all(o["at"] <= 3.5 for o in debug)
    # Samples went on while the debug ran: on the same session, between its set-up and undo.
    sent = mock.commands()
    during = sent[sent.index(CONDITION) : sent.index("undebug all")]
    assert during.count(SAMPLE) >= 2
    assert len({entry.session for entry in mock.audit}) == 1  # one SSH session throughout
    # The report: the debug message on the timeline, in time order with the sample events,
    # and the line as evidence of a finding (the engine path of diagnose --debug).
    tunnel = _tunnel(objects[-1])
    assert tunnel["findings"][0]["code"] == "TUNNEL_FLAPPING"
    events = tunnel["timeline"]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert any(e["event"].startswith("debug IKEV1_PAYLOAD_MALFORMED") for e in events), events
    assert any(e["event"].startswith("IPsec SA") for e in events)
    evidence = [line for f in tunnel["findings"] for line in f["evidence"]]
    assert MALFORMED in evidence
    # The saved watch replays offline to the same report (debug_times.yaml rides along).
    assert (save / "debug_times.yaml").is_file() and (save / "debug.log").is_file()
    snapshot = load_snapshot(save)
    replay = to_json_dict(diagnose(parse_snapshot(snapshot), PEER, debug_peer=snapshot.peer))
    again = _tunnel(replay)
    assert again["timeline"] == tunnel["timeline"]
    assert again["findings"] == tunnel["findings"]


def test_without_debug_the_watch_sends_no_debug_command(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: the debug objects and events come from --debug."""
    mock = mock_asa(_debugging())
    code, objects = _watch(mock, monkeypatch, "--interval", "0.5", "--duration", "1")
    assert code in (ExitCode.OK, ExitCode.DEGRADED)
    assert all(o["type"] in ("sample", "report") for o in objects)
    assert not any(e["event"].startswith("debug") for e in _tunnel(objects[-1])["timeline"])
    assert not [c for c in mock.commands() if c.startswith("debug")]


def test_duration_shorter_than_the_debug_ends_both(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa(_debugging("one_way_now"))
    code, objects = _watch(
        mock, monkeypatch, "--interval", "0.5", "--duration", "1.5", "--debug", "60"
    )
    assert objects[-1]["type"] == "report"
    assert _tunnel(objects[-1])["findings"][0]["code"] == "IPSEC_ONE_WAY"
    assert code == ExitCode.DEGRADED
    _debug_was_conditioned_and_undone(mock)
    samples = [o for o in objects if o["type"] == "sample"]
    assert 3 <= len(samples) <= 5


def test_session_dropped_mid_debug_undoes_it_and_reports_what_was_read(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = mock_asa(_debugging(drop_after_lines=3))
    code, objects = _watch(
        mock, monkeypatch, "--interval", "0.5", "--duration", "10", "--debug", "8"
    )
    assert code == ExitCode.TIMEOUT  # session lost; debug undone on a second login
    assert len({entry.session for entry in mock.audit}) == 2
    assert not mock.debug_state.any_on
    assert "undebug all" in mock.commands()
    assert objects[-1]["type"] == "report"
    assert len([o for o in objects if o["type"] == "debug"]) >= 3
    assert "watch ended early" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_ctrl_c_sigterm_or_sighup_mid_debug_undoes_it_and_prints_the_report(
    mock_asa: Any, signum: int
) -> None:
    mock = mock_asa(_debugging("healthy"))
    argv = [*login_args(mock, "VD_PW", "VD_PW"), "--peer", PEER, "--interval", "0.5"]
    code = "import sys; from vpn_doctor.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "watch", *argv, "--debug", "120", "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "VD_PW": mock.password},
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if mock.commands().count(SAMPLE) >= 3 and mock.debug_state.any_on:
                break  # debug on and samples flowing: now the engineer presses Ctrl-C
            time.sleep(0.02)
        assert mock.debug_state.any_on, mock.commands()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    objects = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert objects[-1]["type"] == "report", err
    assert proc.returncode == ExitCode.OK, err  # the watch's own end: the report's code
    _debug_was_conditioned_and_undone(mock)
    assert "Traceback" not in err


def test_debug_refused_on_a_standby_unit_and_without_a_peer(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    standby = mock_asa("failover_standby")
    code, _ = _watch(standby, monkeypatch, "--duration", "1", "--debug", "5")
    assert code == ExitCode.USAGE
    assert "standby unit" in capsys.readouterr().err
    assert not [c for c in standby.commands() if c.startswith("debug")]
    mock = mock_asa(_debugging())
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    login = login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_PASSWORD")
    with pytest.raises(SystemExit) as refused:  # no --peer: argparse's usage error, exit 64
        cli.main(["watch", *login, "--debug", "5"])
    assert refused.value.code == ExitCode.USAGE
    assert "--peer" in capsys.readouterr().err
    for bad in ("0", "601", "-1"):  # the bound of diagnose --debug, checked before login
        assert cli.main(["watch", *login, "--peer", PEER, "--debug", bad]) == ExitCode.USAGE
    assert "--debug SECONDS must be between 1 and 600" in capsys.readouterr().err
    assert mock.audit == []  # never even logged in


def test_the_plain_report_lists_samples_and_debug_messages_in_time_order(
    mock_asa: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = mock_asa(_debugging())
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    login = login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_PASSWORD")
    argv = ["watch", *login, "--peer", PEER, "--interval", "0.5", "--duration", "2"]
    code = cli.main([*argv, "--debug", "2"])
    out, err = capsys.readouterr()
    assert code in (ExitCode.OK, ExitCode.DEGRADED, ExitCode.DOWN)  # the report's, no error
    assert "debug IKEV1_PAYLOAD_MALFORMED: Peer could not parse" in out  # as it arrives
    _, _, listing = out.partition("timeline (samples and debug messages, in time order):\n")
    assert listing, out
    timed = [re.match(r"\s*(\d+\.\d)s  (.*)$", row) for row in listing.splitlines()]
    rows = [(float(m.group(1)), m.group(2)) for m in timed if m is not None]
    assert [at for at, _ in rows] == sorted(at for at, _ in rows)
    kinds = "".join("d" if text.startswith("debug ") else "s" for _, text in rows)
    assert re.search("sd+s", kinds), rows
    assert MALFORMED in listing
    assert "undone and verified off" in err  # the capture's summary, as diagnose --debug
    _debug_was_conditioned_and_undone(mock)
