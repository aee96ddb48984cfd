"""Shared fixtures. `mock_asa` starts mock ASAs (real SSH on 127.0.0.1) and always stops them.

The factory returns only once the server is listening (MockAsa.start() waits for the
server's ready signal), so tests never sleep to "give it time".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_device import MockAsa, Scenario, load_scenario

from helpers import MockFactory

_MOCK_KWARGS = {"port", "delay_ms", "audit_path", "start_privileged"}
_SCENARIO_FIELDS = {f.name for f in dataclasses.fields(Scenario)}


@pytest.fixture
def mock_asa() -> Iterator[MockFactory]:
    """Factory: ``mock_asa("healthy", delay_ms=50, hostname="fw9") -> MockAsa`` (started).

    Keyword overrides go to MockAsa (port, delay_ms, audit_path, start_privileged) or, when
    they name a Scenario field (hostname, credentials, debug, ...), replace that field.

    At teardown every mock's audit log must hold no configuration change (issue 13: the tool
    is read-only, netmiko's session preparation included). The check lives here so that no
    end-to-end test can forget it; only a test of the mock itself that types configuration
    commands on purpose passes ``config_changes_expected=True``.
    """
    started: list[MockAsa] = []
    exempt: set[int] = set()

    def factory(
        scenario: Scenario | str | Path = "healthy",
        *,
        config_changes_expected: bool = False,
        **overrides: Any,
    ) -> MockAsa:
        unknown = set(overrides) - _MOCK_KWARGS - _SCENARIO_FIELDS
        if unknown:
            raise TypeError(f"mock_asa: unknown override(s) {sorted(unknown)}")
        loaded = load_scenario(scenario)
        changes = {k: v for k, v in overrides.items() if k in _SCENARIO_FIELDS - _MOCK_KWARGS}
        if changes:
            loaded = loaded.replace(**changes)
        kwargs = {k: v for k, v in overrides.items() if k in _MOCK_KWARGS}
        mock = MockAsa(loaded, **kwargs)
        mock.start()
        started.append(mock)
        if config_changes_expected:
            exempt.add(id(mock))
        return mock

    yield factory
    changed: list[str] = []
    for mock in started:
        mock.stop()
        if id(mock) not in exempt:
            changed += [f"session {e.session}: {e.command!r}" for e in mock.config_changes()]
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
