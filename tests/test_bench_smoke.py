"""Smoke test for bench/: the modules import and one micro-iteration of each helper runs.

Why only a smoke test: timings on a shared CI machine are noise, so nothing here asserts a
duration. What it does catch is a benchmark silently rotting when an API it drives (the
parsers, the renderer, collect's plan) changes shape; the full run is
``python bench/run_all.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` lives at the repo root

from bench import (
    baselines,
    bench_diagnose,
    bench_fleet,
    bench_parse,
    bench_snapshot,
    bench_startup,
    run_all,
)
from bench.common import Section, Target, interleaved, rendered, table, targets_table


def test_modules_expose_run() -> None:
    for module in (bench_diagnose, bench_parse, bench_fleet, bench_snapshot, bench_startup):
        assert callable(module.run)
    assert {"diagnose", "parse", "fleet", "startup", "watch", "hub"} <= set(run_all.BENCHES)


def test_startup_commands_run_and_report_ratios() -> None:
    """Every timed command exits 0 (an error path would be timed otherwise); one round."""
    for argv in bench_startup.commands().values():
        bench_startup.run_process(argv)
    section = bench_startup.run(repeat=1)
    assert [t.name for t in section.targets] == [
        "vpn-doctor --version",
        "vpn-doctor explain MM_WAIT_MSG6",
    ]
    assert "x bare" in section.markdown()


def test_parse_micro_iteration_ours_and_ntc_agree_on_count() -> None:
    text = rendered(3)["show crypto ipsec sa"]
    assert bench_parse.ours_parse("show crypto ipsec sa", text) == 3
    assert bench_parse.ntc_parse("show crypto ipsec sa", text) == 3
    sessions = rendered(3)["show vpn-sessiondb detail l2l"]
    assert bench_parse.ours_parse("show vpn-sessiondb detail l2l", sessions) == 3
    assert bench_parse.peak_mib(lambda: bench_parse.ntc_parse("show crypto ipsec sa", text)) > 0


def test_interleaved_rotates_and_discards_warmup() -> None:
    order: list[str] = []
    times = interleaved(
        {"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeat=2, warmup=1
    )
    assert order == ["a", "b", "b", "a", "a", "b"]
    assert [len(v) for v in times.values()] == [2, 2]


def test_report_tables_render() -> None:
    section = Section(title="t", command="python bench/x.py")
    section.tables.append(table(["a", "b"], [(1, 2)]))
    section.targets.append(Target("s", "m", "<= 1", "0.5", True))
    assert "| 1 | 2 |" in section.markdown()
    assert "met" in targets_table(section.targets)


def test_diagnose_helpers_plan_peer_filtered_commands() -> None:
    commands = bench_diagnose.our_commands("203.0.113.9")
    assert "show crypto ipsec sa peer 203.0.113.9" in commands
    assert "show vpn-sessiondb detail l2l filter ipaddress 203.0.113.9" in commands


@pytest.mark.e2e
def test_bare_netmiko_baseline_runs_against_the_mock() -> None:
    from mock_device import MockAsa

    with MockAsa("healthy", delay_ms=0) as mock:
        trips = bench_diagnose.count_trips(
            mock, lambda: bench_diagnose.bare_netmiko(mock, ["show version"])
        )
    assert trips.commands >= 1 and "show version" in trips.sent


def test_hub_snapshot_diagnoses_every_tunnel_up(tmp_path: Path) -> None:
    """bench_snapshot's generated hub (SA tables + configuration) is healthy end to end."""
    from bench.snapshots import write_snapshot

    run = bench_snapshot.diagnose_run(write_snapshot(4, tmp_path / "hub"))
    assert run.code == 0
    assert bench_snapshot._tunnels_up(run) == (4, 4)
    assert run.rss_mb > 0


@pytest.mark.e2e
def test_paramiko_floor_and_competent_netmiko_collect_the_same_output(tmp_path: Path) -> None:
    from mock_device import MockAsa

    commands = tmp_path / "commands.txt"
    commands.write_text("show version\n", encoding="utf-8")
    with MockAsa("healthy", delay_ms=0) as mock:
        import os

        os.environ["BENCH_PASSWORD"], os.environ["BENCH_SECRET"] = mock.password, mock.secret
        floor = baselines.with_paramiko(mock.host, mock.port, mock.username, ["show version"])
        before = len(mock.audit)
        two = ["show version", "show clock"]
        baselines.with_netmiko(mock.host, mock.port, mock.username, two)
        typed = [e.command for e in mock.audit[before:] if e.kind == "command"]
    assert floor > 100  # the show version text, read up to the prompt
    # anchored expect_string: no find_prompt (a bare Enter) between the two commands
    first = typed.index("show version")
    assert typed[first + 1] == "show clock", typed
