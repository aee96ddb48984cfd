"""Login time with and without TCP_NODELAY on the direct socket (issue 19).

    .venv/bin/python bench/bench_login_nodelay.py [N]

Logs into the mock ASA (127.0.0.1) N times each way, interleaved (A B, then B A, ...), and
prints the median AsaSession.connect_seconds (SSH connect + enable + show curpriv +
show debug). ``tcp_nodelay=False`` is netmiko's own socket (paramiko leaves Nagle on).
"""

from __future__ import annotations

import statistics
import sys

from mock_device import MockAsa
from vpn_doctor.collect.driver import AsaSession, ConnectionSettings


def login_seconds(mock: MockAsa, nodelay: bool) -> float:
    settings = ConnectionSettings(
        host=mock.host,
        port=mock.port,
        username=mock.username,
        password=mock.password,
        secret=mock.secret,
        tcp_nodelay=nodelay,
    )
    with AsaSession(settings) as session:
        return session.connect_seconds or 0.0


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    times: dict[bool, list[float]] = {False: [], True: []}
    with MockAsa("healthy") as mock:
        for index in range(rounds):
            order = (False, True) if index % 2 == 0 else (True, False)
            for nodelay in order:
                times[nodelay].append(login_seconds(mock, nodelay))
    for nodelay, values in times.items():
        print(
            f"tcp_nodelay={nodelay!s:5} median {statistics.median(values) * 1000:6.1f} ms "
            f"min {min(values) * 1000:6.1f} ms max {max(values) * 1000:6.1f} ms (n={rounds})"
        )


if __name__ == "__main__":
    main()
