"""The worker pool (deadlines, ordering, bounded concurrency) and the Nagios state rules."""

from __future__ import annotations

import threading
import time

from vpn_doctor.fleet.check import (
    CRITICAL,
    OK,
    UNKNOWN,
    WARNING,
    HostResult,
    HostStatus,
    run_checks,
    worst_state,
)
from vpn_doctor.fleet.inventory import InventoryHost
from vpn_doctor.fleet.status import status_line, summarize


def _host(name: str) -> InventoryHost:
    return InventoryHost(name=name, hostname="127.0.0.1", port=22, username="u", platform="asa")


def _result(host: InventoryHost, status: HostStatus = "ok") -> HostResult:
    return HostResult(host=host.name, address=host.hostname, port=22, status=status)


def test_results_in_inventory_order_and_bounded_concurrency() -> None:
    hosts = [_host(f"fw{i}") for i in range(12)]
    running = 0
    peak = 0
    lock = threading.Lock()

    def check(host: InventoryHost) -> HostResult:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02 * (12 - int(host.name[2:])))  # later hosts finish first
        with lock:
            running -= 1
        return _result(host)

    done: list[str] = []
    results = run_checks(
        hosts, check, workers=4, deadline=10, on_done=lambda r: done.append(r.host)
    )
    assert [r.host for r in results] == [h.name for h in hosts]
    assert peak == 4
    assert sorted(done) == sorted(h.name for h in hosts)


def test_a_hung_device_times_out_and_never_blocks_the_rest() -> None:
    hosts = [_host("hung")] + [_host(f"fw{i}") for i in range(5)]
    release = threading.Event()

    def check(host: InventoryHost) -> HostResult:
        if host.name == "hung":
            release.wait(30)
        return _result(host)

    start = time.perf_counter()
    results = run_checks(hosts, check, workers=1, deadline=0.5)
    elapsed = time.perf_counter() - start
    release.set()
    assert elapsed < 3  # one worker: the others ran on the replacement worker
    assert results[0].status == "timeout" and "deadline of 0.5 s" in results[0].error
    assert results[0].error_code == 12
    assert [r.status for r in results[1:]] == ["ok"] * 5


def test_a_checker_that_raises_is_that_hosts_error_not_a_deadline_wait() -> None:
    hosts = [_host("broken"), _host("fw1")]

    def check(host: InventoryHost) -> HostResult:
        if host.name == "broken":
            raise RuntimeError("parser bug")
        return _result(host)

    start = time.perf_counter()
    results = run_checks(hosts, check, workers=1, deadline=30)
    assert time.perf_counter() - start < 5  # reported at once, not after the 30 s deadline
    assert results[0].status == "error" and "RuntimeError: parser bug" in results[0].error
    assert results[0].nagios == UNKNOWN
    assert results[1].status == "ok"  # the same worker went on with the next host


def test_nagios_state_per_status() -> None:
    host = _host("fw")
    assert _result(host, "unreachable").nagios == CRITICAL
    assert _result(host, "auth_failed").nagios == CRITICAL
    assert _result(host, "timeout").nagios == CRITICAL
    assert _result(host, "error").nagios == UNKNOWN
    # reached, nothing expected and nothing found: OK only when the inventory said "none"
    assert _result(host).nagios == OK
    no_expectations = HostResult(host="fw", address="h", port=22, status="ok", expectations=False)
    assert no_expectations.nagios == UNKNOWN


def test_worst_state_precedence() -> None:
    assert worst_state([OK, WARNING, UNKNOWN]) == UNKNOWN
    assert worst_state([UNKNOWN, CRITICAL, WARNING]) == CRITICAL
    assert worst_state([OK, WARNING]) == WARNING
    assert worst_state([]) == UNKNOWN


def test_status_line_ok_and_failures() -> None:
    ok = [_result(_host("fw1"))]
    assert status_line(ok, summarize(ok, 1.25)).startswith(
        "VPN OK - 1 devices, 0 of 0 tunnels up |"
    )
    bad = [_result(_host("fw1"), "unreachable"), _result(_host("fw2"), "error"), *ok]
    line = status_line(bad, summarize(bad, 2.0))
    assert line.startswith("VPN CRITICAL - 1 of 3 devices critical, 1 unknown: ")
    assert "fw1 unreachable; fw2 not checked |" in line
    assert line.endswith("duration=2.000s") and "\n" not in line
