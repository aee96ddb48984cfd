"""Shared test set-up: the two tiers, the mock ASA fixture, a fresh state directory.

Tiers: a test that opens a network socket (starts the mock ASA, logs in over SSH) is an
end-to-end test and must be marked ``@pytest.mark.e2e``; ``python -m pytest -m "not e2e"``
is then the fast tier, with no sockets at all. The marker cannot be forgotten: for every
unmarked test, binding or connecting an AF_INET/AF_INET6 socket raises and fails the test
with the reason (``_no_network_unless_e2e``). This covers the test's own process (threads
included, which is where the mock runs); a test that starts `vpn-doctor mock` or `demo` as a
subprocess must be marked by hand.

``mock_asa`` (a factory that starts mock ASAs, returns once they listen, and always stops
them) comes from the pytest plugin the package installs: mock_device/pytest_plugin.py (entry
point ``pytest11``). This conftest adds vpn-doctor's own rule on top of it: no configuration
command may reach a mock (issue 13).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from helpers import MockFactory

if TYPE_CHECKING:
    from mock_device import MockAsa, Scenario

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


@pytest.fixture
def mock_asa(mock_asa: MockFactory) -> Iterator[MockFactory]:
    """The plugin's factory, ``mock_asa("healthy", delay_ms=50, hostname="fw9") -> MockAsa``,
    plus vpn-doctor's read-only rule.

    At teardown every mock's audit log must hold no configuration change (issue 13: the tool
    is read-only, netmiko's session preparation included). The check lives here so that no
    end-to-end test can forget it; only a test of the mock itself that types configuration
    commands on purpose passes ``config_changes_expected=True``.
    """
    checked: list[MockAsa] = []

    def factory(
        scenario: Scenario | str | Path = "healthy",
        *,
        config_changes_expected: bool = False,
        **overrides: Any,
    ) -> MockAsa:
        mock = mock_asa(scenario, **overrides)
        if not config_changes_expected:
            checked.append(mock)
        return mock

    yield factory
    changed = [
        f"session {e.session}: {e.command!r}" for mock in checked for e in mock.config_changes()
    ]
    assert not changed, f"configuration commands reached the mock ASA: {changed}"


@pytest.fixture(scope="session", autouse=True)
def _session_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`check` keeps per-device memory between runs: module-scoped fixtures (set up before
    any function fixture) get a fresh directory per session, never the user's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VPN_DOCTOR_STATE_DIR", str(tmp_path_factory.mktemp("session-state")))
        yield


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no memory of another test's `check` runs."""
    monkeypatch.setenv("VPN_DOCTOR_STATE_DIR", str(tmp_path_factory.mktemp("state")))
