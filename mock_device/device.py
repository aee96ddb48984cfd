"""One mock ASA on an event loop: its sessions, audit log, delay and debug stream.

Why separate from the thread wrapper (runner.py): a fleet of 200 devices shares one event
loop, so the device itself must be loop-agnostic async code; MockAsa/MockFleet only decide
which loop it runs on. All methods here run on that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from mock_device.audit import AuditLog
from mock_device.cli_emulation import DeviceContext
from mock_device.scenario import Credentials, Scenario
from mock_device.server import ShellSession, start_server
from mock_device.sshlib import asyncssh

LOGGING_BUFFER_LINES = 10_000  # a real ASA's buffer is bounded too (4096 bytes default+)


class AsaDevice:
    """Device-wide state shared by every session: debug state survives reconnects."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        delay_ms: int | None = None,
        audit_path: str | Path | None = None,
    ) -> None:
        self.scenario = scenario
        self.context = DeviceContext.for_scenario(scenario)
        self.audit = AuditLog(audit_path)
        self.delay_ms = scenario.delay_ms if delay_ms is None else delay_ms
        self.sessions: list[ShellSession] = []
        self.port = 0
        self._next_session = 1
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def credentials(self) -> Credentials:
        return self.scenario.credentials

    async def start(self, port: int = 0, host_key: asyncssh.SSHKey | None = None) -> int:
        """Start listening; returns the bound port once the server accepts connections."""
        if host_key is not None:
            key = host_key
        elif set(self.scenario.ssh.server_host_key_algs) <= {"ssh-rsa", "rsa-sha2-256"} and (
            self.scenario.ssh.server_host_key_algs
        ):  # an old ASA: an RSA host key, signed with SHA-1 (ssh-rsa)
            key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
        else:
            key = asyncssh.generate_private_key("ssh-ed25519")
        self._acceptor = await start_server(self, port, key)
        self.port = int(self._acceptor.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        if self._acceptor is not None:
            self._acceptor.close()
            with contextlib.suppress(Exception):
                await self._acceptor.wait_closed()
            self._acceptor = None
        self.drop_sessions()
        self.audit.close()

    # ---------------------------------------------------------------- sessions

    def open_session(self, process: asyncssh.SSHServerProcess[str]) -> ShellSession:
        session = ShellSession(self, process, self._next_session)
        self._next_session += 1
        self.sessions.append(session)
        return session

    def close_session(self, session: ShellSession) -> None:
        if session in self.sessions:
            self.sessions.remove(session)

    def drop_sessions(self) -> int:
        """Abort every open SSH connection; returns how many were dropped."""
        dropped = list(self.sessions)
        for session in dropped:
            session.abort()
        return len(dropped)

    # ---------------------------------------------------------------- debug stream

    def _stream_wanted(self) -> bool:
        spec = self.scenario.debug
        return spec is not None and self.context.debug.streams_for(spec.peer)

    def on_debug_changed(self) -> None:
        """Start or stop the debug pump. Runs synchronously before the reply's prompt is
        written, which is what guarantees no debug line follows the prompt of `undebug all`."""
        if self._stream_wanted():
            if self._pump is None or self._pump.done():
                self._pump = asyncio.get_running_loop().create_task(self._run_pump())
        elif self._pump is not None:
            self._pump.cancel()
            self._pump = None

    async def _run_pump(self) -> None:
        spec = self.scenario.debug
        if spec is None:
            return
        interval = spec.interval_ms / 1000
        index = 0
        while True:
            await asyncio.sleep(interval)
            if not self._stream_wanted():
                return
            if index >= len(spec.lines) and not spec.repeat:
                return
            line = spec.lines[index % len(spec.lines)]
            index += 1
            targets = [s for s in self.sessions if s.cli.monitor and not s.closed]
            for session in targets:
                session.deliver_debug(line)
            if not targets:  # nobody watching: it goes to the logging buffer
                buffer = self.context.logging
                buffer.append(line)
                if len(buffer) > LOGGING_BUFFER_LINES:
                    del buffer[: len(buffer) - LOGGING_BUFFER_LINES]
