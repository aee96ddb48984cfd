"""How the SSH byte stream to an ASA is opened: direct TCP, a jump host, or ~/.ssh/config.

Why our own instead of netmiko's ``ssh_config_file``: netmiko turns a ``ProxyJump`` into
``ssh -W`` run as a subprocess, which needs an OpenSSH client on the box, asks for the
bastion's password on a terminal we do not own and hides its errors. Here the bastion is a
paramiko client in this process (keys, agent, the same host-key policy as the firewall) and
the firewall's SSH runs inside its ``direct-tcpip`` channel, which netmiko takes as ``sock``.

A direct connection is a socket we open ourselves with ``TCP_NODELAY`` set: paramiko's own
socket leaves Nagle on, which holds each small SSH packet of the login dialogue until the
previous one is acknowledged (about 88 ms per login, issue 19).

Only :mod:`vpn_doctor.collect.driver` imports this module (it is part of the SSH boundary).
"""

from __future__ import annotations

import contextlib
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko  # type: ignore[import-untyped]  # no stubs in the dev deps

from vpn_doctor.errors import AuthenticationFailed, DeviceUnreachable, InputError

# What paramiko 5 removed and older ASA images (8.x, early 9.x defaults) still offer. With
# paramiko 4 (our pin, see docs/ssh.md) they exist but stay disabled unless --legacy-ssh.
LEGACY_KEX = (
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1",
)
LEGACY_KEYS = ("ssh-rsa",)

_NO_COMMON = re.compile(r"no acceptable [\w -]+|Incompatible ssh (?:peer|server)[^\n]*")
_JUMP = re.compile(r"^(?:(?P<user>[^@\s]+)@)?(?P<host>\[[^\]]+\]|[^:@\s]+)(?::(?P<port>\d+))?$")


@dataclass(frozen=True)
class JumpHost:
    """``[USER@]HOST[:PORT]`` of a bastion; ``user`` None means the firewall's user name."""

    host: str
    port: int = 22
    user: str | None = None

    @classmethod
    def parse(cls, text: str) -> JumpHost:
        """Parse ``--jump-host`` / ``ProxyJump`` (one hop only), or raise InputError."""
        match = _JUMP.match(text.strip())
        port = int(match.group("port")) if match and match.group("port") else 22
        if match is None or not 0 < port < 65536:
            raise InputError(f"jump host {text!r}: expected [USER@]HOST[:PORT]")
        return cls(host=match.group("host").strip("[]"), port=port, user=match.group("user"))


@dataclass(frozen=True)
class Route:
    """Where the firewall's SSH really goes after ``--ssh-config`` has been applied."""

    host: str
    port: int
    username: str | None = None
    key_file: Path | None = None
    jump: JumpHost | None = None
    proxy_command: str | None = None


def legacy_available() -> bool:
    """True when the installed paramiko still implements the SHA-1 key exchanges."""
    kex_info: dict[str, Any] = paramiko.Transport._kex_info
    return all(name in kex_info for name in LEGACY_KEX[:2])


def disabled_algorithms(legacy_ssh: bool) -> dict[str, list[str]]:
    """paramiko's ``disabled_algorithms``: SHA-1 kex and ssh-rsa off unless ``legacy_ssh``.

    Off by default because they are weak (the reason paramiko 5 dropped them) and so that a
    device that needs them says so (see :func:`negotiation_failure`) instead of silently
    logging in with SHA-1.
    """
    if legacy_ssh:
        if not legacy_available():
            raise InputError(
                f"--legacy-ssh needs paramiko 4 (installed: {paramiko.__version__}, which has "
                "no SHA-1 key exchange); reinstall vpn-doctor so its pin paramiko<5 applies"
            )
        return {}
    return {"kex": list(LEGACY_KEX), "keys": list(LEGACY_KEYS), "pubkeys": list(LEGACY_KEYS)}


def negotiation_failure(
    exc: BaseException, *, host: str, legacy_ssh: bool
) -> DeviceUnreachable | None:
    """A "no common algorithm" failure as an error that says what to do, else None."""
    found = _NO_COMMON.search(str(exc))
    if found is None:
        return None
    text = found.group(0)
    if legacy_ssh:
        advice = "even with --legacy-ssh; check `ssh cipher` / `ssh key-exchange` on the device"
    else:
        advice = (
            "the device offers only old algorithms (SHA-1 key exchange, ssh-rsa host key, as "
            "ASA 8.x / early 9.x do): add --legacy-ssh"
        )
    return DeviceUnreachable(f"SSH algorithm negotiation failed ({text}); {advice}", host=host)


