"""Diagnose latency for one tunnel, and the round trips it costs, against honest baselines.

Why these baselines: during an outage the engineer waits for connect + collect + parse +
diagnose. Most of that is SSH round trips, which no parser speed-up can win back, so the
yardsticks are what a competent engineer would write by hand, sending the same commands:

* **competent netmiko** (bench/baselines.py): ``ConnectHandler(device_type="cisco_asa")``
  with ``fast_cli`` and ``send_command(cmd, expect_string=<anchored prompt>)``, as netmiko's
  documentation recommends (an earlier version of this bench called ``send_command`` without
  ``expect_string``, so netmiko ran ``find_prompt`` before every command: a handicapped
  baseline that made vpn-doctor look faster than it is);
* **paramiko floor** (bench/baselines.py): one paramiko shell channel, no fixed sleeps: what
  the round trips alone cost.

All three run as whole processes (interpreter start and imports included), interleaved, per
mock delay (0 / 50 / 200 ms per show command), against a mock ASA in its own process.

Round trips are counted from the mock's audit log (every line the client wrote), for the
library path (``collect`` with the peer filters), competent netmiko, a naive collector
(unfiltered ``show crypto isakmp sa``, ``show crypto ipsec sa``, ``show vpn-sessiondb detail
l2l`` plus ``show running-config``) and ``vpn-doctor diagnose --peer``, on a one-tunnel box
and on a 1,000-tunnel hub where the peer filter matters for bytes and time.

Run alone: ``python bench/bench_diagnose.py [--quick]``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/bench_diagnose.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    Section,
    Target,
    bench_scenario,
    interleaved,
    median,
    section_main,
    spread,
    table,
)

REPO = Path(__file__).resolve().parents[1]
_CLI = "import sys; from vpn_doctor.cli import main; sys.exit(main(sys.argv[1:]))"
PEER = "203.0.113.9"  # the healthy scenario's tunnel
HUB_PEER = "203.0.113.1"  # first rendered tunnel of bench_scenario(N)
HUB_TUNNELS = 1_000
TARGET_RATIO = 1.15
FULL_DELAYS = (0, 50, 200)
QUICK_DELAYS = (0, 50)
# netmiko's own session preparation and logout (and our privilege check): not "the commands"
_SESSION_SETUP = frozenset(
    {"show curpriv", "enable", "terminal pager 0", "configure terminal", "terminal width 511",
     "end", "exit"}
)  # fmt: skip
NAIVE_COMMANDS: tuple[str, ...] = (
    "show crypto isakmp sa",
    "show crypto ipsec sa",
    "show vpn-sessiondb detail l2l",
    "show running-config",
)
_PW_ENV = "VPN_DOCTOR_BENCH_PASSWORD"
_SECRET_ENV = "VPN_DOCTOR_BENCH_SECRET"


def our_commands(peer: str) -> list[str]:
    """The exact commands ``collect(runner, peer)`` sends (default collection, filtered)."""
    from vpn_doctor.collect.collector import plan

    return [str(command) for command in plan(peer)]


def settings_for(mock: Any) -> Any:
    from vpn_doctor.collect.driver import ConnectionSettings

    return ConnectionSettings(
        host=mock.host,
        port=mock.port,
        username=mock.username,
        password=mock.password,
        secret=mock.secret,
    )


def ours_diagnose(mock: Any, peer: str) -> int:
    """Library path for one tunnel: connect, collect (peer filter), parse, diagnose."""
    from vpn_doctor.collect.collector import collect
    from vpn_doctor.collect.driver import AsaSession
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.parse.device import parse_snapshot

    with AsaSession(settings_for(mock)) as session:
        snapshot = collect(session, peer)
    report = diagnose(parse_snapshot(snapshot), peer, debug_peer=snapshot.peer)
    return int(report.exit_code())


def cli_diagnose(mock: Any, peer: str) -> int:
    """``vpn-doctor diagnose HOST --peer X --format json`` in-process (stdout discarded)."""
    from vpn_doctor.cli import main

    os.environ[_PW_ENV] = mock.password
    os.environ[_SECRET_ENV] = mock.secret
    argv = [
        "diagnose", mock.host, "--port", str(mock.port), "--peer", peer,
        "--username", mock.username, "--password-env", _PW_ENV, "--secret-env", _SECRET_ENV,
        "--format", "json",
    ]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return int(main(argv))


def bare_netmiko(mock: Any, commands: Sequence[str]) -> int:
    """Competent netmiko: ConnectHandler cisco_asa (fast_cli), send_command with an
    ``expect_string`` anchored on the prompt (no find_prompt per command), disconnect.

    Returns the number of characters received (to compare transfer sizes).
    """
    from netmiko import ConnectHandler

    received = 0
    conn = ConnectHandler(**mock.connection_kwargs(), fast_cli=True)
    try:
        prompt = re.escape(conn.base_prompt) + r"#\s*$"
        for command in commands:
            received += len(conn.send_command(command, expect_string=prompt))
    finally:
        conn.disconnect()
    return received


@dataclass
class Trips:
    """What one run cost on the wire, from the mock's audit log."""

    lines: int  # every line the client wrote (commands, bare Enters, passwords)
    commands: int  # non-empty typed commands
    shows: int  # show commands (the ones the mock delays, like a busy ASA)
    sent: list[str]


