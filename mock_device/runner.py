"""MockAsa / MockFleet: run mock devices on an event loop in a background thread.

Why a thread: the code under test (netmiko) is synchronous and blocks, so the SSH server
must run elsewhere. `with MockAsa(...)` returns only once the server is listening (the
start coroutine's result is the ready signal; no sleeps). A fleet puts many devices on
one loop and one thread, which is what lets a test serve 200 firewalls cheaply.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from mock_device.audit import AuditEntry
from mock_device.debug_state import DebugState
from mock_device.device import AsaDevice
from mock_device.scenario import Scenario, load_scenario
from mock_device.server import LISTEN_HOST
from mock_device.sshlib import asyncssh

T = TypeVar("T")
START_TIMEOUT = 30.0


class LoopThread:
    """An asyncio loop running forever in a daemon thread, with blocking call helpers."""

    def __init__(self, name: str = "mock-asa") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Awaitable[T], timeout: float | None = START_TIMEOUT) -> T:
        async def wrapper() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result(timeout)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the loop thread and return its result."""

        async def wrapper() -> T:
            return fn(*args)

        return self.run(wrapper())

    def stop(self) -> None:
        async def cancel_all() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self.loop.is_closed():
            return
        try:
            self.run(cancel_all(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self.loop.close()


class MockAsa:
    """A mock Cisco ASA reachable over SSH at 127.0.0.1:`port`.

    ``with MockAsa("healthy", port=0) as mock:`` then connect to ``mock.host``/``mock.port``
    with ``mock.username``/``mock.password`` and enable secret ``mock.secret``.
    ``delay_ms`` overrides the scenario's per-show-command delay (settable at runtime);
    ``audit_path`` mirrors the audit log to a JSON-lines file.
    """

    host = LISTEN_HOST

    def __init__(
        self,
        scenario: Scenario | str | Path = "healthy",
        *,
        port: int = 0,
        delay_ms: int | None = None,
        audit_path: str | Path | None = None,
        start_privileged: bool | None = None,
        _loop: LoopThread | None = None,
    ) -> None:
        loaded = load_scenario(scenario)
        if start_privileged is not None:
            loaded = loaded.replace(start_privileged=start_privileged)
        self.scenario = loaded
        self._device = AsaDevice(loaded, delay_ms=delay_ms, audit_path=audit_path)
        self._requested_port = port
        self._loop = _loop
        self._owns_loop = _loop is None
        self._running = False

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> MockAsa:
        if self._running:
            return self
        if self._loop is None:
            self._loop = LoopThread(f"mock-asa-{self.scenario.name}")
        try:
            self._loop.run(self._device.start(self._requested_port))
        except BaseException:
            if self._owns_loop:
                self._loop.stop()
                self._loop = None
            raise
        self._running = True
        return self

    def stop(self) -> None:
        if not self._running or self._loop is None:
            return
        self._running = False
        try:
            self._loop.run(self._device.stop(), timeout=10)
        finally:
            if self._owns_loop:
                self._loop.stop()
                self._loop = None

    def __enter__(self) -> MockAsa:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- connection facts

    @property
    def port(self) -> int:
        return self._device.port

    @property
    def username(self) -> str:
        return self.scenario.credentials.username

    @property
    def password(self) -> str:
        return self.scenario.credentials.password

    @property
    def secret(self) -> str:
        return self.scenario.credentials.enable

    @property
    def hostname(self) -> str:
        return self.scenario.hostname

    def connection_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for netmiko's ConnectHandler (device_type cisco_asa)."""
        return {
            "device_type": "cisco_asa",
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "secret": self.secret,
        }

    # ---------------------------------------------------------------- observation / control

    @property
    def audit(self) -> list[AuditEntry]:
        """Every line received so far, all sessions, in order (a copy)."""
        return self._device.audit.entries()

    def commands(self, session: int | None = None) -> list[str]:
        """Non-empty typed commands (no usernames/passwords), optionally for one session."""
        return [
            e.command
            for e in self.audit
            if e.kind == "command" and e.command and (session is None or e.session == session)
        ]

    def config_changes(self) -> list[AuditEntry]:
        """Audit entries a real ASA would log as configuration changes (must stay empty)."""
        return [e for e in self.audit if e.config_change]

    @property
    def debug_state(self) -> DebugState:
        """A snapshot of the device-wide debug state."""
        return self._call(self._device.context.debug.snapshot)

    @property
    def logging_lines(self) -> list[str]:
        return self._call(lambda: list(self._device.context.logging))

    @property
    def open_sessions(self) -> int:
        return self._call(lambda: len(self._device.sessions))

    @property
    def delay_ms(self) -> int:
        return self._device.delay_ms

    @delay_ms.setter
    def delay_ms(self, value: int) -> None:
        if value < 0:
            raise ValueError("delay_ms must be >= 0")
        self._device.delay_ms = value

    def drop_sessions(self) -> int:
        """Abort every open SSH connection (session loss); returns how many were dropped."""
        return self._call(self._device.drop_sessions)

    def reset_debug(self) -> None:
        """Turn every debug and condition off, as after a device reload (test isolation)."""

        def reset() -> None:
            state = self._device.context.debug
            state.undebug_all()
            state.clear_condition()
            self._device.on_debug_changed()

        self._call(reset)

    def _call(self, fn: Callable[[], T]) -> T:
        if self._loop is None or not self._running:
            return fn()
        return self._loop.call(fn)


class MockFleet:
    """Many mock ASAs, one port each, all on one event loop and thread.

    ``scenarios`` items are scenarios, names or paths; ``hostname_template`` (e.g.
    ``"fw{index:03d}"``) gives each device its own hostname; ``delay_ms`` applies to all
    (change one device with ``fleet[i].delay_ms = ...``). A device that should look
    unreachable is just a port nobody listens on: see ``unreachable_port()``.
    """

    def __init__(
        self,
        scenarios: Sequence[Scenario | str | Path],
        *,
        hostname_template: str | None = None,
        delay_ms: int | None = None,
        audit_dir: str | Path | None = None,
    ) -> None:
        self._loop: LoopThread | None = None
        self._delay_ms = delay_ms
        self._audit_dir = Path(audit_dir) if audit_dir is not None else None
        loaded: list[Scenario] = []
        for index, item in enumerate(scenarios):
            scenario = load_scenario(item)
            if hostname_template:
                scenario = scenario.replace(
                    hostname=hostname_template.format(index=index, name=scenario.name)
                )
            loaded.append(scenario)
        self._scenarios = loaded
        self.devices: list[MockAsa] = []

    def start(self) -> MockFleet:
        if self.devices:
            return self
        self._loop = LoopThread("mock-asa-fleet")
        key = asyncssh.generate_private_key("ssh-ed25519")
        if self._audit_dir is not None:
            self._audit_dir.mkdir(parents=True, exist_ok=True)
        for index, scenario in enumerate(self._scenarios):
            audit = (
                self._audit_dir / f"{index:03d}-{scenario.hostname}.jsonl"
                if self._audit_dir is not None
                else None
            )
            self.devices.append(
                MockAsa(scenario, delay_ms=self._delay_ms, audit_path=audit, _loop=self._loop)
            )

        async def start_all() -> None:
            await asyncio.gather(*(d._device.start(0, key) for d in self.devices))

        try:
            self._loop.run(start_all(), timeout=START_TIMEOUT + len(self.devices) * 0.1)
        except BaseException:
            self._loop.stop()
            raise
        for device in self.devices:
            device._running = True
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def stop_all() -> None:
            await asyncio.gather(*(d._device.stop() for d in self.devices), return_exceptions=True)

        try:
            self._loop.run(stop_all(), timeout=30)
        finally:
            for device in self.devices:
                device._running = False
            self._loop.stop()
            self._loop = None

    def __enter__(self) -> MockFleet:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __len__(self) -> int:
        return len(self._scenarios)

    def __getitem__(self, index: int) -> MockAsa:
        return self.devices[index]

    def __iter__(self) -> Iterator[MockAsa]:
        return iter(self.devices)


def unreachable_port() -> int:
    """A 127.0.0.1 port with nobody listening (connect gets 'connection refused').

    The port is found by binding and releasing it, so another process could in theory grab
    it before the test connects; good enough for a local test run.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LISTEN_HOST, 0))
        return int(sock.getsockname()[1])
