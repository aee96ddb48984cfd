"""Debug capture over real SSH (netmiko) against the mock ASA: every exit path undoes debug.

After every test the ``asa`` fixture asserts the mock's *device-wide* debug state is off
(no debug level, no condition), unless the test itself proved the tool reported that it
could not undo it (``expect_left_on``). Captures are 0.3-0.6 s to keep the file fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mock_device import DebugSpec, MockAsa, Scenario, load_scenario, unreachable_port
from vpn_doctor.cli.debug_options import (
    add_debug_arguments,
    run_debug_from_args,
)
from vpn_doctor.collect.debug.capture import (
    DebugCapture,
    DebugCaptureInterrupted,
    DebugCaptureOptions,
    DebugLeftOn,
    DebugUsageError,
    capture_debug,
)
from vpn_doctor.collect.driver import AsaSession, ConnectionSettings
from vpn_doctor.errors import DebugCleanupFailed, ExitCode

import helpers
from helpers import MockFactory

pytestmark = pytest.mark.e2e

PEER = "203.0.113.9"
SEQ = re.compile(r"seq=(\d{3})")
DEBUG_VERBS = ("debug", "undebug", "no debug", "terminal monitor", "terminal no monitor")


class Asa:
    """Starts mocks through conftest's ``mock_asa`` and checks them at teardown."""

    def __init__(self, factory: MockFactory) -> None:
        self._factory = factory
        self.mocks: list[MockAsa] = []
        self.expect_left_on: set[int] = set()
        self.sessions: list[AsaSession] = []

    def start(self, scenario: str | Scenario = "mm_wait_msg6", **overrides: Any) -> MockAsa:
        mock = self._factory(scenario, **overrides)
        self.mocks.append(mock)
        return mock

    def connect(self, mock: MockAsa) -> AsaSession:
        session = AsaSession(settings_for(mock))
        session.connect()
        self.sessions.append(session)
        return session


def settings_for(mock: MockAsa, **overrides: Any) -> ConnectionSettings:
    return helpers.settings_for(mock, **{"conn_timeout": 3.0, "read_timeout": 5.0, **overrides})


@pytest.fixture
def asa(mock_asa: MockFactory) -> Iterator[Asa]:
    helper = Asa(mock_asa)
    yield helper
    for session in helper.sessions:
        session.close()
    for mock in helper.mocks:
        if id(mock) in helper.expect_left_on:
            continue
        state = mock.debug_state
        assert not state.any_on, f"debug left on the mock: {state}"


def opts(**overrides: Any) -> DebugCaptureOptions:
    # 1.5 s: long enough for the scenario's evidence lines to arrive on a loaded CI machine
    # (0.5 s lost a line about one run in ten with eight test processes on two cores).
    values: dict[str, Any] = {"peer": PEER, "seconds": 1.5, "asa_version": "9.12(4)"}
    values.update(overrides)
    return DebugCaptureOptions(**values)


def debug_commands_sent(mock: MockAsa) -> list[str]:
    return [c for c in mock.commands() if c.startswith(DEBUG_VERBS)]


def assert_contiguous(lines: tuple[str, ...] | list[str]) -> None:
    numbers = [int(m.group(1)) for line in lines if (m := SEQ.search(line))]
    assert numbers, "no numbered line captured: nothing to check"
    assert len(numbers) == len(lines)
    for previous, current in itertools.pairwise(numbers):
        assert current == previous % 100 + 1, f"gap: {previous} -> {current}"


PACKET_TRACER_OUTPUT = """Phase: 1
Type: ACCESS-LIST
Result: ALLOW

Phase: 2
Type: VPN
Subtype: encrypt
Result: DROP

Result:
input-interface: inside
Action: drop
Drop-reason: (acl-drop) Flow is denied by configured rule
"""
TRIGGER = "inside icmp 10.1.1.10 8 0 10.2.2.10 detailed"


def numbered_scenario(**debug_changes: Any) -> Scenario:
    """mm_wait_msg6 with a fast numbered stream: 100 lines `seq=001..100`, one every 2 ms
    (about 500 lines/s), repeating; a gap in the numbering is a lost line. Built here rather
    than shipped, because every shipped scenario must carry a Contract 3 expectation."""
    base = load_scenario("mm_wait_msg6")
    lines = tuple(
        f"Nov 22 10:00:{n % 60:02d} [IKEv1 DEBUG]IP = {PEER}, seq={n:03d} IKE SA MM:5456d64e "
        "state MM_WAIT_MSG6 retransmit check"
        for n in range(1, 101)
    )
    debug = DebugSpec(lines=lines, peer=PEER, interval_ms=2, repeat=True)
    return base.replace(
        name="debug_numbered",
        debug=dataclasses.replace(debug, **debug_changes),
        commands={**base.commands, f"packet-tracer input {TRIGGER}": PACKET_TRACER_OUTPUT},
    )


