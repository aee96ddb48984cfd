"""AsaSession against a fake netmiko connection: allowlist, errors, privilege, raw helpers.

The real netmiko path is covered end to end in test_e2e_collect.py; here every branch is
exercised quickly and deterministically.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko  # type: ignore[import-untyped]
import pytest
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
    WriteException,
)

from vpn_doctor.collect.driver import (
    AsaSession,
    ConnectionSettings,
    _AsaConnection,
    _EnableRefused,
    prompt_char,
    prompt_regex,
    translate,
)
from vpn_doctor.errors import (
    AuthenticationFailed,
    CommandNotAllowed,
    CommandRejected,
    DeviceError,
    DeviceTimeout,
    DeviceUnreachable,
    ExitCode,
    InputError,
    NotPrivileged,
    SessionLost,
)

CURPRIV_15 = (
    "show curpriv\nUsername : enable_15\nCurrent privilege level : 15\n"
    "Current Mode/s : P_PRIV\nfw1# "
)
CURPRIV_1 = (
    "show curpriv\nUsername : enable_1\nCurrent privilege level : 1\nCurrent Mode/s : P_UNPR\nfw1> "
)


class FakeConnection:
    """Just the netmiko methods AsaSession uses, with canned replies and a write log."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.base_prompt = "fw1"
        self.written: list[str] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.outputs: dict[str, str] = {}
        self.raw_replies: list[str] = [CURPRIV_15]
        self.send_error: BaseException | None = None
        self.read_error: BaseException | None = None
        self.pending = ""
        self.disconnected = False

    def send_command(self, command: str, **kwargs: Any) -> str:
        self.sent.append((command, kwargs))
        if self.send_error is not None:
            raise self.send_error
        return self.outputs.get(command, "")

    def write_channel(self, text: str) -> None:
        self.written.append(text)

    def read_channel(self) -> str:
        if self.read_error is not None:
            raise self.read_error
        data, self.pending = self.pending, ""
        return data

    def read_until_pattern(self, pattern: str, re_flags: int = 0, read_timeout: float = 10) -> str:
        reply = self.raw_replies.pop(0)
        assert re.search(pattern, reply, re_flags), (pattern, reply)
        return reply

    def disconnect(self) -> None:
        self.disconnected = True


def make_settings(**overrides: Any) -> ConnectionSettings:
    values: dict[str, Any] = {
        "host": "192.0.2.1",
        "username": "netops",
        "password": "pw-S3cret",
        "secret": "en-S3cret",
    }
    values.update(overrides)
    return ConnectionSettings(**values)


def factory_for(conn: FakeConnection) -> Callable[..., FakeConnection]:
    def factory(**kwargs: Any) -> FakeConnection:
        conn.kwargs = kwargs
        return conn

    return factory


def open_session(conn: FakeConnection, **overrides: Any) -> AsaSession:
    session = AsaSession(make_settings(**overrides), connection_factory=factory_for(conn))
    session.connect()
    return session


def test_settings_repr_hides_secrets() -> None:
    text = repr(make_settings())
    assert "pw-S3cret" not in text
    assert "en-S3cret" not in text
    assert "192.0.2.1" in text


def test_connect_passes_netmiko_settings_and_checks_privilege() -> None:
    conn = FakeConnection()
    session = open_session(conn, port=2222, conn_timeout=5.0)
    assert conn.kwargs["device_type"] == "cisco_asa"
    assert conn.kwargs["fast_cli"] is True
    assert conn.kwargs["port"] == 2222
    assert conn.kwargs["secret"] == "en-S3cret"
    assert conn.kwargs["conn_timeout"] == 5.0
    assert conn.kwargs["ssh_strict"] is False
    assert conn.written == ["show curpriv\n"]
    assert session.hostname == "fw1"
    assert session.privilege_level == 15
    assert session.connect_seconds is not None
    assert session.connected


def test_no_secret_means_empty_secret_for_netmiko_login_path() -> None:
    conn = FakeConnection()
    open_session(conn, secret=None)
    assert conn.kwargs["secret"] == ""


