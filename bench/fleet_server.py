"""A MockFleet in its own process, for the fleet benchmark.

Why a separate process: the mock's asyncssh servers are pure-Python SSH (key exchange,
ciphers) on one event loop. In the benchmark's own process they would share the GIL with
the paramiko threads under test and the benchmark would mostly measure that contention. In
a child process the fleet gets its own interpreter (one of the two cores), like real
firewalls that do their own work.

Protocol: ``python -m bench.fleet_server COUNT DELAY_MS [TUNNELS]`` (TUNNELS: each device a
hub of that many rendered healthy tunnels instead of the `healthy` scenario) prints one JSON line
``{"ports": [...], "username": ..., "password": ..., "secret": ...}`` once every device
listens, then serves until stdin is closed (or ``MAX_LIFETIME`` seconds pass, so a crashed
parent cannot leave it running).
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/fleet_server.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_LIFETIME = 1800.0  # seconds; a bound, not an expected duration


def main(argv: list[str]) -> int:
    from bench.common import bench_scenario
    from mock_device import MockFleet

    count, delay_ms = int(argv[0]), int(argv[1])
    tunnels = int(argv[2]) if len(argv) > 2 else 0
    scenarios = [bench_scenario(tunnels) if tunnels else "healthy"] * count
    fleet = MockFleet(scenarios, hostname_template="fw{index:03d}", delay_ms=delay_ms)
    with fleet:
        first = fleet[0]
        print(
            json.dumps(
                {
                    "ports": [device.port for device in fleet],
                    "username": first.username,
                    "password": first.password,
                    "secret": first.secret,
                    "peer": "203.0.113.9",
                }
            ),
            flush=True,
        )
        stdin_closed = threading.Event()

        def wait_stdin() -> None:
            sys.stdin.read()
            stdin_closed.set()

        threading.Thread(target=wait_stdin, daemon=True).start()
        stdin_closed.wait(MAX_LIFETIME)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
