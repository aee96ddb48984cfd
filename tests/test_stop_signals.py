"""Nothing collected is lost when a live run is stopped (issue 13, items 5 and 6).

SIGTERM (systemd) and SIGHUP (a jump-host session dying) during `diagnose`/`collect`: the
partial snapshot is saved, what was saved is said, the diagnosis of what was collected is
printed (marked partial), and the exit code is 143/129. A session dropped mid-collection
gives the same partial diagnosis. `check` on SIGTERM still writes its JSON, status line and
Prometheus file, the devices not done being UNKNOWN "not checked: stopped".
The CLI runs in a subprocess (a real signal to a real process); the mock runs here.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vpn_doctor import cli

from helpers import MockFactory, login_args

pytestmark = pytest.mark.e2e


def _spawn(argv: list[str], env_password: str) -> subprocess.Popen[str]:
    env = {**os.environ, "VD_PW": env_password}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from vpn_doctor.cli import main; sys.exit(main())",
            *argv,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_commands(mock: object, count: int, proc: subprocess.Popen[str]) -> None:
    """Until the mock has received ``count`` show commands (or the process ended)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        shows = [c for c in mock.commands() if c.startswith("show ")]  # type: ignore[attr-defined]
        if len(shows) >= count:
            return
        time.sleep(0.02)
    raise AssertionError("the CLI did not reach the expected command")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_diagnose_stopped_saves_prints_partial_diagnosis_and_exits_128_plus_signal(
    mock_asa: MockFactory, tmp_path: Path, signum: int, code: int
) -> None:
    mock = mock_asa("healthy", delay_ms=300)
    save = tmp_path / "snap"
    argv = [
        "diagnose",
        *login_args(mock, "VD_PW", "VD_PW"),
        "--format",
        "json",
        "--save",
        str(save),
    ]
    proc = _spawn(argv, mock.password)
    _wait_for_commands(mock, 6, proc)  # show curpriv, show debug, show failover, 3 collected
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "partial snapshot" in err and str(save) in err
    report = json.loads(out)
    assert report["partial"] is True
    assert [t["peer"] for t in report["tunnels"]] == ["203.0.113.9"]  # what was collected
    saved = {p.name for p in save.iterdir()}
    assert "show_crypto_isakmp_sa.txt" in saved and "show_version.txt" in saved


def test_collect_sigterm_saves_and_exits_143(mock_asa: MockFactory, tmp_path: Path) -> None:
    mock = mock_asa("healthy", delay_ms=300)
    save = tmp_path / "snap"
    proc = _spawn(
        ["collect", *login_args(mock, "VD_PW", "VD_PW"), "--save", str(save)], mock.password
    )
    _wait_for_commands(mock, 5, proc)  # + show failover at login
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "partial snapshot" in err and (save / "show_version.txt").is_file()
    assert "PARTIAL" in out  # the diagnosis of what was collected


def test_diagnose_after_a_session_drop_prints_the_partial_diagnosis(
    mock_asa: MockFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = mock_asa("healthy", delay_ms=200)
    monkeypatch.setenv("VD_PW", mock.password)

    def drop_after_isakmp() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "show crypto ipsec sa" in mock.commands():
                mock.drop_sessions()
                return
            time.sleep(0.01)

    dropper = threading.Thread(target=drop_after_isakmp)
    dropper.start()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["diagnose", *login_args(mock, "VD_PW", "VD_PW"), "--format", "json"])
    dropper.join()
    assert code == 12, err.getvalue()  # session lost
    report = json.loads(out.getvalue())
    assert report["partial"] is True
    assert "partial" in err.getvalue()
    assert report["tunnels"], report  # the IKE SA that was read is diagnosed


def test_check_sigterm_writes_json_status_and_prometheus_for_devices_done(
    mock_asa: MockFactory, tmp_path: Path
) -> None:
    import yaml

    fast = mock_asa("healthy", hostname="fw1")
    slow = mock_asa("healthy", hostname="fw2", delay_ms=20_000)  # never finishes in time
    common = {"hostname": "127.0.0.1", "username": "admin"}
    tunnels = {"vpn_doctor": {"tunnels": [{"peer": "203.0.113.9"}]}}
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "fw1": {**common, "port": fast.port, "data": tunnels},
                "fw2": {**common, "port": slow.port, "data": tunnels},
            }
        )
    )
    textfile = tmp_path / "vpn_doctor.prom"
    argv = ["check", "--inventory", str(inventory), "--format", "json", "--textfile",
            str(textfile), "--password-env", "VD_PW", "--secret-env", "VD_PW",
            "--timeout", "30"]  # fmt: skip
    proc = _spawn(argv, fast.password)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "exit" not in fast.commands():
        time.sleep(0.02)  # fw1 is done once it logged out
    _wait_for_commands(slow, 1, proc)  # fw2 is stuck in its first (slow) show command
    time.sleep(2.0)  # fw1 parsed, diagnosed and recorded by the main thread (fw2 takes 20 s)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    document = json.loads(out)
    devices = {d["host"]: d for d in document["devices"]}
    assert devices["fw1"]["status"] == "ok"
    assert devices["fw2"]["status"] == "stopped"
    assert devices["fw2"]["error"] == "not checked: stopped"
    assert document["summary"]["state"] == "UNKNOWN"
    metrics = textfile.read_text()
    assert 'status="stopped"' in metrics
    assert "not checked" in err