def count_trips(mock: Any, func: Callable[[], object]) -> Trips:
    before = len(mock.audit)
    func()
    entries = mock.audit[before:]
    typed = [e.command for e in entries if e.kind == "command" and e.command]
    return Trips(
        lines=len(entries),
        commands=len(typed),
        shows=sum(1 for c in typed if c.startswith("show ")),
        sent=typed,
    )


def _process(argv: list[str], env: dict[str, str], codes: tuple[int, ...] = (0,)) -> int:
    """Run one whole process (interpreter start and imports included); check its exit code."""
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if proc.returncode not in codes:
        raise RuntimeError(f"{argv[:4]} exited {proc.returncode}: {proc.stderr[-400:]}")
    return proc.returncode


def _latency(quick: bool, section: Section) -> None:
    """vpn-doctor diagnose --peer vs competent netmiko vs the paramiko floor, all processes."""
    from bench.bench_fleet import FleetProcess
    from mock_device import MockAsa

    delays = QUICK_DELAYS if quick else FULL_DELAYS
    with MockAsa("healthy", delay_ms=0) as mock:
        cli_commands = [
            c for c in count_trips(mock, lambda: cli_diagnose(mock, PEER)).sent
            if c not in _SESSION_SETUP
        ]  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory(prefix="vpn-doctor-bench-") as tmp:
        command_file = Path(tmp) / "commands.txt"
        command_file.write_text("\n".join(cli_commands) + "\n", encoding="utf-8")
        for delay in delays:
            with FleetProcess(1, delay) as fleet:
                info, port = fleet.info, str(fleet.ports[0])
                env = {
                    **os.environ,
                    _PW_ENV: info["password"],
                    _SECRET_ENV: info["secret"],
                    "BENCH_PASSWORD": info["password"],
                    "BENCH_SECRET": info["secret"],
                }
                cli = [
                    sys.executable, "-c", _CLI, "diagnose", "127.0.0.1", "--port", port,
                    "--peer", PEER, "--username", info["username"], "--password-env", _PW_ENV,
                    "--secret-env", _SECRET_ENV, "--format", "json",
                ]  # fmt: skip
                base = [sys.executable, "-m", "bench.baselines"]
                tail = ["127.0.0.1", port, info["username"], str(command_file)]
                runs: dict[str, Callable[[], object]] = {
                    "vpn-doctor": lambda: _process(cli, env),  # noqa: B023
                    "netmiko": lambda: _process([*base, "netmiko", *tail], env),  # noqa: B023
                    "paramiko": lambda: _process([*base, "paramiko", *tail], env),  # noqa: B023
                }
                repeat = 3 if quick else 5
                times = interleaved(runs, repeat=repeat, warmup=1)
            ours, netmiko, floor = (median(times[k]) for k in ("vpn-doctor", "netmiko", "paramiko"))
            rows.append(
                (
                    f"{delay} ms",
                    f"{ours:.3f} ({spread(times['vpn-doctor'])})",
                    f"{netmiko:.3f} ({spread(times['netmiko'])})",
                    f"{floor:.3f} ({spread(times['paramiko'])})",
                    f"{ours / netmiko:.2f}x",
                    f"{ours / floor:.2f}x",
                    f"{netmiko / floor:.2f}x",
                )
            )
            section.targets.append(
                Target(
                    "diagnose",
                    f"live diagnose --peer, {delay} ms/command: / competent netmiko, same "
                    "commands (whole processes)",
                    "<= 0.90x at 0 ms (issue 19, lean session)" if delay == 0 else "-",
                    f"{ours / netmiko:.2f}x ({ours:.2f} s vs {netmiko:.2f} s)",
                    ours / netmiko <= 0.90 if delay == 0 else None,
                )
            )
            section.targets.append(
                Target(
                    "diagnose",
                    f"live diagnose --peer, {delay} ms/command: / paramiko floor, same commands",
                    "<= 1.15x at 200 ms (issue 19, lean session)" if delay == 200 else "-",
                    f"{ours / floor:.2f}x ({ours:.2f} s vs {floor:.2f} s)",
                    ours / floor <= 1.15 if delay == 200 else None,
                )
            )
    section.tables.append(
        table(
            [
                "mock delay",
                "vpn-doctor diagnose --peer s (min-max)",
                "competent netmiko s (min-max)",
                "paramiko floor s (min-max)",
                "ours / netmiko",
                "ours / floor",
                "netmiko / floor",
            ],
            rows,
        )
    )
    section.notes += [
        f"All three are whole processes (interpreter, imports, SSH connect, "
        f"{len(cli_commands)} commands, logout), interleaved, against one mock ASA in a child "
        "process (bench/fleet_server.py) that delays every show reply. Commands = the ones "
        "`vpn-doctor diagnose --peer` sent (mock audit log, session set-up excluded): "
        + "; ".join(cli_commands),
        "competent netmiko = bench/baselines.py: ConnectHandler(cisco_asa, fast_cli) and "
        "send_command(cmd, expect_string=<prompt>#\\s*$), netmiko's documented way to skip "
        "the per-command find_prompt. paramiko floor = one shell channel, enable, "
        "terminal pager 0, each command read to the prompt, no sleeps. vpn-doctor also parses "
        "and diagnoses; the baselines only collect.",
        "The lean session (collect/lean_session.py): reads wait on the channel (select on "
        "paramiko's Channel.fileno) instead of netmiko's 10 ms sleeps, send_command reads to "
        "the prompt after its own echo, login reads the prompt the ASA prints (no Enter, no "
        "find_prompt), the `#` of that prompt is the privilege check (no show curpriv), "
        "cleanup types exit only; TCP_NODELAY socket. Commands are not pipelined (typed-ahead "
        "echo on a real ASA unverified).",
    ]


