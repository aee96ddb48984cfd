"""`vpn-doctor collect` / `demo` CLI without SSH: arguments, exit codes, partial saves, JSON."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import yaml
from rich.console import Console

from vpn_doctor import cli
from vpn_doctor.cli import collect as cli_collect
from vpn_doctor.cli.diagnose import DIAGNOSE_COMMANDS
from vpn_doctor.collect import driver
from vpn_doctor.errors import CommandRejected, DeviceUnreachable, ExitCode, SessionLost
from vpn_doctor.models import (
    DeviceInfo,
    DeviceState,
    IkeSa,
    IpsecSa,
    ParseResult,
    ParseStatus,
    ProxyId,
    Snapshot,
    VpnSession,
)
from vpn_doctor.report import collect_view as render_collect
from vpn_doctor.report.collect_view import CollectSummary, progress, render_demo

OUTPUTS = {
    "show version": "Cisco Adaptive Security Appliance Software Version 9.12(4)\nfw1 up 2 days",
    "show crypto isakmp sa": "There are no IKEv1 SAs",
    "show crypto ipsec sa": "There are no ipsec sas",
}


class FakeSession:
    """Stands in for AsaSession: answers from OUTPUTS, can fail on a chosen command."""

    instances: list[FakeSession] = []
    fail: dict[str, Exception] = {}
    connect_error: Exception | None = None

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.hostname = "fw1"
        self.connect_seconds = 0.25
        FakeSession.instances.append(self)

    @property
    def host(self) -> str:
        return str(self.settings.host)

    def __enter__(self) -> FakeSession:
        if FakeSession.connect_error is not None:
            raise FakeSession.connect_error
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def run(self, command: str) -> str:
        if command in FakeSession.fail:
            raise FakeSession.fail[command]
        return OUTPUTS.get(command, "")


@pytest.fixture(autouse=True)
def fake_session(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeSession.instances = []
    FakeSession.fail = {}
    FakeSession.connect_error = None
    monkeypatch.setattr(driver, "AsaSession", FakeSession)  # cli imports it when it runs
    monkeypatch.setenv("TEST_PW", "pw-S3cret")
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)
    monkeypatch.delenv("VPN_DOCTOR_SECRET", raising=False)


def args(save: Path, *extra: str) -> list[str]:
    return [
        "collect",
        "192.0.2.1",
        "--username",
        "netops",
        "--password-env",
        "TEST_PW",
        "--save",
        str(save),
        *extra,
    ]


def test_collect_saves_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(args(tmp_path / "snap")) == 0
    out = capsys.readouterr().out
    assert "show crypto isakmp sa" in out
    assert "snapshot saved to" in out
    assert (tmp_path / "snap" / "show_version.txt").is_file()
    settings = FakeSession.instances[0].settings
    assert settings.password == "pw-S3cret"
    assert settings.username == "netops"
    assert settings.secret is None  # no terminal, none given: the ASA login path
    assert settings.conn_timeout == 10.0


def test_collect_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    FakeSession.fail = {
        "show vpn-sessiondb detail l2l": CommandRejected(
            "rejected", output="ERROR: % Invalid input detected at '^' marker."
        )
    }
    assert cli.main(args(tmp_path / "snap", "--format", "json", "--timeout", "4")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == 1
    assert data["device"]["version"] == "9.12(4)"
    assert data["saved_to"] == str(tmp_path / "snap")
    statuses = {c["command"]: c["status"] for c in data["commands"]}
    assert statuses["show vpn-sessiondb detail l2l"] == "rejected"
    assert statuses["show version"] == "ok"
    assert FakeSession.instances[0].settings.read_timeout == 12.0


def test_partial_snapshot_is_saved_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    FakeSession.fail = {"show crypto ipsec sa": SessionLost("SSH session lost", host="192.0.2.1")}
    code = cli.main(args(tmp_path / "snap"))
    assert code == ExitCode.TIMEOUT
    err = capsys.readouterr().err
    assert "partial snapshot (2 commands) saved to" in err
    assert f"collection stopped after 2 of {len(DIAGNOSE_COMMANDS)} commands" in err
    names = sorted(p.name for p in (tmp_path / "snap").iterdir())
    assert names == ["meta.yaml", "show_crypto_isakmp_sa.txt", "show_version.txt"]
    meta = yaml.safe_load((tmp_path / "snap" / "meta.yaml").read_text())
    assert meta["partial"] is True
    assert f"stopped after 2 of {len(DIAGNOSE_COMMANDS)}" in meta["partial_reason"]


def test_connect_failure_exit_code_and_nothing_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    FakeSession.connect_error = DeviceUnreachable("cannot connect", host="192.0.2.1")
    assert cli.main(args(tmp_path / "snap")) == ExitCode.UNREACHABLE
    assert "cannot connect" in capsys.readouterr().err
    assert not (tmp_path / "snap").exists()


def test_existing_snapshot_refused_before_connecting(tmp_path: Path) -> None:
    (tmp_path / "show_version.txt").write_text("old")
    assert cli.main(args(tmp_path)) == ExitCode.BAD_INPUT
    assert FakeSession.instances == []


def test_peer_must_be_ip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(args(tmp_path / "s", "--peer", "fw2")) == ExitCode.BAD_INPUT
    assert "IP address" in capsys.readouterr().err


def test_peer_variants(tmp_path: Path) -> None:
    assert cli.main(args(tmp_path / "s", "--peer", "203.0.113.9")) == 0
    assert (tmp_path / "s" / "show_crypto_ipsec_sa_peer_203.0.113.9.txt").is_file()


def test_no_password_source_is_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)
    code = cli.main(["collect", "192.0.2.1", "--username", "u", "--save", str(tmp_path / "s")])
    assert code == ExitCode.USAGE
    assert "--password-env" in capsys.readouterr().err


def test_password_is_never_an_argument() -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["collect", "192.0.2.1", "--password", "x"])
    assert info.value.code == ExitCode.USAGE


@pytest.mark.parametrize("command", ["collect", "demo"])
def test_help_teaches_with_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "vpn-doctor" in out


def test_default_save_dir() -> None:
    now = datetime(2024, 3, 1, 10, 15, 2, tzinfo=timezone.utc)
    assert cli_collect.default_save_dir("fw1:x", now) == Path("snapshot-fw1_x-20240301T101502")


def test_render_demo_with_parsed_state() -> None:
    console = Console(record=True, width=120)
    snapshot = Snapshot(outputs=dict(OUTPUTS), device=DeviceInfo("fw1", "9.12(4)", "ASA5516"))
    state = DeviceState(
        device=snapshot.device,
        ike_sas=ParseResult(
            "show crypto isakmp sa",
            ParseStatus.OK,
            (IkeSa(peer="203.0.113.9", ike_version=1, state="MM_ACTIVE", role="initiator"),),
        ),
        ipsec_sas=ParseResult(
            "show crypto ipsec sa",
            ParseStatus.OK,
            (
                IpsecSa(
                    interface="outside",
                    crypto_map="outside_map",
                    seq=10,
                    peer="203.0.113.9",
                    local_ident=ProxyId("10.1.1.0", "255.255.255.0"),
                    remote_ident=ProxyId("10.2.2.0", "255.255.255.0"),
                    pkts_encaps=10,
                    pkts_decaps=9,
                ),
            ),
        ),
        sessions=ParseResult(
            "show vpn-sessiondb detail l2l", ParseStatus.FAILED, (VpnSession("203.0.113.9"),)
        ),
    )
    summary = CollectSummary("127.0.0.1", 2222, 0.4, 0.6, None)
    render_demo(console, snapshot, summary, scenario="healthy", state=state, audit=["show version"])
    text = console.export_text()
    assert "MM_ACTIVE" in text
    assert "10.1.1.0/255.255.255.0/0/0" in text
    assert "failed" in text
    assert "SSH connect + enable 0.40 s" in text


def test_progress_is_silent_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress("connecting", enabled=False) as update:
        update("collecting")
    assert capsys.readouterr() == ("", "")


def test_progress_spinner_runs_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    terminal = Console(file=out, force_terminal=True, color_system=None, width=80)
    monkeypatch.setattr(render_collect, "Console", lambda stderr: terminal)
    with progress("connecting", enabled=True) as update:
        update("[1/4] show version")
    assert "[1/4] show version" in out.getvalue()  # the spinner shows the update
