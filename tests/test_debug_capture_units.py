"""Debug capture pieces without SSH: line filing, cleanup, signals, options, rendering.

The e2e file proves the exit paths against the mock over real SSH; these pin down the
parts that decide *where each line goes* and *what the cleanup sends* with scripted input,
including cases the mock cannot produce (a stale prompt after a timeout, a refused
``show debug``, output glued to a prompt).
"""

from __future__ import annotations

import argparse
import io
import os
import signal
from collections.abc import Iterator

import pytest
from netmiko.exceptions import ReadException
from rich.console import Console

from vpn_doctor.cli.debug_options import (
    AUTO_TRIGGER,
    add_debug_arguments,
    options_from_args,
)
from vpn_doctor.collect.debug.capture import (
    DebugCapture,
    DebugCaptureOptions,
    DebugUsageError,
    build_trigger_command,
    debug_commands,
    new_log_lines,
    normalise_trigger,
    parse_version,
)
from vpn_doctor.collect.debug.channel import DebugChannel, ReplyKind, looks_like_debug
from vpn_doctor.collect.debug.cleanup import (
    CaptureTerminated,
    DebugCleanup,
    SignalGuard,
    leftover_debugs,
    manual_instructions,
)
from vpn_doctor.errors import DeviceTimeout, SessionLost
from vpn_doctor.report.debug_view import DebugView

DBG = "Nov 22 10:00:0{} [IKEv1]IP = 203.0.113.9, line {}"


class FakeAsa:
    """A scripted device: each command gets echo + answer + prompt; ``later`` is extra text
    the next read returns first (debug lines, a late reply)."""

    hostname = "fw1"
    host = "10.0.0.1"

    def __init__(self, answers: dict[str, str] | None = None, *, silent: bool = False) -> None:
        self.answers = answers or {}
        self.silent = silent
        self.written: list[str] = []
        self.outbox: list[str] = []
        self.connected = False

    def write_raw(self, text: str) -> None:
        command = text.strip()
        self.written.append(command)
        if not self.silent:
            self.outbox.append(f"{command}\r\n{self.answers.get(command, '')}fw1# ")

    def read_available(self) -> str:
        data = "".join(self.outbox)
        self.outbox.clear()
        return data

    def push(self, text: str) -> None:
        self.outbox.append(text)

    def connect(self) -> None:
        self.connected = True

    def close(self) -> None:
        self.connected = False


def channel_for(device: FakeAsa) -> tuple[DebugChannel, list[str]]:
    lines: list[str] = []
    return DebugChannel(device, lines.append), lines


# -- line filing ---------------------------------------------------------------------------


def test_lines_before_inside_and_after_a_quiet_command_are_debug() -> None:
    device = FakeAsa()
    channel, lines = channel_for(device)
    device.push(f"\r\n{DBG.format(1, 1)}\r\n{DBG.format(1, 2)[:20]}")  # a line split in two
    channel.pump()
    assert lines == [DBG.format(1, 1)]
    device.push(DBG.format(1, 2)[20:] + "\r\n")
    device.answers["undebug all"] = f"{DBG.format(2, 3)}\r\n"  # printed inside the window
    reply = channel.run("undebug all", 1.0)
    assert reply.output == [] and not reply.rejected
    assert lines == [DBG.format(1, 1), DBG.format(1, 2), DBG.format(2, 3)]


def test_quiet_command_errors_are_its_output() -> None:
    error = "        ^\r\nERROR: % Invalid input detected at '^' marker.\r\n"
    device = FakeAsa({"debug crypto ikev1 200": error})
    channel, lines = channel_for(device)
    reply = channel.run("debug crypto ikev1 200", 1.0)
    assert reply.rejected
    assert lines == []


def test_mixed_reply_splits_packet_tracer_output_from_debug() -> None:
    answer = f"Phase: 1\r\n{DBG.format(1, 1)}\r\nResult: ALLOW\r\n%ASA-5-713904: x\r\n"
    device = FakeAsa({"packet-tracer input inside icmp 1.1.1.1 8 0 2.2.2.2": answer})
    channel, lines = channel_for(device)
    reply = channel.run("packet-tracer input inside icmp 1.1.1.1 8 0 2.2.2.2", 1.0, ReplyKind.MIXED)
    assert reply.output == ["Phase: 1", "Result: ALLOW"]
    assert lines == [DBG.format(1, 1), "%ASA-5-713904: x"]


