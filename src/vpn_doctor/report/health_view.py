"""Terminal rendering for `check` (rich lives here): the progress bar and the summary table.

The progress bar goes to stderr and only when stderr is a terminal, so a cron job's mail and
a Nagios plugin's stdout carry nothing but the status line and the table.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vpn_doctor.fleet.check import CRITICAL, STATE_NAMES, UNKNOWN, WARNING, HostResult, OnDone
from vpn_doctor.fleet.status import FleetSummary

_STATE_STYLE = {0: "green", WARNING: "yellow", CRITICAL: "bold red", UNKNOWN: "magenta"}


@contextmanager
def progress(total: int, *, enabled: bool | None = None) -> Iterator[OnDone]:
    """A progress bar on stderr (TTY only); yields the ``on_done(result)`` callback."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield lambda _result: None
        return
    bar = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task("", total=total)

        def on_done(result: HostResult) -> None:
            style = _STATE_STYLE.get(result.nagios, "")
            text = f"[{style}]{result.host} {STATE_NAMES[result.nagios]}[/]"
            bar.update(task, advance=1, description=text)

        yield on_done


def _worst_text(result: HostResult) -> str:
    if not result.reachable:
        return f"{result.status}: {result.error}"
    if result.standby:
        return "standby unit: skipped (DEVICE_STANDBY_UNIT, tunnels on the active unit)"
    worst = [(t, t.worst) for t in result.expected if t.worst is not None]
    if not worst:
        return "-" if result.expected else "no tunnel expected or found"
    rank = {"critical": 0, "warning": 1, "info": 2}
    tunnel, finding = min(worst, key=lambda item: rank.get(item[1].severity if item[1] else "", 3))
    assert finding is not None
    more = f" (+{len(worst) - 1} more)" if len(worst) > 1 else ""
    return f"{tunnel.peer} {finding.code} ({finding.severity}){more}"


def render_table(console: Console, results: Sequence[HostResult], summary: FleetSummary) -> None:
    """One row per host: reachable, tunnels up/total, state, worst finding."""
    table = Table(title=f"VPN health: {summary.devices} devices, {summary.duration:.1f} s")
    table.add_column("Host")
    table.add_column("Address")
    table.add_column("Reachable")
    table.add_column("Tunnels up", justify="right")
    table.add_column("State")
    table.add_column("Worst finding", overflow="fold")
    for result in results:
        style = _STATE_STYLE.get(result.nagios, "")
        expected = result.expected
        tunnels = f"{sum(1 for t in expected if t.up)}/{len(expected)}" if result.reachable else "-"
        table.add_row(
            result.host,
            f"{result.address}:{result.port}",
            "yes" if result.reachable else f"[red]{result.status}[/]",
            tunnels,
            f"[{style}]{STATE_NAMES[result.nagios]}[/]",
            _worst_text(result),
        )
    console.print(table)
    console.print(
        f"{summary.tunnels_up} of {summary.tunnels} expected tunnels up; devices: "
        f"{summary.ok} ok, {summary.warning} warning, {summary.critical} critical, "
        f"{summary.unknown} unknown"
        + (f"; {summary.skipped} skipped (not an ASA or disabled)" if summary.skipped else "")
    )
