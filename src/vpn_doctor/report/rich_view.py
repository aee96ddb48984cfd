"""Terminal rendering of a diagnosis with rich (cli/ and report/ alone may import rich).

Triage order: the headline (``fw1: 2 down, 1 degraded, 57 up``) and one summary row per
tunnel, worst first, so the tunnels that are down are on the first screen; then, for each
tunnel that is not healthy (every tunnel with ``--all``): the message ladder, the walk
through the playbook (quiet "no" steps dimmed) and each finding as a runbook. Colours carry
meaning only in addition to words, so the output still reads on a monochrome terminal.
When stdout is not a terminal the CLI prints :mod:`vpn_doctor.report.text_view` instead.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.report.formats import VERDICT_WORDS
from vpn_doctor.report.ladder import ladder, ladder_lines
from vpn_doctor.report.runbook import cidr, proxies_line, runbook
from vpn_doctor.report.text_view import check_lines, fix_lines
from vpn_doctor.report.triage import (
    SUMMARY_HEADERS,
    Selection,
    detailed_tunnels,
    headline,
    summary_rows,
)

FIX_LABEL = "Fix (configuration to paste; never applied by vpn-doctor):"
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
VERDICT_STYLE = {
    "up": "bold green",
    "degraded": "bold yellow",
    "down": "bold red",
    "unknown": "bold magenta",
}


def _walk_tree(tunnel: TunnelDiagnosis) -> Tree:
    verdict = VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)
    style = VERDICT_STYLE.get(tunnel.verdict, "bold")
    tree = Tree(Text.assemble(("Path ", "bold"), (tunnel.peer, "bold"), "  ", (verdict, style)))
    for step in tunnel.steps:
        text = cidr(step.text)
        if step.answer is None:
            tree.add(Text(text, style="bold"))
        elif step.shown:
            tree.add(Text(text))
        else:
            tree.add(Text(text, style="dim"))
    return tree


def _runbook_panel(index: int, finding: Finding, tunnel: TunnelDiagnosis) -> Panel:
    """One finding as a runbook: exact evidence, commands alone on their lines, one config
    block to paste (see vpn_doctor.report.runbook)."""
    book = runbook(finding, tunnel)
    parts: list[Text] = []
    if finding.meaning:
        parts.append(Text(cidr(finding.meaning)))
    if book.evidence:
        parts.append(Text("Evidence (as the device printed it):", style="bold"))
        parts.extend(Text("  " + line, style="green", overflow="fold") for line in book.evidence)
    checks = check_lines(book.checks)
    if checks:
        parts.append(Text("Check (read-only commands):", style="bold"))
        parts.extend(
            Text("  " + line, style="dim" if line.lstrip().startswith("->") else "bold cyan")
            for line in checks
        )
    fixes = fix_lines(book.remediation)
    if fixes:
        parts.append(Text(FIX_LABEL, style="bold"))
        parts.extend(
            Text("  " + line, style="dim" if line.startswith("!") else "bold", overflow="fold")
            for line in fixes
        )
    if finding.alternatives:
        parts.append(Text(f"Also consistent with: {', '.join(finding.alternatives)}"))
    style = SEVERITY_STYLE.get(finding.severity, "")
    title = Text.assemble(
        f"{index}. ",
        (finding.code, style),
        f" [{finding.severity}, {finding.confidence}]: {finding.title}",
    )
    return Panel(Group(*parts), title=title, title_align="left")


LADDER_STYLE = {"ok": "", "last": "bold yellow", "missing": "bold red", "later": "dim"}


def _ladder(tunnel: TunnelDiagnosis, device: str) -> Text | None:
    item = ladder(tunnel)
    if item is None:
        return None
    text = Text(no_wrap=True)
    for line, status in ladder_lines(item, device):
        text.append(line + "\n", style=LADDER_STYLE.get(status, ""))
    return text


def _summary_table(report: DiagnosisReport, selection: Selection, width: int) -> Table:
    """One line per tunnel whatever the terminal width: peer, name, verdict and code whole,
    the reason cut with an ellipsis to what is left (the details repeat it in full)."""
    rows = summary_rows(report, selection)
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, padding=(0, 1, 0, 0)
    )
    cells = [(r.peer, r.name, r.verdict, r.code) for r in rows]
    widths = [
        max([len(header), *(len(c[i]) for c in cells)])
        for i, header in enumerate(SUMMARY_HEADERS[:-1])
    ]
    for header, column_width in zip(SUMMARY_HEADERS[:-1], widths, strict=True):
        table.add_column(header, no_wrap=True, width=column_width)
    left = max(12, width - sum(widths) - 2 * len(SUMMARY_HEADERS))
    table.add_column(SUMMARY_HEADERS[-1], no_wrap=True, overflow="ellipsis", max_width=left)
    for row in rows:
        style = VERDICT_STYLE.get(row.verdict, "")
        table.add_row(row.peer, row.name, Text(row.verdict, style=style), row.code, row.reason)
    return table


def render_tunnel(tunnel: TunnelDiagnosis, console: Console, device: str) -> None:
    """The details of one tunnel: ladder, walk, each finding as a runbook."""
    verdict = VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)
    name = f" ({tunnel.name})" if tunnel.name else ""
    style = VERDICT_STYLE.get(tunnel.verdict, "bold")
    console.rule(Text.assemble((f"{tunnel.peer}{name}: ", "bold"), (verdict, style)), align="left")
    proxies = proxies_line(tunnel)
    if proxies:
        console.print(Text(f"proxies: {proxies}"))
    drawn = _ladder(tunnel, device)
    if drawn is not None:
        console.print(drawn)
    console.print(_walk_tree(tunnel))
    for index, finding in enumerate(tunnel.findings, start=1):
        console.print(_runbook_panel(index, finding, tunnel))
    console.print()


def render_summary(report: DiagnosisReport, console: Console, selection: Selection) -> None:
    """The headline, one row per tunnel (worst first), device findings and notes."""
    version = f"  (ASA {report.version})" if report.version else ""
    worst = VERDICT_STYLE.get(report.verdict, "bold") if report.tunnels else "bold"
    console.print(Text(headline(report) + version, style=worst))
    if report.partial:
        console.print(
            Text("PARTIAL: collection stopped early; this is what was collected", style="bold")
        )
    if report.tunnels:
        console.print(_summary_table(report, selection, console.width))
    for finding in report.device_findings:
        style = SEVERITY_STYLE.get(finding.severity, "")
        console.print(Text(f"device: {finding.code} [{finding.severity}] {finding.title}", style))
    for note in report.notes:
        console.print(Text(f"note: {note}", style="dim"))


def render_focus(tunnel: TunnelDiagnosis, console: Console, device: str) -> None:
    """The short form `demo` shows: one tunnel's ladder and its root cause as a runbook."""
    verdict = VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)
    name = f" ({tunnel.name})" if tunnel.name else ""
    style = VERDICT_STYLE.get(tunnel.verdict, "bold")
    console.rule(Text.assemble((f"{tunnel.peer}{name}: ", "bold"), (verdict, style)), align="left")
    drawn = _ladder(tunnel, device)
    if drawn is not None:
        console.print(drawn)
    if tunnel.root_cause is not None:
        console.print(_runbook_panel(1, tunnel.root_cause, tunnel))


def render_rich(
    report: DiagnosisReport,
    console: Console | None = None,
    selection: Selection | None = None,
) -> None:
    """Print the report to ``console`` (a new stdout Console by default): the headline and
    the summary table first, then the details of the tunnels that need them."""
    console = console or Console()
    selection = selection or Selection()
    render_summary(report, console, selection)
    console.print()
    device = report.hostname or "ASA"
    for tunnel in detailed_tunnels(report, selection):
        render_tunnel(tunnel, console, device)


def render_rich_text(
    report: DiagnosisReport, width: int = 100, selection: Selection | None = None
) -> str:
    """The rich rendering as plain text (no colour codes), for tests and logs."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    render_rich(report, console, selection)
    return buffer.getvalue()
