"""One exception tree for everything vpn-doctor raises on purpose.

Every error carries the exit code the CLI uses for it, so a cron job or a Nagios check can
tell "the tunnel is down" (exit 2) from "we could not log in" (exit 11) without parsing text.
netmiko's own exceptions do not share a base class; the driver translates them here, at the
boundary, so nothing above the driver ever sees a netmiko or paramiko exception.

    VpnDoctorError                      3   could not determine (generic)
    ├── DeviceError                         something went wrong talking to a device
    │   ├── DeviceUnreachable          10   TCP connect failed / refused / DNS
    │   ├── AuthenticationFailed       11   SSH login or enable password refused
    │   ├── DeviceTimeout              12   device stopped answering within the timeout
    │   ├── SessionLost                12   the SSH session died mid-way
    │   ├── CommandRejected            13   device answered "% Invalid input detected" etc.
    │   ├── NotPrivileged              14   could not reach privileged (enable) mode
    │   └── CollectionInterrupted    (cause) collection stopped part-way; ``.snapshot``
    │                                       holds what was gathered (exit code of the cause)
    ├── CommandNotAllowed              15   refused by the read-only allowlist; never sent
    ├── DebugCleanupFailed             16   debug may still be running on the device
    └── InputError                     17   bad file given to us (snapshot, log, YAML)
        ├── SnapshotError              17
        ├── ScenarioError              17
        ├── InventoryError             17
        └── PlaybookError              18   a shipped or user playbook is invalid
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vpn_doctor.models import Snapshot


class ExitCode:
    """Process exit codes. 0-3 follow the Nagios plugin convention (OK/WARNING/CRITICAL/UNKNOWN)."""

    OK = 0
    DEGRADED = 1
    DOWN = 2
    UNKNOWN = 3
    UNREACHABLE = 10
    AUTH_FAILED = 11
    TIMEOUT = 12
    COMMAND_REJECTED = 13
    NOT_PRIVILEGED = 14
    NOT_ALLOWED = 15
    DEBUG_LEFT_ON = 16
    BAD_INPUT = 17
    BAD_PLAYBOOK = 18
    USAGE = 64
    INTERRUPTED = 130


class VpnDoctorError(Exception):
    """Root of every error vpn-doctor raises deliberately.

    ``host``, ``command`` and ``output`` are kept so a message can say exactly where it went
    wrong and a fleet run can attach the failure to the right device.
    """

    exit_code: int = ExitCode.UNKNOWN

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        command: str | None = None,
        output: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.host = host
        self.command = command
        self.output = output

    def __str__(self) -> str:
        where = []
        if self.host:
            where.append(self.host)
        if self.command:
            where.append(f"'{self.command}'")
        prefix = f"{': '.join(where)}: " if where else ""
        return f"{prefix}{self.message}"


class DeviceError(VpnDoctorError):
    """Talking to the device failed."""


class DeviceUnreachable(DeviceError):
    exit_code = ExitCode.UNREACHABLE


class AuthenticationFailed(DeviceError):
    exit_code = ExitCode.AUTH_FAILED


class DeviceTimeout(DeviceError):
    exit_code = ExitCode.TIMEOUT


class SessionLost(DeviceError):
    exit_code = ExitCode.TIMEOUT


class CommandRejected(DeviceError):
    exit_code = ExitCode.COMMAND_REJECTED


class NotPrivileged(DeviceError):
    exit_code = ExitCode.NOT_PRIVILEGED


class CollectionInterrupted(DeviceError):
    """Collection stopped part-way (device error or Ctrl-C); nothing gathered is thrown away.

    ``snapshot`` holds every output collected before the failure so the CLI can save it (an
    engineer often needs exactly the half-collected box). The exit code is the cause's (10, 12,
    130, ...), so a script still learns *why* it stopped; the cause is ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        snapshot: Snapshot,
        exit_code: int,
        host: str | None = None,
        command: str | None = None,
        output: str | None = None,
    ) -> None:
        super().__init__(message, host=host, command=command, output=output)
        self.snapshot = snapshot
        self.exit_code = exit_code


class CommandNotAllowed(VpnDoctorError):
    """The read-only allowlist refused a command. It was never sent to the device."""

    exit_code = ExitCode.NOT_ALLOWED


class DebugCleanupFailed(VpnDoctorError):
    """Debug could not be verified off. The message lists the commands to run by hand."""

    exit_code = ExitCode.DEBUG_LEFT_ON


class InputError(VpnDoctorError):
    exit_code = ExitCode.BAD_INPUT


class UsageError(InputError):
    """The command line itself is wrong (no source or two sources, no way to get the
    password, an unknown term to explain): exit 64, like argparse's own errors. An
    InputError subclass so code that catches bad input still catches it."""

    exit_code = ExitCode.USAGE


class SnapshotError(InputError):
    pass


class ScenarioError(InputError):
    pass


class InventoryError(InputError):
    pass


class ExporterConfigError(InputError):
    """The exporter's YAML configuration is unusable (``vpn-doctor exporter --config``)."""


class PlaybookError(InputError):
    exit_code = ExitCode.BAD_PLAYBOOK
