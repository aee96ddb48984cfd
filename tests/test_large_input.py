"""Bounded input: a file past VPN_DOCTOR_MAX_INPUT_MB is refused (exit 17) before it is read.

Why: a 200 MB paste used to cost 2 GB and two minutes before anything was said. The limit
logic is tested here with a small configured limit and small generated files; what large
files really cost is measured in bench/bench_large_input.py (no timing asserted here).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.cli import main
from vpn_doctor.collect.snapshot import load_snapshot
from vpn_doctor.collect.terminal_log import read_terminal_log
from vpn_doctor.errors import ExitCode, InputError
from vpn_doctor.parse.paste import DEFAULT_MAX_INPUT_MB, MAX_INPUT_ENV, max_input_bytes

_LINE = (
    "Dec 06 2026 21:00:00: %ASA-7-713236: IP = 203.0.113.9, IKE_DECODE RESENDING Message "
    "(msgid=0) with payloads : HDR + ID (5) + HASH (8) + NONE (0) total length : 84\n"
)


def _syslog_file(path: Path, kilobytes: int) -> Path:
    count = kilobytes * 1024 // len(_LINE) + 1
    path.write_text(_LINE * count, encoding="utf-8")
    return path


def test_default_limit_is_documented_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_INPUT_ENV, raising=False)
    assert max_input_bytes() == DEFAULT_MAX_INPUT_MB * 1024 * 1024


def test_file_past_the_limit_is_refused_with_exit_17(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "0.05")  # 51 KB
    big = _syslog_file(tmp_path / "big.log", 80)
    with pytest.raises(InputError) as caught:
        read_terminal_log(big)
    assert caught.value.exit_code == ExitCode.BAD_INPUT == 17
    message = str(caught.value)
    assert MAX_INPUT_ENV in message and "MB" in message and "big.log" in message


def test_file_under_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "0.05")
    small = _syslog_file(tmp_path / "small.log", 20)
    snapshot = read_terminal_log(small)
    assert len(snapshot.debug_lines) == small.read_text().count("\n")


def test_snapshot_file_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "0.05")
    (tmp_path / "show_crypto_isakmp_sa.txt").write_text("There are no IKEv1 SAs\n")
    _syslog_file(tmp_path / "debug.log", 80)
    with pytest.raises(InputError, match=MAX_INPUT_ENV):
        load_snapshot(tmp_path)


def test_limit_that_is_not_a_number_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "lots")
    with pytest.raises(InputError, match="number of megabytes"):
        read_terminal_log(_syslog_file(tmp_path / "x.log", 1))


def test_cli_exits_17_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(MAX_INPUT_ENV, "0.05")
    big = _syslog_file(tmp_path / "big.log", 80)
    assert main(["diagnose", "--from-log", str(big)]) == 17
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert MAX_INPUT_ENV in captured.err + captured.out
