"""The SSH session to an ASA: the only module that imports netmiko (or paramiko).

Why a wrapper at all: netmiko's exceptions share no base class, a wrong enable secret shows
up as a 20-second ``ReadTimeout``, and nothing stops a caller from sending ``clear crypto``.
:class:`AsaSession` fixes the three at this boundary:

* every command goes through :func:`vpn_doctor.collect.allowlist.check_allowed` before it is
written;
* every netmiko / paramiko / socket exception is translated into the
  :mod:`vpn_doctor.errors` tree (see :func:`translate`), with host and command attached;
* a refused enable secret is recognised from the ASA's own ``Invalid password`` reply in
  well under a second, instead of waiting for netmiko's prompt timeout twice.

Show commands use ``send_command`` with an anchored prompt regex as ``expect_string``, which
skips netmiko's per-command ``find_prompt`` (about 50 ms and a source of misreads when debug
output is flowing). Debug streaming uses the raw helpers :meth:`AsaSession.write_raw`,
:meth:`AsaSession.read_available` and :meth:`AsaSession.run_raw_until_prompt`, which keep
every byte the device printed (see shared/NETMIKO-ASA.md section 2, "What works").

Passwords are never logged: :class:`ConnectionSettings` hides them from ``repr`` and no
exception message here includes them.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import paramiko  # type: ignore[import-untyped]  # no stubs in the dev deps
from netmiko.cisco.cisco_asa_ssh import CiscoAsaSSH
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
    WriteException,
)

from vpn_doctor.asa.commands import (
    FTD_DIAGNOSTIC_CLI,
    SHOW_DEBUG,
    SHOW_FAILOVER,
    changeto_context,
)
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.collect.collector import is_rejection
from vpn_doctor.collect.guard import SendPolicy
from vpn_doctor.collect.lean_session import LeanAsaChannel, ending_prompt
from vpn_doctor.collect.transport import (
    JumpHost,
    JumpTunnel,
    direct_socket,
    disabled_algorithms,
    negotiation_failure,
    open_jump,
    resolve_route,
)
from vpn_doctor.errors import (
    AuthenticationFailed,
    CommandRejected,
    DeviceError,
    DeviceTimeout,
    DeviceUnreachable,
    InputError,
    NotPrivileged,
    SessionLost,
    VpnDoctorError,
)

# paramiko's transport thread logs "Socket exception: Bad file descriptor (9)" at ERROR when
# the session is closed while it is still reading (a race inside paramiko's own close, about
# one session in 30 here). With no logging configured, Python prints that line on the
# engineer's terminal after an otherwise clean run. Every SSH failure that matters reaches
# the caller through translate(); an application that configures logging still gets the
# records (a NullHandler only stops Python's last-resort printing).
logging.getLogger("paramiko.transport").addHandler(logging.NullHandler())


@dataclass(frozen=True, kw_only=True)
class ConnectionSettings:
    """How to reach and log into one ASA. Secrets are excluded from ``repr``.

    ``secret=None`` makes netmiko use the ASA ``login`` command (the SSH username and password
    again) to reach privileged mode, which suits boxes with ``aaa authentication enable``.
    ``strict_host_key`` refuses a host whose key is not in ``known_hosts`` (or in
    ``~/.ssh/known_hosts`` when ``known_hosts`` is None); without it the key is accepted
    unchecked, which is only acceptable on a trusted management network.
    """

    host: str
    port: int = 22
    username: str
    password: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)
    conn_timeout: float = 10.0
    read_timeout: float = 30.0
    enable_timeout: float = 10.0
    strict_host_key: bool = False
    known_hosts: Path | None = None
    # How the SSH connection is made (collect/transport.py, docs/ssh.md). A key or the agent
    # is tried before the password; ``password`` may then be "" (the enable secret is still
    # needed, or ``login`` falls back to the password).
    ssh_key: Path | None = None
    allow_agent: bool = False
    jump_host: str | None = None  # [USER@]HOST[:PORT]
    ssh_config: Path | None = None  # ProxyJump / ProxyCommand / HostName / User / IdentityFile
    legacy_ssh: bool = False  # permit SHA-1 kex and ssh-rsa host keys (old ASA images)
    tcp_nodelay: bool = True  # our own socket with Nagle off for a direct connection
    # Multi-context: log into the system/admin context, then `changeto context NAME`.
    context: str | None = None
    # "ftd": land at FTD's `>` and reach the LINA CLI with `system support diagnostic-cli`.
    device_type: str = "asa"


class _EnableRefused(Exception):
    """Raised inside netmiko's session preparation when the ASA rejects the enable secret."""

    def __init__(self, reply: str) -> None:
        super().__init__("enable password refused")
        self.reply = reply


