"""Terminal rendering for `collect` and `demo` (rich lives here, not in the logic modules).

Kept apart so collection stays testable without a terminal and so the look can change
without touching the code that talks to firewalls. Everything prints to the given console;
the spinner goes to stderr and only when stderr is a terminal (cron mail stays clean).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from vpn_doctor.asa.commands import snapshot_filename
from vpn_doctor.collect.collector import is_rejection
from vpn_doctor.models import DeviceState, ParseResult, Snapshot

Update = Callable[[str], None]


@contextmanager
def progress(message: str, *, enabled: bool | None = None) -> Iterator[Update]:
    """A rich spinner on stderr while connecting/collecting; yields ``update(text)``.

    A no-op when stderr is not a terminal (pipes, cron, tests), so nothing clutters logs.
    """
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield lambda _text: None
        return
    console = Console(stderr=True)
    with console.status(message) as status:
        yield lambda text: status.update(text)


@dataclass(frozen=True)
class CollectSummary:
    """What the summary needs beyond the snapshot itself."""

    host: str
    port: int
    connect_seconds: float | None
    total_seconds: float
    saved_to: str | None


def _command_rows(snapshot: Snapshot) -> list[tuple[str, str, str]]:
    rows = []
    for command, output in snapshot.outputs.items():
        if is_rejection(output):
            result = "[red]rejected by the device[/]"
        else:
            count = len(output.splitlines())
            result = f"{count} line" if count == 1 else f"{count} lines"
        rows.append((command, result, snapshot_filename(command)))
    return rows


def _header(console: Console, snapshot: Snapshot, summary: CollectSummary) -> None:
    device = snapshot.device
    name = device.hostname or summary.host
    details = ", ".join(
        part
        for part in (
            f"ASA {device.version}" if device.version else "",
            device.model,
            f"peer {snapshot.peer}" if snapshot.peer else "",
        )
        if part
    )
    console.print(
        f"[bold]{name}[/] ({summary.host}:{summary.port})" + (f"  {details}" if details else "")
    )
    timing = f"collected {len(snapshot.outputs)} commands in {summary.total_seconds:.2f} s"
    if summary.connect_seconds is not None:
        timing += f" (SSH connect + enable {summary.connect_seconds:.2f} s)"
    console.print(timing)


def render_collect(console: Console, snapshot: Snapshot, summary: CollectSummary) -> None:
    """Summary of a `collect` run: device, timing, one row per command, where it was saved."""
    _header(console, snapshot, summary)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    with_files = summary.saved_to is not None  # file names only matter once saved
    table.add_column("command")
    table.add_column("result", no_wrap=True)
    if with_files:
        table.add_column("file", style="dim")
    for command, result, filename in _command_rows(snapshot):
        table.add_row(command, result, *([filename] if with_files else []))
    console.print(table)
    if snapshot.debug_lines:
        console.print(f"{len(snapshot.debug_lines)} debug/syslog lines")
    if summary.saved_to:
        console.print(f"snapshot saved to [bold]{summary.saved_to}[/] (secrets masked)")


_STATUS_STYLE = {"ok": "green", "empty": "green", "partial": "yellow"}


def _status(result: ParseResult[Any]) -> str:
    value = result.status.value
    return f"[{_STATUS_STYLE.get(value, 'red')}]{value}[/]"


def render_state(console: Console, state: DeviceState) -> None:
    """What the parser understood: IKE SAs, IPsec SAs and L2L sessions, with parse status."""
    ike = Table(title="IKE (phase 1) SAs", title_justify="left", box=None, pad_edge=False)
    for column in ("peer", "IKE", "state", "role"):
        ike.add_column(column)
    for ike_sa in state.ike_sas.records:
        ike.add_row(ike_sa.peer, f"v{ike_sa.ike_version}", ike_sa.state, ike_sa.role)
    console.print(ike if state.ike_sas.records else "IKE (phase 1) SAs: none")
    console.print(f"  parse: {_status(state.ike_sas)} ({state.ike_sas.command})")

    ipsec = Table(title="IPsec (phase 2) SAs", title_justify="left", box=None, pad_edge=False)
    for column in ("peer", "local", "remote", "encaps", "decaps", "errors"):
        ipsec.add_column(column)
    for sa in state.ipsec_sas.records:
        ipsec.add_row(
            sa.peer,
            str(sa.local_ident or ""),
            str(sa.remote_ident or ""),
            str(sa.pkts_encaps),
            str(sa.pkts_decaps),
            str(sa.send_errors + sa.recv_errors),
        )
    console.print(ipsec if state.ipsec_sas.records else "IPsec (phase 2) SAs: none")
    console.print(f"  parse: {_status(state.ipsec_sas)} ({state.ipsec_sas.command})")

    names = ", ".join(s.connection for s in state.sessions.records) or "none"
    console.print(f"L2L sessions: {names}")
    console.print(f"  parse: {_status(state.sessions)} ({state.sessions.command})")


def render_demo(
    console: Console,
    snapshot: Snapshot,
    summary: CollectSummary,
    *,
    scenario: str,
    state: DeviceState | None,
    audit: list[str],
) -> None:
    """The `demo` story: a real SSH session to the mock, what was sent, what was understood."""
    console.rule(f"vpn-doctor demo: mock ASA scenario [bold]{scenario}[/]")
    render_collect(console, snapshot, summary)
    if audit:
        console.print(
            f"commands the mock received over SSH ({len(audit)}; all exec mode, no "
            "configuration command): [dim]" + ", ".join(audit) + "[/]"
        )
    if state is None:
        console.print("[yellow]parser not available yet: showing raw collection only[/]")
    else:
        render_state(console, state)
