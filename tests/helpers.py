"""Helpers shared by several test files (pytest puts tests/ on sys.path: ``import helpers``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mock_device import MockAsa, Scenario, load_scenario
from mock_device.cli_emulation import DeviceContext
from mock_device.outputs import OutputBook
from vpn_doctor.cli.diagnose import DIAGNOSE_COMMANDS
from vpn_doctor.collect.driver import ConnectionSettings
from vpn_doctor.models import DeviceInfo, Snapshot

#: The type of the ``mock_asa`` fixture (mock_device/pytest_plugin.py):
#: ``mock_asa("healthy", **overrides) -> MockAsa``.
MockFactory = Callable[..., MockAsa]

_LIFETIME_LEFT = re.compile(r"(remaining key lifetime \(kB/sec\): \(\d+)/\d+\)")


def settings_for(mock: MockAsa, **overrides: Any) -> ConnectionSettings:
    """Settings that log in to ``mock``; ``overrides`` replace any field (timeouts, port...)."""
    values: dict[str, Any] = {
        "host": mock.host,
        "port": mock.port,
        "username": mock.username,
        "password": mock.password,
        "secret": mock.secret,
    }
    values.update(overrides)
    return ConnectionSettings(**values)


def login_args(mock: MockAsa, password_env: str, secret_env: str) -> list[str]:
    """``HOST --port P --username U --password-env X --secret-env Y`` for a CLI run on ``mock``."""
    return [
        mock.host,
        "--port",
        str(mock.port),
        "--username",
        mock.username,
        "--password-env",
        password_env,
        "--secret-env",
        secret_env,
    ]


def with_sa_seconds_left(scenario: str | Scenario, seconds: int) -> Scenario:
    """The scenario with every IPsec SA showing ``seconds`` of lifetime left (no rekey SPI)."""
    base = load_scenario(scenario)
    text = OutputBook(base).lookup("show crypto ipsec sa") or ""
    text, count = _LIFETIME_LEFT.subn(rf"\1/{seconds})", text)
    assert count, f"{base.name}: no 'remaining key lifetime' line to rewrite"
    return base.replace(commands={**base.commands, "show crypto ipsec sa": text})


def scenario_snapshot(scenario: Scenario) -> Snapshot:
    """What a live diagnosis would collect from this scenario's mock, as a Snapshot (in the
    context its `expect:` names, for a multi-context scenario)."""
    context = scenario.expect.get("context")
    if context:
        scenario = scenario.contexts[context]
    book = OutputBook(scenario)
    outputs: dict[str, str] = {}
    for command in (*DIAGNOSE_COMMANDS, *scenario.commands):
        text = book.lookup(command)
        if text is not None:
            outputs[command] = text
    if scenario.logging_buffer:
        outputs["show logging"] = "\n".join(scenario.logging_buffer)
    # what `show debug` prints at login (debug left on by an earlier session, or nothing)
    outputs["show debug"] = DeviceContext.for_scenario(scenario).debug.show_debug()
    return Snapshot(
        outputs=outputs,
        debug_lines=scenario.debug.lines if scenario.debug else (),
        device=DeviceInfo(hostname=scenario.hostname, version=scenario.version),
        source=f"scenario:{scenario.name}",
    )
