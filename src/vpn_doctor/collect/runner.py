"""The one interface the engine needs from "a device": run a command, get its text.

A live SSH session, a saved snapshot and a pasted terminal log all implement this, so the
same collection and diagnosis code runs against any of them (httpx's MockTransport idea).
"""

from __future__ import annotations

from typing import Protocol


class CommandRunner(Protocol):
    """Runs one read-only command and returns the device's output (without echo/prompt).

    Implementations raise :class:`vpn_doctor.errors.VpnDoctorError` subclasses, never a
    library's own exception. A command the source does not have raises
    :class:`vpn_doctor.errors.SnapshotError` for offline sources.
    """

    @property
    def host(self) -> str: ...

    def run(self, command: str) -> str: ...