def test_not_privileged_when_prompt_is_gt() -> None:
    conn = FakeConnection()
    conn.raw_replies = [CURPRIV_1]
    session = AsaSession(make_settings(), connection_factory=factory_for(conn))
    with pytest.raises(NotPrivileged) as info:
        session.connect()
    assert info.value.exit_code == ExitCode.NOT_PRIVILEGED
    assert conn.disconnected
    assert not session.connected


def test_prompt_read_at_login_is_the_privilege_check_without_a_round_trip() -> None:
    conn = FakeConnection()
    conn.session_prompt = "fw1# "  # type: ignore[attr-defined]  # as _AsaConnection records
    session = open_session(conn)
    assert conn.written == []  # no `show curpriv`
    assert session.connected


def test_user_prompt_read_at_login_is_not_privileged() -> None:
    conn = FakeConnection()
    conn.session_prompt = "fw1> "  # type: ignore[attr-defined]
    session = AsaSession(make_settings(), connection_factory=factory_for(conn))
    with pytest.raises(NotPrivileged):
        session.connect()
    assert conn.written == [] and conn.disconnected


def test_run_uses_anchored_expect_string_and_normalises() -> None:
    conn = FakeConnection()
    conn.outputs["show crypto isakmp sa"] = "There are no IKEv1 SAs"
    with AsaSession(make_settings(), connection_factory=factory_for(conn)) as session:
        assert session.run("sh cry isa sa") == "There are no IKEv1 SAs"
    assert conn.sent[0][0] == "show debug"  # read once at login (DEVICE_DEBUG_LEFT_ON)
    assert conn.sent[1][0] == "show failover"  # idem: the failover role (DEVICE_STANDBY_UNIT)
    command, kwargs = conn.sent[2]
    assert command == "show crypto isakmp sa"
    expect = kwargs["expect_string"]
    assert re.search(expect, "IKEv1 SAs:\nfw1# ")
    assert re.search(expect, "fw1> ")
    assert not re.search(expect, "  Proposal # 1, Transform # 1\n")
    assert not re.search(expect, "show version\nfw1 up 3 days")
    assert kwargs["read_timeout"] == 30.0 * 6  # box-wide: grows with the firewall's size
    assert conn.disconnected


def test_run_refuses_before_sending() -> None:
    conn = FakeConnection()
    session = open_session(conn)
    sent = list(conn.sent)
    with pytest.raises(CommandNotAllowed):
        session.run("clear crypto isakmp sa")
    assert conn.sent == sent


@pytest.mark.parametrize(
    "output",
    [
        "         ^\nERROR: % Invalid input detected at '^' marker.",
        "Command authorization failed",
        "ERROR: % Incomplete command",
        "% Invalid input detected at '^' marker.",
    ],
)
def test_device_rejection_raises_command_rejected(output: str) -> None:
    conn = FakeConnection()
    conn.outputs["show vpn-sessiondb detail l2l"] = output
    session = open_session(conn)
    with pytest.raises(CommandRejected) as info:
        session.run("show vpn-sessiondb detail l2l")
    assert info.value.host == "192.0.2.1"
    assert info.value.command == "show vpn-sessiondb detail l2l"
    assert info.value.output == output
    assert info.value.exit_code == ExitCode.COMMAND_REJECTED


def test_error_text_deep_in_show_logging_is_not_a_rejection() -> None:
    conn = FakeConnection()
    lines = [f"Nov 22 10:00:0{i} fw1 %ASA-6-302013: Built connection" for i in range(6)]
    conn.outputs["show logging"] = "\n".join([*lines, "ERROR: % Invalid input detected"])
    session = open_session(conn)
    assert "Invalid input" in session.run("show logging")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ReadTimeout("Pattern not detected"), DeviceTimeout),
        (ReadException("Channel stream closed by remote device."), SessionLost),
        (WriteException("write failed"), SessionLost),
        (OSError("Socket is closed"), SessionLost),
        (EOFError(), SessionLost),
    ],
)
def test_run_translates_library_errors(error: BaseException, expected: type[DeviceError]) -> None:
    conn = FakeConnection()
    session = open_session(conn)
    conn.send_error = error
    with pytest.raises(expected) as info:
        session.run("show version")
    assert info.value.command == "show version"
    assert info.value.host == "192.0.2.1"