# The whole prompt (up to # or >), another password prompt, or a refusal. netmiko stops
# reading at "ssword", so the ": " of "Password: " may still be in the buffer.
_ENABLE_REPLY = r"(?:{prompt}[^\n]*[#>]|ssword|denied)"
_REFUSED_WORDS = re.compile(r"invalid password|access denied|password:", re.IGNORECASE)


class _AsaConnection(LeanAsaChannel, CiscoAsaSSH):
    """netmiko's own ``cisco_asa`` driver with the fixes that matter for a diagnostic tool.

    0. No configuration mode, ever. netmiko's ASA ``session_preparation`` enters
       ``configure terminal``, sets ``terminal width 511`` and leaves with ``end``: on a real
       ASA that is a configuration change (``%ASA-5-111008`` / change-audit alarms on every
       scheduled check). ``terminal width`` exists only in configuration mode on the ASA, so
       we live with the default width (the SSH pty already asks for 511 columns). netmiko's
       own switch for this, ``allow_auto_change=False``, also turns off the echo check of
       every later command (``global_cmd_verify = False``), which we rely on to stay in step;
       hence our own :meth:`session_preparation` (exec mode only: prompt, enable if needed,
       ``terminal pager 0``); the privilege check itself is ``AsaSession``'s one
       ``show curpriv``.
    1. After sending the enable secret, netmiko waits for the prompt; a wrong secret gets
       ``Invalid password`` + ``Password:`` instead, so it times out (10 s), then times out
       again in ``disconnect()`` (10 s more) while typing Enter into the password prompt. We
       read until *either* the prompt or the password prompt and fail at once.
    2. If session preparation fails, the SSH transport is closed even when netmiko's own
       cleanup is skipped, so no paramiko thread is left behind.
    3. netmiko never notices that the device closed the channel: every read just returns ""
       until the read timeout (10 s for the echo alone). An empty read on a channel that
       has seen EOF raises ``ReadException`` at once (translated to SessionLost), after one
       more read drains whatever arrived together with the close.
    """

    def __init__(
        self, *args: Any, enable_timeout: float = 10.0, ftd: bool = False, **kwargs: Any
    ) -> None:
        self.enable_timeout = enable_timeout  # set first: netmiko connects inside __init__
        # The prompt that ended session preparation (``fw1#``): the privilege check, free.
        # None (a preparation that did not read one, test doubles): AsaSession asks.
        self.session_prompt: str | None = None
        self.ftd = ftd
        kwargs["allow_auto_change"] = False  # belt and braces: no netmiko terminal changes
        super().__init__(*args, **kwargs)

    def session_preparation(self) -> None:
        """Exec mode only: the prompt the ASA printed, ``enable`` if at ``>``, pager off.

        Replaces netmiko's ASA version, which also enters configuration mode (see the class
        docstring) and searches the prompt four times with fixed sleeps; this one reads the
        login prompt once and sends at most ``enable`` and ``terminal pager 0``
        (:mod:`vpn_doctor.collect.lean_session`). FTD first lands at its own ``>`` CLI:
        :meth:`_enter_lina` reaches the ASA (LINA) one.
        """
        if self.ftd:
            self._enter_lina()
            return
        prompt = self.read_login_prompt(max(self.conn_timeout, 10.0))
        # `fw1(config)#` cannot greet a new session, but netmiko's ASA driver strips it too.
        self.base_prompt = re.sub(r"\(conf.*$", "", prompt[:-1])
        if prompt.endswith(">"):
            if self.secret:
                self._enable_with_secret()
            else:
                self.asa_login()
        self._pager_off()

    def _pager_off(self) -> None:
        """``terminal pager 0``; the prompt after it is the session's privilege check."""
        reply = self.exec_command(check_allowed("terminal pager 0"), self.enable_timeout)
        self.session_prompt = ending_prompt(reply)

    def _enable_with_secret(self) -> None:
        """``enable``, then the secret; a refusal raises at once (see
        :meth:`enable_secret_handler`)."""
        self.write_channel("enable" + self.RETURN)
        output = self.read_until_pattern(pattern=r"(ssword)", read_timeout=self.enable_timeout)
        self.enable_secret_handler("ssword", output)

    def _enter_lina(self) -> None:
        """FTD: ``system support diagnostic-cli`` (the only way in, allow-listed in exactly
        that form), then ``enable`` with the enable secret or, FTD's default, an empty one.

        netmiko's ``cisco_ftd`` driver stops at the ``>`` CLI (no LINA show commands), so
        this is ours: the diagnostic CLI prints ``hostname>`` and behaves as an ASA.
        """
        self.write_channel(self.RETURN)
        self.read_until_pattern(pattern=r"(>\s*$)", read_timeout=self.enable_timeout)
        self.write_channel(check_allowed(FTD_DIAGNOSTIC_CLI) + self.RETURN)
        greeting = self.read_until_pattern(pattern=r"(^\S+[>#] ?$)", re_flags=re.M, read_timeout=30)
        prompt = ending_prompt(greeting)  # `fw1>`: the LINA prompt
        self.base_prompt = prompt[:-1]
        if prompt.endswith(">"):
            self._enable_with_secret()
        self._pager_off()

    def enable_secret_handler(
        self, pattern: str, output: str, re_flags: int = re.IGNORECASE
    ) -> str:
        if not re.search(pattern, output, flags=re_flags):
            return ""
        self.write_channel(self.normalize_cmd(self.secret))
        reply: str = self.read_until_pattern(
            pattern=_ENABLE_REPLY.format(prompt=re.escape(self.base_prompt)),
            re_flags=re.IGNORECASE,
            read_timeout=self.enable_timeout,
        )
        if _REFUSED_WORDS.search(reply) or not re.search(
            rf"{re.escape(self.base_prompt)}\S*#", reply
        ):
            # Close the transport first, so netmiko's disconnect() (called by its
            # _try_session_preparation on any exception) fails fast instead of waiting 10 s.
            self.paramiko_cleanup()
            raise _EnableRefused(reply)
        return reply

    def read_channel(self) -> str:
        data: str = super().read_channel()
        if not data and self._channel_closed():
            # Drain before declaring the session lost: paramiko's transport thread may have
            # queued the device's last bytes *and* the close between our empty read and the
            # check above (it files data before EOF/close, so once closed is seen, all data
            # is already buffered). Without this second read that last debug line was lost
            # in about 1 capture in 300 (issue 13).
            data = super().read_channel()
            if not data:
                raise ReadException("Channel stream closed by remote device.")
        return data

    def _channel_closed(self) -> bool:
        channel = getattr(self, "remote_conn", None)
        if channel is None:
            return True
        return bool(getattr(channel, "closed", False) or getattr(channel, "eof_received", False))

    def _open(self) -> None:
        try:
            super()._open()
        except BaseException:
            with contextlib.suppress(Exception):  # already closed, or never opened
                self.paramiko_cleanup()
            raise