def test_a_timed_out_command_keeps_its_late_reply_out_of_the_next_one() -> None:
    device = FakeAsa(silent=True)
    channel, lines = channel_for(device)
    with pytest.raises(DeviceTimeout):
        channel.run("show logging", 0.05, ReplyKind.SHOW)
    # The late reply, a debug line, then the next command's echo glued to the old prompt.
    device.silent = False
    device.push(f"show logging\r\nSyslog logging: enabled\r\n{DBG.format(1, 1)}\r\nfw1# ")
    device.push(f"\r\n{DBG.format(1, 2)}\r\n")
    reply = channel.run("show debug", 1.0, ReplyKind.MIXED)
    assert reply.output == []
    assert lines == [DBG.format(1, 2)]  # the stale show logging body was its own output


def test_echo_glued_to_a_prompt_opens_the_window() -> None:
    device = FakeAsa(silent=True)
    channel, lines = channel_for(device)
    device.push("fw1# show debug\r\ndebug crypto ikev1 enabled at level 200\r\nfw1# ")
    reply = channel.run("show debug", 1.0, ReplyKind.MIXED)
    assert reply.output == ["debug crypto ikev1 enabled at level 200"]
    assert lines == []


def test_a_failing_callback_does_not_lose_the_rest_of_the_chunk() -> None:
    device = FakeAsa()
    kept: list[str] = []

    def sink(line: str) -> None:
        kept.append(line)
        if len(kept) == 2:
            raise RuntimeError("renderer bug")

    channel = DebugChannel(device, sink)
    device.push("".join(DBG.format(1, n) + "\r\n" for n in range(1, 6)))
    with pytest.raises(RuntimeError):
        channel.pump()
    channel.pump()
    assert kept == [DBG.format(1, n) for n in range(1, 6)]


def test_looks_like_debug() -> None:
    assert looks_like_debug("Nov 22 10:00:01 [IKEv1]IP = 1.2.3.4, x")
    assert looks_like_debug("IKEv2-PROTO-4: (12): Received Packet")
    assert looks_like_debug("%ASA-4-713903: Group = 1.2.3.4")
    assert not looks_like_debug("Phase: 2")
    assert not looks_like_debug("debug crypto condition peer 1.2.3.4")


# -- cleanup --------------------------------------------------------------------------------


def make_cleanup(device: FakeAsa, **kwargs: object) -> DebugCleanup:
    channel, _ = channel_for(device)
    cleanup = DebugCleanup(
        channel,
        settings=kwargs.get("settings"),
        timeout=1.0,
        session_factory=lambda settings: FakeAsa(),
        on_debug_line=lambda line: None,
    )
    cleanup.arm()
    cleanup.monitor_sent = True
    return cleanup


def test_cleanup_is_idempotent() -> None:
    device = FakeAsa()
    cleanup = make_cleanup(device)
    first = cleanup.run(session_usable=True)
    sent = list(device.written)
    assert first.verified
    assert sent == ["undebug all", "no debug crypto condition", "terminal no monitor", "show debug"]
    assert cleanup.run(session_usable=True) is first
    assert device.written == sent  # nothing sent twice


def test_cleanup_not_armed_sends_nothing() -> None:
    device = FakeAsa()
    channel, _ = channel_for(device)
    cleanup = DebugCleanup(
        channel,
        settings=None,
        timeout=1.0,
        session_factory=lambda s: FakeAsa(),
        on_debug_line=lambda line: None,
    )
    assert cleanup.run(session_usable=False).verified
    assert device.written == []


def test_refused_show_debug_is_not_verified() -> None:
    device = FakeAsa({"show debug": "ERROR: % Invalid input detected at '^' marker.\r\n"})
    result = make_cleanup(device).run(session_usable=True)
    assert not result.verified
    assert any("cannot verify" in note for note in result.notes)


def test_session_lost_without_settings_is_not_verified() -> None:
    result = make_cleanup(FakeAsa()).run(session_usable=False)
    assert not result.verified
    assert any("no connection settings" in note for note in result.notes)


def test_session_lost_reconnects_through_the_factory() -> None:
    device = FakeAsa()
    made: list[FakeAsa] = []

    def factory(settings: object) -> FakeAsa:
        made.append(FakeAsa())
        return made[-1]

    channel, _ = channel_for(device)
    cleanup = DebugCleanup(
        channel,
        settings=object(),
        timeout=1.0,
        session_factory=factory,
        on_debug_line=lambda line: None,
    )
    cleanup.arm()
    result = cleanup.run(session_usable=False)
    assert result.verified and result.reconnected
    assert made[0].written == ["undebug all", "no debug crypto condition", "show debug"]
    assert not made[0].connected  # closed again
    assert device.written == []


