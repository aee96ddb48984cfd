"""A mock SSH jump host (bastion) on 127.0.0.1 for testing ``--jump-host`` / ``ProxyJump``.

It does what ``sshd`` with ``AllowTcpForwarding yes`` and ``PermitOpen 127.0.0.1:*`` does and
nothing else: password or public-key login, then ``direct-tcpip`` channels (what ``ssh -J``
and paramiko's ``open_channel("direct-tcpip", ...)`` ask for) to 127.0.0.1 only; no shell,
no exec. Every forward it opened or refused is recorded in :attr:`MockBastion.forwards`, so a
test can prove that the firewall's session really went through the bastion.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from mock_device.runner import LoopThread
from mock_device.server import LISTEN_HOST
from mock_device.sshlib import asyncssh


@dataclass(frozen=True)
class Forward:
    """One ``direct-tcpip`` request: who asked, for where, and whether it was allowed."""

    username: str
    host: str
    port: int
    allowed: bool


class _BastionServer(asyncssh.SSHServer):
    def __init__(self, bastion: MockBastion) -> None:
        self._bastion = bastion
        self._username = ""

    def begin_auth(self, username: str) -> bool:
        self._username = username
        return True

    def password_auth_supported(self) -> bool:
        return self._bastion.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._bastion.username and password == self._bastion.password

    def public_key_auth_supported(self) -> bool:
        return bool(self._bastion.authorized_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        offered = key.export_public_key("openssh").decode().split()[:2]
        return username == self._bastion.username and any(
            line.split()[:2] == offered for line in self._bastion.authorized_keys
        )

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        allowed = dest_host == LISTEN_HOST  # never anywhere but this machine
        self._bastion.forwards.append(Forward(self._username, dest_host, dest_port, allowed))
        return allowed


class MockBastion:
    """``with MockBastion(username="jump", password="pw") as b:`` then ``--jump-host
    jump@127.0.0.1:{b.port}``; ``b.forwards`` lists the forwards it was asked for."""

    host = LISTEN_HOST

    def __init__(
        self,
        *,
        username: str = "jump",
        password: str | None = "jump123",
        authorized_keys: tuple[str, ...] = (),
    ) -> None:
        self.username = username
        self.password = password
        self.authorized_keys = authorized_keys
        self.forwards: list[Forward] = []
        self.port = 0
        self._loop: LoopThread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None

    def start(self) -> MockBastion:
        if self._loop is not None:
            return self
        self._loop = LoopThread("mock-bastion")

        async def listen() -> asyncssh.SSHAcceptor:
            return await asyncssh.create_server(
                lambda: _BastionServer(self),
                LISTEN_HOST,
                0,
                server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")],
                allow_scp=False,
                agent_forwarding=False,
                x11_forwarding=False,
            )

        self._acceptor = self._loop.run(listen())
        self.port = int(self._acceptor.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return
        acceptor, self._acceptor = self._acceptor, None

        async def shut() -> None:  # on the loop's own thread: asyncio is not thread-safe
            if acceptor is not None:
                acceptor.close()
                await acceptor.wait_closed()

        try:
            loop.run(shut(), timeout=10)
        finally:
            loop.stop()

    def __enter__(self) -> MockBastion:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
