"""Diagnose latency for one tunnel, and the round trips it costs, against bare netmiko.

Why these baselines: during an outage the engineer waits for connect + collect + parse +
diagnose. Most of that is SSH round trips, which no parser speed-up can win back, so the
honest yardstick is (a) the fastest thing anyone would write by hand, a bare netmiko script
(``ConnectHandler(device_type="cisco_asa")``, fast_cli default, ``send_command`` per
command) sending the same commands, and (b) the floor, commands x per-command delay.

Variants timed, interleaved in the same loop, per mock delay (0 / 50 / 200 ms per command):

* ``ours``: the library path for one tunnel: :class:`~vpn_doctor.collect.driver.AsaSession`,
  :func:`~vpn_doctor.collect.collector.collect` with ``peer`` (the peer-filtered commands),
  :func:`~vpn_doctor.parse.device.parse_snapshot`, :func:`~vpn_doctor.diagnose.engine.diagnose`.
* ``bare netmiko``: baseline (a), the same four collection commands.
* ``cli diagnose --peer``: ``vpn-doctor diagnose HOST --peer X``, the full config-aware
  diagnosis (two peer-filtered rounds: SA tables, crypto map, log, then the peer's ACL,
  IKE/IPsec config, tunnel-group, NAT, routes). Its baseline is bare netmiko sending exactly
  the commands the CLI sent (read from the mock's audit log), so the ratio measures our
  overhead, not the extra configuration the CLI chooses to read.

Round trips are counted from the mock's audit log (every line the client wrote), for ours,
bare netmiko and a naive collector (unfiltered ``show crypto isakmp sa``, ``show crypto ipsec
sa``, ``show vpn-sessiondb detail l2l`` plus ``show running-config``), on a one-tunnel box and
on a 1,000-tunnel hub where the peer filter matters for bytes and time.

Run alone: ``python bench/bench_diagnose.py [--quick]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
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
    spread,
    table,
    targets_table,
)

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
    """Baseline (a): ConnectHandler cisco_asa with defaults, send_command each, disconnect.

    Returns the number of characters received (to compare transfer sizes).
    """
    from netmiko import ConnectHandler

    received = 0
    conn = ConnectHandler(**mock.connection_kwargs())
    try:
        for command in commands:
            received += len(conn.send_command(command))
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


def _latency(quick: bool, section: Section) -> None:
    from mock_device import MockAsa

    delays = QUICK_DELAYS if quick else FULL_DELAYS
    commands = our_commands(PEER)
    rows = []
    with MockAsa("healthy", delay_ms=0) as mock:
        code = ours_diagnose(mock, PEER)
        cli_commands = [
            c for c in count_trips(mock, lambda: cli_diagnose(mock, PEER)).sent
            if c not in _SESSION_SETUP
        ]  # fmt: skip
        section.notes.append(
            f"Check: ours concludes exit {code} on the healthy scenario"
            + (" (up, as expected)." if code == 0 else " - WARNING: expected 0 (up).")
        )
        for delay in delays:
            mock.delay_ms = delay
            repeat = 3 if quick else (7 if delay == 0 else 5)
            runs: dict[str, Callable[[], object]] = {
                "ours": lambda: ours_diagnose(mock, PEER),
                "bare netmiko": lambda: bare_netmiko(mock, commands),
                "cli diagnose --peer": lambda: cli_diagnose(mock, PEER),
                "bare netmiko, cli's commands": lambda: bare_netmiko(mock, cli_commands),
            }
            times = interleaved(runs, repeat=repeat, warmup=1)
            ours_m, bare_m = median(times["ours"]), median(times["bare netmiko"])
            cli_m = median(times["cli diagnose --peer"])
            cli_bare_m = median(times["bare netmiko, cli's commands"])
            cli_ratio = cli_m / cli_bare_m
            floor = len(commands) * delay / 1000
            ratio = ours_m / bare_m
            rows.append(
                (
                    f"{delay} ms",
                    f"{ours_m:.3f} ({spread(times['ours'])})",
                    f"{bare_m:.3f} ({spread(times['bare netmiko'])})",
                    f"{floor:.3f}",
                    f"{ratio:.2f}x",
                    f"{ours_m - floor:.3f}",
                    f"{cli_m:.3f} ({spread(times['cli diagnose --peer'])})",
                    f"{cli_bare_m:.3f}",
                    f"{cli_ratio:.2f}x",
                )
            )
            section.targets.append(
                Target(
                    "diagnose",
                    f"cli diagnose --peer (config-aware), {delay} ms/command: "
                    "/ bare netmiko, same commands",
                    f"<= {TARGET_RATIO:.2f}x",
                    f"{cli_ratio:.2f}x ({cli_m:.2f} s vs {cli_bare_m:.2f} s, "
                    f"{len(cli_commands)} commands)",
                    cli_ratio <= TARGET_RATIO,
                )
            )
            section.targets.append(
                Target(
                    "diagnose",
                    f"1 tunnel, {delay} ms/command: ours / bare netmiko",
                    f"<= {TARGET_RATIO:.2f}x",
                    f"{ratio:.2f}x ({ours_m:.2f} s vs {bare_m:.2f} s)",
                    ratio <= TARGET_RATIO,
                )
            )
    section.tables.append(
        table(
            [
                "mock delay",
                "ours s (min-max)",
                "bare netmiko s (min-max)",
                "floor s",
                "ours / bare",
                "ours - floor s",
                "cli diagnose --peer s (min-max)",
                "bare netmiko, cli's commands s",
                "cli / bare (same commands)",
            ],
            rows,
        )
    )
    section.notes.append(
        f"Commands: ours and bare netmiko both send {len(commands)} collection commands "
        f"({'; '.join(commands)}); floor = {len(commands)} x delay. On top of the floor, both "
        "pay netmiko's connect (~0.45 s of fixed sleeps and ~15 round trips, see "
        "NETMIKO-ASA.md section 4) and netmiko's own `show curpriv` (delayed by the mock like "
        "any show); ours also sends a second `show curpriv` (privilege check) but skips "
        "netmiko's per-command find_prompt (expect_string), so it gains ~50 ms per command."
    )


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
                "bare netmiko, same commands": lambda: bare_netmiko(mock, commands),  # noqa: B023
                "naive (unfiltered + running-config)": lambda: bare_netmiko(mock, NAIVE_COMMANDS),
                "cli diagnose --peer (config-aware)": lambda: cli_diagnose(mock, peer),  # noqa: B023
            }
            trips = {name: count_trips(mock, func) for name, func in variants.items()}
            times = interleaved(variants, repeat=3, warmup=0)
            received = {
                "bare netmiko, same commands": bare_netmiko(mock, commands),
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
        "Naive collector = bare netmiko running the unfiltered show crypto isakmp sa, show "
        "crypto ipsec sa, show vpn-sessiondb detail l2l and show running-config (the mock "
        "answers show running-config empty, so its bytes are understated).",
        "`cli diagnose --peer` is `vpn-doctor diagnose HOST --peer X`: two peer-filtered "
        "rounds (SA tables, crypto map, log lines naming the peer; then only the peer's "
        "crypto ACL, IKE/IPsec config, tunnel-group, NAT and routes).",
    ]


def run(quick: bool = False) -> Section:
    section = Section(
        title="1. Diagnose latency, one tunnel (ours vs bare netmiko, interleaved)",
        command="python bench/bench_diagnose.py" + (" --quick" if quick else ""),
    )
    _latency(quick, section)
    _trips(section)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0 and 50 ms, 3 runs each")
    args = parser.parse_args()
    section = run(quick=args.quick)
    print(section.markdown())
    print(targets_table(section.targets))


if __name__ == "__main__":
    main()