# One SSH session per device at a time (an ASA allows 5 per context, shared with the
# engineers): a process-wide lock per (host, port). Re-entrant, so the same thread may open
# a second session to undo a debug after its first one died; other threads (concurrent
# exporter probes, an inventory listing one box twice) wait their turn.
_DEVICE_LOCKS: dict[tuple[str, int], threading.RLock] = {}
_DEVICE_LOCKS_GUARD = threading.Lock()


def device_lock(host: str, port: int) -> threading.RLock:
    """The lock of one device (created on first use)."""
    with _DEVICE_LOCKS_GUARD:
        return _DEVICE_LOCKS.setdefault((host, port), threading.RLock())


# Box-wide outputs grow with the number of tunnels, sessions and ACL lines: on a big firewall
# they take far longer to print than a filtered one, so their read timeout is scaled up.
# Filtered variants (`... peer X`, `... filter ipaddress X`, `show route NET MASK`) keep
# the plain timeout.
BOX_WIDE_FACTOR = 6
_BOX_WIDE = frozenset(
    {
        "show crypto isakmp sa",
        "show crypto ipsec sa",
        "show vpn-sessiondb detail l2l",
        "show running-config access-list",
        "show access-list",
        "show running-config",
        "show running-config crypto map",
        "show running-config tunnel-group",
        "show running-config nat",
        "show nat",
        "show logging",
        "show crypto ca certificates",
    }
)