def numbered(asa: Asa, **debug_changes: Any) -> MockAsa:
    return asa.start(numbered_scenario(**debug_changes))


# -- normal path ------------------------------------------------------------------------------


def test_normal_capture_finds_the_evidence_and_undoes_debug(asa: Asa) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    seen: list[str] = []
    started = time.perf_counter()
    capture = capture_debug(session, opts(asa_version=None), on_line=seen.append)
    wall = time.perf_counter() - started

    assert capture.cleanup_verified
    assert any("PAYLOAD_MALFORMED" in line for line in capture.lines)
    assert any("peer has indicated that something is wrong" in line for line in capture.lines)
    assert list(capture.lines) == seen  # the callback saw exactly what was kept
    assert capture.dropped_count == 0 and capture.total_lines == len(capture.lines)
    assert capture.capture_seconds >= 1.5  # the requested window (speed lives in bench/)
    assert capture.rate > 0
    assert wall >= capture.capture_seconds
    assert capture.started_at is not None and capture.ended_at is not None
    assert [step.command for step in capture.cleanup_log] == [
        "undebug all",
        "no debug crypto condition",
        "terminal no monitor",
        "show debug",
    ]
    assert all(step.ok and step.via == "session" for step in capture.cleanup_log)
    # The order that keeps the debug scoped: condition before any debug is turned on.
    assert debug_commands_sent(mock) == [
        f"debug crypto condition peer {PEER}",
        "terminal monitor",
        "debug crypto ikev1 200",
        "debug crypto ikev2 protocol 255",
        "debug crypto ikev2 platform 255",
        "undebug all",
        "no debug crypto condition",
        "terminal no monitor",
    ]
    assert "show version" in mock.commands()  # version read because it was not given
    # The session is still in step for the rest of the diagnosis.
    assert "MM_WAIT_MSG6" in session.run("show crypto isakmp sa")
    assert not debug_commands_sent(mock)[-1].startswith("debug")


def test_no_line_lost_at_500_lines_per_second(asa: Asa) -> None:
    mock = numbered(asa)
    session = asa.connect(mock)
    capture = capture_debug(session, opts(seconds=0.6))
    assert capture.cleanup_verified
    assert capture.total_lines > 100, capture.total_lines
    assert capture.dropped_count == 0
    assert_contiguous(capture.lines)  # including the trailing lines read with `undebug all`
    assert mock.debug_state.levels == {}


def test_max_lines_is_a_ring_buffer_that_counts_what_it_dropped(asa: Asa) -> None:
    mock = numbered(asa)
    session = asa.connect(mock)
    seen: list[str] = []
    capture = capture_debug(session, opts(seconds=0.4, max_lines=20), on_line=seen.append)
    assert len(capture.lines) == 20
    assert capture.total_lines == len(seen) > 20
    assert capture.dropped_count == capture.total_lines - 20
    assert list(capture.lines) == seen[-20:]  # the newest are kept
    assert_contiguous(capture.lines)


def test_trigger_output_is_kept_apart_from_debug_lines(asa: Asa) -> None:
    mock = numbered(asa)
    session = asa.connect(mock)
    trigger = TRIGGER
    capture = capture_debug(session, opts(seconds=0.4, trigger_command=trigger))
    assert "Drop-reason" in capture.trigger_output
    assert "seq=" not in capture.trigger_output
    assert_contiguous(capture.lines)  # lines printed during packet-tracer are not lost
    assert f"packet-tracer input {trigger}" in mock.commands()
    commands = mock.commands()
    assert commands.index(f"packet-tracer input {trigger}") > commands.index(
        "debug crypto ikev1 200"
    )


def test_all_peers_only_when_forced_and_then_without_condition(asa: Asa) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    capture = capture_debug(session, opts(peer=None, all_peers=True, ike_versions=(1,)))
    assert capture.cleanup_verified
    assert capture.total_lines > 0
    assert not any(c.startswith("debug crypto condition") for c in mock.commands())
    assert any("--debug-all-peers" in note for note in capture.notes)


def test_logging_buffer_is_read_when_terminal_monitor_is_not_used(asa: Asa) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    capture = capture_debug(session, opts(use_monitor=False))
    assert capture.source == "show logging"
    assert capture.cleanup_verified
    assert any("PAYLOAD_MALFORMED" in line for line in capture.lines)
    assert not any("%ASA-" in line for line in capture.lines)  # old buffer lines not repeated
    assert "terminal monitor" not in mock.commands()
    assert "terminal no monitor" not in mock.commands()