def test_connect_translates_factory_errors() -> None:
    def refuse(**kwargs: Any) -> FakeConnection:
        raise NetmikoAuthenticationException("Authentication to device failed.")

    session = AsaSession(make_settings(), connection_factory=refuse)
    with pytest.raises(AuthenticationFailed) as info:
        session.connect()
    assert info.value.exit_code == ExitCode.AUTH_FAILED
    assert "pw-S3cret" not in str(info.value)


@pytest.mark.parametrize(
    ("error", "expected", "fragment"),
    [
        (
            NetmikoAuthenticationException("Authentication to device failed."),
            AuthenticationFailed,
            "login refused",
        ),
        (
            NetmikoAuthenticationException("Unable to enter enable mode!"),
            NotPrivileged,
            "privileged",
        ),
        (paramiko.BadAuthenticationType("Bad", ["publickey"]), AuthenticationFailed, "login"),
        (_EnableRefused("Invalid password\nPassword: "), AuthenticationFailed, "enable password"),
        (
            NetmikoTimeoutException("TCP connection to device failed."),
            DeviceUnreachable,
            "connection",
        ),
        (
            NetmikoTimeoutException("DNS failure--the hostname you provided was not resolvable"),
            DeviceUnreachable,
            "DNS",
        ),
        (
            NetmikoTimeoutException("Server '[192.0.2.1]:22' not found in known_hosts"),
            AuthenticationFailed,
            "host key",
        ),
        (socket.gaierror(-2, "Name or service not known"), DeviceUnreachable, "DNS"),
        (ConnectionRefusedError(111, "Connection refused"), DeviceUnreachable, "connect"),
        (ReadTimeout("Pattern not detected"), DeviceTimeout, "logging in"),
        (ValueError("Failed to enter enable mode."), NotPrivileged, "enable"),
        (ValueError("Router prompt not found"), SessionLost, "prompt"),
        (RuntimeError("surprise"), DeviceError, "RuntimeError"),
    ],
)
def test_translate_while_connecting(
    error: BaseException, expected: type[DeviceError], fragment: str
) -> None:
    translated = translate(error, host="fw1")
    assert type(translated) is expected
    assert fragment in str(translated)
    assert translated.host == "fw1"


def test_translate_keeps_our_own_errors() -> None:
    original = CommandRejected("no", host="fw1")
    assert translate(original, host="x") is original