def read_timeout_for(command: str, base: float) -> float:
    """``base`` seconds, times BOX_WIDE_FACTOR for the box-wide commands that grow with the
    firewall's size (slow devices with long outputs keep working)."""
    return base * BOX_WIDE_FACTOR if command in _BOX_WIDE else base


Connection = Any  # a connected netmiko object (or a test double with the same methods)
ConnectionFactory = Callable[..., Connection]


def prompt_regex(base_prompt: str) -> str:
    """Anchored prompt regex (use with ``re.M``): ``fw1# ``, ``fw1> ``, ``fw1(config)# ``.

    Anchoring on a whole line matters: debug output contains ``#`` (``Proposal # 1``), so a
    bare ``#`` would end a read in the middle of the stream. The whole pattern is one
    capturing group and has no other: netmiko's ``read_until_pattern`` splits on it and keeps
    only the first group as "the matched text".
    """
    return rf"(^{re.escape(base_prompt)}(?:\([^)\r\n]*\))?[#>] ?$)"


def prompt_char(prompt: str) -> str:
    """``"fw1# "`` -> ``"#"``: privileged (#) or user (>) mode."""
    stripped = prompt.strip()
    return stripped[-1] if stripped else ""


def translate(exc: BaseException, *, host: str, command: str | None = None) -> VpnDoctorError:
    """Map any netmiko/paramiko/socket exception to our tree (the only place that knows them).

    ``command`` is None while connecting; some exceptions mean different things then (a
    ``ReadTimeout`` during login is "device did not answer", during a command it is "command
    took too long").
    """
    if isinstance(exc, VpnDoctorError):
        return exc
    text = str(exc)
    where = {"host": host, "command": command}
    if isinstance(exc, _EnableRefused):
        return AuthenticationFailed(
            "enable password refused (wrong enable secret; give it with --secret-env or "
            "--secret-file)",
            host=host,
            output=exc.reply,
        )
    if isinstance(exc, NetmikoAuthenticationException) and "enable mode" in text:
        return NotPrivileged(
            "could not reach privileged mode with 'login'; give the enable secret with "
            "--secret-env or --secret-file",
            **where,
        )
    if isinstance(exc, paramiko.AuthenticationException):  # includes netmiko's subclass
        return AuthenticationFailed("SSH login refused (check username and password)", **where)
    if isinstance(exc, paramiko.BadHostKeyException) or (
        isinstance(exc, (NetmikoTimeoutException, paramiko.SSHException))
        and ("known_hosts" in text or "Host key" in text)
    ):
        return AuthenticationFailed(
            "SSH host key is not trusted (not in known_hosts, or it changed); check the "
            "fingerprint, then add it with ssh-keyscan",
            **where,
        )
    if isinstance(exc, NetmikoTimeoutException) and command is None:
        if "DNS failure" in text or isinstance(exc.__cause__, socket.gaierror):
            return DeviceUnreachable("host name does not resolve (DNS failure)", **where)
        return DeviceUnreachable(
            "cannot open an SSH connection (connection refused, filtered or timed out)",
            **where,
        )
    if isinstance(exc, socket.gaierror):
        return DeviceUnreachable("host name does not resolve (DNS failure)", **where)
    if isinstance(exc, (ConnectionRefusedError, socket.timeout)) and command is None:
        return DeviceUnreachable(f"cannot connect: {exc}", **where)
    if isinstance(exc, ReadTimeout):
        what = "while logging in" if command is None else "before the prompt came back"
        return DeviceTimeout(f"device stopped answering {what}", **where)
    if isinstance(exc, NetmikoTimeoutException):
        return DeviceTimeout("timed out waiting for the session", **where)
    if isinstance(exc, (ReadException, WriteException, EOFError, OSError, paramiko.SSHException)):
        return SessionLost(f"SSH session lost ({type(exc).__name__}: {text})", **where)
    if isinstance(exc, ValueError):  # netmiko: "Router prompt not found", "Failed to enter..."
        if "enable" in text.lower():
            return NotPrivileged("could not enter enable mode", **where)
        return SessionLost(f"unexpected reply from the device: {text}", **where)
    return DeviceError(f"unexpected {type(exc).__name__}: {text}", **where)


