"""End to end: real netmiko over real SSH against the mock ASA on 127.0.0.1.

These prove what unit tests cannot: netmiko's cisco_asa session setup works through our
driver, only allow-listed commands ever reach the device (the mock's audit log), failures
map to the documented exit codes quickly, and the CLI works as a user would run it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import paramiko  # type: ignore[import-untyped]
import pytest

from mock_device import Credentials, MockAsa, unreachable_port
from vpn_doctor import cli
from vpn_doctor.asa.commands import DEFAULT_COLLECTION
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.collect.collector import collect
from vpn_doctor.collect.driver import AsaSession, ConnectionSettings
from vpn_doctor.collect.snapshot import load_snapshot, save_snapshot
from vpn_doctor.errors import (
    AuthenticationFailed,
    CollectionInterrupted,
    CommandRejected,
    DeviceUnreachable,
    ExitCode,
    SessionLost,
)

import helpers
from helpers import MockFactory, login_args

pytestmark = pytest.mark.e2e

# What our netmiko driver types while setting up and closing a session: the only commands
# outside our allowlist the device may ever see. netmiko's own cisco_asa preparation also
# sends `configure terminal` / `terminal width 511` / `end` (NETMIKO-ASA §1.2): a
# configuration change on a real ASA, so our driver replaces it (issue 13) and the mock
# fixture fails any test whose mock received a configuration-mode command.
NETMIKO_SESSION_PREP = {
    "show curpriv",
    "enable",
    "login",
    "terminal pager 0",
    "exit",
}


TIMEOUTS = {"conn_timeout": 5.0, "read_timeout": 10.0, "enable_timeout": 5.0}


def settings_for(mock: MockAsa, **overrides: Any) -> ConnectionSettings:
    return helpers.settings_for(mock, **{**TIMEOUTS, **overrides})


def test_collect_healthy_and_connect_time(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    start = time.perf_counter()
    with AsaSession(settings_for(mock)) as session:
        connected = time.perf_counter()
        snapshot = collect(session)
    total = time.perf_counter() - start
    print(
        f"\nconnect+enable {session.connect_seconds:.3f} s, "
        f"{len(DEFAULT_COLLECTION)} commands {total - (connected - start):.3f} s, "
        f"total {total:.3f} s"
    )
    assert session.connect_seconds is not None and session.connect_seconds < 5
    assert list(snapshot.outputs) == ["show debug", "show failover", *DEFAULT_COLLECTION]
    assert session.hostname == mock.hostname
    assert snapshot.device.hostname == mock.hostname
    assert snapshot.device.version
    assert snapshot.outputs["show debug"] == ""  # nothing left on
    for command, output in snapshot.outputs.items():
        assert output.strip() or command in ("show debug", "show failover"), command
        assert f"{mock.hostname}#" not in output  # prompt stripped
        assert not output.startswith(command)  # echo stripped
        assert "Invalid input" not in output
    isakmp = snapshot.outputs["show crypto isakmp sa"]
    assert "IKE Peer: 203.0.113.9" in isakmp and "State   : MM_ACTIVE" in isakmp


def test_audit_shows_only_allow_listed_and_session_prep_commands(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    with AsaSession(settings_for(mock)) as session:
        collect(session, peer="203.0.113.9")
        session.run("sh cry isa sa")
    typed = mock.commands()
    assert typed, "the mock recorded nothing"
    for command in typed:
        if command in NETMIKO_SESSION_PREP:
            continue
        assert check_allowed(command) == command, command  # sent in canonical form
    ours = [c for c in typed if c not in NETMIKO_SESSION_PREP]
    assert ours == [
        "show debug",  # once, right after login: crypto debug left on?
        "show failover",  # once, right after login: the failover role
        "show version",
        "show crypto isakmp sa",
        "show crypto ipsec sa peer 203.0.113.9",
        "show vpn-sessiondb detail l2l filter ipaddress 203.0.113.9",
        "show crypto isakmp sa",
    ]
    assert not any(c.startswith(("conf", "terminal width", "end")) for c in typed), typed
    assert not mock.config_changes()
    # The enable secret went to the Password: prompt, never typed as a command (the mock
    # records prompt answers masked, so only a secret typed at the CLI would show here).
    assert [e.kind for e in mock.audit].count("password") >= 1
    assert not any(mock.secret in e.command for e in mock.audit)


def test_snapshot_round_trip_masks_secrets(mock_asa: MockFactory, tmp_path: Path) -> None:
    mock = mock_asa(
        "healthy",
        commands={
            **load_commands("healthy"),
            "show running-config tunnel-group": (
                "tunnel-group 203.0.113.9 type ipsec-l2l\n"
                "tunnel-group 203.0.113.9 ipsec-attributes\n"
                " ikev1 pre-shared-key Sup3rS3cretKey\n"
            ),
        },
    )
    with AsaSession(settings_for(mock)) as session:
        snapshot = collect(session, commands=(*DEFAULT_COLLECTION, "show run tunnel-group"))
    target = save_snapshot(snapshot, tmp_path / "snap")
    loaded = load_snapshot(target)
    assert loaded.outputs == snapshot.outputs
    assert loaded.device == snapshot.device
    assert "ikev1 pre-shared-key *****" in loaded.outputs["show running-config tunnel-group"]
    for path in target.iterdir():
        assert "Sup3rS3cretKey" not in path.read_text()


def load_commands(name: str) -> dict[str, str]:
    from mock_device import load_scenario

    return dict(load_scenario(name).commands)


def test_rejected_command(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    with AsaSession(settings_for(mock)) as session:
        with pytest.raises(CommandRejected) as info:
            session.run("show crypto bogus")
        assert info.value.exit_code == ExitCode.COMMAND_REJECTED
        assert "Invalid input" in (info.value.output or "")
        # the session is still usable, and collection records a rejection and goes on
        snapshot = collect(session, commands=("show crypto bogus", "show version"))
    assert "Invalid input" in snapshot.outputs["show crypto bogus"]
    assert snapshot.outputs["show version"].strip()


def test_wrong_password_is_auth_failed_fast(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    start = time.perf_counter()
    with pytest.raises(AuthenticationFailed) as info:
        AsaSession(settings_for(mock, password="wrong")).connect()
    elapsed = time.perf_counter() - start
    print(f"\nwrong SSH password detected in {elapsed:.3f} s")
    assert info.value.exit_code == ExitCode.AUTH_FAILED
    assert elapsed < 3
    assert "wrong" not in str(info.value)


def test_wrong_enable_secret_is_auth_failed_fast(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", credentials=Credentials(enable="the-real-one"))
    start = time.perf_counter()
    with pytest.raises(AuthenticationFailed, match="enable password refused"):
        AsaSession(settings_for(mock, secret="wrong-secret")).connect()
    elapsed = time.perf_counter() - start
    print(f"\nwrong enable secret detected in {elapsed:.3f} s (netmiko alone: ~20 s)")
    assert elapsed < 3


def test_no_secret_uses_login(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    with AsaSession(settings_for(mock, secret=None)) as session:
        assert session.run("show version").strip()
    sent = mock.commands()
    assert "login" in sent[: sent.index("show version")]
    assert "show curpriv" not in sent  # the `#` prompt after login was the privilege check


def test_already_privileged(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", start_privileged=True)
    with AsaSession(settings_for(mock)) as session:
        assert session.run("show crypto isakmp sa").strip()
    assert "enable" not in mock.commands()


def test_unreachable_port_is_device_unreachable() -> None:
    port = unreachable_port()
    start = time.perf_counter()
    settings = ConnectionSettings(
        host="127.0.0.1", port=port, username="u", password="p", conn_timeout=3.0
    )
    with pytest.raises(DeviceUnreachable) as info:
        AsaSession(settings).connect()
    assert info.value.exit_code == ExitCode.UNREACHABLE
    assert time.perf_counter() - start < 3


def test_strict_host_key(mock_asa: MockFactory, tmp_path: Path) -> None:
    mock = mock_asa("healthy")
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    with pytest.raises(AuthenticationFailed, match="host key"):
        AsaSession(settings_for(mock, strict_host_key=True, known_hosts=empty)).connect()
    transport = paramiko.Transport((mock.host, mock.port))
    try:
        transport.start_client(timeout=5)
        key = transport.get_remote_server_key()
    finally:
        transport.close()
    known = tmp_path / "known_hosts"
    known.write_text(f"[{mock.host}]:{mock.port} {key.get_name()} {key.get_base64()}\n")
    with AsaSession(settings_for(mock, strict_host_key=True, known_hosts=known)) as session:
        assert session.run("show version").strip()


def test_session_dropped_mid_collection_keeps_partial(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    start = time.perf_counter()

    class DropAfterFirst:
        def __init__(self, session: AsaSession) -> None:
            self.session = session
            self.count = 0

        @property
        def host(self) -> str:
            return self.session.host

        def run(self, command: str) -> str:
            self.count += 1
            if self.count == 2:
                mock.drop_sessions()
            return self.session.run(command)

    with (
        AsaSession(settings_for(mock, read_timeout=3.0)) as session,
        pytest.raises(CollectionInterrupted) as info,
    ):
        collect(DropAfterFirst(session))
    assert list(info.value.snapshot.outputs) == ["show version"]
    assert info.value.exit_code == ExitCode.TIMEOUT
    assert isinstance(info.value.__cause__, SessionLost)
    assert time.perf_counter() - start < 3  # noticed at once, not after netmiko's 10 s


# -- the CLI, as a user runs it ------------------------------------------------------------


def cli_args(mock: MockAsa, *extra: str) -> list[str]:
    return ["collect", *login_args(mock, "E2E_PW", "E2E_SECRET"), *extra]


def test_cli_collect(
    mock_asa: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mock = mock_asa("healthy")
    monkeypatch.setenv("E2E_PW", mock.password)
    monkeypatch.setenv("E2E_SECRET", mock.secret)
    target = tmp_path / "snap"
    assert cli.main(cli_args(mock, "--save", str(target))) == 0
    out = capsys.readouterr().out
    assert "show crypto isakmp sa" in out
    assert str(target) in out
    assert (target / "show_crypto_isakmp_sa.txt").is_file()
    assert (target / "meta.yaml").is_file()


def test_cli_collect_wrong_password_exit_11(
    mock_asa: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mock = mock_asa("healthy")
    monkeypatch.setenv("E2E_PW", "wrong")
    monkeypatch.setenv("E2E_SECRET", mock.secret)
    start = time.perf_counter()
    code = cli.main(cli_args(mock, "--save", str(tmp_path / "snap")))
    assert code == ExitCode.AUTH_FAILED == 11
    assert time.perf_counter() - start < 3
    assert "login refused" in capsys.readouterr().err
    assert not (tmp_path / "snap").exists()


def test_cli_collect_unreachable_exit_10(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("E2E_PW", "x")
    port = unreachable_port()
    code = cli.main(
        [
            "collect",
            "127.0.0.1",
            "--port",
            str(port),
            "--username",
            "u",
            "--password-env",
            "E2E_PW",
            "--timeout",
            "3",
            "--save",
            str(tmp_path / "snap"),
        ]
    )
    assert code == ExitCode.UNREACHABLE == 10
    assert "cannot open an SSH connection" in capsys.readouterr().err


def test_cli_demo(capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    assert cli.main(["demo", "--scenario", "healthy"]) == 0
    elapsed = time.perf_counter() - start
    out = capsys.readouterr().out
    print(f"\n`vpn-doctor demo` took {elapsed:.2f} s")
    assert "healthy" in out
    assert "show crypto isakmp sa" in out
    assert "SSH connect" in out
    assert "read-only commands over SSH" in out
    assert "configure terminal" not in out and "terminal width" not in out


def test_cli_demo_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--scenario", "no-such-scenario"]) == ExitCode.BAD_INPUT
    assert "no-such-scenario" in capsys.readouterr().err