def test_strict_host_key_with_known_hosts_file(tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("")
    conn = FakeConnection()
    open_session(conn, strict_host_key=True, known_hosts=known)
    assert conn.kwargs["ssh_strict"] is True
    assert conn.kwargs["alt_host_keys"] is True
    assert conn.kwargs["alt_key_file"] == str(known)
    assert conn.kwargs["system_host_keys"] is False


def test_strict_host_key_defaults_to_system_known_hosts() -> None:
    conn = FakeConnection()
    open_session(conn, strict_host_key=True)
    assert conn.kwargs["system_host_keys"] is True
    assert conn.kwargs["alt_host_keys"] is False


def test_strict_host_key_missing_file_is_input_error(tmp_path: Path) -> None:
    session = AsaSession(
        make_settings(strict_host_key=True, known_hosts=tmp_path / "nope"),
        connection_factory=factory_for(FakeConnection()),
    )
    with pytest.raises(InputError):
        session.connect()


def test_raw_helpers_keep_everything_and_check_the_allowlist() -> None:
    conn = FakeConnection()
    session = open_session(conn)
    reply = "[IKEv1]: IP = 203.0.113.9, Proposal # 1\nundebug all\nfw1# "
    conn.raw_replies = [reply]
    assert session.run_raw_until_prompt("undebug all", timeout=5) == reply
    assert conn.written[-1] == "undebug all\n"
    with pytest.raises(CommandNotAllowed, match="condition"):  # no peer condition yet
        session.write_raw("debug crypto isakmp 127\n")
    session.write_raw("debug crypto condition peer 203.0.113.9\n")
    session.write_raw("debug crypto isakmp 127\n")
    assert conn.written[-1] == "debug crypto isakmp 127\n"
    assert session.policy.undo_commands() == ["no debug crypto isakmp", "no debug crypto condition"]
    session.write_raw("\n")
    with pytest.raises(CommandNotAllowed):
        session.write_raw("show version\nreload\n")
    with pytest.raises(CommandNotAllowed):
        session.run_raw_until_prompt("configure terminal", timeout=5)
    conn.pending = "[IKEv1]: line\n"
    assert session.read_available() == "[IKEv1]: line\n"
    assert session.read_available() == ""
    conn.read_error = OSError("Socket is closed")
    with pytest.raises(SessionLost):
        session.read_available()
    assert re.search(session.prompt_pattern, "fw1# ", re.M)


def test_closed_session_refuses_to_run() -> None:
    conn = FakeConnection()
    session = open_session(conn)
    session.close()
    session.close()  # twice is fine
    with pytest.raises(SessionLost):
        session.run("show version")


@pytest.mark.parametrize(
    ("base", "text", "char"),
    [
        ("fw1", "fw1# ", "#"),
        ("fw1", "fw1>", ">"),
        ("fw1/ctx1", "fw1/ctx1# ", "#"),
        ("fw1", "fw1(config)# ", "#"),
    ],
)
def test_prompt_regex(base: str, text: str, char: str) -> None:
    match = re.search(prompt_regex(base), f"output\n{text}", re.M)
    assert match is not None
    assert prompt_char(match.group(0)) == char
    assert match.group(1) == text  # one capturing group, the whole prompt (netmiko splits on it)


class _ScriptedAsa(_AsaConnection):
    """_AsaConnection without netmiko's __init__: only what enable_secret_handler touches."""

    def __init__(self, reply: str) -> None:  # deliberately no super().__init__
        self.base_prompt = "fw1"
        self.secret = "wrong"
        self.RETURN = "\n"
        self.enable_timeout = 1.0
        self.reply = reply
        self.writes: list[str] = []
        self.cleaned = False

    def write_channel(self, out_data: str) -> None:
        self.writes.append(out_data)

    def read_until_pattern(self, *args: Any, **kwargs: Any) -> str:
        return self.reply

    def paramiko_cleanup(self) -> None:
        self.cleaned = True


def test_wrong_enable_secret_fails_at_once() -> None:
    conn = _ScriptedAsa("Invalid password\nPassword: ")
    with pytest.raises(_EnableRefused):
        conn.enable_secret_handler(pattern="ssword", output="enable\nPassword: ")
    assert conn.writes == ["wrong\n"]
    assert conn.cleaned


def test_enable_access_denied_fails() -> None:
    conn = _ScriptedAsa("Access denied.\nfw1> ")
    with pytest.raises(_EnableRefused):
        conn.enable_secret_handler(pattern="ssword", output="enable\nPassword: ")


def test_right_enable_secret_passes() -> None:
    conn = _ScriptedAsa("\nfw1# ")
    assert conn.enable_secret_handler(pattern="ssword", output="enable\nPassword: ") == "\nfw1# "
    assert not conn.cleaned


def test_no_password_prompt_sends_nothing() -> None:
    conn = _ScriptedAsa("")
    assert conn.enable_secret_handler(pattern="ssword", output="enable\nfw1# ") == ""
    assert conn.writes == []


def test_paramikos_close_race_message_is_not_printed() -> None:
    """paramiko's reader thread logs a socket error when a session is closed under it; with no
    logging configured, Python would print it on the terminal after a clean run. A fresh
    interpreter (pytest's own log capture would hide the difference); the control run without
    the driver shows the line is printed otherwise."""
    import subprocess
    import sys

    log = "import logging; logging.getLogger('paramiko.transport').error('Socket exception: x')"

    def stderr_of(code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return done.stderr

    assert "Socket exception" in stderr_of(log)
    assert stderr_of("import vpn_doctor.collect.driver; " + log) == ""