class AsaSession:
    """A logged-in, privileged SSH session to one ASA; implements ``CommandRunner``.

    Use as a context manager::

        with AsaSession(ConnectionSettings(host="10.0.0.1", username="u", password=pw)) as s:
            print(s.run("show crypto isakmp sa"))

    ``connection_factory`` exists for unit tests (a fake netmiko connection); production code
    leaves it alone.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        connection_factory: ConnectionFactory | None = None,
        read_debug_at_login: bool = True,
    ) -> None:
        self.settings = settings
        self.read_debug_at_login = read_debug_at_login
        # What may be sent now (debug only after a peer condition unless forced, no
        # show tech-support unless asked) and every debug to undo at close.
        self.policy = SendPolicy()
        self._factory = connection_factory or _AsaConnection
        self._conn: Connection | None = None
        self._prompt_re = ""
        self.hostname = ""
        # From `show curpriv`, read only when the login prompt was not seen (see
        # _check_privileged); None otherwise: the `#` prompt is what the checks need.
        self.privilege_level: int | None = None
        self.connect_seconds: float | None = None
        self._jump: JumpTunnel | None = None  # the bastion session, when there is one
        self._route = resolve_route(settings.host, settings.port, None)
        # `show debug` as read once right after login (None: not read): crypto debugging
        # left on by an earlier session is reported as DEVICE_DEBUG_LEFT_ON.
        self.debug_at_login: str | None = None
        # `show failover` as read once after login (None: not read, or refused): the role.
        self.failover_at_login: str | None = None
        self.context: str | None = None  # the security context the session is in
        self._lock: threading.RLock | None = None  # this device's lock while connected

    # -- CommandRunner -------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self.settings.host

    def run(self, command: str) -> str:
        """Run one allow-listed command and return its output (no echo, no prompt).

        Raises CommandNotAllowed (never sent), CommandRejected (the ASA refused it), or a
        DeviceError if the session failed.
        """
        normalised = self._admit(command)
        conn = self._require()
        self.policy.sent(normalised)  # registered before the write: a timeout may still apply it
        try:
            output: str = conn.send_command(
                normalised,
                expect_string=f"(?m){self._prompt_re}",
                read_timeout=read_timeout_for(normalised, self.settings.read_timeout),
                strip_prompt=True,
                strip_command=True,
            )
        except Exception as exc:
            raise translate(exc, host=self.host, command=normalised) from exc
        if is_rejection(output):
            raise CommandRejected(
                "the device rejected the command",
                host=self.host,
                command=normalised,
                output=output,
            )
        return output

    # -- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> AsaSession:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def connect(self) -> None:
        """Open SSH, reach enable mode and check it; raises our errors only."""
        start = time.perf_counter()
        self._take_device_lock()
        try:
            kwargs = self._netmiko_kwargs()
            if isinstance(self._factory, type) and issubclass(self._factory, _AsaConnection):
                self._attach_socket(kwargs)
            conn = self._factory(**kwargs)
        except Exception as exc:
            self._close_jump()
            self._release_device_lock()
            failure = negotiation_failure(exc, host=self.host, legacy_ssh=self.settings.legacy_ssh)
            raise (failure or translate(exc, host=self.host)) from exc
        self._conn = conn
        self.hostname = str(conn.base_prompt)
        self._prompt_re = prompt_regex(self.hostname)
        try:
            self._check_privileged()
            if self.settings.context:
                self.change_context(self.settings.context)
            if self.read_debug_at_login:
                self.debug_at_login = self.run(SHOW_DEBUG)
                self.failover_at_login = self._read_failover()
        except BaseException:
            self.close()
            raise
        self.connect_seconds = time.perf_counter() - start

    @property
    def role(self) -> str:
        """standalone | active | standby, from ``show failover`` read at login (or the
        prompt); the standby never gets a debug."""
        from vpn_doctor.parse.failover import failover_role

        return failover_role(self.failover_at_login, self.hostname).role

    def change_context(self, name: str) -> None:
        """``changeto context NAME`` (or ``system`` for the system context); follows the new
        prompt (``fw/ctx1#``). Refused by the device (no such context, single mode): raises
        CommandRejected. One SSH session serves every context of a device this way."""
        command = "changeto system" if name == "system" else changeto_context(name)
        normalised = self._admit(command)
        conn = self._require()
        try:
            conn.write_channel(normalised + "\n")
            output: str = conn.read_until_pattern(
                pattern=r"(^[^\s#>]+[#>] ?$)",
                re_flags=re.MULTILINE,
                read_timeout=self.settings.read_timeout,
            )
        except Exception as exc:
            raise translate(exc, host=self.host, command=normalised) from exc
        if is_rejection(output) or "ERROR" in output:
            raise CommandRejected(
                f"the device refused to change to context {name!r} (no such context, or not "
                "in multiple-context mode)",
                host=self.host,
                command=normalised,
                output=output,
            )
        prompt = ending_prompt(output)
        self.hostname = prompt[:-1]
        conn.base_prompt = self.hostname
        self._prompt_re = prompt_regex(self.hostname)
        self.context = None if name == "system" else name

    def _read_failover(self) -> str | None:
        """``show failover``, or None when the device refuses it (some user contexts)."""
        try:
            return self.run(SHOW_FAILOVER)
        except CommandRejected:
            return None

    def close(self) -> None:
        """Undo any debug this session turned on and did not undo, log out; never raises
        (the session may already be gone: then the debug stays on, and the next login's
        ``show debug`` reports it as DEVICE_DEBUG_LEFT_ON)."""
        if self._conn is not None:
            for command in self.policy.undo_commands():
                with contextlib.suppress(Exception):
                    self.run(command)
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a dead session cannot be closed more politely
                conn.disconnect()
        self._close_jump()
        self._release_device_lock()

    def _close_jump(self) -> None:
        jump, self._jump = self._jump, None
        if jump is not None:
            jump.close()

    def _take_device_lock(self) -> None:
        """Wait for any other session of this process to the same device (module comment at
        ``_DEVICE_LOCKS``); a wait longer than a login plus a command is a timeout."""
        lock = device_lock(self.settings.host, self.settings.port)
        wait = self.settings.conn_timeout + self.settings.read_timeout
        if not lock.acquire(timeout=wait):
            raise DeviceTimeout(
                f"another vpn-doctor session to this device is still open after {wait:g} s "
                "(one SSH session per device at a time)",
                host=self.host,
            )
        self._lock = lock

    def _release_device_lock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            with contextlib.suppress(RuntimeError):  # released from another thread: harmless
                lock.release()

    @property
    def connected(self) -> bool:
        return self._conn is not None

    # -- raw channel helpers (debug streaming) ----------------------------------------------
    @property
    def prompt_pattern(self) -> str:
        """The anchored prompt regex (use with ``re.M``); see :func:`prompt_regex`."""
        self._require()
        return self._prompt_re

    def write_raw(self, text: str) -> None:
        """Write ``text`` to the channel as is; every non-empty line must be allow-listed."""
        admitted = [self._admit(line) for line in text.splitlines() if line.strip()]
        conn = self._require()
        for line in admitted:
            self.policy.sent(line)
        try:
            conn.write_channel(text)
        except Exception as exc:
            raise translate(exc, host=self.host, command=text.strip() or None) from exc

    def read_available(self) -> str:
        """Whatever the device has printed since the last read (may be empty); never blocks."""
        conn = self._require()
        try:
            data: str = conn.read_channel()
        except Exception as exc:
            raise translate(exc, host=self.host, command="(reading)") from exc
        return data

    def wait_readable(self, seconds: float) -> None:
        """Block until the device prints something (or the channel closes), ``seconds`` at
        most: the debug channel waits for a reply on the channel, not on the clock, so a
        show command mid-capture (``watch --debug``'s samples) costs what it costs outside."""
        self._require().wait_readable(seconds)

    def run_raw_until_prompt(self, command: str, timeout: float) -> str:
        """Send an allow-listed command and return *everything* printed up to the next prompt.

        Unlike :meth:`run`, nothing is stripped or discarded: debug lines that arrive before
        the echo, the echo itself and the prompt are all returned, so no debug line is lost.
        """
        normalised = self._admit(command)
        conn = self._require()
        self.policy.sent(normalised)
        try:
            conn.write_channel(normalised + "\n")
            output: str = conn.read_until_pattern(
                pattern=self._prompt_re, re_flags=re.MULTILINE, read_timeout=max(timeout, 0.1)
            )
        except Exception as exc:
            raise translate(exc, host=self.host, command=normalised) from exc
        return output

    # -- internals -------------------------------------------------------------------------
    def _admit(self, command: str) -> str:
        """The allowlist, then the session policy; the normalised command, or raise."""
        normalised = check_allowed(command, allow_tech_support=self.policy.allow_tech_support)
        self.policy.check(normalised)
        return normalised

    def _require(self) -> Connection:
        if self._conn is None:
            raise SessionLost("not connected (the session was closed)", host=self.host)
        return self._conn

    def _netmiko_kwargs(self) -> dict[str, Any]:
        """netmiko's arguments; opens the socket (direct, jump host or ProxyCommand) first.

        Pure: the socket is opened by :meth:`_attach_socket`, only for the real netmiko
        class (unit tests with a fake factory never touch the network).
        """
        s = self.settings
        route = self._route = resolve_route(s.host, s.port, s.ssh_config)
        key_file = s.ssh_key or route.key_file
        if key_file is not None and not key_file.expanduser().is_file():
            raise InputError(f"SSH key file not found: {key_file}", host=s.host)
        username = s.username or route.username or getpass.getuser()
        disabled = disabled_algorithms(s.legacy_ssh)
        kwargs: dict[str, Any] = {
            "device_type": "cisco_asa",
            "host": route.host,
            "port": route.port,
            "username": username,
            "password": s.password,
            "use_keys": key_file is not None,
            "key_file": str(key_file.expanduser()) if key_file else None,
            "allow_agent": s.allow_agent,
            "disabled_algorithms": disabled,
            "secret": s.secret or "",
            "fast_cli": True,
            "conn_timeout": s.conn_timeout,
            "auth_timeout": max(s.conn_timeout, 10.0),
            "banner_timeout": max(s.conn_timeout, 15.0),
            "ssh_strict": s.strict_host_key,
            "system_host_keys": False,
            "alt_host_keys": False,
            "enable_timeout": s.enable_timeout,
            "ftd": s.device_type == "ftd",
        }
        if s.strict_host_key:
            if s.known_hosts is None:
                kwargs["system_host_keys"] = True
            elif not s.known_hosts.is_file():
                raise InputError(f"known_hosts file not found: {s.known_hosts}", host=s.host)
            else:
                kwargs["alt_host_keys"] = True
                kwargs["alt_key_file"] = str(s.known_hosts)
        return kwargs

    def _attach_socket(self, kwargs: dict[str, Any]) -> None:
        """Open the byte stream netmiko will use as ``sock``: a bastion's ``direct-tcpip``
        channel (``--jump-host`` or ``ProxyJump``, kept in ``self._jump`` and closed with the
        session), a ``ProxyCommand``, or a direct TCP socket with TCP_NODELAY."""
        s, route = self.settings, self._route
        key_file = kwargs["key_file"]
        jump = JumpHost.parse(s.jump_host) if s.jump_host else route.jump
        if jump is not None:
            self._jump = open_jump(
                jump,
                (route.host, route.port),
                username=kwargs["username"],
                password=s.password,
                key_file=Path(key_file) if key_file else None,
                allow_agent=s.allow_agent,
                host_keys=s.known_hosts,
                strict_host_key=s.strict_host_key,
                timeout=s.conn_timeout,
                disabled=kwargs["disabled_algorithms"],
            )
            kwargs["sock"] = self._jump.channel
        elif route.proxy_command:
            kwargs["sock"] = paramiko.ProxyCommand(route.proxy_command)
        elif s.tcp_nodelay:
            kwargs["sock"] = direct_socket(route.host, route.port, s.conn_timeout)

    def _check_privileged(self) -> None:
        """Confirm we are at ``#``: everything we collect needs privileged mode.

        The prompt that ended session preparation answers it without a round trip (a
        ``show curpriv`` costs one show command's time: 0.2 s on a loaded box); the device
        is asked only when no such prompt was read (test doubles, other factories).
        """
        conn = self._require()
        prompt = getattr(conn, "session_prompt", None)
        if isinstance(prompt, str) and prompt:
            if prompt_char(prompt) != "#":
                raise NotPrivileged(
                    "logged in, but not in privileged (enable) mode; give the enable secret "
                    "with --secret-env or --secret-file",
                    host=self.host,
                    output=prompt,
                )
            return
        output = self.run_raw_until_prompt("show curpriv", self.settings.read_timeout)
        match = re.search(self._prompt_re, output, re.MULTILINE)
        level = re.search(r"privilege level\s*:\s*(\d+)", output, re.IGNORECASE)
        self.privilege_level = int(level.group(1)) if level else None
        if match is None or prompt_char(match.group(0)) != "#":
            raise NotPrivileged(
                "logged in, but not in privileged (enable) mode; give the enable secret with "
                "--secret-env or --secret-file",
                host=self.host,
                command="show curpriv",
                output=output,
            )
