"""End to end: netmiko's unmodified cisco_asa driver against the mock ASA over real SSH."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler, NetmikoAuthenticationException

from mock_device import PASSWORD_MASK, DebugSpec, MockAsa, MockFleet, unreachable_port
from vpn_doctor import cli

from helpers import MockFactory

pytestmark = pytest.mark.e2e


def connect(mock: MockAsa, **overrides: Any) -> Any:
    """netmiko's stock driver with its own switch against configuration mode: by default
    its ASA preparation types ``configure terminal`` (a change on a real ASA), which the
    ``mock_asa`` fixture refuses; see test_stock_netmiko_prep_is_recorded_as_config_change."""
    return ConnectHandler(**{**mock.connection_kwargs(), "allow_auto_change": False, **overrides})


def numbered_debug(count: int = 400, interval_ms: int = 10, **kw: Any) -> DebugSpec:
    lines = tuple(
        f"Nov 22 10:00:01 [IKEv1]IP = 203.0.113.9, seq {i:04d} IKE_DECODE RESENDING Message"
        for i in range(count)
    )
    return DebugSpec(lines=lines, peer="203.0.113.9", interval_ms=interval_ms, **kw)


def run_raw(conn: Any, command: str) -> str:
    """The NETMIKO-ASA §2 recipe: write, then read up to an anchored prompt, keep it all."""
    pattern = rf"^{re.escape(conn.base_prompt)}[#>] ?$"
    conn.write_channel(command + conn.RETURN)
    return str(conn.read_until_pattern(pattern=pattern, re_flags=re.M, read_timeout=15))


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# ---------------------------------------------------------------- login paths


def test_connect_with_secret_and_send_command(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    start = time.perf_counter()
    conn = connect(mock)
    elapsed = time.perf_counter() - start
    print(f"\nnetmiko connect to mock (secret, starts at >): {elapsed:.3f} s")
    try:
        assert elapsed < 3.0
        assert conn.base_prompt == "fw1"
        out = conn.send_command("show crypto isakmp sa")
        assert "State   : MM_ACTIVE" in out
        assert "fw1" not in out  # echo and prompt stripped
    finally:
        conn.disconnect()
    assert mock.commands(1)[:2] == ["show curpriv", "enable"]


def test_stock_netmiko_prep_is_recorded_as_config_change(mock_asa: MockFactory) -> None:
    """Why vpn-doctor has its own session preparation: the mock records what netmiko's
    default cisco_asa preparation types in configuration mode as configuration changes."""
    mock = mock_asa("healthy", config_changes_expected=True)
    conn = ConnectHandler(**mock.connection_kwargs())
    conn.disconnect()
    changes = [e.command for e in mock.config_changes()]
    assert changes[:3] == ["configure terminal", "terminal width 511", "end"]
    assert all(not e.config_change for e in mock.audit if e.command in ("show curpriv", "enable"))


def test_connect_without_secret_uses_login(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", delay_ms=150)  # delays must not touch login prompts
    conn = connect(mock, secret="")
    try:
        assert conn.check_enable_mode()
        assert "Current privilege level : 15" in conn.send_command("show curpriv")
    finally:
        conn.disconnect()
    kinds = [(e.kind, e.command) for e in mock.audit if e.command]
    assert ("command", "login") in kinds
    assert ("username", "admin") in kinds
    assert ("password", PASSWORD_MASK) in kinds


def test_starting_privileged_skips_enable(mock_asa: MockFactory) -> None:
    mock = mock_asa("ikev2_up")
    conn = connect(mock)
    try:
        assert "READY" in conn.send_command("show crypto ikev2 sa")
    finally:
        conn.disconnect()
    assert "enable" not in mock.commands()


def test_wrong_ssh_password_fails_fast(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    start = time.perf_counter()
    with pytest.raises(NetmikoAuthenticationException):
        connect(mock, password="wrong")
    assert time.perf_counter() - start < 3.0
    assert mock.audit == []


# ---------------------------------------------------------------- commands


def test_abbreviations_pipes_and_errors(mock_asa: MockFactory) -> None:
    mock = mock_asa("many_tunnels")
    conn = connect(mock)
    try:
        full = conn.send_command("show crypto isakmp sa")
        assert conn.send_command("sh cry isa sa") == full
        lines = conn.send_command("sh cry isa sa | inc IKE Peer").splitlines()
        assert len(lines) == 40 and all("IKE Peer:" in line for line in lines)
        peer = conn.send_command("sh cry ips sa peer 203.0.113.12 | i decaps")
        assert "#pkts decaps: 0," in peer
        session = conn.send_command("sh vpn det l2l fil ip 198.51.100.44")
        assert "IP Addr      : dc-frankfurt" in session
        error = conn.send_command("show crypto isakmp bogus")
        assert error.splitlines()[-1] == "ERROR: % Invalid input detected at '^' marker."
        assert error.splitlines()[0].index("^") == len("fw-hub# show crypto isakmp ")
    finally:
        conn.disconnect()
    rejected = [e.command for e in mock.audit if not e.accepted]
    assert rejected == ["show crypto isakmp bogus"]


def test_concurrent_sessions(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")

    def one(_: int) -> str:
        conn = connect(mock)
        try:
            return str(conn.send_command("show crypto ipsec sa | i current_peer"))
        finally:
            conn.disconnect()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(8)))
    assert all("current_peer: 203.0.113.9" in r for r in results)
    assert {e.session for e in mock.audit} == set(range(1, 9))


def test_audit_log_and_audit_file(mock_asa: MockFactory, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    mock = mock_asa("healthy", audit_path=path)
    conn = connect(mock)
    try:
        conn.send_command("show vpn-sessiondb detail l2l")
    finally:
        conn.disconnect()
    # netmiko does not wait for the reply to `exit`; it may still be on its way
    assert wait_until(lambda: mock.commands()[-1:] == ["exit"])
    entries = mock.audit
    assert "show vpn-sessiondb detail l2l" in mock.commands()
    show = next(e for e in entries if e.command == "show vpn-sessiondb detail l2l")
    assert show.privileged and show.accepted and show.session == 1
    assert not any(mock.secret in e.command for e in entries)
    assert wait_until(lambda: len(path.read_text().splitlines()) == len(entries))
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0].keys() >= {"session", "command", "privileged", "accepted", "at"}


def test_delay_ms_applies_to_show_commands_and_is_settable(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", delay_ms=300)
    conn = connect(mock)
    try:
        start = time.perf_counter()
        conn.send_command("show crypto isakmp sa", expect_string=r"fw1# ?$")
        slow = time.perf_counter() - start
        mock.delay_ms = 0
        start = time.perf_counter()
        conn.send_command("show crypto isakmp sa", expect_string=r"fw1# ?$")
        fast = time.perf_counter() - start
    finally:
        conn.disconnect()
    assert slow >= 0.3
    assert fast < 0.3


# ---------------------------------------------------------------- debug streaming


def test_debug_streaming_no_lost_lines_and_stops_at_undebug(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", debug=numbered_debug())
    conn = connect(mock)
    try:
        run_raw(conn, "terminal monitor")
        run_raw(conn, "debug crypto condition peer 203.0.113.9")
        run_raw(conn, "debug crypto isakmp 200")
        buf = ""
        start = time.time()
        while time.time() - start < 0.6:
            buf += conn.read_channel()
            time.sleep(0.05)
        tail = run_raw(conn, "undebug all")
        buf += tail
        after = ""
        end = time.time()
        while time.time() - end < 0.2:
            after += conn.read_channel()
            time.sleep(0.05)
        run_raw(conn, "no debug crypto condition")
        shown = conn.send_command("show debug")
    finally:
        conn.disconnect()
    seqs = [int(n) for n in re.findall(r"seq (\d{4}) ", buf)]
    assert len(seqs) >= 20
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # contiguous, nothing lost
    assert "seq" not in tail.split("undebug all", 1)[1]  # nothing after the echo's prompt
    assert "seq" not in after
    assert shown.strip() == ""
    assert not mock.debug_state.any_on


def test_debug_state_survives_reconnect(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", debug=numbered_debug())
    conn = connect(mock)
    try:
        run_raw(conn, "debug crypto condition peer 203.0.113.9")
        run_raw(conn, "debug crypto ikev1 127")
    finally:
        conn.disconnect()  # forgot to undo: the device keeps debugging
    assert mock.debug_state.levels == {"ikev1": 127}
    conn = connect(mock)
    try:
        assert "debug crypto ikev1 enabled at level 127" in conn.send_command("show debug")
        run_raw(conn, "terminal monitor")
        received: list[str] = []

        def streaming() -> bool:
            received.append(conn.read_channel())
            return "seq" in "".join(received)

        assert wait_until(streaming, 3)
        run_raw(conn, "undebug all")
        run_raw(conn, "no debug crypto condition")
    finally:
        conn.disconnect()
    assert not mock.debug_state.any_on
    # while nobody had terminal monitor on, the lines went to the logging buffer
    assert any("seq" in line for line in mock.logging_lines)


def test_drop_after_lines_closes_the_connection(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy", debug=numbered_debug(drop_after_lines=5))
    conn = connect(mock)
    try:
        run_raw(conn, "terminal monitor")
        conn.write_channel("debug crypto isakmp 200" + conn.RETURN)
        buf = ""

        def closed() -> bool:
            nonlocal buf
            buf += conn.read_channel()
            return not conn.is_alive()

        assert wait_until(closed, 5)
        assert len(re.findall(r"seq \d{4}", buf)) == 5
        assert mock.open_sessions == 0
        assert mock.debug_state.levels == {"isakmp": 200}  # the device still debugs
    finally:
        conn.disconnect()


def test_drop_sessions_from_python(mock_asa: MockFactory) -> None:
    mock = mock_asa("healthy")
    conn = connect(mock)
    try:
        assert mock.open_sessions == 1
        assert mock.drop_sessions() == 1
        assert wait_until(lambda: not conn.is_alive(), 5)
    finally:
        conn.disconnect()


# ---------------------------------------------------------------- fleet and CLI


def test_fleet_serves_many_devices_each_with_its_own_state() -> None:
    with MockFleet(["healthy", "no_sa"] * 10, hostname_template="fw{index:03d}") as fleet:
        assert len({d.port for d in fleet}) == 20
        conn = connect(fleet[3])
        try:
            assert conn.base_prompt == "fw003"
            assert "There are no IKEv1 SAs" in conn.send_command("show crypto isakmp sa")
        finally:
            conn.disconnect()
        assert fleet[3].commands() and not fleet[2].audit
    refused = socket.socket()
    with pytest.raises(ConnectionRefusedError):
        refused.connect(("127.0.0.1", unreachable_port()))
    refused.close()


def test_vpn_doctor_mock_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["mock", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "healthy" in listed and "many_tunnels" in listed

    from vpn_doctor.cli import mock as cli_mock

    stop = threading.Event()
    stop.set()  # serve, print the banner, stop at once
    args = cli.build_parser().parse_args(["mock", "--scenario", "ikev2_up", "--port", "0"])
    assert cli_mock.run(args, stop=stop) == 0
    out = capsys.readouterr().out
    assert "host      127.0.0.1" in out and "username  admin" in out
    assert cli.main(["mock", "--scenario", "nope", "--port", "0"]) == 17
