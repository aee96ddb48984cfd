"""pytest plugin: a running mock Cisco ASA as a fixture, for this project and any other.

Installed with vpn-doctor (entry point ``pytest11: vpn_doctor_mock``), so any test suite in
an environment that has vpn-doctor gets the ``mock_asa`` fixture without a conftest::

    def test_my_script_reads_the_sa_table(mock_asa):
        asa = mock_asa("mm_wait_msg6")          # shipped scenario name, a YAML path or a Scenario
        run_my_script(asa.host, asa.port, asa.username, asa.password)
        assert "show crypto isakmp sa" in asa.commands()

The factory returns a started :class:`mock_device.MockAsa` (real SSH on 127.0.0.1, a free
port) once it is listening, so tests never sleep to "give it time"; every mock it started is
stopped when the test ends, pass or fail. Keyword overrides go to MockAsa (``port``,
``delay_ms``, ``audit_path``, ``start_privileged``) or, when they name a Scenario field
(``hostname``, ``credentials``, ``debug``, ...), replace that field of the scenario.

The mock is imported inside the fixture: loading the plugin (every pytest run in an
environment with vpn-doctor installed) costs nothing and never imports asyncssh.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mock_device import MockAsa, Scenario

MOCK_KWARGS = frozenset({"port", "delay_ms", "audit_path", "start_privileged"})


@pytest.fixture
def mock_asa() -> Iterator[Callable[..., MockAsa]]:
    """Factory: ``mock_asa("healthy", delay_ms=50, hostname="fw9") -> MockAsa`` (started)."""
    from mock_device import MockAsa, Scenario, load_scenario

    scenario_fields = {f.name for f in dataclasses.fields(Scenario)}
    started: list[MockAsa] = []

    def factory(scenario: Scenario | str | Path = "healthy", **overrides: Any) -> MockAsa:
        unknown = set(overrides) - MOCK_KWARGS - scenario_fields
        if unknown:
            raise TypeError(f"mock_asa: unknown override(s) {sorted(unknown)}")
        loaded = load_scenario(scenario)
        changes = {k: v for k, v in overrides.items() if k in scenario_fields - MOCK_KWARGS}
        if changes:
            loaded = loaded.replace(**changes)
        kwargs = {k: v for k, v in overrides.items() if k in MOCK_KWARGS}
        mock = MockAsa(loaded, **kwargs)
        mock.start()
        started.append(mock)
        return mock

    yield factory
    for mock in started:
        mock.stop()