def test_leftover_debugs_and_manual_instructions() -> None:
    text = "debug crypto condition peer 1.2.3.4\ndebug crypto ikev1 enabled at level 200\n"
    assert leftover_debugs(text) == [
        "debug crypto condition peer 1.2.3.4",
        "debug crypto ikev1 enabled at level 200",
    ]
    assert leftover_debugs("") == []
    message = manual_instructions("fw1")
    assert "fw1# undebug all" in message and "fw1# no debug crypto condition" in message


# -- signals ---------------------------------------------------------------------------------


@pytest.fixture
def guard() -> Iterator[SignalGuard]:
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    with SignalGuard() as active:
        yield active
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_sigterm_is_raised_at_the_next_safe_point(guard: SignalGuard) -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    with pytest.raises(CaptureTerminated):
        guard.check()
    guard.check()  # raised once only


def test_signals_are_held_back_during_cleanup(guard: SignalGuard) -> None:
    guard.cleaning = True
    os.kill(os.getpid(), signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGINT)
    guard.check()  # nothing raised while cleaning
    assert guard.deferred == [signal.SIGTERM, signal.SIGINT]
    os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):  # the third Ctrl-C abandons the cleanup
        os.kill(os.getpid(), signal.SIGINT)


def test_second_ctrl_c_raises_at_once(guard: SignalGuard) -> None:
    os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)


# -- options and commands -----------------------------------------------------------------------


def test_debug_commands_per_version() -> None:
    assert debug_commands(parse_version("8.2(5)"), (1, 2)) == ["debug crypto isakmp 200"]
    assert debug_commands(parse_version("Software Version 9.12(4)"), (2,)) == [
        "debug crypto ikev2 protocol 255",
        "debug crypto ikev2 platform 255",
    ]
    assert debug_commands(None, (1,)) == ["debug crypto ikev1 200"]
    assert parse_version("Cisco Adaptive Security Appliance Software Version 8.4(7)") == (8, 4)
    assert parse_version("garbage") is None


def test_new_log_lines_handles_a_wrapped_buffer() -> None:
    assert new_log_lines(["a", "b"], ["a", "b", "c"]) == ["c"]
    assert new_log_lines(["a", "b", "c"], ["b", "c", "d", "e"]) == ["d", "e"]  # wrapped
    assert new_log_lines(["a"], ["x", "y"]) == ["x", "y"]  # wrapped past everything
    assert new_log_lines([], ["x"]) == ["x"]
    assert new_log_lines(["x", "x"], ["x", "x", "x"]) == ["x"]


def test_trigger_commands() -> None:
    assert normalise_trigger("inside  icmp 10.1.1.1 8 0 10.2.2.2") == (
        "packet-tracer input inside icmp 10.1.1.1 8 0 10.2.2.2"
    )
    assert build_trigger_command("inside", "10.1.1.1", "10.2.2.2", "tcp") == (
        "packet-tracer input inside tcp 10.1.1.1 40000 10.2.2.2 443"
    )
    for bad in ("clear crypto ipsec sa", "inside icmp 1.1.1.1 8 0 2.2.2.2; reload", "show run"):
        with pytest.raises(DebugUsageError):
            normalise_trigger(bad)


def test_add_debug_arguments_and_options() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer")
    add_debug_arguments(parser)
    args = parser.parse_args(["--peer", "203.0.113.9", "--debug", "30", "--trigger"])
    assert args.trigger == AUTO_TRIGGER and args.debug_max_lines == 5000
    options = options_from_args(args, trigger_command="inside icmp 10.1.1.1 8 0 10.2.2.2")
    assert options.trigger_command == "packet-tracer input inside icmp 10.1.1.1 8 0 10.2.2.2"
    assert options.seconds == 30 and options.peer == "203.0.113.9"
    args = parser.parse_args(["--debug", "5", "--debug-all-peers", "--debug-max-lines", "10"])
    options = options_from_args(args)
    assert options.all_peers and options.max_lines == 10 and options.trigger_command is None
    with pytest.raises(DebugUsageError):
        options_from_args(parser.parse_args(["--peer", "203.0.113.9", "--debug", "900"]))


def test_options_normalise_the_peer() -> None:
    assert DebugCaptureOptions(peer=" 203.0.113.9 ").peer == "203.0.113.9"


# -- rendering --------------------------------------------------------------------------------