def test_old_software_gets_debug_crypto_isakmp(asa: Asa) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    capture_debug(session, opts(asa_version="8.2(5)", seconds=0.3))
    sent = debug_commands_sent(mock)
    assert "debug crypto isakmp 200" in sent
    assert not any("ikev" in command for command in sent)


# -- refusals ------------------------------------------------------------------------------


def test_debug_without_peer_is_refused_and_nothing_is_sent(asa: Asa) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    before = len(mock.audit)
    with pytest.raises(DebugUsageError) as info:
        capture_debug(session, opts(peer=None))
    assert "--debug-all-peers" in str(info.value)
    assert info.value.exit_code == ExitCode.USAGE
    assert len(mock.audit) == before  # not a byte reached the device


@pytest.mark.parametrize(
    "changes",
    [
        {"seconds": 0},
        {"seconds": 601},
        {"max_lines": 0},
        {"peer": "fw-peer"},
        {"ike_versions": ()},
        {"trigger_command": "inside icmp 10.1.1.1 8 0 10.2.2.2; reload"},
        {"trigger_command": "show run"},
    ],
)
def test_bad_options_are_usage_errors(changes: dict[str, Any]) -> None:
    with pytest.raises(DebugUsageError):
        opts(**changes)


# -- exit paths: every one undoes debug --------------------------------------------------------


def test_exception_in_the_line_callback(asa: Asa) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)

    def explode(line: str) -> None:
        if "PAYLOAD_MALFORMED" in line:
            raise ValueError("renderer bug")

    with pytest.raises(DebugCaptureInterrupted) as info:
        capture_debug(session, opts(seconds=5), on_line=explode)
    exc = info.value
    assert isinstance(exc.__cause__, ValueError)
    assert exc.exit_code == ExitCode.UNKNOWN
    assert exc.capture.cleanup_verified
    assert any("PAYLOAD_MALFORMED" in line for line in exc.capture.lines)  # kept, not lost
    assert "undone and verified" in str(exc)


def test_keyboard_interrupt_from_the_callback(asa: Asa) -> None:
    mock = numbered(asa)
    session = asa.connect(mock)
    handler_before = signal.getsignal(signal.SIGINT)

    def ctrl_c(line: str) -> None:
        if "seq=010" in line:
            raise KeyboardInterrupt

    with pytest.raises(DebugCaptureInterrupted) as info:
        capture_debug(session, opts(seconds=5), on_line=ctrl_c)
    assert info.value.exit_code == ExitCode.INTERRUPTED
    assert isinstance(info.value.__cause__, KeyboardInterrupt)
    capture = info.value.capture
    assert capture.cleanup_verified
    assert capture.capture_seconds < 2
    assert_contiguous(capture.lines)  # the lines after the interrupt (until undebug) are kept
    assert signal.getsignal(signal.SIGINT) is handler_before


def test_sigterm_is_turned_into_a_clean_stop(asa: Asa) -> None:
    mock = numbered(asa)
    session = asa.connect(mock)
    handler_before = signal.getsignal(signal.SIGTERM)
    sent: list[str] = []

    def terminate(line: str) -> None:
        if not sent and "seq=005" in line:
            sent.append(line)
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(DebugCaptureInterrupted) as info:
        capture_debug(session, opts(seconds=5), on_line=terminate)
    assert info.value.exit_code == 143
    assert info.value.capture.cleanup_verified
    assert info.value.capture.total_lines >= 5
    assert signal.getsignal(signal.SIGTERM) is handler_before


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, ExitCode.INTERRUPTED)],
    ids=["sigterm", "sighup", "ctrl-c"],
)
def test_signal_from_another_thread(asa: Asa, signum: int, exit_code: int) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signum))
    timer.start()
    try:
        with pytest.raises(DebugCaptureInterrupted) as info:
            capture_debug(session, opts(seconds=5))
    finally:
        timer.cancel()
    assert info.value.exit_code == exit_code
    assert info.value.capture.capture_seconds < 1.5
    assert info.value.capture.cleanup_verified


def test_device_timeout_mid_capture_still_undoes_on_the_same_session(asa: Asa) -> None:
    mock = numbered(asa, interval_ms=20)
    session = asa.connect(mock)
    mock.delay_ms = 700  # show / packet-tracer replies now take 0.7 s
    trigger = TRIGGER
    with pytest.raises(DebugCaptureInterrupted) as info:
        capture_debug(session, opts(trigger_command=trigger, command_timeout=0.3))
    exc = info.value
    assert exc.exit_code == ExitCode.TIMEOUT
    assert exc.capture.cleanup_verified
    assert all(step.via == "session" for step in exc.capture.cleanup_log)
    # The late packet-tracer reply was filed as its own, not as the reply to `undebug all`.
    assert all("Drop-reason" not in step.output for step in exc.capture.cleanup_log)
    assert not any("Drop-reason" in line for line in exc.capture.lines)
    mock.delay_ms = 0
    assert "Software Version 9.12(4)" in session.run("show version")  # back in step


