"""Terminal rendering of a diagnosis with rich (the only diagnosis module importing rich).

Per tunnel: a tree of the walk through the playbook (every decision, including the quiet
"no" steps the JSON path leaves out, dimmed), then a findings table coloured by severity,
then the evidence, checks and fix of the most likely cause. Colours carry meaning only in
addition to words, so the output still reads on a monochrome terminal or in a log file.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.report.formats import VERDICT_WORDS, sorted_tunnels

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
    tree = Tree(Text.assemble((tunnel.peer, "bold"), "  ", (verdict, style)))
    for step in tunnel.steps:
        if step.answer is None:
            tree.add(Text(step.text, style="bold"))
        elif step.shown:
            tree.add(Text(step.text))
        else:
            tree.add(Text(step.text, style="dim"))
    return tree


def _findings_table(findings: tuple[Finding, ...]) -> Table:
    table = Table(show_lines=False, expand=False, title="Findings (most likely first)")
    table.add_column("#", justify="right")
    table.add_column("Severity")
    table.add_column("Code")
    table.add_column("Title")
    table.add_column("Confidence")
    for index, finding in enumerate(findings, start=1):
        style = SEVERITY_STYLE.get(finding.severity, "")
        table.add_row(
            str(index),
            Text(finding.severity, style=style),
            Text(finding.code, style=style),
            finding.title,
            finding.confidence,
        )
    return table


def _detail(finding: Finding) -> Panel:
    parts: list[Text | Table] = []
    if finding.meaning:
        parts.append(Text(finding.meaning))
    if finding.evidence:
        parts.append(Text("Evidence (device lines):", style="bold"))
        parts.extend(Text("  " + line, style="green") for line in finding.evidence)
    if finding.checks:
        parts.append(Text("Checks (read-only):", style="bold"))
        parts.extend(Text("  " + check) for check in finding.checks)
    if finding.remediation:
        parts.append(Text("Remediation (never applied by vpn-doctor):", style="bold"))
        parts.extend(Text("  " + line) for line in finding.remediation)
    if finding.alternatives:
        parts.append(Text(f"Also consistent with: {', '.join(finding.alternatives)}"))
    style = SEVERITY_STYLE.get(finding.severity, "")
    title = f"[{style}]{escape(finding.code)}[/]: {escape(finding.title)}"
    return Panel(Group(*parts), title=title, title_align="left")


def render_rich(report: DiagnosisReport, console: Console | None = None) -> None:
    """Print the report to ``console`` (a new stdout Console by default)."""
    console = console or Console()
    header = report.hostname or "device"
    if report.version:
        header += f" (ASA {report.version})"
    console.rule(f"vpn-doctor diagnosis: {escape(header)}")
    if report.partial:
        console.print(
            Text("PARTIAL: collection stopped early; this is what was collected", style="bold")
        )
    for finding in report.device_findings:  # the box itself (debug left on ...) comes first
        console.print(_detail(finding))
    for note in report.notes:
        console.print(Text(f"note: {note}", style="dim"))
    tunnels = sorted_tunnels(report)
    if not tunnels:
        console.print("No tunnel found in the outputs.")
    for tunnel in tunnels:
        console.print(_walk_tree(tunnel))
        if tunnel.findings:
            console.print(_findings_table(tunnel.findings))
            console.print(_detail(tunnel.findings[0]))
        console.print()


def render_rich_text(report: DiagnosisReport, width: int = 100) -> str:
    """The rich rendering as plain text (no colour codes), for tests and logs."""
    buffer = io.StringIO()
    render_rich(report, Console(file=buffer, width=width, color_system=None, force_terminal=False))
    return buffer.getvalue()
