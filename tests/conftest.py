"""Shared test set-up: the two tiers, and the mock ASA fixture.

Tiers: a test that opens a network socket (starts the mock ASA, logs in over SSH) is an
end-to-end test and must be marked ``@pytest.mark.e2e``; ``python -m pytest -m "not e2e"``
is then the fast tier, with no sockets at all. The marker cannot be forgotten: for every
unmarked test, binding or connecting an AF_INET/AF_INET6 socket raises and fails the test
with the reason (``_no_network_unless_e2e``). This covers the test's own process (threads
included, which is where the mock runs); a test that starts `vpn-doctor mock` or `demo` as a
subprocess must be marked by hand.

``mock_asa`` (a factory that starts mock ASAs and always stops them) comes from the pytest
plugin the package installs: mock_device/pytest_plugin.py (entry point ``pytest11``).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

pytest_plugins = ("pytester",)  # tests/test_pytest_plugin.py tests the mock_asa plugin

_NETWORK_FAMILIES = (socket.AF_INET, socket.AF_INET6)


@pytest.fixture(autouse=True)
def _no_network_unless_e2e(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if request.node.get_closest_marker("e2e") is not None:
        yield
        return
    attempts: list[str] = []

    def guard(real: Callable[..., Any], verb: str) -> Callable[..., Any]:
        def checked(sock: socket.socket, address: Any, *args: Any) -> Any:
            if sock.family in _NETWORK_FAMILIES:
                attempts.append(f"{verb} {address!r}")
                raise OSError(
                    f"test {request.node.nodeid} is not marked e2e but tried to {verb} a "
                    f"network socket ({address!r}): mark it @pytest.mark.e2e"
                )
            return real(sock, address, *args)

        return checked

    for name in ("bind", "connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, guard(getattr(socket.socket, name), name))
    yield
    if attempts:
        pytest.fail(
            f"not marked e2e but opened network sockets ({', '.join(attempts)}): "
            "mark it @pytest.mark.e2e (tests/conftest.py)",
            pytrace=False,
        )