@pytest.mark.parametrize("how", ["drop_after_lines", "drop_sessions"])
def test_session_lost_mid_capture_reconnects_and_undoes(asa: Asa, how: str) -> None:
    if how == "drop_after_lines":
        mock = numbered(asa, drop_after_lines=8)
        on_line: Callable[[str], None] | None = None
    else:
        mock = numbered(asa)

        def on_line(line: str) -> None:
            if "seq=012" in line:
                mock.drop_sessions()

    session = asa.connect(mock)
    with pytest.raises(DebugCaptureInterrupted) as info:
        capture_debug(session, opts(seconds=5), on_line=on_line)
    exc = info.value
    capture: DebugCapture = exc.capture
    assert exc.exit_code == ExitCode.TIMEOUT  # SessionLost
    assert capture.cleanup_verified
    assert "reconnected" in str(exc)
    assert any("reconnected" in note for note in capture.notes)
    assert {step.via for step in capture.cleanup_log} == {"reconnect"}
    if how == "drop_after_lines":
        # Exactly what the device sent before it dropped: the last line arrives together
        # with the close and used to be lost about 1 run in 20 (issue 13); it never is now.
        assert capture.total_lines == 8
    else:
        assert capture.total_lines >= 12
    assert_contiguous(capture.lines)
    # A second SSH session typed the undo.
    undo_sessions = {e.session for e in mock.audit if e.command == "undebug all"}
    assert len(undo_sessions) == 1 and min(e.session for e in mock.audit) not in undo_sessions


def test_reconnect_impossible_raises_debug_cleanup_failed_with_manual_commands(asa: Asa) -> None:
    mock = numbered(asa, drop_after_lines=5)
    session = asa.connect(mock)
    wrong = settings_for(mock, port=unreachable_port(), conn_timeout=1.0)
    started = time.perf_counter()
    with pytest.raises(DebugCleanupFailed) as info:
        capture_debug(session, opts(seconds=5), settings_for_reconnect=wrong)
    assert time.perf_counter() - started < 5
    exc = info.value
    assert isinstance(exc, DebugLeftOn)
    assert exc.exit_code == ExitCode.DEBUG_LEFT_ON == 16
    message = str(exc)
    assert "DEBUG MAY STILL BE RUNNING ON 127.0.0.1 (fw1)" in message
    assert "fw1# undebug all" in message
    for command in ("undebug all", "no debug crypto condition", "show debug"):
        assert command in message
    assert exc.manual_commands[:2] == ["undebug all", "no debug crypto condition"]
    assert exc.capture.total_lines >= 5  # what was captured is not lost
    assert not exc.capture.cleanup_verified
    # The tool said it could not undo; the device really is still debugging.
    assert mock.debug_state.any_on
    mock.reset_debug()


def test_verify_failure_on_a_live_session_is_reported(
    asa: Asa, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device where `undebug all` does not stick (another admin re-enabling it): retried
    once, then DebugLeftOn naming what `show debug` still lists."""
    import vpn_doctor.collect.debug.cleanup as cleanup_module

    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    monkeypatch.setattr(cleanup_module, "UNDEBUG_ALL", "show clock")  # the undo "does nothing"
    with pytest.raises(DebugLeftOn) as info:
        capture_debug(session, opts(seconds=0.3))
    capture = info.value.capture
    assert capture.left_on == [
        "debug crypto ikev1 enabled at level 200",
        "debug crypto ikev2 protocol enabled at level 255",
        "debug crypto ikev2 platform enabled at level 255",
    ]
    assert "still lists" in str(info.value)
    mock.reset_debug()


def test_run_debug_from_args_as_the_cli_will(asa: Asa, capsys: pytest.CaptureFixture[str]) -> None:
    mock = asa.start("mm_wait_msg6")
    session = asa.connect(mock)
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer")
    add_debug_arguments(parser)
    args = parser.parse_args(["--peer", PEER, "--debug", "1.5", "--trigger"])
    capture = run_debug_from_args(args, session, settings_for(mock), live=False)
    assert capture.cleanup_verified
    assert any("PAYLOAD_MALFORMED" in line for line in capture.lines)
    assert any("--trigger" in note for note in capture.notes)  # no traffic known: said so
    assert not any(c.startswith("packet-tracer") for c in mock.commands())
    err = capsys.readouterr().err
    assert "capturing on 127.0.0.1 for 1.5 s (peer 203.0.113.9)" in err
    assert "undone and verified off" in err
