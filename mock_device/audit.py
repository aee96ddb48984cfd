"""The audit log: every line the mock received, per session, in order.

Why: vpn-doctor promises to be read-only and to always undo debug. The audit log is how
tests prove it: what was sent, in which session, at which privilege, and whether the
device accepted it. Password lines are recorded as `PASSWORD_MASK`, never in clear, so a
saved audit file cannot leak the credentials it was tested with.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

PASSWORD_MASK = "<password>"


@dataclass(frozen=True)
class AuditEntry:
    """One received line.

    kind: "command" (typed at a prompt), "username" (answer to `Username:`) or "password"
    (answer to a `Password:` prompt; `command` is then PASSWORD_MASK). Empty lines (netmiko
    sends many bare Enters) are recorded too, as command "".
    """

    session: int
    command: str
    privileged: bool
    accepted: bool
    at: float
    kind: str = "command"
    config_change: bool = False


class AuditLog:
    """Thread-safe append-only list, optionally mirrored to a JSON-lines file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._entries: list[AuditEntry] = []
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if path is not None:
            self._file = Path(path).open("a", encoding="utf-8")  # noqa: SIM115 (long-lived)

    def record(self, entry: AuditEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if self._file is not None:
                self._file.write(json.dumps(asdict(entry)) + "\n")
                self._file.flush()

    def entries(self) -> list[AuditEntry]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
