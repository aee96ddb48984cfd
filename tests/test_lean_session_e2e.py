"""The lean reads give exactly what netmiko's own ``send_command`` gives, over real SSH.

Both run on the same logged-in session against the mock, command after command: the lean
path (``_AsaConnection.send_command``, collect/lean_session.py) and netmiko's
``CiscoAsaSSH.send_command`` called on the same object (netmiko unmodified). Any difference
in echo stripping, prompt stripping, line endings or a reply left behind in the buffer shows
up as a mismatch here (and the second command of each pair would read the first's leftovers).
"""

from __future__ import annotations

from typing import Any

import pytest
from netmiko.cisco.cisco_asa_ssh import CiscoAsaSSH

from mock_device import load_scenario
from vpn_doctor.collect.driver import AsaSession

import helpers
from helpers import MockFactory

pytestmark = pytest.mark.e2e

COMMANDS = (
    "show crypto isakmp sa",
    "show crypto ipsec sa",
    "show vpn-sessiondb detail l2l",
    "show running-config crypto map",
    "show running-config names",  # often empty: the echo line, then the prompt
    "show version",
    "show failover",
    "show crypto isakmp bogus",  # rejected: `% Invalid input` and the caret line
    "show logging | include 203.0.113.9",
    "show route",
)


@pytest.mark.parametrize("scenario", ["healthy", "mm_wait_msg6", "triage_fleet", "ikev2_up"])
def test_lean_send_command_is_netmikos_byte_for_byte(mock_asa: MockFactory, scenario: str) -> None:
    mock = mock_asa(scenario)
    extra = tuple(load_scenario(scenario).commands or {})
    with AsaSession(helpers.settings_for(mock), read_debug_at_login=False) as session:
        conn: Any = session._conn
        expect = f"(?m){session.prompt_pattern}"
        compared = 0
        for command in dict.fromkeys(COMMANDS + extra):
            kwargs = {"expect_string": expect, "read_timeout": 10.0}
            lean = conn.send_command(command, **kwargs)
            netmiko = CiscoAsaSSH.send_command(conn, command, **kwargs)
            assert lean == netmiko, command
            compared += 1
    assert compared >= len(COMMANDS)
