"""asyncssh glue: password auth, pty+shell, and one ShellSession per SSH channel.

Why hand-rolled echo (line_editor=False): netmiko waits for the echo of every command
(NETMIKO-ASA.md §2), and debug lines written by another task must never land inside an
echo. Owning the echo lets us write "echo + CRLF" in one write and hold debug lines back
while a line is half typed. Everything is bound to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

from mock_device.audit import AuditEntry
from mock_device.cli_emulation import CliSession
from mock_device.sshlib import asyncssh

if TYPE_CHECKING:
    from mock_device.device import AsaDevice

LISTEN_HOST = "127.0.0.1"
SERVER_VERSION = "Cisco-1.25"  # what a real ASA announces: SSH-2.0-Cisco-1.25
_BACKSPACE = ("\x7f", "\x08")


class _AuthServer(asyncssh.SSHServer):
    """Password auth against the device credentials; a wrong password fails at SSH level.

    Public-key auth too, for the scenario's user, when the scenario lists ``ssh:
    authorized_keys`` (an ASA with ``username U attributes / ssh authentication publickey``).
    """

    def __init__(self, device: AsaDevice) -> None:
        self._device = device

    def public_key_auth_supported(self) -> bool:
        return bool(self._device.scenario.ssh.authorized_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if username != self._device.credentials.username:
            return False
        offered = key.export_public_key("openssh").decode().split()[:2]
        allowed = self._device.scenario.ssh.authorized_keys
        return any(line.split()[:2] == offered for line in allowed)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        creds = self._device.credentials
        return username == creds.username and password == creds.password


class ShellSession:
    """One interactive shell: bytes in -> lines -> CliSession -> bytes out."""

    def __init__(self, device: AsaDevice, process: asyncssh.SSHServerProcess[str], ident: int):
        self.device = device
        self.process = process
        self.ident = ident
        self.cli = CliSession(device.context)
        self.closed = False
        self.debug_lines_sent = 0
        self._buffer: list[str] = []
        self._after_cr = False
        self._deferred: list[str] = []
        self._at_prompt = False  # the cursor sits right after a prompt

    # ---------------------------------------------------------------- output

    def _write(self, text: str) -> None:
        if self.closed or not text:
            return
        self._at_prompt = False
        try:
            self.process.stdout.write(text)
        except (BrokenPipeError, ConnectionError, asyncssh.Error, OSError):
            self.closed = True

    def deliver_debug(self, line: str) -> None:
        """Called by the device's debug pump: a whole CRLF-terminated line, one write."""
        if self.closed:
            return
        if self._buffer:  # a line is half typed: never break into its echo
            self._deferred.append(line)
            return
        self._send_debug(line)

    def _send_debug(self, line: str) -> None:
        # Start on a fresh line when the cursor is after a prompt, so the prompt stays
        # alone on its line and an anchored prompt regex (NETMIKO-ASA §2) still finds it.
        prefix = "\r\n" if self._at_prompt else ""
        self._write(prefix + line + "\r\n")
        self.debug_lines_sent += 1
        spec = self.device.scenario.debug
        if spec and spec.drop_after_lines and self.debug_lines_sent >= spec.drop_after_lines:
            self.abort()

    def _flush_deferred(self) -> None:
        pending, self._deferred = self._deferred, []
        for line in pending:
            self._send_debug(line)

    # ---------------------------------------------------------------- lifecycle

    def abort(self) -> None:
        """Drop the whole SSH connection abruptly (session-loss tests)."""
        self.closed = True
        with contextlib.suppress(Exception):
            self.process.channel.get_connection().abort()

    def _close(self) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            self.process.exit(0)

    async def run(self) -> None:
        self._write(self.cli.banner().replace("\n", "\r\n"))
        self._at_prompt = True
        try:
            while not self.closed:
                try:
                    data = await self.process.stdin.read(4096)
                except (
                    asyncssh.TerminalSizeChanged,
                    asyncssh.BreakReceived,
                    asyncssh.SignalReceived,
                ):
                    continue
                if not data:
                    break
                await self._feed(data)
        except (asyncssh.Error, ConnectionError, BrokenPipeError, OSError):
            pass  # abrupt close by the client: normal at netmiko's disconnect()
        finally:
            self._close()

    # ---------------------------------------------------------------- input

    async def _feed(self, data: str) -> None:
        echo: list[str] = []
        for ch in data:
            if ch == "\x00":  # netmiko's is_alive() probe
                continue
            if ch == "\n" and self._after_cr:  # CRLF is one Enter
                self._after_cr = False
                continue
            self._after_cr = ch == "\r"
            if ch in "\r\n":
                # The echo goes out together with the reply (fewer writes, and nothing can
                # land between them); held-back debug lines force it out first.
                echoed = "".join(echo) + "\r\n"
                echo = []
                line = "".join(self._buffer)
                self._buffer = []
                if self._deferred:
                    self._write(echoed)
                    echoed = ""
                    self._flush_deferred()
                await self._handle(line, echoed)
                if self.closed:
                    return
                continue
            if ch in _BACKSPACE:
                if self._buffer:
                    self._buffer.pop()
                    if self.cli.echo:
                        echo.append("\b \b")
                continue
            if ch == "\x15":  # Ctrl-U: kill the line
                self._buffer = []
                continue
            if ch < " " and ch != "\t":
                continue
            self._buffer.append(ch)
            if self.cli.echo:
                echo.append(ch)
        if echo:
            self._write("".join(echo))

    async def _handle(self, line: str, echoed: str) -> None:
        reply = self.cli.feed_line(line)
        self.device.audit.record(
            AuditEntry(
                self.ident,
                reply.audit_text,
                reply.privileged,
                reply.accepted,
                time.time(),
                reply.kind,
                reply.config_change,
            )
        )
        if reply.debug_changed:
            self.device.on_debug_changed()
        if reply.show and self.device.delay_ms > 0:
            self._write(echoed)
            echoed = ""
            await asyncio.sleep(self.device.delay_ms / 1000)
        output = reply.output.replace("\n", "\r\n")
        if output and not output.endswith("\r\n"):
            output += "\r\n"
        self._write(echoed + output + reply.prompt)
        self._at_prompt = bool(reply.prompt)
        if reply.close:
            self._close()