def resolve_route(host: str, port: int, ssh_config: Path | None) -> Route:
    """Apply ``Host`` blocks of ``ssh_config`` (HostName, Port, User, IdentityFile,
    ProxyJump, ProxyCommand) to the firewall's address; without a file, the address as is."""
    if ssh_config is None:
        return Route(host=host, port=port)
    path = ssh_config.expanduser()
    if not path.is_file():
        raise InputError(f"ssh config file not found: {ssh_config}", host=host)
    try:
        config = paramiko.SSHConfig.from_path(str(path))
        entry = config.lookup(host)
    except Exception as exc:  # paramiko raises several kinds for a malformed file
        raise InputError(f"cannot read ssh config {ssh_config}: {exc}", host=host) from exc
    jump = None
    if entry.get("proxyjump") and entry["proxyjump"].lower() != "none":
        hops = entry["proxyjump"].split(",")
        if len(hops) > 1:
            raise InputError("ProxyJump with more than one hop is not supported", host=host)
        jump = JumpHost.parse(hops[0])
    identity = entry.get("identityfile")
    return Route(
        host=entry.get("hostname", host),
        port=int(entry["port"]) if port == 22 and "port" in entry else port,
        username=entry.get("user"),
        key_file=Path(identity[0]).expanduser() if identity else None,
        jump=jump,
        proxy_command=entry.get("proxycommand"),
    )


def direct_socket(host: str, port: int, timeout: float) -> socket.socket:
    """A connected TCP socket with Nagle off (TCP_NODELAY), as OpenSSH's client does."""
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as exc:
        raise DeviceUnreachable("host name does not resolve (DNS failure)", host=host) from exc
    except OSError as exc:  # refused, unreachable, timed out: as netmiko's own wording
        raise DeviceUnreachable(
            f"cannot open an SSH connection (connection refused, filtered or timed out: {exc})",
            host=host,
        ) from exc
    with contextlib.suppress(OSError):  # not TCP after all (never on Linux/macOS): Nagle stays
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


@dataclass
class JumpTunnel:
    """An open bastion session and the ``direct-tcpip`` channel to the firewall."""

    client: paramiko.SSHClient
    channel: paramiko.Channel

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.channel.close()
        with contextlib.suppress(Exception):
            self.client.close()


def open_jump(
    jump: JumpHost,
    target: tuple[str, int],
    *,
    username: str,
    password: str,
    key_file: Path | None,
    allow_agent: bool,
    host_keys: Path | None,
    strict_host_key: bool,
    timeout: float,
    disabled: dict[str, list[str]],
) -> JumpTunnel:
    """Log into the bastion (key, agent, then the firewall's password) and forward to
    ``target``. Same host-key policy as for the firewall."""
    client = paramiko.SSHClient()
    if strict_host_key:
        if host_keys is None:
            client.load_system_host_keys()
        else:
            client.load_host_keys(str(host_keys))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
    else:
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    where = f"jump host {jump.host}:{jump.port}"
    try:
        client.connect(
            jump.host,
            port=jump.port,
            username=jump.user or username,
            password=password or None,
            key_filename=str(key_file) if key_file else None,
            allow_agent=allow_agent,
            look_for_keys=False,
            timeout=timeout,
            auth_timeout=max(timeout, 10.0),
            banner_timeout=max(timeout, 15.0),
            disabled_algorithms=disabled,
        )
        _set_nodelay(client)
        transport = client.get_transport()
        channel = transport.open_channel("direct-tcpip", target, ("127.0.0.1", 0), timeout=timeout)
    except paramiko.AuthenticationException as exc:
        client.close()
        raise AuthenticationFailed(f"{where} refused the login ({exc})", host=target[0]) from exc
    except paramiko.ChannelException as exc:
        client.close()
        raise DeviceUnreachable(
            f"{where} could not reach {target[0]}:{target[1]} ({exc.text})", host=target[0]
        ) from exc
    except (OSError, paramiko.SSHException, EOFError) as exc:
        client.close()
        raise DeviceUnreachable(f"cannot reach {where}: {exc}", host=target[0]) from exc
    return JumpTunnel(client=client, channel=channel)


def _set_nodelay(client: paramiko.SSHClient) -> None:
    sock: Any = getattr(client.get_transport(), "sock", None)
    with contextlib.suppress(Exception):  # no transport or no TCP socket: Nagle stays on
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
