"""A mock Cisco ASA over real SSH, for testing vpn-doctor offline (see README.md).

from mock_device import MockAsa
with MockAsa("healthy", port=0) as mock:
    ConnectHandler(**mock.connection_kwargs())

The names below are imported on first use (PEP 562 ``__getattr__``), so importing the
package, or its pytest plugin (``mock_device.pytest_plugin``, loaded by every pytest run in an
environment with vpn-doctor installed), does not load asyncssh until a mock is needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for mypy and editors (the names are exported: they are in __all__)
    from mock_device.audit import PASSWORD_MASK, AuditEntry
    from mock_device.debug_state import DebugState
    from mock_device.runner import MockAsa, MockFleet, unreachable_port
    from mock_device.scenario import (
        Credentials,
        DebugSpec,
        Scenario,
        SshSpec,
        load_scenario,
        scenario_names,
        shipped_scenarios,
    )

# name -> the module that defines it (the lazy import table)
_EXPORTS: dict[str, str] = {
    "PASSWORD_MASK": "mock_device.audit",
    "AuditEntry": "mock_device.audit",
    "DebugState": "mock_device.debug_state",
    "MockAsa": "mock_device.runner",
    "MockFleet": "mock_device.runner",
    "unreachable_port": "mock_device.runner",
    "Credentials": "mock_device.scenario",
    "DebugSpec": "mock_device.scenario",
    "SshSpec": "mock_device.scenario",
    "Scenario": "mock_device.scenario",
    "load_scenario": "mock_device.scenario",
    "scenario_names": "mock_device.scenario",
    "shipped_scenarios": "mock_device.scenario",
}

__all__ = [
    "PASSWORD_MASK",
    "AuditEntry",
    "Credentials",
    "DebugSpec",
    "DebugState",
    "MockAsa",
    "MockFleet",
    "Scenario",
    "SshSpec",
    "load_scenario",
    "scenario_names",
    "shipped_scenarios",
    "unreachable_port",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and cache the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mock_device' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