async def start_server(
    device: AsaDevice, port: int, host_key: asyncssh.SSHKey
) -> asyncssh.SSHAcceptor:
    """Listen on 127.0.0.1:port (0 = any free port) for this device."""

    async def shell(process: asyncssh.SSHServerProcess[str]) -> None:
        session = device.open_session(process)
        try:
            await session.run()
        finally:
            device.close_session(session)

    ssh = device.scenario.ssh
    algorithms: dict[str, list[str]] = {
        option: list(value)
        for option, value in (
            ("kex_algs", ssh.kex_algs),
            ("encryption_algs", ssh.encryption_algs),
            ("mac_algs", ssh.mac_algs),
        )
        if value
    }
    keypair = asyncssh.load_keypairs([host_key])[0]
    if ssh.server_host_key_algs:
        # asyncssh's server has no host-key-algorithm option: it offers every signature
        # algorithm of its key (rsa-sha2-* and ssh-rsa for RSA). Narrow the key pair instead.
        wanted = [alg.encode() for alg in ssh.server_host_key_algs]
        keypair.host_key_algorithms = [a for a in keypair.host_key_algorithms if a in wanted]
    return await asyncssh.create_server(
        lambda: _AuthServer(device),
        LISTEN_HOST,
        port,
        server_host_keys=[keypair],
        **algorithms,
        process_factory=shell,
        line_editor=False,
        encoding="utf-8",
        errors="replace",
        server_version=SERVER_VERSION,
        allow_scp=False,
        agent_forwarding=False,
        x11_forwarding=False,
    )
