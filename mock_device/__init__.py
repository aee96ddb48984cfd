"""A mock Cisco ASA over real SSH, for testing vpn-doctor offline (see README.md).

from mock_device import MockAsa
with MockAsa("healthy", port=0) as mock:
    ConnectHandler(**mock.connection_kwargs())
"""

from __future__ import annotations

import warnings

# asyncssh still imports cryptography's DSA classes, which warn at import time on recent
# cryptography releases. The mock offers no DSA key; the warning is noise on stderr for
# `vpn-doctor demo` and `vpn-doctor mock`, so it is silenced for this one import only.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r".*DSA is deprecated")
    import asyncssh  # noqa: F401

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