def _trips(section: Section) -> None:
    from mock_device import MockAsa

    rows = []
    cases: list[tuple[str, Any, str]] = [
        ("1 tunnel", "healthy", PEER),
        (f"{HUB_TUNNELS:,} tunnels", bench_scenario(HUB_TUNNELS, hostname="fw-hub"), HUB_PEER),
    ]
    filtered_ok = True
    for label, scenario, peer in cases:
        with MockAsa(scenario, delay_ms=0) as mock:
            commands = our_commands(peer)
            variants: dict[str, Callable[[], object]] = {
                "ours (collect --peer)": lambda: ours_diagnose(mock, peer),  # noqa: B023
                "netmiko (expect_string), same commands": lambda: bare_netmiko(mock, commands),  # noqa: B023
                "naive (unfiltered + running-config)": lambda: bare_netmiko(mock, NAIVE_COMMANDS),
                "cli diagnose --peer (config-aware)": lambda: cli_diagnose(mock, peer),  # noqa: B023
            }
            trips = {name: count_trips(mock, func) for name, func in variants.items()}
            times = interleaved(variants, repeat=3, warmup=0)
            received = {
                "netmiko (expect_string), same commands": bare_netmiko(mock, commands),
                "naive (unfiltered + running-config)": bare_netmiko(mock, NAIVE_COMMANDS),
            }
            ours_sent = trips["ours (collect --peer)"].sent
            filtered_ok = (
                filtered_ok
                and any(c == f"show crypto ipsec sa peer {peer}" for c in ours_sent)
                and any(
                    c == f"show vpn-sessiondb detail l2l filter ipaddress {peer}" for c in ours_sent
                )
            )
            for name, trip in trips.items():
                rows.append(
                    (
                        label,
                        name,
                        trip.commands,
                        trip.shows,
                        trip.lines,
                        f"{received[name]:,}" if name in received else "-",
                        f"{median(times[name]):.3f}",
                    )
                )
            if label == "1 tunnel":
                section.notes.append(
                    "Commands ours sent (mock audit log, in order): " + "; ".join(ours_sent)
                )
    section.tables.append(
        table(
            [
                "device",
                "collector",
                "typed commands",
                "show commands (delayed)",
                "lines written (round trips)",
                "chars received",
                "s at 0 ms (median of 3)",
            ],
            rows,
        )
    )
    section.targets.append(
        Target(
            "diagnose",
            "ours uses the peer filters (audit log)",
            "ipsec sa peer X + sessiondb filter ipaddress X",
            "yes" if filtered_ok else "no",
            filtered_ok,
        )
    )
    section.notes += [
        "Round trips = every line the client wrote, from the mock's audit log (typed "
        "commands, bare Enters from netmiko's find_prompt/check_config_mode, the enable "
        "password). Typed commands include netmiko's connect sequence (show curpriv, enable, "
        "terminal pager 0, configure terminal, terminal width 511, end) and the final exit.",
        "Naive collector = competent netmiko running the unfiltered show crypto isakmp sa, show "
        "crypto ipsec sa, show vpn-sessiondb detail l2l and show running-config (the mock "
        "answers show running-config empty, so its bytes are understated).",
        "`cli diagnose --peer` is `vpn-doctor diagnose HOST --peer X`: two peer-filtered "
        "rounds (SA tables, crypto map, log lines naming the peer; then only the peer's "
        "crypto ACL, IKE/IPsec config, tunnel-group, NAT and routes).",
    ]


def run(quick: bool = False) -> Section:
    section = Section(
        title="1. Diagnose latency, one tunnel (vpn-doctor vs competent netmiko vs paramiko)",
        command="python bench/bench_diagnose.py" + (" --quick" if quick else ""),
    )
    _latency(quick, section)
    _trips(section)
    return section


def main() -> None:
    section_main(__doc__, run, "0 and 50 ms, 3 runs each")


if __name__ == "__main__":
    main()