def finished_capture() -> DebugCapture:
    capture = DebugCapture(host="fw1", peer="203.0.113.9", max_lines=2)
    for n in range(3):
        capture.add_line(DBG.format(n, n))
    capture.capture_seconds = 1.5
    capture.cleanup_verified = True
    capture.cleanup_seconds = 0.05
    capture.notes.append("debug on: debug crypto ikev1 200")
    return capture


def test_plain_view_prints_progress_and_summary() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    with DebugView(host="fw1", peer="203.0.113.9", seconds=2, console=console) as view:
        assert not view.live
        view.on_line(DBG.format(1, 1))
        view.on_tick(finished_capture().progress("capturing", 0.5, 1.5))
        view.on_tick(finished_capture().progress("cleanup", 2.0, 0.0))
        view.finish(finished_capture())
    text = out.getvalue()
    assert "capturing on fw1 for 2 s (peer 203.0.113.9)" in text
    assert "2 s left, 3 lines" in text
    assert "undoing debug" in text
    assert "3 lines in 1.5 s (2.0 lines/s, 1 oldest dropped); undone and verified off" in text


def test_live_view_shows_countdown_and_raw_lines() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=True, color_system=None)
    with DebugView(host="fw1", peer=None, seconds=10, console=console) as view:
        assert view.live
        view.on_line(DBG.format(1, 7))
        view.on_tick(finished_capture().progress("capturing", 4.0, 6.0))
        view.finish(finished_capture(), error="boom")
    text = out.getvalue()
    assert "ALL peers" in text
    assert "6 s left, 3 lines, 0.8 lines/s" in text
    assert "[IKEv1]IP = 203.0.113.9, line 7" in text  # not eaten as rich markup
    assert "boom" in text


def test_failure_before_any_debug_says_nothing_was_turned_on() -> None:
    from vpn_doctor.collect.debug.capture import DebugCaptureInterrupted, capture_debug

    device = FakeAsa(silent=True)  # `show version` never answers
    options = DebugCaptureOptions(peer="203.0.113.9", seconds=1, command_timeout=0.05)
    with pytest.raises(DebugCaptureInterrupted) as info:
        capture_debug(device, options)
    assert "no debug had been turned on yet" in str(info.value)
    assert info.value.exit_code == 12
    assert device.written == ["show version"]  # and no undo was needed


class DroppedAsa(FakeAsa):
    """A session that died with bytes still buffered: reads return them, then fail."""

    def read_available(self) -> str:
        data = super().read_available()
        if not data:
            raise SessionLost("SSH session lost (ReadException)", host=self.host)
        return data


def test_a_line_buffered_when_the_session_dropped_is_kept_before_reconnecting() -> None:
    """Deterministic form of the old 1-in-20 flake: the device's last debug line arrived
    together with the close; the cleanup drains it before logging in again to undo."""
    device = DroppedAsa()
    order: list[str] = []

    def factory(settings: object) -> FakeAsa:
        order.append("reconnect")
        return FakeAsa()

    channel = DebugChannel(device, order.append)
    cleanup = DebugCleanup(
        channel, settings=object(), timeout=1.0, session_factory=factory, on_debug_line=order.append
    )
    cleanup.arm()
    device.push(f"{DBG.format(1, 7)}\r\n{DBG.format(1, 8)}\r\n")
    result = cleanup.run(session_usable=False)
    assert result.verified and result.reconnected
    assert order[:3] == [DBG.format(1, 7), DBG.format(1, 8), "reconnect"]


class _RacingChannel:
    """paramiko's channel as seen by netmiko when the last bytes and the close arrive between
    an empty read and the closed check."""

    def __init__(self) -> None:
        self.closed = False
        self.eof_received = False
        self.buffer = b""

    def recv_ready(self) -> bool:
        return bool(self.buffer)

    def recv(self, size: int) -> bytes:
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def test_driver_read_drains_data_that_arrived_with_the_close() -> None:
    from vpn_doctor.collect.driver import _AsaConnection

    reads = iter(["", "last line\n"])
    conn = object.__new__(_AsaConnection)
    conn.remote_conn = _RacingChannel()
    conn.remote_conn.closed = True  # the close has been seen

    def base_read(self: object) -> str:
        return next(reads, "")

    import netmiko.cisco.cisco_asa_ssh as asa_module

    original = asa_module.CiscoAsaSSH.read_channel
    asa_module.CiscoAsaSSH.read_channel = base_read  # type: ignore[method-assign]
    try:
        assert conn.read_channel() == "last line\n"
        with pytest.raises(ReadException):
            conn.read_channel()
    finally:
        asa_module.CiscoAsaSSH.read_channel = original  # type: ignore[method-assign]
